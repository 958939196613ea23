"""The rate network: a feed-forward stack of dense layers.

Layer l maps its input x_l (B, n_in) to a_l = x_l W_l + b_l (B, n_out) and h_l = f(a_l);
hidden layers use ``activation``, the output layer ``output_activation`` (linear by default,
so the output is the logits). Parameters are plain numpy arrays, W_l (n_in, n_out) and
b_l (n_out,), updated in place by rules and optimizers.

This is the one network interface of DESIGN.md section 2: ``forward`` (output and trace),
``predict``, ``params`` and ``flops``. The spiking network offers the same methods.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .activations import Activation, get_activation
from .initializers import init_weight
from .trace import LayerTrace, Trace

DTYPES = {"float32": np.float32, "float64": np.float64}


@dataclass
class Dense:
    """One dense layer: W (n_in, n_out), b (n_out,) and its activation."""

    W: np.ndarray
    b: np.ndarray
    activation: Activation

    @property
    def n_in(self) -> int:
        return self.W.shape[0]

    @property
    def n_out(self) -> int:
        return self.W.shape[1]


def resolve_dtype(dtype) -> np.dtype:
    """'float32' | 'float64' | numpy float dtype -> numpy dtype; anything else is a ValueError."""
    if isinstance(dtype, str):
        if dtype not in DTYPES:
            raise ValueError(f"unknown dtype {dtype!r}; allowed: {', '.join(DTYPES)}")
        return np.dtype(DTYPES[dtype])
    dt = np.dtype(dtype)
    if dt not in (np.dtype(np.float32), np.dtype(np.float64)):
        raise ValueError(f"unknown dtype {dt}; allowed: {', '.join(DTYPES)}")
    return dt


class Network:
    """A multilayer perceptron with sizes [n_inputs, *hidden, n_outputs].

    ``dropout`` is the probability of zeroing a hidden unit's output during training
    (inverted dropout: kept units are scaled by 1 / (1 - p), so evaluation needs no rescaling).
    """

    def __init__(
        self,
        sizes: list[int],
        rng: np.random.Generator,
        activation: str = "tanh",
        output_activation: str = "linear",
        init: str = "xavier",
        init_gain: float = 1.0,
        dtype: str = "float32",
        dropout: float = 0.0,
    ) -> None:
        if len(sizes) < 2 or any(int(s) < 1 for s in sizes):
            raise ValueError(f"network sizes must be >= 2 positive integers, got {sizes}")
        if not 0.0 <= dropout < 1.0:
            raise ValueError(f"dropout must be in [0, 1), got {dropout}")
        self.dtype = resolve_dtype(dtype)
        self.dropout = float(dropout)
        hidden_act, out_act = get_activation(activation), get_activation(output_activation)
        self.layers: list[Dense] = []
        for i, (n_in, n_out) in enumerate(zip(sizes[:-1], sizes[1:])):
            W = init_weight(init, rng, n_in, n_out, self.dtype, init_gain)
            b = np.zeros(n_out, dtype=self.dtype)
            act = out_act if i == len(sizes) - 2 else hidden_act
            self.layers.append(Dense(W, b, act))

    @property
    def sizes(self) -> list[int]:
        return [self.layers[0].n_in] + [layer.n_out for layer in self.layers]

    @property
    def params(self) -> list[np.ndarray]:
        """[W_0, b_0, W_1, b_1, ...]: the arrays themselves, so in-place updates reach the net."""
        return [p for layer in self.layers for p in (layer.W, layer.b)]

    def forward(
        self, x: np.ndarray, train: bool = False, rng: np.random.Generator | None = None
    ) -> tuple[np.ndarray, Trace]:
        """x (B, n_in) -> output (B, n_out) and the per-layer trace.

        Dropout is applied to hidden outputs only when ``train`` is true and ``dropout > 0``,
        with masks drawn from ``rng`` (required then).
        """
        use_dropout = train and self.dropout > 0.0
        if use_dropout and rng is None:
            raise ValueError("forward(train=True) with dropout needs an rng")
        records: list[LayerTrace] = []
        h = x
        last = len(self.layers) - 1
        for i, layer in enumerate(self.layers):
            a = h @ layer.W
            a += layer.b
            act = layer.activation.f(a)
            mask = None
            out = act
            if use_dropout and i < last:
                keep = 1.0 - self.dropout
                mask = (rng.random(act.shape) < keep).astype(self.dtype) / self.dtype.type(keep)
                out = act * mask
            records.append(LayerTrace(h, a, act, out, layer.activation, mask))
            h = out
        return h, Trace(records)

    def predict(self, x: np.ndarray) -> np.ndarray:
        """x (B, n_in) -> class scores or regression outputs (B, n_out), without dropout."""
        h = x
        for layer in self.layers:
            h = layer.activation.f(h @ layer.W + layer.b)
        return h

    def flops(self, batch: int = 1) -> int:
        """FLOPs of one forward pass of ``batch`` samples: per layer a multiply-add per weight
        (2 n_in n_out), the bias add and the activation (n_out each)."""
        return int(batch * sum(2 * l.n_in * l.n_out + 2 * l.n_out for l in self.layers))

    def copy(self) -> "Network":
        """A deep copy with independent parameter arrays."""
        clone = object.__new__(Network)
        clone.__dict__.update(self.__dict__)
        clone.layers = [Dense(l.W.copy(), l.b.copy(), l.activation) for l in self.layers]
        return clone
