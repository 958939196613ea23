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

Sizes are the runner's [D, *hidden, K]: the first weight matrix has D + K rows. With ``layers``
(a stack of layer specs, as for the layered network) the hidden blocks can be convolutional: the
label code is then appended as K extra input channels, each constant over the positions, and a
block's goodness and normalisation run over all its units (positions x channels). A block is a
weight layer with what follows it (activation, pooling), as in ``networks/sequential.py``. This
kind is made for the ``forward_forward`` rule: another rule would see the neutral-label
``forward`` pass, but the normalisation between blocks is not part of its error formulas.
"""

from __future__ import annotations

import math

import numpy as np

from ..dtypes import resolve_dtype
from ..layers import Activation, Dense, Flatten, Layer, build_layers
from ..trace import Trace
from .capabilities import Capabilities
from .blocks import BlockedNetwork, split_blocks
from .sequential import channels_last

NORM_EPS = 1e-6


def normalise(h: np.ndarray) -> np.ndarray:
    """Scale each sample of h (B, ...) to unit root-mean-square; samples of zeros stay zero."""
    axis = 1 if h.ndim == 2 else tuple(range(1, h.ndim))
    return h / np.sqrt((h * h).mean(axis=axis, keepdims=True) + NORM_EPS)


def goodness(h: np.ndarray) -> np.ndarray:
    """Mean squared activity of each sample: (B, ...) -> (B,)."""
    flat = h.reshape(h.shape[0], -1)
    return (flat * flat).mean(axis=1)


class ForwardForwardNetwork(BlockedNetwork):
    """Hidden blocks trained by goodness, with the label appended to the input."""

    SUPPORTS = frozenset({"goodness", "population"})
    PRIMARY = frozenset({"goodness"})

    def __init__(
        self,
        sizes: list[int],
        rng: np.random.Generator,
        activation: str = "relu",
        init: str = "xavier",
        init_gain: float = 1.0,
        dtype: str = "float32",
        label_scale: float = 1.0,
        layers: list | None = None,
        input_shape: list[int] | tuple[int, ...] | None = None,
    ) -> None:
        if len(sizes) < 2 or any(int(s) < 1 for s in sizes) or (layers is None and len(sizes) < 3):
            raise ValueError(f"forward_forward network: needs at least one hidden layer, got sizes {sizes}")
        if isinstance(label_scale, bool) or not (isinstance(label_scale, (int, float)) and label_scale > 0):
            raise ValueError(f"forward_forward network: label_scale {label_scale!r} not allowed; allowed: a number > 0")
        self.n_labels = K = int(sizes[-1])
        self.label_scale = float(label_scale)
        self.dtype = resolve_dtype(dtype)
        self.input_shape = tuple(input_shape) if input_shape is not None else (int(sizes[0]),)
        stack: list[Layer] = []
        if layers is None:
            shape: tuple[int, ...] = (int(sizes[0]) + K,)
            for n in sizes[1:-1]:
                stack += [Dense(shape[0], int(n), rng, init, init_gain, self.dtype), Activation(activation, (int(n),))]
                shape = (int(n),)
        else:
            if len(sizes) > 2:
                raise ValueError("forward_forward network: give hidden sizes or layers, not both")
            # a stack that starts with a dense layer reads the flat row, with the code appended
            # once; a spatial stack gets the code as K more input channels at every position
            first = layers[0] if layers else None
            if first == "flatten" or (isinstance(first, dict) and first.get("type") in ("dense", "flatten")):
                self.input_shape = (math.prod(self.input_shape),)
            inner = channels_last(self.input_shape)
            shape = (*inner[:-1], inner[-1] + K) if len(inner) > 1 else (inner[0] + K,)
            stack = build_layers(layers, shape, rng, dtype=self.dtype, init=init, init_gain=init_gain)
            shape = stack[-1].output_shape if stack else shape
            if len(shape) > 1:
                stack.append(Flatten(shape))
                shape = stack[-1].output_shape
        stack.append(Dense(shape[0], K, rng, init, init_gain, self.dtype))
        self.layers = stack
        self.blocks = split_blocks(stack)
        if len(self.blocks) < 2:
            raise ValueError("forward_forward network: needs at least one hidden weight layer")

    # -- the network interface ---------------------------------------------------------------
    @property
    def capabilities(self) -> Capabilities:
        return Capabilities(self.SUPPORTS)

    @property
    def sizes(self) -> list[int]:
        return [math.prod(self.layers[0].input_shape)] + [self.layers[b.stop - 1].n_out for b in self.blocks]

    def describe(self) -> str:
        if all(isinstance(l, (Dense, Activation)) for l in self.layers):
            return "forward_forward " + "-".join(map(str, [self.n_features, *self.sizes[1:]]))
        return "forward_forward: " + ", ".join(l.describe() for l in self.layers)

    @property
    def n_features(self) -> int:
        """D, the width of the data (the first layer also reads the K label entries)."""
        return math.prod(self.input_shape)

    def one_hot(self, y: np.ndarray) -> np.ndarray:
        """(B,) integer labels -> (B, K) one-hot codes."""
        codes = np.zeros((y.shape[0], self.n_labels), dtype=self.dtype)
        codes[np.arange(y.shape[0]), y] = 1
        return codes

    def neutral(self, batch: int) -> np.ndarray:
        """(B, K) codes of 1/K: the input carries no label."""
        return np.full((batch, self.n_labels), 1.0 / self.n_labels, dtype=self.dtype)

    def embed(self, x: np.ndarray, codes: np.ndarray) -> np.ndarray:
        """[x, label_scale * codes]: (B, D), (B, K) -> (B, D + K), or for a layer stack on data
        of shape (C, *S), (B, *S, C + K) channels last, the code repeated at every position."""
        x = x.astype(self.dtype, copy=False)
        if len(self.input_shape) == 1:
            return np.concatenate([x, self.label_scale * codes], axis=1)
        B = x.shape[0]
        inner = np.moveaxis(x.reshape(B, *self.input_shape), 1, -1)                 # (B, *S, C)
        code = np.broadcast_to((self.label_scale * codes).reshape(B, *[1] * (inner.ndim - 2), -1),
                               (*inner.shape[:-1], codes.shape[1]))
        return np.concatenate([inner, code], axis=-1)

    def forward(self, x: np.ndarray, train: bool = False, rng: np.random.Generator | None = None,
                codes: np.ndarray | None = None) -> tuple[np.ndarray, Trace]:
        """x (B, D) with label codes (B, K) (neutral if None) -> readout scores (B, K) and the
        trace (every layer's cache and output); block k+1 reads block k's normalised output."""
        h = self.embed(x, self.neutral(x.shape[0]) if codes is None else codes)
        caches, outputs = [], []
        for k, block in enumerate(self.blocks):
            if k:
                h = normalise(h)
            for layer in self.layers[block.start:block.stop]:
                h, cache = layer.forward(h, train, rng)
                caches.append(cache)
                outputs.append(h)
        return h, Trace(caches, outputs)

    def hidden_goodness(self, x: np.ndarray, codes: np.ndarray) -> list[np.ndarray]:
        """Goodness G_k (B,) of every hidden block for x (B, D) shown with ``codes`` (B, K)."""
        h = self.embed(x, codes)
        out = []
        for k, block in enumerate(self.blocks[:-1]):
            if k:
                h = normalise(h)
            for layer in self.layers[block.start:block.stop]:
                h = layer.forward(h)[0]
            out.append(goodness(h))
        return out

    def label_goodness(self, x: np.ndarray) -> list[np.ndarray]:
        """Per hidden block, the goodness (B, K) of x shown with each label k."""
        B, K = x.shape[0], self.n_labels
        tiled = np.tile(x, (K, 1))                               # (K B, D): block k is label k
        codes = np.repeat(np.eye(K, dtype=self.dtype), B, axis=0)  # (K B, K)
        return [g.reshape(K, B).T for g in self.hidden_goodness(tiled, codes)]

    def predict(self, x: np.ndarray) -> np.ndarray:
        """(B, D) -> (B, K) goodness accumulated over the hidden blocks, per candidate label."""
        return sum(self.label_goodness(x))

    def hidden_units(self) -> list[int]:
        """Units of each hidden block's output."""
        return [self.layers[b.stop - 1].n_out for b in self.blocks[:-1]]

    def flops(self, batch: int = 1) -> int:
        """FLOPs of ``predict``: K passes through the hidden blocks (each layer's own formula, plus
        goodness and normalisation: ~3 per output unit of a block)."""
        hidden = sum(layer.flops(1) for layer in self.layers[: self.blocks[-1].start])
        return int(batch * self.n_labels * (hidden + 3 * sum(self.hidden_units())))
