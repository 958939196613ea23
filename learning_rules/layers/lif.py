"""The LIF cell: a population of leaky integrate-and-fire neurons as a layer with state in time.

Driven by input currents c_t = x_t W + b (+ s_{t-1} U when ``recurrent``), each neuron follows
the LIF update of ``learning_rules.spiking.neurons`` (membrane u, synaptic current I, reset,
refractoriness) and emits spikes s_t = H(v_t - threshold): H (T, B, n) = S. A constant input
(direct-current encoding, X of shape (B, n_in)) is projected once.

The backward through time replaces dH/dv by a surrogate g (``learning_rules.spiking.surrogates``)
and carries gu = dL/du_t and gI = dL/dI_{t+1} from the last step down:

    ds_t/dv_t = active_t g(v_t - threshold)
    dL/ds_t   = dS_t + dc_{t+1} U^T + gu * du_t/ds_t    du/ds = -threshold (subtract) | -v_t (zero);
                                                       0 with ``detach_reset`` (Zenke & Vogels 2021)
    dL/dv_t   = gu * du_t/dv_t + dL/ds_t * ds_t/dv_t    du/dv = 1 (subtract) | 1 - s_t (zero)
    dL/dc_t   = dL/dI_t = active_t dL/dv_t + alpha dL/dI_{t+1}
    gu       <- dL/dv_t (beta active_t + 1 - active_t)

then dW = sum_t x_t^T dc_t, dU = sum_t s_{t-1}^T dc_t, db = sum_t,b dc_t (one product over all
T B rows each) and the input receives dc_t W^T. With the forward pass run on the surrogate's
smooth step and ``detach_reset=False`` this is the exact gradient (tested against finite
differences).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ..initializers import init_weight
from ..spiking.neurons import LIF, LIFState, lif_step, simulate
from ..spiking.surrogates import Surrogate, heaviside
from .base import LayerError
from .cell import Cell, cut_points, feedback_or_param

#: the surrogate a LIF cell's backward uses when the rule names none (spiking_surrogate's default)
DEFAULT_SURROGATE = Surrogate("fast_sigmoid", 10.0)
BACKWARD_OPS = 10  # FLOPs per neuron per step of the elementwise backward sweep


@dataclass
class LIFCache:
    """X: the input (B, n_in) constant in time, or (T, B, n_in); V (T, B, n) membranes before the
    spike, S (T, B, n) spikes, A (T, B, n) 1 where not refractory (None without refractoriness)."""

    X: np.ndarray
    V: np.ndarray
    S: np.ndarray
    A: np.ndarray | None


class LIFCell(Cell):
    """LIF neurons driven by x_t W + b (+ s_{t-1} U); output: their spikes."""

    kind = "lif"
    spiking = True
    #: per neuron and step, the backward sweep's ops beyond the surrogate's (the membrane's carry)
    backward_state_ops = 1

    def __init__(self, n_in: int, n: int, rng: np.random.Generator, lif: LIF, recurrent: bool = False,
                 steps: int = 1, init: str = "xavier", gain: float = 1.0, dtype=np.float32,
                 static_input: bool = False) -> None:
        super().__init__(n_in, n, recurrent, False, steps)
        self.lif = lif
        #: True when the input is one (B, n_in) array held for every step (direct current)
        self.static_input = bool(static_input)
        self.params = {"W": init_weight(init, rng, self.n_in, self.n, dtype, gain)}
        if self.recurrent:
            self.params["U"] = init_weight(init, rng, self.n, self.n, dtype, gain)
        self.params["b"] = np.zeros(self.n, dtype)

    # -- forward ------------------------------------------------------------------------------
    def currents(self, h: np.ndarray) -> np.ndarray:
        """Input currents h W + b from h (B, n_in) or (T, B, n_in): one matrix product."""
        W, b = self.params["W"], self.params["b"]
        if h.ndim == 2:
            return h @ W + b
        T, B, _ = h.shape
        return (h.reshape(T * B, -1) @ W + b).reshape(T, B, -1)

    def forward(self, x, train=False, rng=None, *, steps: int | None = None, spike_fn=heaviside):
        """x (T, B, n_in), or (B, n_in) held for ``steps`` steps -> spikes (T, B, n), cache."""
        X = np.asarray(x)
        if X.ndim not in (2, 3) or X.shape[-1] != self.n_in:
            raise LayerError(f"lif: expected inputs (T, B, {self.n_in}) or (B, {self.n_in}), got {X.shape}")
        T = X.shape[0] if X.ndim == 3 else (steps or self.steps)
        c = self.currents(X)
        if not self.recurrent:
            sim = simulate(self.lif, c, T, record=True, spike_fn=spike_fn)
            return sim["s"], LIFCache(X, sim["v"], sim["s"], sim["active"])
        B = c.shape[-2]
        state = LIFState.zeros(self.lif, B, self.n, c.dtype)
        V, S = np.empty((T, B, self.n), c.dtype), np.empty((T, B, self.n), c.dtype)
        A = np.empty((T, B, self.n), c.dtype) if self.lif.refractory else None
        s = np.zeros((B, self.n), c.dtype)
        for t in range(T):
            drive = (c if c.ndim == 2 else c[t]) + s @ self.params["U"]
            _, s, active = lif_step(self.lif, state, drive, spike_fn, V[t], S[t])
            if A is not None:
                A[t] = active
        return S, LIFCache(X, V, S, A)

    # -- backward through time ----------------------------------------------------------------
    def backward(self, cache: LIFCache, dH, feedback=None, truncation=0, need_input=True,
                 surrogate: Surrogate | None = None, detach_reset: bool = True, **options):
        feedback = feedback or {}
        dc = self.current_errors(cache, dH, surrogate or DEFAULT_SURROGATE, detach_reset, truncation,
                                 feedback_or_param(self, "U", feedback.get("U")) if self.recurrent else None)
        T, B, n = dc.shape
        X = cache.X
        dc_sum = dc.sum(axis=0)
        if X.ndim == 2:
            grads = {"W": X.T @ dc_sum}
        else:
            grads = {"W": X.reshape(T * B, -1).T @ dc.reshape(T * B, n)}
        if self.recurrent:
            Sprev = np.concatenate([np.zeros_like(cache.S[:1]), cache.S[:-1]])
            grads["U"] = Sprev.reshape(T * B, n).T @ dc.reshape(T * B, n)
        grads["b"] = dc_sum.sum(axis=0)
        dX = None
        if need_input:
            Wf = feedback_or_param(self, "W", feedback.get("W"))
            dX = dc_sum @ Wf.T if X.ndim == 2 else (dc.reshape(T * B, n) @ Wf.T).reshape(T, B, -1)
        return dX, grads

    def current_errors(self, cache: LIFCache, dS: np.ndarray, surrogate: Surrogate, detach_reset: bool,
                       truncation: int = 0, U: np.ndarray | None = None) -> np.ndarray:
        """dL/dc (T, B, n) from dL/ds dS (T, B, n) (the module docstring's sweep)."""
        lif, V, S, A = self.lif, cache.V, cache.S, cache.A
        T = V.shape[0]
        cut = cut_points(T, truncation)
        dc = np.empty_like(V)
        gu = np.zeros_like(V[0])
        theta = V.dtype.type(lif.threshold)
        Ut = None if U is None else U.T
        for t in range(T - 1, -1, -1):
            joined = t < T - 1 and not cut[t + 1]  # does step t+1's error reach step t?
            if t < T - 1 and not joined:
                gu = np.zeros_like(V[0])
            v, s = V[t], S[t]
            sg = surrogate.grad(v - theta)
            if A is not None:
                sg *= A[t]
            gs = dS[t]
            if Ut is not None and joined:
                gs = gs + dc[t + 1] @ Ut
            if not detach_reset:
                gs = gs - gu * (theta if lif.reset == "subtract" else v)
            gv = gs * sg
            gv += gu if lif.reset == "subtract" else gu * (1 - s)
            gI = gv if A is None else gv * A[t]
            if lif.alpha > 0 and joined:
                gI = gI + lif.alpha * dc[t + 1]
            dc[t] = gI
            gu = gv * lif.beta if A is None else gv * (lif.beta * A[t] + (1 - A[t]))
        return dc

    # -- cost ---------------------------------------------------------------------------------
    def flops(self, batch: int) -> int:
        """The input product (once for a static input), the bias, the neuron updates, and the
        recurrent product; spike inputs are counted as dense products (what numpy computes)."""
        T, n = self.steps, self.n
        reps = 1 if self.static_input else T
        total = reps * batch * (2 * self.n_in * n + n) + T * batch * n * self.neuron_ops
        if self.recurrent:
            total += T * batch * (2 * n * n + n)
        return int(total)

    def backward_flops(self, batch: int, inputs: bool = True, params: bool = True) -> int:
        T, n = self.steps, self.n
        rows = batch if self.static_input else T * batch
        total = T * batch * n * (BACKWARD_OPS + self.backward_state_ops) + params * 2 * rows * self.n_in * n
        if self.recurrent:
            total += T * batch * (2 * n * n + n) + params * 2 * T * batch * n * n
        return int(total + inputs * 2 * T * batch * self.n_in * n)

    @property
    def neuron_ops(self) -> int:
        """Ops of one neuron update per neuron and step."""
        return self.lif.ops_per_step

    def describe(self) -> str:
        return f"lif {self.n}{' recurrent' if self.recurrent else ''}"
