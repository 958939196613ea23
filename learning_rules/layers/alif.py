"""The ALIF cell: a population of adaptive LIF neurons (learning_rules/spiking/adaptive.py) as a
layer with state in time, driven by c_t = x_t W + b (+ s_{t-1} U when ``recurrent``).

The backward through time replaces dH/d(v - A) by a surrogate g and carries, from the last step
down, gu = dL/du_t, ga = dL/da_{t+1} and gI = dL/dI_{t+1}:

    g_t      = g(v_t - A_t)
    dL/ds_t  = dS_t + dc_{t+1} U^T + dL/da_{t+1}       (a_{t+1} = rho a_t + s_t)
               - gu threshold (subtract) | - gu v_t (zero); no reset term with ``detach_reset``
    dL/dv_t  = gu du_t/dv_t + dL/ds_t g_t               du/dv = 1 (subtract) | 1 - s_t (zero)
    dL/da_t  = rho dL/da_{t+1} - beta_j dL/ds_t g_t    (A_t = threshold + beta_j a_t)
    dL/dc_t  = dL/dI_t = dL/dv_t + alpha dL/dI_{t+1},   gu <- beta dL/dv_t

then dW = sum_t x_t^T dc_t, dU = sum_t s_{t-1}^T dc_t, db = sum_t,b dc_t. With the forward pass on
the surrogate's smooth step and ``detach_reset=False`` this is the exact gradient (tested against
finite differences). Its online learning (e-prop's eligibility traces with the adaptation's own
trace) is spiking/alif_eligibility.py.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ..spiking.adaptive import ALIF, ALIFState, alif_step
from ..spiking.surrogates import Surrogate, heaviside
from .base import LayerError
from .cell import cut_points
from .lif import LIFCell


@dataclass
class ALIFCache:
    """X: the input (B, n_in) constant in time, or (T, B, n_in); V (T, B, n) membranes before the
    spike, S (T, B, n) spikes, thresholds (T, B, n); A is None (no refractoriness: every neuron
    is always active, as the spiking records expect of a LIF cache)."""

    X: np.ndarray
    V: np.ndarray
    S: np.ndarray
    thresholds: np.ndarray
    A: None = None


class ALIFCell(LIFCell):
    """ALIF neurons driven by x_t W + b (+ s_{t-1} U); output: their spikes. The weights, the input
    currents and the FLOP count's shape are the LIF cell's; the threshold's adaptation is its own."""

    kind = "alif"
    spiking = True
    backward_state_ops = 4  # the membrane's and the adaptation's carries

    def __init__(self, n_in: int, n: int, rng: np.random.Generator, alif: ALIF, recurrent: bool = False,
                 steps: int = 1, init: str = "xavier", gain: float = 1.0, dtype=np.float32,
                 static_input: bool = False) -> None:
        super().__init__(n_in, n, rng, alif.lif, recurrent, steps, init, gain, dtype, static_input)
        self.alif = alif  # self.lif is its membrane's part, read by code that handles every spiking cell
        self.betas = alif.betas(self.n, dtype)  # (n,): 0 for the neurons that do not adapt

    @property
    def neuron_ops(self) -> int:
        return self.alif.ops_per_step

    def forward(self, x, train=False, rng=None, *, steps: int | None = None, spike_fn=heaviside):
        """x (T, B, n_in), or (B, n_in) held for ``steps`` steps -> spikes (T, B, n), cache."""
        X = np.asarray(x)
        if X.ndim not in (2, 3) or X.shape[-1] != self.n_in:
            raise LayerError(f"alif: expected inputs (T, B, {self.n_in}) or (B, {self.n_in}), got {X.shape}")
        T = X.shape[0] if X.ndim == 3 else (steps or self.steps)
        c = self.currents(X)
        B = c.shape[-2]
        state = ALIFState.zeros(B, self.n, c.dtype)
        V, A, S = (np.empty((T, B, self.n), c.dtype) for _ in range(3))
        for t in range(T):
            drive = c if c.ndim == 2 else c[t]
            if self.recurrent:
                drive = drive + state.s @ self.params["U"]
            V[t], A[t], S[t] = alif_step(self.alif, self.betas, state, drive, spike_fn)
        return S, ALIFCache(X, V, S, A)

    def current_errors(self, cache: ALIFCache, dS: np.ndarray, surrogate: Surrogate, detach_reset: bool,
                       truncation: int = 0, U: np.ndarray | None = None) -> np.ndarray:
        """dL/dc (T, B, n) from dL/ds dS (T, B, n) (the module docstring's sweep)."""
        lif, V, A, S = self.lif, cache.V, cache.thresholds, cache.S
        T = V.shape[0]
        cut = cut_points(T, truncation)
        dc = np.empty_like(V)
        gu, ga = np.zeros_like(V[0]), np.zeros_like(V[0])  # dL/du_t, dL/da_{t+1}
        theta, rho, betas = V.dtype.type(lif.threshold), V.dtype.type(self.alif.rho), self.betas
        Ut = None if U is None else U.T
        for t in range(T - 1, -1, -1):
            joined = t < T - 1 and not cut[t + 1]  # does step t+1's error reach step t?
            if t < T - 1 and not joined:
                gu, ga = np.zeros_like(V[0]), np.zeros_like(V[0])
            v, s = V[t], S[t]
            sg = surrogate.grad(v - A[t])
            gs = dS[t] + ga
            if Ut is not None and joined:
                gs = gs + dc[t + 1] @ Ut
            if not detach_reset:
                gs = gs - gu * (theta if lif.reset == "subtract" else v)
            gsg = gs * sg
            gv = gsg + (gu if lif.reset == "subtract" else gu * (1 - s))
            ga = rho * ga - betas * gsg
            gI = gv
            if lif.alpha > 0 and joined:
                gI = gI + lif.alpha * dc[t + 1]
            dc[t] = gI
            gu = gv * lif.beta
        return dc

    def online_runner(self, batch: int, dtype, x_static: np.ndarray | None, surrogate: Surrogate):
        """The cell advanced step by step with its eligibility traces (the online pass's engine)."""
        from ..spiking.alif_eligibility import ALIFRunner

        return ALIFRunner(self, batch, dtype, x_static, surrogate)

    # -- cost ---------------------------------------------------------------------------------
    def describe(self) -> str:
        k = int(round(self.alif.adaptive * self.n))
        return f"alif {self.n} ({k} adaptive){' recurrent' if self.recurrent else ''}"
