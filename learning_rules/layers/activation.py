"""An elementwise activation as a layer: h = f(a), and its local backward dL/da = dL/dh * f'(a).

The functions and their derivatives live in ``learning_rules.activations``; the layer caches
(a, h) so derivatives that are cheaper from the output (tanh's 1 - h^2) need not recompute f.
"""

from __future__ import annotations

import numpy as np

from ..activations import get_activation
from .base import Layer, Shape


class Activation(Layer):
    """h = f(a), elementwise; any shape."""

    kind = "activation"
    vectorisable = True

    def __init__(self, name: str, shape: Shape) -> None:
        super().__init__()
        self.activation = get_activation(name)
        self.input_shape = self.output_shape = tuple(shape)

    @property
    def name(self) -> str:
        return self.activation.name

    def forward(self, x, train=False, rng=None):
        h = self.activation.f(x)
        return h, (x, h)

    def derivative(self, cache) -> np.ndarray:
        """f'(a) (B, *shape) for the cached pass."""
        a, h = cache
        return self.activation.df(a, h)

    def backward_input(self, cache, delta, weight=None):
        return delta * self.derivative(cache)

    def flops(self, batch: int) -> int:
        return int(batch * self.n_out)

    def backward_flops(self, batch: int, inputs: bool = True, params: bool = True) -> int:
        return int(inputs * 2 * batch * self.n_out)  # f'(a), and the product

    def population_forward(self, h, params):
        return self.activation.f(h)

    def describe(self) -> str:
        return self.name

    spec_keys: dict = {}

    @classmethod
    def from_spec(cls, input_shape, rng, *, dtype, init, init_gain, name):
        return cls(name, input_shape)

    def jvp(self, cache, dx, dparams=None):
        return dx * self.derivative(cache)
