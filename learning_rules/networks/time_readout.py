"""How a temporal network reads its top layer's outputs H (T, B, n) over time.

- ``last``:    r = h_{T-1}                                       (B, n)
- ``mean``:    r = (1/T) sum_t h_t                               (B, n)
- ``leaky``:   r = sum_t w_t h_t, w_t = g_t / sum_k g_k, g_t = (1 - beta^(T - t)) / (1 - beta):
               the time-averaged membrane of a leaky integrator of time constant tau_out, divided
               by its gain (a spike counts for as long as it stays in the integrator)
- ``window``:  r = (1/W) sum_{t >= T - W} h_t                  (B, n): the mean over a decision
               window of the last W steps (``window``), as the evidence-accumulation task of
               Bellec et al. (2020) reads its decision in the recall period
- ``flatten``: r = [h_0, ..., h_{T-1}]                           (B, T n): every step's output,
               as the MNIST-1D paper's GRU reads it
- ``every_step``: y_t = m_t W + b at every step, m_t = beta m_{t-1} + h_t: a leaky readout
               neuron of time constant ``tau_out`` per output (Bellec et al. 2020's pattern
               generation); the scores are every step's outputs, (B, T K) time-major per sample,
               to be compared with a target of every step (regression). r is (T B, n): the dense
               layer runs on all steps at once
- ``count``:   the score itself is sum_t h_t (no dense readout: the top layer is the output;
               a spike count for LIF cells)

``last``, ``mean``, ``leaky`` and ``window`` are time weightings r = sum_t w_t h_t (``weights``); the dense
readout after r gives the scores. ``step_map(t, W)`` is d score / d h_t, the readout's part of a
learning signal at step t: w_t W for the weightings, W's block t for ``flatten``.
"""

from __future__ import annotations

import numpy as np

READOUTS = ("last", "mean", "leaky", "window", "flatten", "every_step", "count")


class TimeReadout:
    """One of ``READOUTS`` over ``steps`` steps (``beta`` = exp(-dt / tau_out) for ``leaky``,
    ``window`` the decision window's W steps for ``window``)."""

    def __init__(self, kind: str, steps: int, dtype, beta: float = 1.0, window: int = 1) -> None:
        if kind not in READOUTS:
            raise ValueError(f"readout: {kind!r} not allowed; allowed: {', '.join(READOUTS)}")
        self.kind, self.steps, self.dtype, self.beta = kind, int(steps), np.dtype(dtype), float(beta)
        if kind == "window" and (isinstance(window, bool) or int(window) != window or not 1 <= window <= steps):
            raise ValueError(f"readout window: {window!r} not allowed; must be an integer in 1..{steps} (steps)")
        self.window = int(window)

    @property
    def weighted(self) -> bool:
        return self.kind in ("last", "mean", "leaky", "window")

    @property
    def dense(self) -> bool:
        """True when a dense readout reads r (every kind but ``count``)."""
        return self.kind != "count"

    def width(self, n: int) -> int:
        """Features of r for a top layer of n units."""
        return self.steps * n if self.kind == "flatten" else n

    def weights(self) -> np.ndarray:
        """w (T,), summing to 1: each step's share of r (weighted kinds)."""
        T = self.steps
        if self.kind == "last":
            w = np.zeros(T)
            w[-1] = 1.0
        elif self.kind == "mean":
            w = np.full(T, 1.0 / T)
        elif self.kind == "window":
            w = np.zeros(T)
            w[T - self.window:] = 1.0 / self.window
        else:
            k = np.arange(T)
            bo = self.beta
            g = (T - k).astype(np.float64) if bo == 1.0 else (1 - bo ** (T - k)) / (1 - bo)
            w = g / g.sum()
        return w.astype(self.dtype)

    def filtered(self, H: np.ndarray) -> np.ndarray:
        """``every_step``: m_t = beta m_{t-1} + h_t over H (T, B, n) -> (T, B, n)."""
        M = np.empty_like(H)
        m = np.zeros_like(H[0])
        for t in range(H.shape[0]):
            m = self.beta * m + H[t]
            M[t] = m
        return M

    def outputs(self, out: np.ndarray, batch: int) -> np.ndarray:
        """The dense layer's output -> the scores: (T B, K) -> (B, T K) for ``every_step``."""
        if self.kind != "every_step":
            return out
        return np.ascontiguousarray(out.reshape(self.steps, batch, -1).transpose(1, 0, 2).reshape(batch, -1))

    def output_error(self, e: np.ndarray) -> np.ndarray:
        """dL/d scores -> dL/d (dense output): (B, T K) -> (T B, K) for ``every_step``."""
        if self.kind != "every_step":
            return e
        B = e.shape[0]
        return np.ascontiguousarray(e.reshape(B, self.steps, -1).transpose(1, 0, 2).reshape(self.steps * B, -1))

    def reduce(self, H: np.ndarray) -> np.ndarray:
        """H (T, B, n) -> r (B, n), (B, T n), or (T B, n) for ``every_step``; a constant input
        (B, n) is its own average."""
        if self.kind == "every_step":
            if H.ndim == 2:
                H = np.broadcast_to(H, (self.steps, *H.shape))
            return self.filtered(H).reshape(-1, H.shape[-1])
        if H.ndim == 2:
            if self.kind == "flatten":
                return np.tile(H, (1, self.steps))
            return self.steps * H if self.kind == "count" else H
        if self.kind == "last":
            return H[-1]
        if self.kind == "flatten":
            T, B, n = H.shape
            return H.transpose(1, 0, 2).reshape(B, T * n)
        if self.kind == "count":
            return H.sum(axis=0)
        return np.tensordot(self.weights(), H, axes=(0, 0))

    def expand(self, dr: np.ndarray, n: int) -> np.ndarray:
        """dL/dr (B, width) -> dL/dH (T, B, n) (``every_step``: dr (T B, n), and the readout's
        filter run backwards: dH_t = dM_t + beta dH_{t+1})."""
        T, B = self.steps, dr.shape[0]
        if self.kind == "every_step":
            dM = dr.reshape(T, -1, n)
            dH = np.empty_like(dM)
            g = np.zeros_like(dM[0])
            for t in range(T - 1, -1, -1):
                g = dM[t] + self.beta * g
                dH[t] = g
            return dH
        if self.kind == "last":
            dH = np.zeros((T, B, n), dr.dtype)
            dH[-1] = dr
            return dH
        if self.kind == "flatten":
            return np.ascontiguousarray(dr.reshape(B, T, n).transpose(1, 0, 2))
        if self.kind == "count":
            return np.broadcast_to(dr, (T, *dr.shape))
        return self.weights()[:, None, None] * dr[None]

    def step_map(self, t: int, W: np.ndarray | None) -> np.ndarray | float:
        """d score / d h_t: (n, K) (w_t W or W's rows for step t), or w_t alone when W is None."""
        if self.kind == "flatten":
            n = W.shape[0] // self.steps
            return W[t * n:(t + 1) * n]
        share = 1.0 if self.kind == "count" else float(self.weights()[t])
        return share if W is None else share * W

    def flops(self, batch: int, n: int) -> int:
        """The time weighting (2 T n per sample for mean and leaky; nothing for the others)."""
        if self.kind == "window":
            return int(2 * self.window * batch * n)
        if self.kind == "every_step":
            return int(2 * self.steps * batch * n)
        return int(2 * self.steps * batch * n) if self.kind in ("mean", "leaky") else 0
