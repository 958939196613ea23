"""Inverted dropout: in training each unit is kept with probability 1 - p and scaled by
1 / (1 - p), so evaluation needs no rescaling; dL/dx = dL/dout * mask. Masks come from the
generator passed to ``forward`` (the run's)."""

from __future__ import annotations

from .base import REQUIRED, Layer, Shape


class Dropout(Layer):
    """out = x * mask in training (mask: 0 or 1/(1-p)); the identity in evaluation."""

    kind = "dropout"
    vectorisable = True

    def __init__(self, p: float, shape: Shape) -> None:
        super().__init__()
        if not 0.0 <= p < 1.0:
            raise ValueError(f"dropout must be in [0, 1), got {p}")
        self.p = float(p)
        self.input_shape = self.output_shape = tuple(shape)

    def forward(self, x, train=False, rng=None):
        if not train or self.p == 0.0:
            return x, None
        if rng is None:
            raise ValueError("forward(train=True) with dropout needs an rng")
        keep = 1.0 - self.p
        mask = (rng.random(x.shape) < keep).astype(x.dtype) / x.dtype.type(keep)
        return x * mask, mask

    def backward_input(self, cache, delta, weight=None):
        return delta if cache is None else delta * cache

    def flops(self, batch: int) -> int:
        return int(batch * self.n_out) if self.p else 0

    def backward_flops(self, batch: int, inputs: bool = True, params: bool = True) -> int:
        return int(inputs * batch * self.n_out) if self.p else 0

    def population_forward(self, h, params):
        return h  # candidates are scored in evaluation mode

    def describe(self) -> str:
        return f"dropout {self.p:g}"

    spec_keys = {"p": REQUIRED}

    @classmethod
    def from_spec(cls, input_shape, rng, *, dtype, init, init_gain, p):
        return cls(p, input_shape)

    def jvp(self, cache, dx, dparams=None):
        return dx if cache is None else dx * cache
