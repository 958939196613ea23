"""Eligibility traces: what each synapse remembers of its own recent influence on its neuron
(Bellec et al. 2020, "A solution to the learning dilemma for recurrent networks of spiking
neurons"). Every trace is the derivative of a unit's state by one of its weights through the
unit's own dynamics only (no path through other units), kept forward in time; memory O(B n n_in)
whatever T. The weight's update is then a learning signal L_t (B, n) times the trace.

**Gated cells** (Elman, GRU; layers/cell.py), per sample, for weight W[i, (g, j)]:

    e_t = D_h,t[j] e_{t-1} + D_in,t[(g, j)] x_t[i]          (and h_{t-1} with D_m for U, 1 for b)

D_h is the unit's direct dependence on its own past (the leak 1 - alpha, the GRU's update gate
z); without it (alpha = 1) the trace is instantaneous and factorises, e_t = D_in,t x_t.

**LIF cells** (layers/lif.py): the trace factorises into a presynaptic and a postsynaptic part,

    q_t    = alpha q_{t-1} + h_t          presynaptic trace through the synapse (q_t = h_t if alpha = 0)
    xbar_t = beta xbar_{t-1} + q_t        ... and through the membrane: xbar_t = du_t/dW (reset ignored)
    psi_t  = active_t g(v_t - threshold)  the postsynaptic pseudo-derivative (a surrogate)
    e_t    = xbar_t (x) psi_t             never formed: the update is xbar_t^T (L_t * psi_t)

For direct-current input h_t = x is constant, so q_t and xbar_t are x times scalars and the
first layer's updates reduce to one product at the end.

Two ways to use a trace: ``accumulate(L_t)`` adds the step's update at once (an online learning
signal, available at step t); ``weigh(w)`` adds w e_t per sample, so that a learning signal that
only arrives at the end, L_T (B, n), gives the update ``final(L_T)`` = sum_b L_T sum_t w_t e_t
(e-prop's eligibility filtered by the readout). ``weigh`` takes a scalar share w_t, or a map M_t
(n, K) of the readout's weights for step t (a readout of every step), and then ``final`` takes the
output error (B, K) and the map's K.
"""

from __future__ import annotations

import numpy as np


class GatedEligibility:
    """Per-sample traces of a gated cell's W, U, b (and bu): (B, n_in, G n), (B, n, G n), (B, G n)."""

    def __init__(self, cell, batch: int, dtype) -> None:
        self.cell = cell
        self.names = list(cell.params)
        self.e: dict[str, np.ndarray | None] = {k: None for k in self.names}
        self.sums = {k: np.zeros(cell.params[k].shape, dtype) for k in self.names}
        self.weighted: dict[str, np.ndarray] | None = None
        self.drive: dict = {}
        self.memory = False
        self.filtered: dict[str, np.ndarray] = {}  # ebar per parameter, for ``accumulate_filtered``
        self.flops = 0  # what the traces and their sums cost so far

    def advance(self, x: np.ndarray, h_prev: np.ndarray, D_in, D_m, D_h) -> None:
        """One step: x (B, n_in), h_{t-1} (B, n), the local derivatives (B, G n), (B, G n), (B, n)."""
        D_m = D_in if D_m is None else D_m
        self.drive = {"W": (x, D_in), "U": (h_prev, D_m), "b": (None, D_in), "bu": (None, D_m)}
        self.memory = D_h is not None
        if not self.memory:  # instantaneous: formed only if ``weigh`` asks for it
            self.e = {k: None for k in self.names}
            return
        decay = np.tile(D_h, self.cell.gates)  # (B, G n): unit j's own past, for every gate of j
        for k in self.names:
            pre, D = self.drive[k]
            new = self._new(k)
            if self.e[k] is None:
                self.e[k] = new
            else:
                self.e[k] *= decay if pre is None else decay[:, None, :]
                self.e[k] += new
            self.flops += 3 * new.size

    def _new(self, k: str) -> np.ndarray:
        pre, D = self.drive[k]
        return D.copy() if pre is None else pre[:, :, None] * D[:, None, :]

    def trace(self, k: str) -> np.ndarray:
        return self.e[k] if self.memory else self._new(k)

    def accumulate(self, L: np.ndarray) -> None:
        """Add the update for the online learning signal L (B, n): sum_b L e (every gate of unit j)."""
        Lg = np.tile(L, self.cell.gates)  # (B, G n)
        for k in self.names:
            pre, D = self.drive[k]
            if not self.memory:  # an instantaneous trace factorises: x^T (L * D)
                self.sums[k] += (Lg * D).sum(axis=0) if pre is None else pre.T @ (Lg * D)
                self.flops += 2 * Lg.size + (0 if pre is None else 2 * pre.shape[0] * pre.shape[1] * Lg.shape[1])
            elif pre is None:
                self.sums[k] += (self.e[k] * Lg).sum(axis=0)
                self.flops += 2 * self.e[k].size
            else:
                self.sums[k] += np.einsum("bij,bj->ij", self.e[k], Lg)
                self.flops += 2 * self.e[k].size

    def accumulate_filtered(self, L: np.ndarray, kappa: float) -> None:
        """Add sum_b L ebar for the learning signal L (B, n), ebar_t = kappa ebar_{t-1} + e_t: the
        trace filtered by a leaky readout's decay kappa (a target at every step); kappa = 0 is
        ``accumulate``."""
        if kappa == 0.0:
            self.accumulate(L)
            return
        Lg = np.tile(L, self.cell.gates)  # (B, G n)
        for k in self.names:
            e = self.trace(k)  # (B, n_in, G n) or (B, G n)
            if k in self.filtered:
                self.filtered[k] *= kappa
                self.filtered[k] += e
            else:
                self.filtered[k] = e.copy()
            f = self.filtered[k]
            self.sums[k] += np.einsum("bij,bj->ij", f, Lg) if f.ndim == 3 else (f * Lg).sum(axis=0)
            self.flops += 4 * f.size

    def weigh(self, w) -> None:
        """Add w e_t per sample: w a float share, or a map (n, K) (then one sum per class k)."""
        scalar = np.isscalar(w)
        Mg = None if scalar else np.tile(w.T, self.cell.gates)  # (K, G n)
        for k in self.names:
            e = self.trace(k)
            part = w * e if scalar else (e[:, None] * Mg[None, :, None, :] if e.ndim == 3 else e[:, None, :] * Mg[None])
            if self.weighted is None or k not in self.weighted:
                self.weighted = {**(self.weighted or {}), k: part}
            else:
                self.weighted[k] += part
            self.flops += 2 * part.size

    def final(self, L: np.ndarray) -> dict[str, np.ndarray]:
        """The update for an end-of-sequence signal: L (B, n) after scalar weights, or the output
        error (B, K) after maps; plus whatever ``accumulate`` gathered."""
        out = {}
        for k in self.names:
            total = self.sums[k].copy()
            acc = None if self.weighted is None else self.weighted[k]
            if acc is not None:
                per_class = acc.ndim == (4 if self.drive[k][0] is not None else 3)
                if per_class:
                    total += np.einsum("bkij,bk->ij", acc, L) if acc.ndim == 4 else np.einsum("bkj,bk->j", acc, L)
                else:
                    Lg = np.tile(L, self.cell.gates)
                    total += np.einsum("bij,bj->ij", acc, Lg) if acc.ndim == 3 else (acc * Lg).sum(axis=0)
                self.flops += 2 * acc.size
            out[k] = total
        return out


class LIFEligibility:
    """Traces and gradient accumulators of one LIF cell (see the module docstring)."""

    def __init__(self, lif, n_in: int, n_out: int, batch: int, dtype, static: bool, recurrent: bool = False) -> None:
        self.lif, self.static = lif, static
        # static input: the traces are scalars (python floats keep the arrays' float32)
        self.q = 0.0 if static else np.zeros((batch, n_in), dtype)
        self.xbar = 0.0 if static else np.zeros((batch, n_in), dtype)
        self.q1, self.xbar1 = 0.0, 0.0  # the bias's traces (its input is the constant 1)
        self.gW = np.zeros((batch, n_out) if static else (n_in, n_out), dtype)
        self.gb = np.zeros(n_out, dtype)
        self.recurrent = recurrent
        if recurrent:  # the recurrent synapses' presynaptic trace, of s_{t-1}
            self.qU, self.xbarU = np.zeros((batch, n_out), dtype), np.zeros((batch, n_out), dtype)
            self.gU = np.zeros((n_out, n_out), dtype)
        self.psi = None
        self.weighted: dict | None = None
        self.flops = 0  # what ``weigh`` and ``final`` cost (the local spiking rule counts the rest)

    def advance(self, h: np.ndarray | None, s_prev: np.ndarray | None = None) -> None:
        """Update the presynaptic traces with this step's input h (B, n_in) (None if static) and,
        for a recurrent cell, the previous spikes s_{t-1} (B, n)."""
        a, b = self.lif.alpha, self.lif.beta
        if self.static:
            self.q = a * self.q + 1.0
            self.xbar = b * self.xbar + self.q
        else:
            self.q = a * self.q + h if a > 0 else h
            self.xbar = b * self.xbar + self.q
        self.q1 = a * self.q1 + 1.0
        self.xbar1 = b * self.xbar1 + self.q1
        if self.recurrent:
            self.qU = a * self.qU + s_prev if a > 0 else s_prev
            self.xbarU = b * self.xbarU + self.qU

    def accumulate(self, signal: np.ndarray) -> None:
        """Add the step's update for learning signal L_t (B, n_out): xbar^T (L * psi)."""
        m = signal * self.psi
        if self.static:
            self.gW += self.xbar * m  # scalar trace: times x^T at the end
        else:
            self.gW += self.xbar.T @ m
        self.gb += self.xbar1 * m.sum(axis=0)
        if self.recurrent:
            self.gU += self.xbarU.T @ m

    def weigh(self, w) -> None:
        """Add w e_t per sample (w a float share, or a map (n, K): one sum per class)."""
        per = self.psi if np.isscalar(w) else self.psi[:, None, :] * w.T[None]   # (B, n) or (B, K, n)
        parts = {"b": self.xbar1 * per, "W": self._outer(self.xbar, per)}
        if self.recurrent:
            parts["U"] = self._outer(self.xbarU, per)
        if self.weighted is None:
            self.weighted = {k: np.zeros_like(v) for k, v in parts.items()}
        for k, v in parts.items():
            self.weighted[k] += (w * v) if np.isscalar(w) else v
            self.flops += 3 * v.size

    def _outer(self, pre, per):
        if np.isscalar(pre):  # static input: times x at the end
            return pre * per
        return pre[:, :, None] * per[:, None, :] if per.ndim == 2 else pre[:, None, :, None] * per[:, :, None, :]

    def gradients(self, x_static: np.ndarray | None) -> dict[str, np.ndarray]:
        """What ``accumulate`` gathered: {"W", ("U"), "b"}."""
        grads = {"W": x_static.T @ self.gW if self.static else self.gW}
        if self.recurrent:
            grads["U"] = self.gU
        grads["b"] = self.gb
        return grads

    def final(self, L: np.ndarray, x_static: np.ndarray | None) -> dict[str, np.ndarray]:
        """``gradients`` plus the update for an end-of-sequence signal L (see GatedEligibility)."""
        grads = self.gradients(x_static)
        acc = self.weighted
        maps = acc["b"].ndim == 3
        sub = "bk" if maps else "b"
        Lx = "bk" if maps else "bj"
        grads["b"] = grads["b"] + np.einsum(f"{sub}j,{Lx}->j", acc["b"], L)
        if self.static:
            per = np.einsum(f"{sub}j,{Lx}->bj", acc["W"], L)          # (B, n)
            grads["W"] = grads["W"] + x_static.T @ per
        else:
            grads["W"] = grads["W"] + np.einsum(f"{sub}ij,{Lx}->ij", acc["W"], L)
        if self.recurrent:
            grads["U"] = grads["U"] + np.einsum(f"{sub}ij,{Lx}->ij", acc["U"], L)
        self.flops += 2 * sum(v.size for v in acc.values())
        return grads
