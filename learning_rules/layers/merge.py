"""Merge layers: nodes of a graph that take several inputs (networks/graph.py).

A merge layer's forward takes a list of inputs and its ``backward_input`` returns one error per
input; it has no parameters, so no rule substitutes anything here: errors pass through exactly.

    add:     out = x_1 + ... + x_n          (residual; the error fans out unchanged to every input)
    concat:  out = [x_1, ..., x_n] on the last axis   (the error is split at the same offsets)

Shapes are per sample; every input keeps its batch (and any leading) axes, so the code works on
(B, ...) and (S, B, ...) arrays alike.
"""

from __future__ import annotations

from typing import Any, ClassVar

import numpy as np

from .base import Layer, LayerError, Shape


class Merge(Layer):
    """Base of layers with several inputs: ``input_shapes`` per input, one output."""

    merges: ClassVar[bool] = True
    #: no parameters: a stacked population passes through the plain forward (any leading axes)
    vectorisable: ClassVar[bool] = True
    input_shapes: tuple[Shape, ...]

    def forward(self, xs: list[np.ndarray], train: bool = False,
                rng: np.random.Generator | None = None) -> tuple[np.ndarray, Any]:
        raise NotImplementedError

    def backward_input(self, cache: Any, delta: np.ndarray, weight=None) -> list[np.ndarray]:
        raise NotImplementedError

    def jvp(self, cache: Any, dxs: list[np.ndarray | None], dparams=None) -> np.ndarray:
        raise NotImplementedError(f"{self.kind}: no forward-mode jvp")


class Add(Merge):
    """x_1 + ... + x_n, all of one shape (B, *shape)."""

    kind = "add"

    def __init__(self, shapes: list[Shape]) -> None:
        super().__init__()
        shapes = [tuple(s) for s in shapes]
        if len(shapes) < 2:
            raise LayerError(f"add: needs at least 2 inputs, got {len(shapes)}")
        if any(s != shapes[0] for s in shapes):
            raise LayerError(f"add: inputs of shapes {' and '.join(map(str, shapes))} cannot be added; "
                             "every input must have the same shape")
        self.input_shapes = tuple(shapes)
        self.input_shape = self.output_shape = shapes[0]

    def forward(self, xs, train=False, rng=None):
        out = xs[0] + xs[1]
        for x in xs[2:]:
            out += x
        return out, len(xs)

    def backward_input(self, cache, delta, weight=None):
        return [delta] * cache  # the same error reaches every summand

    def jvp(self, cache, dxs, dparams=None):
        parts = [d for d in dxs if d is not None]
        return sum(parts[1:], parts[0].copy()) if parts else None

    def flops(self, batch: int) -> int:
        return int(batch * self.n_out * (len(self.input_shapes) - 1))


class Concat(Merge):
    """[x_1, ..., x_n] joined on the last (channel or feature) axis; other axes must agree."""

    kind = "concat"

    def __init__(self, shapes: list[Shape]) -> None:
        super().__init__()
        shapes = [tuple(s) for s in shapes]
        if len(shapes) < 2:
            raise LayerError(f"concat: needs at least 2 inputs, got {len(shapes)}")
        if any(s[:-1] != shapes[0][:-1] for s in shapes):
            raise LayerError(f"concat: inputs of shapes {' and '.join(map(str, shapes))} cannot be joined; "
                             "all but the last axis must agree")
        self.input_shapes = tuple(shapes)
        self.input_shape = shapes[0]
        self.output_shape = (*shapes[0][:-1], sum(s[-1] for s in shapes))
        self._splits = np.cumsum([s[-1] for s in shapes])[:-1]

    def forward(self, xs, train=False, rng=None):
        return np.concatenate(xs, axis=-1), None

    def backward_input(self, cache, delta, weight=None):
        return np.split(delta, self._splits, axis=-1)

    def jvp(self, cache, dxs, dparams=None):
        ref = next(d for d in dxs if d is not None)
        parts = [np.zeros((*ref.shape[:-1], s[-1]), ref.dtype) if d is None else d
                 for d, s in zip(dxs, self.input_shapes)]
        return np.concatenate(parts, axis=-1)
