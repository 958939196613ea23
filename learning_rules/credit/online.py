"""The online pass: a temporal network run one step at a time, every level advancing together,
with each cell's eligibility traces (credit/eligibility.py) and the readout's running score.
Nothing indexed by time is stored (but the inputs of a ``flatten`` readout, whose weights are
themselves one block per step), so memory is O(B n n_in) per cell whatever T: the engine of
e-prop, RFLO and the local spiking rule.

    pas = OnlinePass(net, x, rng, surrogate)
    for t in range(net.steps):
        pas.step(t)                     # every cell advances; traces and the running score too
        ... a rule reads pas.score.scores(t) and calls pas.traces[l].accumulate(L_t) or .weigh(w)
    scores = pas.score.scores(net.steps - 1)     # equals net.forward(x)[0]

The running score is the readout applied to what the network has produced so far: the last
step's output (``last``), the mean so far (``mean``), the time-averaged leaky integrator so far
(``leaky``: r_t = A_t / G_t with m_t = beta m_{t-1} + s_t, A_t = A_{t-1} + m_t and the same
recursions for a constant 1), the mean over the decision window so far (``window``; zero
before it), the output of this step (``every_step``: ``step_output()``, y_t = m_t W + b with the
leaky m_t; it has no running score), the readout of every step so far (``flatten``: later steps
count as zero), or the spike count so far extrapolated to T steps (``count``). At the last step it
is the network's output exactly.
"""

from __future__ import annotations

import math

import numpy as np

from ..networks.temporal import SEQUENCE
from ..spiking.encoding import encode_step, is_static
from ..spiking.neurons import LIFState, lif_step
from ..spiking.surrogates import Surrogate
from .eligibility import GatedEligibility, LIFEligibility


def error_steps(fraction: float, steps: int) -> int:
    """How many of the last steps an online error reaches: ceil(fraction T), at least one."""
    return max(1, math.ceil(fraction * steps))


class RunningScore:
    """The readout followed forward in time (see the module docstring)."""

    def __init__(self, net, batch: int, n: int) -> None:
        self.net, self.kind = net, net.readout
        dtype = net.dtype
        self.m = np.zeros((batch, n), dtype)  # leaky: membrane; last: the current output
        self.A = np.zeros((batch, n), dtype)  # leaky: its running sum; mean, count: the sum so far
        self.gm, self.G = 0.0, 0.0
        self.parts: list[np.ndarray] = []    # flatten: every step's output
        self.K = net.n_outputs
        self.S = np.zeros((batch, self.K), dtype) if self.kind == "flatten" else None

    def advance(self, h: np.ndarray, t: int) -> None:
        if self.kind == "every_step":
            self.m *= self.net.reduction.beta
            self.m += h
        elif self.kind == "leaky":
            self.m *= self.net.beta_out
            self.m += h
            self.A += self.m
            self.gm = self.net.beta_out * self.gm + 1.0
            self.G += self.gm
        elif self.kind == "last":
            self.m = h
        elif self.kind == "flatten":
            self.parts.append(h)
            n = h.shape[1]
            self.S += h @ self.net.layers[-1].W[t * n:(t + 1) * n]
        elif self.kind == "window":
            w = float(self.net.reduction.weights()[t])
            if w:
                self.A += w * h
                self.G += w
        else:
            self.A += h

    def rate(self, t: int) -> np.ndarray:
        """r_t (B, width): what the dense readout reads after step t."""
        if self.kind == "leaky":
            return self.A / self.A.dtype.type(self.G)
        if self.kind == "last":
            return self.m
        if self.kind == "mean":
            return self.A / self.A.dtype.type(t + 1)
        if self.kind == "window":
            return self.A / self.A.dtype.type(self.G) if self.G else self.A
        return np.concatenate(self.parts, axis=1)  # flatten, at the end

    def credit(self, t: int, F: np.ndarray | None) -> np.ndarray | float:
        """d score_t / d h_t through F (width, K) in place of the readout's W: (n, K), or the
        scalar share for ``count`` (the top cells are the output)."""
        if self.kind == "count":
            return 1.0
        if self.kind == "flatten":
            n = F.shape[0] // self.net.steps
            return F[t * n:(t + 1) * n]
        if self.kind == "last":
            return F
        if self.kind == "window":
            w = float(self.net.reduction.weights()[t])
            return (w / self.G if self.G else 0.0) * F
        return (1.0 / (t + 1) if self.kind == "mean" else 1.0 / self.G) * F

    def step_output(self) -> np.ndarray:
        """``every_step``: this step's output y_t = m_t W + b (B, K)."""
        dense = self.net.layers[-1]
        return self.m @ dense.W + dense.b

    def scores(self, t: int) -> np.ndarray:
        """The output so far (B, K); at t = T - 1 the network's output."""
        T = self.net.steps
        if self.kind == "every_step":
            raise ValueError("readout 'every_step' has no running score: its outputs are compared step by step "
                             "(use bptt, eprop or rflo, which learn from the error of every step)")
        if self.kind == "count":
            return self.A * (T / (t + 1))
        dense = self.net.layers[-1]
        if self.kind == "flatten":
            return self.S + dense.b
        return self.rate(t) @ dense.W + dense.b


class _LIFRunner:
    """One LIF cell advanced step by step, with its traces and spike counts."""

    def __init__(self, cell, batch: int, dtype, static: bool, surrogate: Surrogate) -> None:
        self.cell, self.lif, self.sur = cell, cell.lif, surrogate
        self.state = LIFState.zeros(cell.lif, batch, cell.n, dtype)
        self.trace = LIFEligibility(cell.lif, cell.n_in, cell.n, batch, dtype, static, cell.recurrent)
        self.counts = np.zeros((batch, cell.n), dtype)
        self.s_prev = np.zeros((batch, cell.n), dtype) if cell.recurrent else None

    def advance(self, h, c_static, need_psi: bool) -> np.ndarray:
        c = c_static if c_static is not None else self.cell.currents(h)
        if self.s_prev is not None:
            c = c + self.s_prev @ self.cell.params["U"]
        self.trace.advance(h, self.s_prev)
        v, s, active = lif_step(self.lif, self.state, c)
        if need_psi:  # the pseudo-derivative is only needed where an error arrives
            psi = self.sur.grad(v - self.lif.threshold)
            self.trace.psi = psi if active is None else psi * active
        self.counts += s
        if self.s_prev is not None:
            self.s_prev = s
        return s

    def final(self, L: np.ndarray | None, x: np.ndarray) -> dict[str, np.ndarray]:
        """The cell's update: what ``accumulate`` gathered, plus L's through ``weigh``'s sums (x:
        the pass's raw input, read by a direct-current cell's deferred product)."""
        x_static = x if self.trace.static else None
        return self.trace.gradients(x_static) if self.trace.weighted is None else self.trace.final(L, x_static)


class _GatedRunner:
    """One gated cell (Elman, GRU) advanced step by step, with its traces."""

    def __init__(self, cell, batch: int, dtype, traces: bool = True) -> None:
        self.cell = cell
        self.h = np.zeros((batch, cell.n), dtype)
        self.trace = GatedEligibility(cell, batch, dtype) if traces else None
        self.last_step: tuple = ()  # (x_t, h_{t-1}, D_in, D_m, D_h) of the last step

    def advance(self, x, c_static, need_psi: bool) -> np.ndarray:
        cell, h_prev = self.cell, self.h
        a = cell.input_drive(x)
        record = cell.new_record(1, x.shape[0], a.dtype)
        h = cell.step(a, h_prev, cell.recurrent_drive(h_prev), record, 0, np.empty_like(h_prev))
        D_in, D_m, D_h = cell.derivatives(record, h_prev[None])
        self.last_step = (x, h_prev, D_in[0], None if D_m is None else D_m[0], None if D_h is None else D_h[0])
        if self.trace is not None:
            self.trace.advance(*self.last_step)
        self.h = h
        return h

    def final(self, L: np.ndarray | None, x: np.ndarray) -> dict[str, np.ndarray]:
        return self.trace.final(L)


class OnlinePass:
    """The network's forward pass, one step at a time (see the module docstring)."""

    def __init__(self, net, x: np.ndarray, rng: np.random.Generator | None, surrogate: Surrogate | None,
                 traces: bool = True) -> None:
        if net.bidirectional:
            raise ValueError("online learning runs forward in time: the reverse half of a bidirectional "
                             "layer reads the future (use bidirectional = false)")
        self.net, self.T = net, net.steps
        self.x = np.asarray(x, net.dtype)
        B = self.x.shape[0]
        self.sequence = net.encoding == SEQUENCE
        self.static = not self.sequence and is_static(net.encoding)
        if net.encoding == "rate" and rng is None:
            rng = np.random.default_rng(net.eval_seed)
        self.rng = rng
        self.X = net.encode(self.x) if self.sequence else None  # (T, B, D): the data itself
        self.runners = [c.online_runner(B, net.dtype, self.x if l == 0 and self.static else None, surrogate)
                        or (_LIFRunner(c, B, net.dtype, l == 0 and self.static, surrogate) if c.spiking
                            else _GatedRunner(c, B, net.dtype, traces)) for l, c in enumerate(net.cells)]
        self.c0 = net.cells[0].currents(self.x) if self.static and self.runners else None
        self.score = RunningScore(net, B, net.top_width)
        self.in_events = 0.0

    @property
    def traces(self) -> list:
        return [r.trace for r in self.runners if r.trace is not None]

    def step(self, t: int, need_psi: bool = True) -> np.ndarray | None:
        """Advance every cell by step t; returns the top cells' output (None: a static input
        read directly)."""
        if self.sequence:
            h = self.X[t]
        elif self.static:
            h = None
        else:
            h = encode_step(self.net.encoding, self.x, t, self.T, self.rng)
            self.in_events += float(h.sum())
        for l, runner in enumerate(self.runners):
            h = runner.advance(h, self.c0 if (l == 0 and self.static) else None, need_psi)
        self.score.advance(self.x if h is None else h, t)
        return h
