"""Online simulation with eligibility traces: the engine of the local spiking rule.

One pass over T steps, all layers advancing together at each step; nothing indexed by time is
stored, so memory is O(B n) per layer whatever T. Per LIF layer l with input h_t (B, n_in):

    q_t    = alpha q_{t-1} + h_t          presynaptic trace through the synapse (q_t = h_t if alpha = 0)
    xbar_t = beta xbar_{t-1} + q_t        ... and through the membrane: xbar_t = du_t/dW (reset ignored)
    psi_t  = active_t g(v_t - threshold)  the postsynaptic pseudo-derivative (a surrogate)
    e_t    = xbar_t (x) psi_t             the eligibility of synapse (i, j); never formed, it factorises

For direct-current input h_t = x is constant, so q_t and xbar_t are x times scalars and the
first layer's updates reduce to one product at the end. The caller turns a learning signal
L_t (B, n_l) into the weight change sum_t xbar_t^T (L_t * psi_t) as the steps go by.

The leaky readout is followed online too (``RunningReadout``): its score at step t is the
time-averaged readout membrane so far, which at t = T - 1 equals the network's output exactly.
"""

from __future__ import annotations

import numpy as np


class LayerEligibility:
    """Traces and gradient accumulators of one LIF layer (see the module docstring)."""

    def __init__(self, lif, n_in: int, n_out: int, batch: int, dtype, static: bool) -> None:
        self.lif, self.static = lif, static
        # static input: the traces are scalars (python floats keep the arrays' float32)
        self.q = 0.0 if static else np.zeros((batch, n_in), dtype)
        self.xbar = 0.0 if static else np.zeros((batch, n_in), dtype)
        self.q1, self.xbar1 = 0.0, 0.0  # the bias's traces (its input is the constant 1)
        self.gW = np.zeros((batch, n_out) if static else (n_in, n_out), dtype)
        self.gb = np.zeros(n_out, dtype)
        self.psi = None

    def advance(self, h: np.ndarray | None) -> None:
        """Update the presynaptic traces with this step's input h (B, n_in) (None if static)."""
        a, b = self.lif.alpha, self.lif.beta
        if self.static:
            self.q = a * self.q + 1.0
            self.xbar = b * self.xbar + self.q
        else:
            self.q = a * self.q + h if a > 0 else h
            self.xbar = b * self.xbar + self.q
        self.q1 = a * self.q1 + 1.0
        self.xbar1 = b * self.xbar1 + self.q1

    def accumulate(self, signal: np.ndarray) -> None:
        """Add the step's update for learning signal L_t (B, n_out): xbar^T (L * psi)."""
        m = signal * self.psi
        if self.static:
            self.gW += self.xbar * m  # scalar trace: times x^T at the end
        else:
            self.gW += self.xbar.T @ m
        self.gb += self.xbar1 * m.sum(axis=0)

    def gradients(self, x_static: np.ndarray | None) -> tuple[np.ndarray, np.ndarray]:
        gW = x_static.T @ self.gW if self.static else self.gW
        return gW, self.gb


class RunningReadout:
    """The leaky readout run forward in time: m_t = beta_o m_{t-1} + s_t, A_t = A_{t-1} + m_t
    (B, n), and the same recursions for a constant 1 (scalars gm, G), so r_t = A_t / G_t and the
    score so far is r_t W + b; r_{T-1} is the forward pass's time-weighted spike average."""

    def __init__(self, beta_out: float, batch: int, n: int, dtype) -> None:
        self.beta = beta_out
        self.m = np.zeros((batch, n), dtype)
        self.A = np.zeros((batch, n), dtype)
        self.gm, self.G = 0.0, 0.0

    def advance(self, s: np.ndarray) -> None:
        self.m *= self.beta
        self.m += s
        self.A += self.m
        self.gm = self.beta * self.gm + 1.0
        self.G += self.gm

    def rate(self) -> np.ndarray:
        """r_t (B, n): the spike average the scores so far are made of."""
        return self.A / self.A.dtype.type(self.G)
