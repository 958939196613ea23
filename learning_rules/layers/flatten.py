"""Flatten: (B, *shape) -> (B, prod(shape)), in memory order (positions, then channels)."""

from __future__ import annotations

import math

from .base import Layer, Shape


class Flatten(Layer):
    """A reshape; its backward is the inverse reshape."""

    kind = "flatten"
    vectorisable = True

    def __init__(self, shape: Shape) -> None:
        super().__init__()
        self.input_shape = tuple(shape)
        self.output_shape = (int(math.prod(shape)),)

    def forward(self, x, train=False, rng=None):
        # leading axes ((B,), or (S, B) with the seeds stacked) are kept
        return x.reshape(*x.shape[: x.ndim - len(self.input_shape)], -1), None

    def backward_input(self, cache, delta, weight=None):
        return delta.reshape(*delta.shape[:-1], *self.input_shape)

    def population_forward(self, h, params):
        return h.reshape(*h.shape[: h.ndim - len(self.input_shape)], -1)

    spec_keys: dict = {}

    @classmethod
    def from_spec(cls, input_shape, rng, *, dtype, init, init_gain):
        return cls(input_shape)

    def jvp(self, cache, dx, dparams=None):
        return dx.reshape(dx.shape[0], -1)
