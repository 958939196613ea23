"""The dense (fully connected) layer: a = x W + b, with W (n_in, n_out) and b (n_out,).

    forward:          a = x W + b                     x (B, n_in) -> a (B, n_out)
    backward_input:   dL/dx = delta F^T               F = W (backprop) or feedback of W's shape
    backward_params:  dW = x^T delta,  db = sum_b delta
"""

from __future__ import annotations

import numpy as np

from ..initializers import init_weight
from .base import REQUIRED, Layer, LayerError, weight_of


class Dense(Layer):
    """x (B, n_in) -> x W + b (B, n_out)."""

    kind = "dense"
    has_weight = True
    linear_in_params = True
    vectorisable = True

    def __init__(self, n_in: int, n_out: int, rng: np.random.Generator, init: str = "xavier",
                 gain: float = 1.0, dtype=np.float32) -> None:
        super().__init__()
        for what, n in (("inputs", n_in), ("units", n_out)):
            if isinstance(n, bool) or int(n) != n or n < 1:
                raise LayerError(f"dense: {what} {n!r} not allowed; must be an integer >= 1")
        self.input_shape, self.output_shape = (int(n_in),), (int(n_out),)
        self.params = {"W": init_weight(init, rng, int(n_in), int(n_out), dtype, gain),
                       "b": np.zeros(int(n_out), dtype=dtype)}

    @property
    def W(self) -> np.ndarray:
        return self.params["W"]

    @property
    def b(self) -> np.ndarray:
        return self.params["b"]

    def forward(self, x, train=False, rng=None):
        a = x @ self.params["W"]
        a += self.params["b"]
        return a, x

    def backward_input(self, cache, delta, weight=None):
        return delta @ weight_of(self, weight).T

    def backward_params(self, cache, delta):
        return {"W": cache.T @ delta, "b": delta.sum(axis=0)}

    def flops(self, batch: int) -> int:
        n_in, n_out = self.n_in, self.n_out
        return int(batch * (2 * n_in * n_out + n_out))          # products and sums, the bias

    def backward_flops(self, batch: int, inputs: bool = True, params: bool = True) -> int:
        n_in, n_out = self.n_in, self.n_out
        return int(inputs * 2 * batch * n_in * n_out + params * (2 * batch * n_in * n_out + batch * n_out))

    def population_forward(self, h, params):
        a = np.matmul(h, params["W"])  # (C or -, B, n_in) @ (C, n_in, n_out) -> (C, B, n_out)
        a += params["b"][:, None, :]
        return a

    def describe(self) -> str:
        return f"dense {self.n_out}"

    #: keys of a layer spec ``{ type = "dense", units = 128 }`` and their defaults (None: required)
    spec_keys = {"units": REQUIRED}

    @property
    def fans(self) -> tuple[int, int]:
        return self.n_in, self.n_out

    @classmethod
    def from_spec(cls, input_shape, rng, *, dtype, init, init_gain, units):
        return cls(input_shape[0], units, rng, init, init_gain, dtype)

    def jvp(self, cache, dx, dparams=None):
        """d out = dx W + x dW + db."""
        dp = dparams or {}
        dout = np.zeros((cache.shape[0], self.n_out), cache.dtype) if dx is None else dx @ self.params["W"]
        if "W" in dp:
            dout += cache @ dp["W"]
        if "b" in dp:
            dout += dp["b"]
        return dout
