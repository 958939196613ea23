"""The Elman cell (Elman 1990, "Finding structure in time"), with an optional leak.

    a_t = x_t W + h_{t-1} U + b                    (B, n)
    h_t = (1 - alpha) h_{t-1} + alpha f(a_t)       f: tanh by default; alpha = 1: the plain Elman cell

The leak alpha in (0, 1] (``leak``) is the discretised leaky rate unit of Murray (2019) and
Marschall et al. (2020), tau dh/dt = -h + f(a) with alpha = dt / tau: each unit keeps a trace
of its past that decays as (1 - alpha)^t. Local derivatives (layers/cell.py):

    D_in = D_m = alpha f'(a_t),   D_h = 1 - alpha (None when alpha = 1).
"""

from __future__ import annotations

import numpy as np

from ..activations import get_activation
from .base import REQUIRED, LayerError
from .cell import GatedCell


class ElmanCell(GatedCell):
    """h_t = (1 - alpha) h_{t-1} + alpha f(x_t W + h_{t-1} U + b)."""

    kind = "elman"
    gates = 1

    def __init__(self, n_in: int, n: int, rng: np.random.Generator, recurrent: bool = True,
                 reverse: bool = False, steps: int = 1, activation: str = "tanh", leak: float = 1.0,
                 init: str = "xavier", gain: float = 1.0, dtype=np.float32) -> None:
        if isinstance(leak, bool) or not isinstance(leak, (int, float)) or not 0.0 < leak <= 1.0:
            raise LayerError(f"elman: leak {leak!r} not allowed; must be a number in (0, 1]")
        self.activation = get_activation(activation)
        self.leak = float(leak)
        super().__init__(n_in, n, rng, recurrent, reverse, steps, init, gain, dtype)

    def new_record(self, T, B, dtype):
        return {"a": np.empty((T, B, self.n), dtype), "f": np.empty((T, B, self.n), dtype)}

    def step(self, a, h, m, record, t, out):
        pre = record["a"][t]
        if m is None:
            pre[...] = a
        else:
            np.add(a, m, out=pre)
        f = record["f"][t]
        f[...] = self.activation.f(pre)
        if self.leak == 1.0:
            out[...] = f
        else:
            np.subtract(f, h, out=out)
            out *= self.leak
            out += h
        return out

    def derivatives(self, record, Hprev):
        D = self.activation.df(record["a"], record["f"])
        if self.leak != 1.0:
            D = D * D.dtype.type(self.leak)
        D = np.asarray(D, record["a"].dtype)
        D_h = None if self.leak == 1.0 else np.full_like(Hprev, 1.0 - self.leak)
        return D, None, D_h

    def step_ops(self) -> int:
        return 2 + (3 if self.leak != 1.0 else 0)  # the sum, f; the leak's mix

    def describe(self) -> str:
        leak = "" if self.leak == 1.0 else f" leak {self.leak:g}"
        return super().describe() + leak

    spec_keys = {"units": REQUIRED}
