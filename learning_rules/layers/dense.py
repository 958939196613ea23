"""The dense (fully connected) layer: a = x W + b, with W (n_in, n_out) and b (n_out,).

    forward:          a = x W + b                     x (B, n_in) -> a (B, n_out)
    backward_input:   dL/dx = delta F^T               F = W (backprop) or feedback of W's shape
    backward_params:  dW = x^T delta,  db = sum_b delta

The same code runs the seeds of one rule stacked on a leading axis S (experiments/runs/stacked.py):
x (S, B, n_in), W (S, n_in, n_out), b (S, n_out) -> a (S, B, n_out); gradients keep S.

With ``tokens`` = (T,) the layer maps every token of x (B, T, n_in) the same way, -> (B, T, n_out)
(the projections of an attention block); sums over the batch then run over the tokens too.
"""

from __future__ import annotations

import math

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
                 gain: float = 1.0, dtype=np.float32, tokens: tuple[int, ...] = ()) -> None:
        super().__init__()
        for what, n in (("inputs", n_in), ("units", n_out)):
            if isinstance(n, bool) or int(n) != n or n < 1:
                raise LayerError(f"dense: {what} {n!r} not allowed; must be an integer >= 1")
        self.tokens = tuple(int(t) for t in tokens)
        self.input_shape, self.output_shape = (*self.tokens, int(n_in)), (*self.tokens, int(n_out))
        self.n_features_in, self.n_features_out = int(n_in), int(n_out)
        self._per_sample_rows = math.prod(self.tokens)  # rows of the product per sample (1 without tokens)
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
        b = self.params["b"]
        a += b if b.ndim == 1 else b[:, None, :]  # stacked seeds: b (S, n_out) over (S, B, n_out)
        return a, x

    def backward_input(self, cache, delta, weight=None):
        return delta @ weight_of(self, weight).swapaxes(-1, -2)  # also over a leading seed axis

    def backward_params(self, cache, delta):
        if self.tokens:  # every token is one more sample of the same map
            x, d = cache.reshape(-1, self.n_features_in), delta.reshape(-1, self.n_features_out)
            return {"W": x.T @ d, "b": d.sum(axis=0)}
        # (S, B, n) arrays of stacked seeds keep S: the batch is the second-to-last axis
        return {"W": cache.swapaxes(-1, -2) @ delta, "b": delta.sum(axis=-2)}

    def _rows(self, batch: int) -> int:
        return batch * self._per_sample_rows

    def flops(self, batch: int) -> int:
        n_in, n_out = self.n_features_in, self.n_features_out
        return int(self._rows(batch) * (2 * n_in * n_out + n_out))          # products and sums, the bias

    def backward_flops(self, batch: int, inputs: bool = True, params: bool = True) -> int:
        n_in, n_out, rows = self.n_features_in, self.n_features_out, self._rows(batch)
        return int(inputs * 2 * rows * n_in * n_out + params * (2 * rows * n_in * n_out + rows * n_out))

    def population_forward(self, h, params):
        W, b = params["W"], params["b"]
        lead = (slice(None),) + (None,) * len(self.tokens)  # the tokens broadcast over C
        a = np.matmul(h, W[lead])  # (C or -, B, *tokens, n_in) @ (C, n_in, n_out) -> (C, B, *tokens, n_out)
        a += b[(slice(None), None) + (None,) * len(self.tokens)]
        return a

    def describe(self) -> str:
        return f"dense {self.n_features_out}" + (" per token" if self.tokens else "")

    #: keys of a layer spec ``{ type = "dense", units = 128 }`` and their defaults (None: required)
    spec_keys = {"units": REQUIRED, "per_token": False}

    @property
    def fans(self) -> tuple[int, int]:
        return self.n_features_in, self.n_features_out

    @classmethod
    def from_spec(cls, input_shape, rng, *, dtype, init, init_gain, units, per_token=False):
        if per_token:  # (T, n_in) -> (T, units); "same" keeps the width (attention's projections)
            units = input_shape[-1] if units == "same" else units
            return cls(input_shape[-1], units, rng, init, init_gain, dtype, tokens=input_shape[:-1])
        return cls(input_shape[0], units, rng, init, init_gain, dtype)

    def jvp(self, cache, dx, dparams=None):
        """d out = dx W + x dW + db."""
        dp = dparams or {}
        dout = np.zeros((*cache.shape[:-1], self.n_features_out), cache.dtype) if dx is None else dx @ self.params["W"]
        if "W" in dp:
            dout += cache @ dp["W"]
        if "b" in dp:
            dout += dp["b"]
        return dout
