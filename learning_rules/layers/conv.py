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

from ..initializers import init_tensor
from .base import REQUIRED, Layer, LayerError, weight_of


class _Conv(Layer):
    """The n-d convolution behind Conv1d and Conv2d (``spatial`` = 1 or 2)."""

    has_weight = True
    linear_in_params = True
    vectorisable = True
    spatial: int

    def __init__(self, input_shape, out_channels: int, kernel, rng: np.random.Generator, stride=1,
                 padding=0, init: str = "xavier", gain: float = 1.0, dtype=np.float32) -> None:
        super().__init__()
        n = self.spatial
        *size, c_in = spatial_input(self.kind, input_shape, n)
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

        self._geometry()

    def _geometry(self) -> None:
        """Index tuples used every step, computed once: where the input sits in its padded copy,
        and for col2im where each kernel offset's windows fall."""
        n, out = self.spatial, self.output_shape[:-1]
        self._padded_size = tuple(s + 2 * p for s, p in zip(self.input_shape[:-1], self.padding))
        self._interior = (Ellipsis, *(slice(p, p + s) for p, s in zip(self.padding, self.input_shape[:-1])),
                          slice(None))
        head = (slice(None),) * (1 + n)
        self._col2im = [((slice(None), *(slice(o, o + st * (m - 1) + 1, st)
                                          for o, st, m in zip(offset, self.stride, out))), (*head, *offset))
                        for offset in np.ndindex(*self.kernel)]
        self._offsets_last = (0, *range(2, n + 2), 1)  # (C_out, C_in, *k) -> (C_out, *k, C_in)
        # im2col, one kernel offset at a time: (the input's windows at that offset, its place in
        # the columns (..., *S_out, C_in, *k)); leading axes (a population's) pass through
        self._im2col = [((Ellipsis, *(slice(o, o + st * (m - 1) + 1, st) for o, st, m in zip(offset, self.stride, out)),
                          slice(None)), (Ellipsis, *offset))
                        for offset in np.ndindex(*self.kernel)]

    # -- im2col -------------------------------------------------------------------------------
    def _padded(self, x: np.ndarray) -> np.ndarray:
        if not any(self.padding):
            return np.ascontiguousarray(x)
        lead = x.shape[: x.ndim - self.spatial - 1]
        xp = np.zeros((*lead, *self._padded_size, x.shape[-1]), dtype=x.dtype)
        xp[self._interior] = x
        return xp

    def _columns(self, x: np.ndarray) -> np.ndarray:
        """x (..., B, *S, C_in) -> X (..., B prod(S_out), C_in prod(k)): one row per output
        position (leading axes, such as a population's, are kept)."""
        xp = self._padded(x)
        out, lead = self.output_shape[:-1], x.shape[: x.ndim - self.spatial - 1]
        # one copy per kernel offset, each reading whole channel rows: gathering the windows with
        # the kernel axis innermost (a strided view, then reshape) read 4-byte pieces 100 bytes
        # apart and took most of a convolution's forward pass (the same numbers either way)
        cols = np.empty((*lead, *out, xp.shape[-1], *self.kernel), dtype=xp.dtype)
        for windows, offset in self._im2col:
            cols[offset] = xp[windows]
        return cols.reshape(*lead[:-1], lead[-1] * math.prod(out), -1)

    # With the seeds stacked (experiments/runs/stacked.py), W (S, C_out, C_in, *k), b (S, C_out)
    # and x (S, B, *S_in, C_in): every product below runs per seed, the gradients keep S.
    def _seeds(self, W: np.ndarray) -> tuple[int, ...]:
        """(S,) for stacked parameters, () for one network's."""
        return W.shape[: W.ndim - self.spatial - 2]

    def forward(self, x, train=False, rng=None):
        W, b = self.params["W"], self.params["b"]
        seeds = self._seeds(W)
        cols = self._columns(x)                                         # ([S,] B prod(S_out), C_in prod(k))
        a = cols @ W.reshape(*seeds, W.shape[len(seeds)], -1).swapaxes(-1, -2)  # ([S,] B prod(S_out), C_out)
        a += b[:, None, :] if seeds else b
        return a.reshape(*x.shape[: len(seeds) + 1], *self.output_shape), cols

    def backward_input(self, cache, delta, weight=None):
        F = weight_of(self, weight)
        seeds = self._seeds(F)
        lead = delta.shape[: len(seeds) + 1]                            # ([S,] B)
        d = delta.reshape(*seeds, -1, F.shape[len(seeds)])              # ([S,] B prod(S_out), C_out)
        # F as (C_out, *k, C_in): each kernel offset's rows of dX are then contiguous channels
        order = (*range(len(seeds)), *(len(seeds) + a for a in self._offsets_last))
        Fk = F.transpose(order).reshape(*seeds, F.shape[len(seeds)], -1)
        B = math.prod(lead)  # stacked seeds fold into the batch for col2im
        dcols = (d @ Fk).reshape(B, *self.output_shape[:-1], *self.kernel, -1)  # (B, *S_out, *k, C_in)
        dx = np.zeros((B, *self._padded_size, self.input_shape[-1]), dtype=delta.dtype)
        for where, offset in self._col2im:                              # col2im: k (or kh kw) adds
            dx[where] += dcols[offset]
        dx = dx[self._interior] if any(self.padding) else dx
        return dx.reshape(*lead, *self.input_shape) if seeds else dx

    def population_forward(self, h, params):
        W, b = params["W"], params["b"]                                 # (P, C_out, C_in, *k), (P, C_out)
        cols = self._columns(h)                                         # (B S_out, C_in k) or (P, ...)
        a = np.matmul(cols, W.reshape(*W.shape[:2], -1).transpose(0, 2, 1))  # (P, B S_out, C_out)
        a += b[:, None, :]
        B = h.shape[h.ndim - self.spatial - 2]
        return a.reshape(W.shape[0], B, *self.output_shape)

    def backward_params(self, cache, delta):
        W = self.params["W"]
        seeds = self._seeds(W)
        d = delta.reshape(*seeds, -1, W.shape[len(seeds)])              # ([S,] B prod(S_out), C_out)
        return {"W": (d.swapaxes(-1, -2) @ cache).reshape(W.shape), "b": d.sum(axis=-2)}

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

    def jvp(self, cache, dx, dparams=None):
        """d out = im2col(dx) W_m^T + X dW_m^T + db (the convolution of dx, and of x by dW)."""
        dp = dparams or {}
        W = self.params["W"]
        c_out = W.shape[0]
        dout = (np.zeros((cache.shape[0], c_out), cache.dtype) if dx is None
                else self._columns(dx) @ W.reshape(c_out, -1).T)              # (B prod(S_out), C_out)
        if "W" in dp:
            dout += cache @ dp["W"].reshape(c_out, -1).T
        if "b" in dp:
            dout += dp["b"]
        return dout.reshape(-1, *self.output_shape)


def spatial_input(kind: str, input_shape, n: int) -> tuple[int, ...]:
    """``input_shape`` as ints, checked to be n spatial axes and a channel axis."""
    if len(input_shape) != n + 1:
        raise LayerError(f"{kind}: needs an input of {n} spatial axes and channels, got shape {tuple(input_shape)}")
    return tuple(int(s) for s in input_shape)


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
