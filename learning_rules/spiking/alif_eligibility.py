"""E-prop's eligibility traces of ALIF neurons (Bellec et al. 2020, "A solution to the learning
dilemma for recurrent networks of spiking neurons", Methods, "Eligibility traces for ALIF").

For a synapse i -> j (input, recurrent or bias; the neuron model of adaptive.py) the trace is
the derivative of j's spike by W_ji through j's own dynamics (reset ignored), in two parts:

    q_t       = alpha q_{t-1} + x_t[i]                       presynaptic, through the synapse
    ev_t      = beta ev_{t-1} + q_t                          eps^v: dv_t / dW_ji
    ea_t      = psi_{t-1} ev_{t-1} + (rho - psi_{t-1} beta_j) ea_{t-1}
                                                             eps^a: da_t / dW_ji, the adaptation's
                                                             eligibility vector (ea_0 = 0)
    psi_t     = g(v_t - A_t)                                 the pseudo-derivative (a surrogate)
    e_t       = psi_t (ev_t - beta_j ea_t)                   the eligibility trace

ev factorises (one (B, n_in) array per pathway); ea does not: it is kept per sample and synapse,
(B, n_in, n), memory O(B n_in n) whatever T. For beta_j = 0 this is the LIF trace
(credit/eligibility.py). The runner and its traces offer what the LIF ones do (``accumulate``,
``weigh``, ``final``), so e-prop, RFLO and the local spiking rule run on ALIF cells unchanged.
"""

from __future__ import annotations

import numpy as np

from .adaptive import ALIFState, alif_step
from .surrogates import Surrogate


class ALIFEligibility:
    """Traces and gradient sums of one ALIF cell's W, (U), b (see the module docstring)."""

    def __init__(self, cell, batch: int, dtype) -> None:
        self.cell, self.lif = cell, cell.lif
        self.rho, self.betas = cell.alif.rho, cell.betas
        sizes = {"W": cell.n_in, **({"U": cell.n} if cell.recurrent else {}), "b": 1}
        self.names = list(sizes)
        self.q = {k: np.zeros((batch, m), dtype) for k, m in sizes.items()}
        self.ev = {k: np.zeros((batch, m), dtype) for k, m in sizes.items()}
        self.ea = {k: np.zeros((batch, m, cell.n), dtype) for k, m in sizes.items()}
        self.sums = {k: np.zeros((m, cell.n), dtype) for k, m in sizes.items()}
        self.ones = np.ones((batch, 1), dtype)
        self.psi: np.ndarray | None = None  # psi_t (B, n), set by the runner after each step
        self.weighted: dict | None = None
        self.filtered: dict | None = None  # ebar (B, m, n) per pathway, for ``accumulate_filtered``
        self.flops = 0

    def advance(self, x: np.ndarray, s_prev: np.ndarray | None) -> None:
        """Step t's presynaptic inputs: x_t (B, n_in) and s_{t-1} (B, n) (recurrent cells)."""
        pre = {"W": x, "U": s_prev, "b": self.ones}
        a, bm = self.lif.alpha, self.lif.beta
        for k in self.names:
            if self.psi is not None:  # ea_t from step t-1's psi, ev and ea
                decay = self.rho - self.psi * self.betas                      # (B, n)
                self.ea[k] *= decay[:, None, :]
                self.ea[k] += self.ev[k][:, :, None] * self.psi[:, None, :]
                self.flops += 4 * self.ea[k].size
            self.q[k] = a * self.q[k] + pre[k] if a > 0 else pre[k]
            self.ev[k] = bm * self.ev[k] + self.q[k]

    def trace(self, k: str) -> np.ndarray:
        """e_t (B, m, n) of pathway k."""
        return self.psi[:, None, :] * (self.ev[k][:, :, None] - self.betas * self.ea[k])

    def accumulate(self, signal: np.ndarray) -> None:
        """Add the step's update for learning signal L_t (B, n): sum_b L_t e_t."""
        m = signal * self.psi                                                 # (B, n)
        for k in self.names:
            self.sums[k] += self.ev[k].T @ m - np.einsum("bij,bj->ij", self.ea[k], m * self.betas)
            self.flops += 4 * self.ea[k].size

    def accumulate_filtered(self, signal: np.ndarray, kappa: float) -> None:
        """Add sum_b L_t ebar_t for learning signal L_t (B, n), ebar_t = kappa ebar_{t-1} + e_t:
        the trace filtered by a leaky readout's decay kappa (a target at every step)."""
        if self.filtered is None:
            self.filtered = {k: np.zeros_like(self.ea[k]) for k in self.names}
        for k in self.names:
            f = self.filtered[k]
            f *= kappa
            f += self.trace(k)
            self.sums[k] += np.einsum("bij,bj->ij", f, signal)
            self.flops += 6 * f.size

    def weigh(self, w) -> None:
        """Add w e_t per sample: w a float share, or a map (n, K) (then one sum per class)."""
        scalar = np.isscalar(w)
        if self.weighted is None:
            self.weighted = {}
        for k in self.names:
            e = self.trace(k)
            part = w * e if scalar else e[:, None] * w.T[None, :, None, :]    # (B, m, n) | (B, K, m, n)
            self.weighted[k] = part if k not in self.weighted else self.weighted[k] + part
            self.flops += 4 * part.size

    def gradients(self) -> dict[str, np.ndarray]:
        """What ``accumulate`` gathered: {"W", ("U"), "b"}."""
        return {k: (self.sums[k][0] if k == "b" else self.sums[k]).copy() for k in self.names}

    def final(self, L: np.ndarray | None) -> dict[str, np.ndarray]:
        """``gradients`` plus the update for an end-of-sequence signal: L (B, n) after scalar
        weights, or the output error (B, K) after maps."""
        grads = self.gradients()
        if self.weighted is None or L is None:
            return grads
        for k in self.names:
            acc = self.weighted[k]
            g = np.einsum("bkij,bk->ij", acc, L) if acc.ndim == 4 else np.einsum("bij,bj->ij", acc, L)
            grads[k] = grads[k] + (g[0] if k == "b" else g)
            self.flops += 2 * acc.size
        return grads


class ALIFRunner:
    """One ALIF cell advanced step by step, with its traces and spike counts (the online pass's
    runner of credit/online.py; ``x_static`` (B, n_in): the input held at every step, or None)."""

    def __init__(self, cell, batch: int, dtype, x_static: np.ndarray | None, surrogate: Surrogate) -> None:
        self.cell, self.sur = cell, surrogate
        self.state = ALIFState.zeros(batch, cell.n, dtype)
        self.trace = ALIFEligibility(cell, batch, dtype)
        self.counts = np.zeros((batch, cell.n), dtype)
        self.x_static = x_static

    def advance(self, h, c_static, need_psi: bool = True) -> np.ndarray:
        """Step the cell on input h (B, n_in) (None: the static input, whose currents are
        ``c_static``); psi is computed at every step, as the adaptation's trace needs it."""
        x = self.x_static if h is None else h
        c = c_static if c_static is not None else self.cell.currents(x)
        s_prev = self.state.s
        if self.cell.recurrent:
            c = c + s_prev @ self.cell.params["U"]
        self.trace.advance(x, s_prev if self.cell.recurrent else None)
        v, A, s = alif_step(self.cell.alif, self.cell.betas, self.state, c)
        self.trace.psi = self.sur.grad(v - A)
        self.counts += s
        return s

    def final(self, L: np.ndarray | None, x: np.ndarray) -> dict[str, np.ndarray]:
        del x  # the traces already hold the input
        return self.trace.final(L)
