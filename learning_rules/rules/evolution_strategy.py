"""OpenAI evolution strategies, after Salimans, Ho, Chen, Sidor & Sutskever 2017, "Evolution
Strategies as a Scalable Alternative to Reinforcement Learning" (arXiv:1703.03864).

The network's parameters theta (D,) are the mean of a Gaussian search distribution. Each
generation draws n = P / 2 directions eps_j ~ N(0, I) and scores the antithetic pairs
theta + sigma eps_j and theta - sigma eps_j on the batch (fitness F, minimised). With fitness
shaping u = centered_rank(F) in [-0.5, 0.5] (Salimans et al.'s rank transform; NaN/inf rank
worst), the search gradient

    g = 1 / (P sigma) * sum_j (u_j^+ - u_j^-) eps_j           (D,)

estimates the gradient of the smoothed (rank-shaped) loss, and is handed to the same optimizer
as the credit-assignment rules: theta <- theta + optimizer(g). After each generation the
network holds the mean theta.

Defaults: population 128 (64 antithetic pairs), sigma 0.02, Adam lr 0.01 (evolution.toml's
population). On digits (64-64-10, 3 epochs of 1200 images, 2 seeds) 64 candidates reached
89.6-89.8% and 128 reached 91.6-93.6%: the search gradient of P/2 directions in D ~ 4800
dimensions is noisy, and doubling P halves its variance.
"""

from __future__ import annotations


import numpy as np

from ..hyperparameters import InstanceOf, Options, Real
from ..optimizers import Optimizer, OptimizerState
from ..params import leaves, tree_like
from ..population_forward import antithetic_flops, antithetic_outputs, supports_vectorised
from .gradient import optimizer_step
from .plausibility import PlausibilityCard
from .population import PopulationRule

SHAPINGS = ("centered_rank", "zscore")


def centered_ranks(fitness: np.ndarray) -> np.ndarray:
    """(P,) fitness -> ranks scaled to [-0.5, 0.5]; the lowest (best) fitness gets -0.5.
    Ties are broken by position (stable sort), so +inf entries all rank at the worst end."""
    P = fitness.shape[0]
    ranks = np.empty(P, dtype=np.float64)
    ranks[np.argsort(fitness, kind="stable")] = np.arange(P, dtype=np.float64)
    return ranks / (P - 1) - 0.5


def zscores(fitness: np.ndarray) -> np.ndarray:
    """(P,) fitness -> (F - mean) / std, with +inf replaced by the worst finite value."""
    finite = np.isfinite(fitness)
    if not finite.any():
        return np.zeros_like(fitness, dtype=np.float64)
    f = np.where(finite, fitness, fitness[finite].max())
    std = f.std()
    return (f - f.mean()) / std if std > 0 else np.zeros_like(f)


class EvolutionStrategy(PopulationRule):
    """OpenAI-ES: antithetic Gaussian perturbations, rank shaping, any optimizer."""

    name = "evolution_strategy"
    card = PlausibilityCard(
        no_weight_transport=True,
        local_errors=False,
        no_update_locking=True,
        spiking=False,
        no_separate_error_phase=True,
        single_network=False,
        notes="gradient estimated from scores of perturbed copies; no derivative or feedback path",
    )
    conformance_steps = 20  # loss falls >= 25% by ~10 generations; margin x2-3

    hyperparameters = {"sigma": Real(0, None, low_open=True), "shaping": Options(*SHAPINGS),
                       "optimizer": InstanceOf(Optimizer)}

    def __init__(
        self,
        population_size: int = 128,
        sigma: float = 0.02,
        shaping: str = "centered_rank",
        optimizer: Optimizer | None = None,
        fitness: str = "loss",
        loss: str = "cross_entropy",
    ) -> None:
        super().__init__(population_size, fitness, loss, sigma=sigma, shaping=shaping, optimizer=optimizer)
        if population_size % 2:
            raise ValueError(f"evolution_strategy: population_size {population_size!r} not allowed; "
                             "must be an even integer >= 2 (antithetic pairs)")
        # the probes: ES wants a larger step than backprop (Adam lr 0.01)
        if self.optimizer is None:
            self.optimizer = Optimizer("adam", lr=0.01)

    def init_search(self, net, theta: np.ndarray) -> None:
        self.opt_state: OptimizerState = self.optimizer.init(leaves(net.params))
        self.eps: np.ndarray | None = None  # (P/2, D), the directions of the current generation
        self.theta: np.ndarray | None = None  # (D,), the mean the candidates were drawn around
        self.step_: np.ndarray | None = None  # (P/2, D), sigma * eps
        self.candidates_: np.ndarray | None = None  # (P, D), the last ask's answer

    def ask(self, net) -> np.ndarray:
        theta = self.layout.flatten(net.params)  # (D,)
        n = self.population_size // 2
        self.eps = self.rng.standard_normal((n, theta.size), dtype=np.float32).astype(theta.dtype, copy=False)
        step = self.eps * theta.dtype.type(self.sigma)  # (n, D)
        self.theta, self.step_ = theta, step  # for the antithetic scoring of these candidates
        candidates = np.empty((2 * n, theta.size), dtype=theta.dtype)  # (P, D)
        np.add(theta, step, out=candidates[:n])
        np.subtract(theta, step, out=candidates[n:])
        self.candidates_ = candidates
        return candidates

    def outputs(self, net, candidates: np.ndarray, x: np.ndarray) -> np.ndarray:
        if candidates is not self.candidates_:  # not this generation's pairs: score them plainly
            return super().outputs(net, candidates, x)
        # the pairs share the centre's first-layer product (see antithetic_outputs)
        return antithetic_outputs(net, self.theta, self.step_, x)

    def forward_flops(self, net, n_candidates: int, batch: int) -> int:
        if supports_vectorised(net):
            return antithetic_flops(net, n_candidates // 2, batch)
        return n_candidates * net.flops(batch)

    def estimate_gradient(self, fitness: np.ndarray) -> np.ndarray:
        """The search gradient g (D,) from the fitness (P,) of the last ``ask``'s candidates."""
        u = centered_ranks(fitness) if self.shaping == "centered_rank" else zscores(fitness)
        n = self.population_size // 2
        w = (u[:n] - u[n:]).astype(self.eps.dtype)  # (n,)
        return (w @ self.eps) / self.eps.dtype.type(self.population_size * self.sigma)  # (D,)

    def tell(self, net, candidates: np.ndarray, fitness: np.ndarray) -> None:
        grads = self.layout.views(self.estimate_gradient(fitness))  # aligned with leaves(net.params)
        optimizer_step(self.optimizer, self.opt_state, net.params, tree_like(net.params, grads))

    def search_flops(self) -> int:
        # candidates (2 P D: scale, add/subtract), the weighted sum (P D), the optimizer (~10 D)
        return 3 * self.population_size * self.layout.size + 10 * self.layout.size
