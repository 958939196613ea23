"""The forward-forward network (Hinton 2022, "The Forward-Forward Algorithm: Some Preliminary
Investigations"): network kind ``forward_forward``.

The label is part of the input: a sample x (B, D) with label code c (B, K) enters as the row
[x, label_scale * c] (B, D + K) -- the one-hot code is *appended* (not written over the first K
features, which in MNIST-1D and digits carry signal). A one-hot code is a label; the neutral code
(1/K in every entry) is "no label". Each hidden layer sees the layer below's output normalised
to unit root-mean-square, u = h / sqrt(mean_j h_j^2 + eps), so the next layer cannot read the
goodness of the layer below, only the direction of its activity (the paper's layer normalisation).

A hidden layer's goodness is its mean squared activity, G_l = mean_j h_lj^2 (the paper's sum of
squares divided by the width, so one threshold serves every width).

- ``predict(x)`` (B, K): for every label k, the goodness accumulated over the hidden layers when x
  is shown with label k; the predicted class is the argmax (the paper's classification rule).
  It costs K forward passes, all done as one matrix product per layer on K * B rows.
- ``forward(x, codes=None)``: one pass with the given label codes (neutral by default); the output
  layer is a linear softmax readout of the last hidden layer's normalised activity (the paper's
  one-pass alternative, section 3.3), trained by the rule on neutral-label passes.

Sizes are the runner's [D, *hidden, K]: the first weight matrix has D + K rows. This kind is
made for the ``forward_forward`` rule: another rule would see the neutral-label ``forward`` pass,
but the normalisation between layers is not part of its error formulas.
"""

from __future__ import annotations

import numpy as np

from ..activations import get_activation
from ..dtypes import resolve_dtype
from ..layers import Dense
from ..trace import LayerTrace, Trace
from .capabilities import Capabilities

NORM_EPS = 1e-6


def normalise(h: np.ndarray) -> np.ndarray:
    """Scale each row of h (B, n) to unit root-mean-square; rows of zeros stay zero."""
    return h / np.sqrt((h * h).mean(axis=1, keepdims=True) + NORM_EPS)


def goodness(h: np.ndarray) -> np.ndarray:
    """Mean squared activity of each row: (B, n) -> (B,)."""
    return (h * h).mean(axis=1)


class ForwardForwardNetwork:
    """Hidden layers trained by goodness, with the label appended to the input."""

    SUPPORTS = frozenset({"goodness", "population"})

    def __init__(
        self,
        sizes: list[int],
        rng: np.random.Generator,
        activation: str = "relu",
        init: str = "xavier",
        init_gain: float = 1.0,
        dtype: str = "float32",
        label_scale: float = 1.0,
    ) -> None:
        if len(sizes) < 3 or any(int(s) < 1 for s in sizes):
            raise ValueError(f"forward_forward network: needs at least one hidden layer, got sizes {sizes}")
        if isinstance(label_scale, bool) or not (isinstance(label_scale, (int, float)) and label_scale > 0):
            raise ValueError(f"forward_forward network: label_scale {label_scale!r} not allowed; allowed: a number > 0")
        self.n_labels = int(sizes[-1])
        self.label_scale = float(label_scale)
        self.dtype = resolve_dtype(dtype)
        widths = [int(sizes[0]) + self.n_labels, *(int(s) for s in sizes[1:])]
        self.layers = [Dense(n_in, n_out, rng, init, init_gain, self.dtype)
                       for n_in, n_out in zip(widths[:-1], widths[1:])]
        hidden_act = get_activation(activation)
        self.activations = [hidden_act] * (len(self.layers) - 1) + [get_activation("linear")]

    # -- the network interface ---------------------------------------------------------------
    @property
    def capabilities(self) -> Capabilities:
        return Capabilities(self.SUPPORTS)

    @property
    def params(self) -> list[dict[str, np.ndarray]]:
        return [layer.params for layer in self.layers]

    @property
    def weight_layers(self) -> list[int]:
        return list(range(len(self.layers)))

    def weight_layer(self, k: int) -> Dense:
        return self.layers[k]

    @property
    def depth(self) -> int:
        return len(self.layers)

    @property
    def sizes(self) -> list[int]:
        return [self.layers[0].n_in] + [layer.n_out for layer in self.layers]

    @property
    def n_outputs(self) -> int:
        return self.n_labels

    def describe(self) -> str:
        return "forward_forward " + "-".join(map(str, [self.n_features, *self.sizes[1:]]))

    @property
    def n_features(self) -> int:
        """D, the width of the data (the first layer also reads the K label entries)."""
        return self.layers[0].n_in - self.n_labels

    def one_hot(self, y: np.ndarray) -> np.ndarray:
        """(B,) integer labels -> (B, K) one-hot codes."""
        codes = np.zeros((y.shape[0], self.n_labels), dtype=self.dtype)
        codes[np.arange(y.shape[0]), y] = 1
        return codes

    def neutral(self, batch: int) -> np.ndarray:
        """(B, K) codes of 1/K: the input carries no label."""
        return np.full((batch, self.n_labels), 1.0 / self.n_labels, dtype=self.dtype)

    def embed(self, x: np.ndarray, codes: np.ndarray) -> np.ndarray:
        """[x, label_scale * codes]: (B, D), (B, K) -> (B, D + K)."""
        return np.concatenate([x.astype(self.dtype, copy=False), self.label_scale * codes], axis=1)

    def forward(self, x: np.ndarray, train: bool = False, rng: np.random.Generator | None = None,
                codes: np.ndarray | None = None) -> tuple[np.ndarray, Trace]:
        """x (B, D) with label codes (B, K) (neutral if None) -> readout scores (B, K) and the
        trace, whose layer l+1 input is layer l's normalised output."""
        h = self.embed(x, self.neutral(x.shape[0]) if codes is None else codes)
        records = []
        for i, (layer, f) in enumerate(zip(self.layers, self.activations)):
            a = h @ layer.W + layer.b                       # (B, n_out)
            act = f.f(a)
            records.append(LayerTrace(h, a, act, act, f))
            h = normalise(act) if i < len(self.layers) - 1 else act
        return h, Trace(records)

    def hidden_goodness(self, x: np.ndarray, codes: np.ndarray) -> list[np.ndarray]:
        """Goodness G_l (B,) of every hidden layer for x (B, D) shown with ``codes`` (B, K)."""
        h = self.embed(x, codes)
        out = []
        for layer, f in zip(self.layers[:-1], self.activations):
            act = f.f(h @ layer.W + layer.b)
            out.append(goodness(act))
            h = normalise(act)
        return out

    def label_goodness(self, x: np.ndarray) -> list[np.ndarray]:
        """Per hidden layer, the goodness (B, K) of x shown with each label k."""
        B, K = x.shape[0], self.n_labels
        tiled = np.tile(x, (K, 1))                               # (K B, D): block k is label k
        codes = np.repeat(np.eye(K, dtype=self.dtype), B, axis=0)  # (K B, K)
        return [g.reshape(K, B).T for g in self.hidden_goodness(tiled, codes)]

    def predict(self, x: np.ndarray) -> np.ndarray:
        """(B, D) -> (B, K) goodness accumulated over the hidden layers, per candidate label."""
        return sum(self.label_goodness(x))

    def flops(self, batch: int = 1) -> int:
        """FLOPs of ``predict``: K passes through the hidden layers (weights, bias, activation,
        goodness and normalisation: ~5 per unit)."""
        hidden = sum(2 * l.n_in * l.n_out + 5 * l.n_out for l in self.layers[:-1])
        return int(batch * self.n_labels * hidden)

    def copy(self) -> "ForwardForwardNetwork":
        clone = object.__new__(ForwardForwardNetwork)
        clone.__dict__.update(self.__dict__)
        clone.layers = [layer.copy() for layer in self.layers]
        return clone
