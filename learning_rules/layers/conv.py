"""Convolutions (cross-correlations, as in every deep-learning library) in 1-D and 2-D, written
as im2col plus one matrix product, so that they run near the BLAS limit.

Channels are last: x (B, L, C_in) or (B, H, W, C_in). The kernel W has shape
(C_out, C_in, k) or (C_out, C_in, kh, kw) (the layout of torch and biotorch, so a feedback kernel
"of W's shape" means the same thing there), and b (C_out,). With the input zero-padded by p on
each side and windows taken every s positions, the output has L_out = (L + 2p - k) // s + 1
positions (per spatial axis), and, writing X for the (B L_out, C_in k) matrix of input windows
(im2col) and W_m for W reshaped to (C_out, C_in k),

    forward:          out = X W_m^T + b                        (B L_out, C_out)
    backward_input:   dX = delta F_m, then col2im: every window's rows added back where they came
                      from (F = W for backprop, or feedback of W's shape); padding cropped
    backward_params:  dW_m = delta^T X,  db = sum over batch and positions of delta
"""

from __future__ import annotations

import math

import numpy as np
from numpy.lib.stride_tricks import sliding_window_view

from ..initializers import init_tensor
from .base import REQUIRED, Layer, LayerError, weight_of


class _Conv(Layer):
    """The n-d convolution behind Conv1d and Conv2d (``spatial`` = 1 or 2)."""

    has_weight = True
    linear_in_params = True
    spatial: int

    def __init__(self, input_shape, out_channels: int, kernel, rng: np.random.Generator, stride=1,
                 padding=0, init: str = "xavier", gain: float = 1.0, dtype=np.float32) -> None:
        super().__init__()
        n = self.spatial
        if len(input_shape) != n + 1:
            raise LayerError(f"{self.kind}: needs an input of {n} spatial axes and channels, got shape "
                             f"{tuple(input_shape)}")
        *size, c_in = (int(s) for s in input_shape)
        self.kernel = _tuple(self.kind, "kernel", kernel, n, minimum=1)
        self.stride = _tuple(self.kind, "stride", stride, n, minimum=1)
        self.padding = _tuple(self.kind, "padding", padding, n, minimum=0)
        if int(out_channels) != out_channels or out_channels < 1:
            raise LayerError(f"{self.kind}: channels {out_channels!r} not allowed; must be an integer >= 1")
        out = []
        for s, k, st, p in zip(size, self.kernel, self.stride, self.padding):
            if k > s + 2 * p:
                raise LayerError(f"{self.kind}: kernel {k} is larger than its padded input ({s} + 2 x {p})")
            out.append((s + 2 * p - k) // st + 1)
        self.input_shape = (*size, c_in)
        self.output_shape = (*out, int(out_channels))
        field = math.prod(self.kernel)
        shape = (int(out_channels), c_in, *self.kernel)
        self.params = {"W": init_tensor(init, rng, shape, c_in * field, int(out_channels) * field, dtype, gain),
                       "b": np.zeros(int(out_channels), dtype=dtype)}

    # -- im2col -------------------------------------------------------------------------------
    def _padded(self, x: np.ndarray) -> np.ndarray:
        if not any(self.padding):
            return x
        B, c = x.shape[0], x.shape[-1]
        size = [s + 2 * p for s, p in zip(self.input_shape[:-1], self.padding)]
        xp = np.zeros((B, *size, c), dtype=x.dtype)
        xp[(slice(None), *(slice(p, p + s) for p, s in zip(self.padding, self.input_shape[:-1])))] = x
        return xp

    def _columns(self, x: np.ndarray) -> np.ndarray:
        """x (B, *S, C_in) -> X (B prod(S_out), C_in prod(k)): one row per output position."""
        axes = tuple(range(1, self.spatial + 1))
        win = sliding_window_view(self._padded(x), self.kernel, axis=axes)  # (B, *S', C_in, *k)
        win = win[(slice(None), *(slice(None, None, s) for s in self.stride))]
        out = self.output_shape[:-1]
        win = win[(slice(None), *(slice(0, o) for o in out))]
        return win.reshape(x.shape[0] * math.prod(out), -1)

    def forward(self, x, train=False, rng=None):
        W = self.params["W"]
        cols = self._columns(x)
        a = cols @ W.reshape(W.shape[0], -1).T                         # (B prod(S_out), C_out)
        a += self.params["b"]
        return a.reshape(x.shape[0], *self.output_shape), cols

    def backward_input(self, cache, delta, weight=None):
        F = weight_of(self, weight)
        B = delta.shape[0]
        d = delta.reshape(-1, F.shape[0])                               # (B prod(S_out), C_out)
        dcols = (d @ F.reshape(F.shape[0], -1)).reshape(B, *self.output_shape[:-1], -1, *self.kernel)
        c_in = self.input_shape[-1]
        padded = [s + 2 * p for s, p in zip(self.input_shape[:-1], self.padding)]
        dx = np.zeros((B, *padded, c_in), dtype=delta.dtype)
        out = self.output_shape[:-1]
        for offset in np.ndindex(*self.kernel):                         # col2im: k (or kh kw) adds
            where = tuple(slice(o, o + st * (n - 1) + 1, st) for o, st, n in zip(offset, self.stride, out))
            dx[(slice(None), *where)] += dcols[(Ellipsis, *offset)]
        if any(self.padding):
            dx = dx[(slice(None), *(slice(p, p + s) for p, s in zip(self.padding, self.input_shape[:-1])))]
        return dx

    def backward_params(self, cache, delta):
        W = self.params["W"]
        d = delta.reshape(-1, W.shape[0])
        return {"W": (d.T @ cache).reshape(W.shape), "b": d.sum(axis=0)}

    # -- cost ---------------------------------------------------------------------------------
    def _rows(self, batch: int) -> int:
        return batch * math.prod(self.output_shape[:-1])

    def _width(self) -> int:
        return self.input_shape[-1] * math.prod(self.kernel)

    def flops(self, batch: int) -> int:
        rows, c_out = self._rows(batch), self.output_shape[-1]
        return int(rows * (2 * self._width() * c_out + c_out))

    def backward_flops(self, batch: int, inputs: bool = True, params: bool = True) -> int:
        rows, width, c_out = self._rows(batch), self._width(), self.output_shape[-1]
        grad_in = 2 * rows * width * c_out + rows * width               # product, col2im adds
        grad_w = 2 * rows * width * c_out + rows * c_out
        return int(inputs * grad_in + params * grad_w)

    def describe(self) -> str:
        k = "x".join(map(str, self.kernel))
        extra = "".join([f" /{'x'.join(map(str, self.stride))}" if any(s > 1 for s in self.stride) else "",
                         f" pad {'x'.join(map(str, self.padding))}" if any(self.padding) else ""])
        return f"{self.kind} {self.output_shape[-1]}x{k}{extra}"

    spec_keys = {"channels": REQUIRED, "kernel": REQUIRED, "stride": 1, "padding": 0}

    @property
    def fans(self) -> tuple[int, int]:
        field = math.prod(self.kernel)
        return self.input_shape[-1] * field, self.output_shape[-1] * field

    @classmethod
    def from_spec(cls, input_shape, rng, *, dtype, init, init_gain, channels, kernel, stride, padding):
        return cls(input_shape, channels, kernel, rng, stride, padding, init, init_gain, dtype)


def _tuple(kind: str, key: str, value, n: int, minimum: int) -> tuple[int, ...]:
    values = tuple(value) if isinstance(value, (list, tuple)) else (value,) * n
    if len(values) != n or any(isinstance(v, bool) or int(v) != v or v < minimum for v in values):
        raise LayerError(f"{kind}: {key} {value!r} not allowed; must be an integer >= {minimum}"
                         + (f" or a list of {n}" if n > 1 else ""))
    return tuple(int(v) for v in values)


class Conv1d(_Conv):
    """x (B, L, C_in) -> (B, L_out, C_out)."""

    kind = "conv1d"
    spatial = 1


class Conv2d(_Conv):
    """x (B, H, W, C_in) -> (B, H_out, W_out, C_out)."""

    kind = "conv2d"
    spatial = 2
