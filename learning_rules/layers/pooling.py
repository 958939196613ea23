"""Max and average pooling over windows of the spatial axes, channels last.

x (B, L, C) or (B, H, W, C); windows of size k taken every s positions (s = k by default), so
L_out = (L - k) // s + 1. Max pooling sends each output's error to the first maximum of its
window; average pooling spreads it evenly over the window (1 / prod(k) each). Overlapping
windows add their shares.
"""

from __future__ import annotations

import math

import numpy as np
from numpy.lib.stride_tricks import sliding_window_view

from .base import REQUIRED, Layer, LayerError
from .conv import _tuple, spatial_input


class _Pool(Layer):
    vectorisable = True
    spatial: int
    reduce: str  # "max" | "avg"

    def __init__(self, input_shape, kernel, stride=None) -> None:
        super().__init__()
        n = self.spatial
        *size, c = spatial_input(self.kind, input_shape, n)
        self.kernel = _tuple(self.kind, "kernel", kernel, n, minimum=1)
        self.stride = self.kernel if stride is None else _tuple(self.kind, "stride", stride, n, minimum=1)
        for s, k in zip(size, self.kernel):
            if k > s:
                raise LayerError(f"{self.kind}: kernel {k} is larger than its input ({s})")
        self.input_shape = (*size, c)
        self.output_shape = (*((s - k) // st + 1 for s, k, st in zip(size, self.kernel, self.stride)), c)

    def _windows(self, x: np.ndarray) -> np.ndarray:
        """(..., B, *S, C) -> (..., B, *S_out, C, prod(k)) (a copy for a flat window axis)."""
        m = x.ndim - self.spatial - 1                                   # leading axes: (B,) or (P, B)
        win = sliding_window_view(x, self.kernel, axis=tuple(range(m, m + self.spatial)))
        win = win[(*[slice(None)] * m, *(slice(0, o * st, st) for o, st in zip(self.output_shape[:-1], self.stride)))]
        return win.reshape(*win.shape[: m + self.spatial + 1], -1)

    def population_forward(self, h, params):
        win = self._windows(h)
        return win.max(axis=-1) if self.reduce == "max" else win.mean(axis=-1)

    def forward(self, x, train=False, rng=None):
        win = self._windows(x)
        if self.reduce == "max":
            index = win.argmax(axis=-1)                                 # (B, *S_out, C) first maximum
            return np.take_along_axis(win, index[..., None], axis=-1)[..., 0], index
        return win.mean(axis=-1), None

    def backward_input(self, cache, delta, weight=None):
        lead = delta.shape[: delta.ndim - len(self.output_shape)]       # (B,), or (S, B) with seeds stacked
        dx = np.zeros((*lead, *self.input_shape), dtype=delta.dtype)
        share = delta if self.reduce == "max" else delta / delta.dtype.type(math.prod(self.kernel))
        out = self.output_shape[:-1]
        for flat, offset in enumerate(np.ndindex(*self.kernel)):
            where = tuple(slice(o, o + st * (n - 1) + 1, st) for o, st, n in zip(offset, self.stride, out))
            dx[(Ellipsis, *where, slice(None))] += share * (cache == flat) if self.reduce == "max" else share
        return dx

    def flops(self, batch: int) -> int:
        return int(batch * self.n_out * math.prod(self.kernel))

    def backward_flops(self, batch: int, inputs: bool = True, params: bool = True) -> int:
        return int(inputs * batch * self.n_out * math.prod(self.kernel))

    def describe(self) -> str:
        return f"{self.kind} {'x'.join(map(str, self.kernel))}"

    spec_keys = {"kernel": REQUIRED, "stride": None}

    @classmethod
    def from_spec(cls, input_shape, rng, *, dtype, init, init_gain, kernel, stride):
        return cls(input_shape, kernel, stride)

    def jvp(self, cache, dx, dparams=None):
        """Max: each window's tangent at its (first) maximum; average: the window's mean tangent."""
        win = self._windows(dx)
        if self.reduce == "max":
            return np.take_along_axis(win, cache[..., None], axis=-1)[..., 0]
        return win.mean(axis=-1)


class MaxPool1d(_Pool):
    kind, spatial, reduce = "maxpool1d", 1, "max"


class MaxPool2d(_Pool):
    kind, spatial, reduce = "maxpool2d", 2, "max"


class AvgPool1d(_Pool):
    kind, spatial, reduce = "avgpool1d", 1, "avg"


class AvgPool2d(_Pool):
    kind, spatial, reduce = "avgpool2d", 2, "avg"
