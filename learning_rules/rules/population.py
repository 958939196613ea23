"""The population-rule base class: one ``step`` is one generation of ask / score / tell.

In the spirit of evosax's ask-tell interface (Lange 2022):

    candidates = rule.ask(net)                    # (P, D) flat parameter vectors
    fitness    = rule.score(net, candidates, x, y) # (P,), minimised
    rule.tell(net, candidates, fitness)           # update the search state and the network

Everything is minimised. Fitness is the mean loss on the step's batch (``fitness="loss"``) or
the error rate (``fitness="error"``); a NaN or infinite fitness is replaced by +inf before
``tell`` sees it, so it ranks worst. Scoring is vectorised for the rate network
(``learning_rules.population_forward``) and falls back to a loop over individuals otherwise,
so the rules work on any network with ``params`` and ``predict`` (the spiking one included).

A step reports ``loss`` (the network's batch loss before the generation), ``flops`` (forward
FLOPs of every candidate plus the search's own arithmetic), and ``best_fitness``,
``mean_fitness`` (over the finite candidates) and ``worst_fitness``.
"""

from __future__ import annotations

from abc import abstractmethod
from typing import ClassVar

import numpy as np

from ..hyperparameters import Integer, Options
from ..losses import LOSSES, get_loss
from ..params import leaves
from ..population_forward import FITNESS_KINDS, ParamLayout, population_fitness, population_outputs
from ..streams import child_stream
from .base import LearningRule


def sanitize_fitness(fitness: np.ndarray) -> np.ndarray:
    """NaN and +-inf -> +inf (worst), so no non-finite candidate can win a comparison."""
    f = np.asarray(fitness, dtype=np.float64)
    return np.where(np.isfinite(f), f, np.inf)


class PopulationRule(LearningRule):
    """Shared generation loop; subclasses implement ``init_search``, ``ask`` and ``tell``."""

    update_dependency = "population"
    requires = "population"
    #: candidates are scored by forward passes alone, so any network with params and predict will do
    #: generations the conformance kit runs (one generation = one step)
    conformance_steps: ClassVar[int] = 60

    hyperparameters = {"population_size": Integer(2), "fitness": Options(*FITNESS_KINDS),
                       "loss": Options(*LOSSES)}

    def __init__(self, population_size: int = 64, fitness: str = "loss", loss: str = "cross_entropy",
                 **hyperparameters) -> None:
        super().__init__(population_size=population_size, fitness=fitness, loss=loss, **hyperparameters)

    # -- hooks ------------------------------------------------------------------------------
    @abstractmethod
    def init_search(self, net, theta: np.ndarray) -> None:
        """Create the search state from the network's flat parameters theta (D,)."""

    @abstractmethod
    def ask(self, net) -> np.ndarray:
        """The generation's candidates, (P, D) in the network's dtype."""

    @abstractmethod
    def tell(self, net, candidates: np.ndarray, fitness: np.ndarray) -> None:
        """Update the search state from the finite-or-+inf fitness (P,) and write the network."""

    def search_flops(self) -> int:
        """Arithmetic of ask + tell per generation (default: a few operations per parameter)."""
        return 2 * self.population_size * self.layout.size

    # -- shared loop ------------------------------------------------------------------------
    def init(self, net, rng: np.random.Generator) -> None:
        self.check_network(net)
        self.rng = child_stream(rng, "population")  # learning_rules.streams
        self.layout = ParamLayout.of(net.params)
        self.generation = 0
        self.init_search(net, self.layout.flatten(leaves(net.params)))

    def outputs(self, net, candidates: np.ndarray, x: np.ndarray) -> np.ndarray:
        """Every candidate's output on x: (P, B, n_out). Subclasses may exploit structure."""
        return population_outputs(net, candidates, x)

    def forward_flops(self, net, n_candidates: int, batch: int) -> int:
        """FLOPs of ``outputs``: one forward pass per candidate."""
        return n_candidates * net.flops(batch)

    def score(self, net, candidates: np.ndarray, x: np.ndarray, y: np.ndarray) -> np.ndarray:
        """Fitness (P,) of each candidate on the batch; non-finite -> +inf."""
        losses, errors = population_fitness(self.outputs(net, candidates, x), y, self.loss)
        return sanitize_fitness(losses if self.fitness == "loss" else errors)

    def step(self, net, x: np.ndarray, y: np.ndarray) -> dict[str, float]:
        loss = get_loss(self.loss)(net.predict(x), y)[0]  # the network before this generation
        candidates = self.ask(net)  # (P, D)
        fitness = self.score(net, candidates, x, y)  # (P,)
        self.tell(net, candidates, fitness)
        self.generation += 1
        finite = fitness[np.isfinite(fitness)]
        worst = float(finite.max()) if finite.size else float("nan")
        info = {
            "loss": float(loss),
            # every candidate's forward pass, the network's own (for "loss"), ask and tell
            "flops": float(self.forward_flops(net, candidates.shape[0], x.shape[0])
                           + net.flops(x.shape[0]) + self.search_flops()),
            "best_fitness": float(finite.min()) if finite.size else float("nan"),
            "mean_fitness": float(finite.mean()) if finite.size else float("nan"),
            "worst_fitness": worst,
        }
        return info
