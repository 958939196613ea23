"""Learned position embeddings added to a sequence of vectors (as in Vaswani et al. 2017, learned
rather than sinusoidal): what lets attention, which is blind to order, see where a token is.

    forward:          out[b, t] = x[b, t] + P[t]        x (B, T, D) -> (B, T, D), P (T, D)
    backward_input:   dL/dx = delta
    backward_params:  dP = sum over the batch of delta

Only the last two axes are (T, D), so any leading axes pass through.
"""

from __future__ import annotations

import numpy as np

from .base import Layer, LayerError


class Positions(Layer):
    """x (B, T, D) -> x + P."""

    kind = "positions"
    vectorisable = True

    def __init__(self, shape, rng: np.random.Generator, dtype=np.float32, scale: float = 0.1) -> None:
        super().__init__()
        if len(shape) != 2:
            raise LayerError(f"positions: needs a sequence of vectors (T, D), got input {tuple(shape)}")
        self.input_shape = self.output_shape = tuple(int(s) for s in shape)
        self.params = {"P": (scale * rng.standard_normal(self.input_shape)).astype(dtype)}

    def forward(self, x, train=False, rng=None):
        return x + self.params["P"], None

    def backward_input(self, cache, delta, weight=None):
        return delta

    def backward_params(self, cache, delta):
        return {"P": delta.reshape(-1, *self.input_shape).sum(axis=0)}

    def jvp(self, cache, dx, dparams=None):
        dp = (dparams or {}).get("P")
        if dx is None:
            return dp
        return dx if dp is None else dx + dp

    def population_forward(self, h, params):
        return h + params["P"][:, None]   # (C or -, B, T, D) + (C, 1, T, D)

    def flops(self, batch: int) -> int:
        return int(batch * self.n_out)

    def backward_flops(self, batch: int, inputs: bool = True, params: bool = True) -> int:
        return int(params * batch * self.n_out)

    spec_keys = {"scale": 0.1}

    @classmethod
    def from_spec(cls, input_shape, rng, *, dtype, init, init_gain, scale):
        return cls(input_shape, rng, dtype, scale)
