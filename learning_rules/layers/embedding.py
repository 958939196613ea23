"""Token and position embeddings for integer sequences (as in Vaswani et al. 2017).

    forward:          out[b, t] = W[x[b, t]] + P[t]       x (B, T) integer ids -> out (B, T, D)
    backward_params:  dW[v] = sum over (b, t) with x[b, t] = v of delta[b, t],   dP = sum_b delta
    backward_input:   zero (the ids are not differentiable)

The token table is called ``W`` because it is this block's weight layer: feedback rules allocate
a tensor of its shape like for any weight, and never need it, since nothing lies below. Ids
arrive as the floats of the data and are rounded; an id outside [0, vocab) is an error.
"""

from __future__ import annotations

import numpy as np

from ..initializers import init_weight
from .base import REQUIRED, Layer, LayerError


class Embedding(Layer):
    """x (B, T) ids -> (B, T, dim): a learned vector per token id plus one per position."""

    kind = "embedding"
    has_weight = True

    def __init__(self, length: int, vocab: int, dim: int, rng: np.random.Generator, init: str = "xavier",
                 gain: float = 1.0, dtype=np.float32, positions: bool = True) -> None:
        super().__init__()
        for what, n in (("vocab", vocab), ("dim", dim), ("length", length)):
            if isinstance(n, bool) or int(n) != n or n < 1:
                raise LayerError(f"embedding: {what} {n!r} not allowed; must be an integer >= 1")
        self.vocab, self.dim, self.positions = int(vocab), int(dim), bool(positions)
        self.input_shape, self.output_shape = (int(length),), (int(length), int(dim))
        self.params = {"W": init_weight(init, rng, int(vocab), int(dim), dtype, gain)}
        if self.positions:
            self.params["P"] = init_weight(init, rng, int(length), int(dim), dtype, gain)

    def _ids(self, x: np.ndarray) -> np.ndarray:
        ids = np.rint(x).astype(np.intp)
        if ids.size and (ids.min() < 0 or ids.max() >= self.vocab):
            raise ValueError(f"embedding: token ids must lie in [0, {self.vocab}), got {ids.min()}..{ids.max()}")
        return ids

    def forward(self, x, train=False, rng=None):
        ids = self._ids(x)
        out = self.params["W"][ids]                          # (B, T, D)
        if self.positions:
            out += self.params["P"]
        return out, ids

    def backward_input(self, cache, delta, weight=None):
        return np.zeros(cache.shape, delta.dtype)

    def backward_params(self, cache, delta):
        dW = np.zeros_like(self.params["W"])
        np.add.at(dW, cache.reshape(-1), delta.reshape(-1, self.dim))
        grads = {"W": dW}
        if self.positions:
            grads["P"] = delta.reshape(-1, *self.output_shape).sum(axis=0)
        return grads

    def jvp(self, cache, dx, dparams=None):
        dp = dparams or {}
        dout = dp["W"][cache] if "W" in dp else np.zeros((*cache.shape, self.dim), self.params["W"].dtype)
        if "P" in dp:
            dout = dout + dp["P"]
        return dout

    def flops(self, batch: int) -> int:
        return int(batch * self.n_out * self.positions)

    def backward_flops(self, batch: int, inputs: bool = True, params: bool = True) -> int:
        return int(params * batch * self.n_out * (1 + self.positions))

    @property
    def fans(self) -> tuple[int, int]:
        return self.vocab, self.dim

    def describe(self) -> str:
        return f"embedding {self.vocab}x{self.dim}"

    spec_keys = {"vocab": REQUIRED, "dim": REQUIRED, "positions": True}

    @classmethod
    def from_spec(cls, input_shape, rng, *, dtype, init, init_gain, vocab, dim, positions):
        if len(input_shape) != 1:
            raise LayerError(f"embedding: needs a sequence of ids (T,), got input {input_shape}")
        return cls(input_shape[0], vocab, dim, rng, init, init_gain, dtype, bool(positions))
