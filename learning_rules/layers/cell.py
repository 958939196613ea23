"""Cells: layers with state in time (docs/architecture.md, "Time").

A cell runs over a whole sequence at once and differentiates itself through time, the way a
layer differentiates itself through one pass. Sequences are **time-major**: X (T, B, n_in) ->
H (T, B, n), so every step's slice is contiguous (a cell is the one layer whose batch axis is
second). A cell with ``reverse`` runs from T - 1 down to 0 (the backward half of a bidirectional
layer); "the previous step" is then t + 1.

    H, cache = cell.forward(X)                  X (T, B, n_in), or (B, n_in) held for ``steps``
    dX, grads = cell.backward(cache, dH, feedback=None, truncation=0)
                                                dH (T, B, n) = dL/dH from above; dX = dL/dX;
                                                grads {"W", "U", "b", ...} summed over time;
                                                feedback {"W": ..., "U": ...}: tensors of W's and
                                                U's shape that carry the error across the input
                                                and the recurrent pathway instead of W and U;
                                                truncation k > 0: the error through the state is
                                                cut every k steps, counted back from the last

The layer contract holds too (``backward_input``, ``backward_params``), on time-major arrays.

**Gated cells** (Elman, GRU) share one structure, which makes their backward through time,
their eligibility traces and their forward-mode sensitivities generic. With G gates per unit:

    A_t = x_t W + b                    (B, G n)   the input's drive, for all steps in one product
    M_t = h_{t-1} U (+ bu)             (B, G n)   the recurrent drive (absent if not recurrent)
    h_t = F(A_t, M_t, h_{t-1})         unit j depends on its own gates and its own h_{t-1, j}

and the cell records the local derivatives of F (each (T, B, .)):

    D_in = dh_t/dA_t,   D_m = dh_t/dM_t (None: equal to D_in),   D_h = dh_t/dh_{t-1} directly
                                                                   (None: no direct path)

so that with g_t = dL/dh_t (from above and from the next step):

    dA_t = D_in * g_t,   dM_t = D_m * g_t,   dL/dh_{t-1} += D_h * g_t + dM_t U^T
    dW = sum_t x_t^T dA_t,   dU = sum_t h_{t-1}^T dM_t,   db = sum_t dA_t,   dX_t = dA_t W^T.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, ClassVar

import numpy as np

from ..initializers import init_tensor
from .base import Layer, LayerError


def check_units(kind: str, what: str, n: Any) -> int:
    if isinstance(n, bool) or not isinstance(n, (int, np.integer)) or n < 1:
        raise LayerError(f"{kind}: {what} {n!r} not allowed; must be an integer >= 1")
    return int(n)


def feedback_or_param(layer: Layer, name: str, weight: np.ndarray | None) -> np.ndarray:
    """``weight`` if given (checked to have params[name]'s shape), else params[name]."""
    P = layer.params[name]
    if weight is None:
        return P
    if weight.shape != P.shape:
        raise ValueError(f"{layer.kind}: feedback of shape {weight.shape} given for {name} of shape {P.shape}")
    return weight


def cut_points(T: int, truncation: int) -> np.ndarray:
    """(T,) bool in processing order: True at step i > 0 where the error through the state stops
    (chunks of ``truncation`` steps aligned with the last step; all False for 0: full BPTT)."""
    cut = np.zeros(T, dtype=bool)
    if truncation and truncation < T:
        i = np.arange(1, T)
        cut[1:] = (T - i) % truncation == 0
    return cut


class Cell(Layer):
    """Base of every cell: sizes, direction, steps and the layer contract on sequences."""

    has_weight = True
    #: True when the cell's output is all-or-none spikes (it needs a surrogate derivative)
    spiking: ClassVar[bool] = False

    def __init__(self, n_in: int, n: int, recurrent: bool, reverse: bool, steps: int) -> None:
        super().__init__()
        self.n = check_units(self.kind, "units", n)
        self.input_shape, self.output_shape = (check_units(self.kind, "inputs", n_in),), (self.n,)
        self.recurrent, self.reverse = bool(recurrent), bool(reverse)
        self.steps = check_units(self.kind, "steps", steps)

    @property
    def W(self) -> np.ndarray:
        return self.params["W"]

    @property
    def b(self) -> np.ndarray:
        return self.params["b"]

    @property
    def U(self) -> np.ndarray | None:
        return self.params.get("U")

    @property
    def fans(self) -> tuple[int, int]:
        return self.n_in, self.W.shape[1]

    def order(self, T: int) -> range:
        """The steps in processing order."""
        return range(T - 1, -1, -1) if self.reverse else range(T)

    def describe(self) -> str:
        arrow = " (reverse)" if self.reverse else ""
        return f"{self.kind} {self.n}{'' if self.recurrent else ' feedforward'}{arrow}"

    # -- the layer contract, on time-major sequences ----------------------------------------
    def backward_input(self, cache, delta, weight=None):
        return self.backward(cache, delta, feedback=None if weight is None else {"W": weight})[0]

    def backward_params(self, cache, delta):
        return self.backward(cache, delta, need_input=False)[1]

    def backward(self, cache, dH: np.ndarray, feedback: dict | None = None, truncation: int = 0,
                 need_input: bool = True, **options) -> tuple[np.ndarray | None, dict[str, np.ndarray]]:
        raise NotImplementedError

    def online_runner(self, batch: int, dtype, x_static: np.ndarray | None, surrogate):
        """A runner of its own for the online pass (credit/online.py), or None: the pass's LIF or
        gated runner serves (a cell whose traces are of another form, ALIF, returns its own)."""
        return None


@dataclass
class GatedCache:
    """What a gated cell's backward needs: its input X (T, B, n_in), the previous states Hprev
    (T, B, n) and the local derivatives D_in (T, B, G n), D_m (or None), D_h (T, B, n or None)."""

    X: np.ndarray
    Hprev: np.ndarray
    D_in: np.ndarray
    D_m: np.ndarray | None
    D_h: np.ndarray | None


class GatedCell(Cell):
    """The shared part of the Elman and GRU cells (see the module docstring)."""

    gates: ClassVar[int] = 1
    #: True when M_t has a bias of its own, bu (G n) (the GRU's, inside its reset gate)
    recurrent_bias: ClassVar[bool] = False

    def __init__(self, n_in: int, n: int, rng: np.random.Generator, recurrent: bool = True,
                 reverse: bool = False, steps: int = 1, init: str = "xavier", gain: float = 1.0,
                 dtype=np.float32) -> None:
        super().__init__(n_in, n, recurrent, reverse, steps)
        G, n = self.gates, self.n
        # each gate's block is drawn at the scale of its own (n_in, n) or (n, n) matrix
        self.params = {"W": np.concatenate([init_tensor(init, rng, (self.n_in, n), self.n_in, n, dtype, gain)
                                            for _ in range(G)], axis=1)}
        if self.recurrent:
            self.params["U"] = np.concatenate([init_tensor(init, rng, (n, n), n, n, dtype, gain)
                                               for _ in range(G)], axis=1)
        self.params["b"] = np.zeros(G * n, dtype)
        if self.recurrent and self.recurrent_bias:
            self.params["bu"] = np.zeros(G * n, dtype)

    # -- per cell: one step and its derivatives ----------------------------------------------
    def step(self, a: np.ndarray, h: np.ndarray, m: np.ndarray | None, record: dict, t: int,
             out: np.ndarray) -> np.ndarray:
        """h_t (written into ``out`` (B, n) and returned) from the drive ``input_drive`` gave
        (B, G n), h_{t-1} (B, n) and ``recurrent_drive``'s M_t (or None); writes what
        ``derivatives`` needs into ``record`` (arrays (T, B, .)) at step t."""
        raise NotImplementedError

    def new_record(self, T: int, B: int, dtype) -> dict:
        raise NotImplementedError

    def derivatives(self, record: dict, Hprev: np.ndarray):
        """(D_in, D_m or None, D_h or None) for all steps at once, from the record."""
        raise NotImplementedError

    # -- shared machinery --------------------------------------------------------------------
    def input_drive(self, x: np.ndarray) -> np.ndarray:
        """A = x W + b for rows x (N, n_in) -> (N, G n) (a cell may fold constant parts of M's
        bias in here, where they add to A anyway)."""
        A = x @ self.params["W"]
        A += self.params["b"]
        return A

    def project(self, X: np.ndarray) -> np.ndarray:
        """The input's drive for every step in one matrix product: (T, B, n_in) -> (T, B, G n)."""
        T, B, _ = X.shape
        return self.input_drive(X.reshape(T * B, -1)).reshape(T, B, -1)

    def recurrent_drive(self, h: np.ndarray) -> np.ndarray | None:
        """M_t = h_{t-1} U (+ bu), (B, G n); None without recurrence."""
        if not self.recurrent:
            return None
        m = h @ self.params["U"]
        if self.recurrent_bias:
            m += self.params["bu"]
        return m

    def forward(self, x, train=False, rng=None, **options):
        X = np.asarray(x)
        if X.ndim != 3 or X.shape[2] != self.n_in:
            raise LayerError(f"{self.kind}: expected inputs (T, B, {self.n_in}), got {X.shape}")
        T, B, _ = X.shape
        A = self.project(X)
        H = np.empty((T, B, self.n), A.dtype)
        record = self.new_record(T, B, A.dtype)
        h = np.zeros((B, self.n), A.dtype)
        for t in self.order(T):
            h = self.step(A[t], h, self.recurrent_drive(h), record, t, H[t])
        Hprev = np.zeros_like(H)  # h_{t-1}: the state before step t, in processing order
        if self.reverse:
            Hprev[:-1] = H[1:]
        else:
            Hprev[1:] = H[:-1]
        D_in, D_m, D_h = self.derivatives(record, Hprev)
        return H, GatedCache(X, Hprev, D_in, D_m, D_h)

    def backward(self, cache: GatedCache, dH, feedback=None, truncation=0, need_input=True, **options):
        T, B, n = dH.shape
        G = self.gates
        feedback = feedback or {}
        cut = cut_points(T, truncation)
        dA = np.empty((T, B, G * n), dH.dtype)
        dM = None if cache.D_m is None else np.empty_like(dA)
        Ut = feedback_or_param(self, "U", feedback.get("U")).T if self.recurrent else None  # (G n, n)
        carry = None
        for i, t in enumerate(reversed(self.order(T))):
            g = dH[t] if carry is None else dH[t] + carry
            np.multiply(cache.D_in[t].reshape(B, G, n), g[:, None, :], out=dA[t].reshape(B, G, n))
            if dM is not None:
                np.multiply(cache.D_m[t].reshape(B, G, n), g[:, None, :], out=dM[t].reshape(B, G, n))
            if i == T - 1:
                break
            if cut[T - 1 - i]:
                carry = None
                continue
            dm = dA[t] if dM is None else dM[t]
            carry = None if Ut is None else dm @ Ut
            if cache.D_h is not None:
                carry = g * cache.D_h[t] if carry is None else carry + g * cache.D_h[t]
        return self._finish(cache, dA, dA if dM is None else dM, feedback, need_input)

    def _finish(self, cache: GatedCache, dA, dM, feedback, need_input):
        """Weight gradients (one product over all T B rows each) and the error at the input."""
        T, B, GN = dA.shape
        flat_a = dA.reshape(T * B, GN)
        grads = {"W": cache.X.reshape(T * B, -1).T @ flat_a}
        if self.recurrent:
            grads["U"] = cache.Hprev.reshape(T * B, -1).T @ dM.reshape(T * B, GN)
        grads["b"] = flat_a.sum(axis=0)
        if self.recurrent and self.recurrent_bias:
            grads["bu"] = dM.reshape(T * B, GN).sum(axis=0)
        grads = {k: grads[k] for k in self.params}  # the parameters' own order
        dX = None
        if need_input:
            dX = (flat_a @ feedback_or_param(self, "W", feedback.get("W")).T).reshape(T, B, -1)
        return dX, grads

    # -- cost --------------------------------------------------------------------------------
    def step_ops(self) -> int:
        """Elementwise FLOPs per unit per step of the forward (gates, activations, mixing)."""
        raise NotImplementedError

    def flops(self, batch: int) -> int:
        T, n, GN = self.steps, self.n, self.gates * self.n
        total = T * batch * (2 * self.n_in * GN + GN)             # A = X W + b
        if self.recurrent:
            total += T * batch * 2 * n * GN                        # M = h U
        return int(total + T * batch * n * self.step_ops())

    def backward_flops(self, batch: int, inputs: bool = True, params: bool = True) -> int:
        T, n, GN = self.steps, self.n, self.gates * self.n
        rows = T * batch
        sweep = rows * (2 * GN + 2 * n) + (rows * 2 * n * GN if self.recurrent else 0)  # dA, dM, carry
        weights = rows * (2 * self.n_in * GN + GN) + (rows * 2 * n * GN if self.recurrent else 0)
        return int(sweep + params * weights + inputs * rows * 2 * self.n_in * GN)
