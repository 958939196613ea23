"""A genetic algorithm over the whole weight vector, after Such et al. 2017, "Deep
Neuroevolution: Genetic Algorithms Are a Competitive Alternative for Training Deep Neural
Networks for Reinforcement Learning" (arXiv:1712.06567).

Population theta_1..theta_P (P, D). Generation 0 is the network's initial parameters and P - 1
mutants of it. Each later generation, from the previous one's fitness F (minimised, on the batch):

    elites   = the E best individuals, copied unchanged                        (elitism)
    parents  = truncation: uniform draws from the top ceil(truncation P) individuals, or
               tournament: the best of ``tournament_size`` uniform draws
    child    = crossover(parent_a, parent_b) with probability crossover_rate  (uniform: per
               parameter, layer: per layer (all its parameters), each from a or b with probability 1/2)
    child   <- child + sigma_t * eps,  eps ~ N(0, I),  sigma_t = mutation_scale * mutation_decay^t

Individuals with NaN or infinite fitness are never elites and never parents while any finite
individual exists. After each generation the network holds that generation's best individual.

Defaults: population 64, truncation 0.25, one elite, mutation_scale 0.02 decaying by 0.999 a
generation (broad search first, fine-tuning later: evolution.toml's tuned schedule). On digits
(64-64-10, 3 epochs of 1200 images, 2 seeds) a fixed 0.01 reached 62.5-65.0%, the schedule
68.2-69.0%.
"""

from __future__ import annotations

import math

import numpy as np

from ..hyperparameters import Integer, Options, Real
from .plausibility import PlausibilityCard
from .population import PopulationRule

SELECTIONS = ("truncation", "tournament")
CROSSOVERS = ("none", "uniform", "layer")


class Genetic(PopulationRule):
    """Truncation or tournament selection, elitism, Gaussian mutation, optional crossover."""

    name = "genetic"
    card = PlausibilityCard(
        no_weight_transport=True,
        local_errors=False,
        no_update_locking=True,
        spiking=False,
        no_separate_error_phase=True,
        single_network=False,
        notes="no error signal or derivative; pays in forward passes of a whole population",
    )
    conformance_steps = 30  # loss falls >= 25% by ~10 generations; margin x2-3

    hyperparameters = {
        "selection": Options(*SELECTIONS), "truncation": Real(0, 1, low_open=True),
        "tournament_size": Integer(1), "elitism": Integer(0), "mutation_scale": Real(0),
        "mutation_decay": Real(0, 1, low_open=True), "crossover": Options(*CROSSOVERS),
        "crossover_rate": Real(0, 1),
    }

    def __init__(
        self,
        population_size: int = 64,
        selection: str = "truncation",
        truncation: float = 0.25,
        tournament_size: int = 3,
        elitism: int = 1,
        mutation_scale: float = 0.02,
        mutation_decay: float = 0.999,
        crossover: str = "none",
        crossover_rate: float = 0.5,
        fitness: str = "loss",
        loss: str = "cross_entropy",
    ) -> None:
        super().__init__(population_size, fitness, loss, selection=selection, truncation=truncation,
                         tournament_size=tournament_size, elitism=elitism, mutation_scale=mutation_scale,
                         mutation_decay=mutation_decay, crossover=crossover, crossover_rate=crossover_rate)
        P = population_size
        if tournament_size > P:
            raise ValueError(f"genetic: tournament_size {tournament_size!r} not allowed; "
                             f"must be an integer in [1, population_size={P}]")
        if elitism >= P:
            raise ValueError(f"genetic: elitism {elitism!r} not allowed; "
                             f"must be an integer in [0, population_size={P})")

    def sigma(self) -> float:
        """The mutation scale of the current generation."""
        return self.mutation_scale * self.mutation_decay ** self.generation

    # -- ask / tell -------------------------------------------------------------------------
    def init_search(self, net, theta: np.ndarray) -> None:
        self.population = np.repeat(theta[None, :], self.population_size, axis=0)  # (P, D)
        self.population_fitness: np.ndarray | None = None  # (P,) once scored

    def ask(self, net) -> np.ndarray:
        P, D = self.population.shape
        if self.population_fitness is None:  # generation 0: the initial net and P - 1 mutants
            self._mutate(self.population[1:])
            return self.population
        fit = self.population_fitness
        order = np.argsort(fit, kind="stable")  # best first; +inf (non-finite) last
        n_finite = int(np.isfinite(fit).sum())
        pool = order[:n_finite] if n_finite > 0 else order  # never breed from non-finite ones
        n_elite = min(self.elitism, n_finite)
        new = np.empty_like(self.population)  # (P, D)
        new[:n_elite] = self.population[order[:n_elite]]
        n_child = P - n_elite
        a = self._select(pool, fit, n_child)  # (n_child,) parent indices
        new[n_elite:] = self.population[a]
        if self.crossover != "none" and self.crossover_rate > 0.0:
            self._crossover(new[n_elite:], self.population[self._select(pool, fit, n_child)])
        self._mutate(new[n_elite:])
        self.population = new
        return new

    def tell(self, net, candidates: np.ndarray, fitness: np.ndarray) -> None:
        self.population_fitness = fitness
        if np.isfinite(fitness).any():  # otherwise the net keeps its last good parameters
            self.layout.load(candidates[int(np.argmin(fitness))], net.params)

    # -- operators --------------------------------------------------------------------------
    def _select(self, pool: np.ndarray, fit: np.ndarray, n: int) -> np.ndarray:
        """n parent indices drawn from ``pool`` (indices sorted best first)."""
        if self.selection == "truncation":
            top = pool[: max(1, math.ceil(self.truncation * self.population_size))]
            return top[self.rng.integers(0, top.size, size=n)]
        draws = pool[self.rng.integers(0, pool.size, size=(n, self.tournament_size))]  # (n, k)
        return draws[np.arange(n), np.argmin(fit[draws], axis=1)]

    def _crossover(self, children: np.ndarray, others: np.ndarray) -> None:
        """In place: each child, with probability crossover_rate, takes genes from ``others``."""
        n, D = children.shape
        crossing = self.rng.random(n) < self.crossover_rate  # (n,)
        if self.crossover == "uniform":
            take = self.rng.random((n, D)) < 0.5  # (n, D)
        else:  # layer: one coin per layer (all of a layer's parameters together)
            units = self.layout.group_sizes
            take = np.repeat(self.rng.random((n, len(units))) < 0.5, units, axis=1)  # (n, D)
        take &= crossing[:, None]
        np.copyto(children, others, where=take)

    def _mutate(self, block: np.ndarray) -> None:
        """In place: block += sigma_t * N(0, I)."""
        sigma = self.sigma()
        if sigma > 0.0 and block.size:
            noise = self.rng.standard_normal(block.shape, dtype=np.float32)
            noise *= np.float32(sigma)
            block += noise.astype(block.dtype, copy=False)
