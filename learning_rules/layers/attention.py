"""Scaled dot-product multi-head self-attention as a merge of three inputs (Vaswani et al. 2017).

The query, key and value projections and the output projection are ordinary dense weight layers
of the graph (networks/graph.py builds them around this node), so feedback of W's shape and direct
feedback reach them like any dense layer; this node holds no parameters:

    q, k, v (B, T, D) -> per head h (D = H d):  S_h = q_h k_h^T / sqrt(d)      (B, H, T, T)
                                                A_h = softmax(S_h) over keys
                                                out_h = A_h v_h                  (B, H, T, d)
    out = [out_1, ..., out_H]                                                    (B, T, D)

    backward:  dv_h = A_h^T g_h,   dA_h = g_h v_h^T,
               dS_h = A_h * (dA_h - sum_keys(dA_h * A_h)),
               dq_h = dS_h k_h / sqrt(d),   dk_h = dS_h^T q_h / sqrt(d)

Only the last two axes are token and feature axes, so any leading axes (B or S, B) pass through.
"""

from __future__ import annotations

import math

import numpy as np

from .base import LayerError, Shape
from .merge import Merge


def _heads(x: np.ndarray, H: int) -> np.ndarray:
    """(..., T, D) -> (..., H, T, D / H)."""
    return np.swapaxes(x.reshape(*x.shape[:-1], H, x.shape[-1] // H), -2, -3)


def _join(x: np.ndarray) -> np.ndarray:
    """(..., H, T, d) -> (..., T, H d)."""
    x = np.swapaxes(x, -2, -3)
    return x.reshape(*x.shape[:-2], x.shape[-2] * x.shape[-1])


class SelfAttention(Merge):
    """Inputs [q, k, v], each (B, T, D); output (B, T, D)."""

    kind = "attention"

    def __init__(self, shapes: list[Shape], heads: int) -> None:
        super().__init__()
        shapes = [tuple(s) for s in shapes]
        if len(shapes) != 3 or len(shapes[0]) != 2 or any(s != shapes[0] for s in shapes):
            raise LayerError(f"attention: needs 3 inputs (query, key, value) of one shape (T, D), got {shapes}")
        if isinstance(heads, bool) or int(heads) != heads or heads < 1 or shapes[0][1] % int(heads):
            raise LayerError(f"attention: heads = {heads!r} not allowed; must be an integer >= 1 dividing "
                             f"the width {shapes[0][1]}")
        self.heads = int(heads)
        self.input_shapes = tuple(shapes)
        self.input_shape = self.output_shape = shapes[0]

    def forward(self, xs, train=False, rng=None):
        q, k, v = (_heads(x, self.heads) for x in xs)
        scale = q.dtype.type(1.0 / math.sqrt(q.shape[-1]))
        qs = q * scale                                     # scale the (T, d) factor, not the (T, T) scores
        # The scores are kept transposed, S^T (..., H, keys, queries): numpy reduces over axis -2
        # (whole contiguous rows at a time) about twice as fast as over a short last axis, and the
        # in-place steps spare a fresh (T, T) array per step, each a page-faulted allocation.
        at = k @ np.swapaxes(qs, -1, -2)
        at -= at.max(axis=-2, keepdims=True)               # a stable softmax over the keys
        np.exp(at, out=at)
        # the sums over keys as one row of ones times A^T: a BLAS product, several times faster
        # here than numpy's sum over an axis of 40
        at /= np.ones((1, at.shape[-2]), dtype=at.dtype) @ at   # A^T
        out = np.empty(np.broadcast_shapes(*(x.shape for x in xs)), dtype=np.result_type(at, v))
        np.matmul(np.swapaxes(at, -1, -2), v, out=_heads(out, self.heads))   # written straight into (..., T, D)
        return out, (qs, k, v, at, scale)

    def backward_input(self, cache, delta, weight=None):
        qs, k, v, at, scale = cache
        g = _heads(delta, self.heads)                      # (..., H, T, d)
        dq, dk, dv = (np.empty(delta.shape, dtype=np.result_type(at, delta)) for _ in range(3))
        np.matmul(at, g, out=_heads(dv, self.heads))       # dv = A^T g
        dst = v @ np.swapaxes(g, -1, -2)                   # dA^T = v g^T
        # dS^T = A^T * (dA^T - sum_keys(dA^T * A^T)); einsum sums the products without a (T, T) temporary
        dst -= np.einsum("...kq,...kq->...q", dst, at)[..., None, :]
        dst *= at
        np.matmul(np.swapaxes(dst, -1, -2), k, out=_heads(dq, self.heads))
        dq *= scale                                        # dq = dS k / sqrt(d)
        np.matmul(dst, qs, out=_heads(dk, self.heads))     # dk = dS^T q / sqrt(d)
        return [dq, dk, dv]

    def jvp(self, cache, dxs, dparams=None):
        qs, k, v, at, scale = cache
        zero = np.zeros_like(qs)
        dq, dk, dv = (zero if d is None else _heads(d, self.heads) for d in dxs)
        dst = k @ np.swapaxes(dq * scale, -1, -2) + dk @ np.swapaxes(qs, -1, -2)   # dS^T
        dat = at * (dst - (dst * at).sum(axis=-2, keepdims=True))
        return _join(np.swapaxes(dat, -1, -2) @ v + np.swapaxes(at, -1, -2) @ dv)

    def flops(self, batch: int) -> int:
        T, D = self.input_shape
        return int(batch * (4 * T * T * D + 5 * self.heads * T * T))   # two products, the softmax

    def backward_flops(self, batch: int, inputs: bool = True, params: bool = True) -> int:
        T, D = self.input_shape
        return int(inputs * batch * (8 * T * T * D + 4 * self.heads * T * T))

    def describe(self) -> str:
        return f"attention {self.heads} heads"
