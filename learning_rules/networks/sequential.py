"""The layered network (network kind ``rate``): a graph of layers, dense, convolutional or
attention, of which a plain sequence is the special case (networks/graph.py).

Two ways to build one:

- ``Network(sizes, rng, activation=...)`` with sizes [n_in, *hidden, n_out]: the multilayer
  perceptron, dense layers with ``activation`` between them (and dropout after each hidden
  activation when ``dropout`` > 0);
- ``Network([n_in, n_out], rng, layers=[...], input_shape=(C, L))``: any stack of layer specs
  (``learning_rules.layers.specs``), for example the MNIST-1D paper's CNN, or a graph of them:
  named nodes with ``from = [...]``, merges (``add``, ``concat``) and whole residual or attention
  blocks as one spec (networks/graph_spec.py).

Either way the readout, a dense layer to n_out followed by ``output_activation`` (none for the
default "linear", so the output is the logits), is appended. Inputs arrive flat, x (B, D); the
data's shape ``input_shape`` is channels first, (D,), (C, L) or (C, H, W), and the network
hands its layers the channels-last view (B, L, C) or (B, H, W, C) (see layers/base.py).

A network is split into **blocks**, one per weight layer (networks/blocks.py).
"""

from __future__ import annotations

import math
import numpy as np

from ..dtypes import resolve_dtype
from ..layers import Activation, Dense, Dropout, Flatten, Layer, build_layers
from ..trace import Trace
from . import graph
from .blocks import BlockedNetwork, split_blocks
from .capabilities import Capabilities


def channels_last(shape: tuple[int, ...]) -> tuple[int, ...]:
    """(C, L) -> (L, C), (C, H, W) -> (H, W, C); a flat (D,) stays."""
    return tuple(shape) if len(shape) == 1 else (*shape[1:], shape[0])


class Network(BlockedNetwork):
    """A sequence of layers with blocks, a trace-recording forward pass and declared capabilities."""

    SUPPORTS = frozenset({"backward", "population", "readout"})
    MAY_OFFER = frozenset({"chain", "graph"})
    PRIMARY = frozenset({"backward"})

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
        layers: list | None = None,
        input_shape: list[int] | tuple[int, ...] | None = None,
    ) -> None:
        if len(sizes) < 2 or any(int(s) < 1 for s in sizes):
            raise ValueError(f"network sizes must be >= 2 positive integers, got {sizes}")
        if not 0.0 <= dropout < 1.0:
            raise ValueError(f"dropout must be in [0, 1), got {dropout}")
        self.dtype = resolve_dtype(dtype)
        n_in, n_out = int(sizes[0]), int(sizes[-1])
        self.input_shape = tuple(int(s) for s in input_shape) if input_shape is not None else (n_in,)
        if math.prod(self.input_shape) != n_in:
            raise ValueError(f"input_shape {self.input_shape} does not hold {n_in} features")
        if layers is None:
            stack, shape = self._dense_stack(sizes, rng, activation, init, init_gain, dropout)
        else:
            if len(sizes) > 2:
                raise ValueError("give hidden sizes or layers, not both")
            if dropout:
                raise ValueError("dropout with layers: put a { type = \"dropout\", p = ... } layer in the stack")
            from .graph_spec import build_graph

            shape = channels_last(self.input_shape)
            stack, inputs = build_graph(layers, shape, rng, dtype=self.dtype, init=init, init_gain=init_gain)
            shape = stack[-1].output_shape if stack else shape
        inputs = graph.chain_inputs(len(stack)) if layers is None else inputs
        if len(shape) > 1:
            stack.append(Flatten(shape))
            shape = stack[-1].output_shape
        stack.append(Dense(shape[0], n_out, rng, init, init_gain, self.dtype))
        if output_activation != "linear":
            stack.append(Activation(output_activation, (n_out,)))
        inputs = inputs + [(i - 1,) for i in range(len(inputs), len(stack))]
        self._set_layers(stack, inputs)

    @classmethod
    def conformance_examples(cls, n_features: int, n_classes: int, seed: int) -> dict[str, "Network"]:
        """float64 examples for the network check (networks/conformance.py): a dense stack, a
        residual MLP, a residual CNN and a transformer block on n_features tokens."""
        rng = lambda: np.random.default_rng(seed)  # noqa: E731  (each example from the same seed)
        conv = {"type": "conv1d", "channels": 3, "kernel": 3, "padding": 1}
        residual = [{"type": "dense", "units": 6, "activation": "tanh"},
                    {"type": "residual", "layers": [{"type": "dense", "units": 6, "activation": "tanh"},
                                                    {"type": "dense", "units": 6}]}, "tanh"]
        cnn = [{**conv, "activation": "tanh"}, {"type": "residual", "layers": [{**conv, "activation": "tanh"}, conv]},
               {"type": "avgpool1d", "kernel": 2}, "tanh"]
        transformer = [{"type": "dense", "units": 4, "per_token": True},
                       {"type": "attention_block", "heads": 2, "mlp": 8}, {"type": "avgpool1d", "kernel": n_features}]
        f64 = {"dtype": "float64"}
        return {"dense": cls([n_features, 6, n_classes], rng(), **f64),
                "residual_mlp": cls([n_features, n_classes], rng(), layers=residual, **f64),
                "residual_cnn": cls([n_features, n_classes], rng(), layers=cnn, input_shape=(1, n_features), **f64),
                "transformer": cls([n_features, n_classes], rng(), layers=transformer, input_shape=(1, n_features),
                                   **f64)}

    def _dense_stack(self, sizes, rng, activation, init, init_gain, dropout):
        stack: list[Layer] = []
        for n_prev, n in zip(sizes[:-2], sizes[1:-1]):
            stack.append(Dense(n_prev, n, rng, init, init_gain, self.dtype))
            stack.append(Activation(activation, (n,)))
            if dropout:
                stack.append(Dropout(dropout, (n,)))
        return stack, (int(sizes[-2]),)

    @classmethod
    def from_layers(cls, layers: list[Layer], input_shape: tuple[int, ...] | None = None,
                    inputs: list[tuple[int, ...]] | None = None) -> "Network":
        """A network of ready-made layer objects in topological order (the first must take
        ``input_shape``, channels first, in its channels-last form); ``inputs`` per layer the
        nodes it reads (networks/graph.py; default: a chain)."""
        net = object.__new__(cls)
        first = layers[0].input_shape
        net.input_shape = tuple(input_shape) if input_shape is not None else tuple(first)
        net.dtype = next(iter(next(l.params for l in layers if l.params).values())).dtype
        net._set_layers(list(layers), inputs)
        return net

    def _set_layers(self, layers: list[Layer], inputs: list[tuple[int, ...]] | None = None) -> None:
        inputs = graph.chain_inputs(len(layers)) if inputs is None else [tuple(s) for s in inputs]
        graph.check_graph(layers, inputs)
        self.layers = layers
        self.inputs = inputs
        self.is_chain = graph.is_chain(inputs)
        self._internal_shape = channels_last(self.input_shape)
        # channels first -> last; with one channel the memory is the same and a reshape will do
        n = len(self.input_shape)
        self._to_internal = None if n == 1 or self.input_shape[0] == 1 else (0, *range(2, n + 1), 1)
        # every layer's FLOPs are proportional to the batch: one sample's, summed once
        self._flops_per_sample = sum(layer.flops(1) for layer in layers)
        self.blocks = split_blocks(layers, inputs)

    # -- the network interface ---------------------------------------------------------------
    @property
    def capabilities(self) -> Capabilities:
        """A chain offers "chain" too (rules that treat block k's input as block k - 1's output:
        the settling and perturbation rules); a graph offers "graph"."""
        families = set(self.SUPPORTS) | {"chain" if self.is_chain else "graph"}
        vectorised = all(layer.vectorisable for layer in self.layers)
        return Capabilities(frozenset(families), 1, vectorised)

    @property
    def sizes(self) -> list[int]:
        """[n_in, units out of block 0, ..., n_out]: the widths a dense stack calls its sizes."""
        return [math.prod(self.input_shape)] + [math.prod(self.block_output_shape(k)) for k in range(self.depth)]

    def shaped_inputs(self, x: np.ndarray) -> np.ndarray:
        """Flat x (B, D) -> (B, *internal shape) for the first layer (a view where it can be)."""
        if len(self._internal_shape) == 1:
            return x
        if self._to_internal is None:
            return x.reshape(x.shape[0], *self._internal_shape)
        return x.reshape(x.shape[0], *self.input_shape).transpose(self._to_internal)

    def forward(self, x: np.ndarray, train: bool = False,
                rng: np.random.Generator | None = None) -> tuple[np.ndarray, Trace]:
        """x (B, D) -> output (B, n_out) and the trace: every layer's cache and output.

        Dropout is applied in training only, with masks drawn from ``rng`` (required then)."""
        return graph.forward(self, self.shaped_inputs(x), train, rng)

    def run(self, h: np.ndarray, start: int = 0, stop: int | None = None, outside: Trace | None = None) -> np.ndarray:
        """Layers [start, stop) on h, the value entering layer ``start`` (evaluation mode); see
        networks/graph.py for nodes that read from before ``start`` (``outside``)."""
        return graph.run(self, h, start, stop, outside)

    def stacked_forward(self, h: np.ndarray, params: list[dict[str, np.ndarray]]) -> np.ndarray:
        """Shaped inputs h for C parameter sets at once -> (C, B, n_out) (population_forward.py)."""
        return graph.stacked_forward(self, h, params)

    def run_block(self, k: int, h: np.ndarray) -> np.ndarray:
        """Block k alone on h (B, *its input shape) -> (B, *block_output_shape(k))."""
        return graph.run(self, h, self.blocks[k].start, self.blocks[k].stop)

    def block_forward(self, k: int, h: np.ndarray) -> tuple[np.ndarray, list]:
        """Block k alone on h (evaluation mode) -> (its output, its layers' caches, bottom to top)."""
        caches = []
        for i in range(self.blocks[k].start, self.blocks[k].stop):
            h, cache = self.layers[i].forward(h)
            caches.append(cache)
        return h, caches

    def block_input_errors(self, k: int, caches: list, delta: np.ndarray) -> np.ndarray:
        """J_k^T delta through block k's layers at the pass that left ``caches`` (block_forward's
        or a trace's), W_k included: the error at the block's input."""
        block = self.blocks[k]
        for i, cache in zip(range(block.stop - 1, block.start - 1, -1), reversed(caches)):
            delta = self.layers[i].backward_input(cache, delta)
        return delta

    def input_error(self, trace: Trace, k: int, delta: np.ndarray) -> np.ndarray:
        """J_k^T delta: ``delta`` at block k's output carried to its input through every layer of
        the block (W_k included) at the traced pass."""
        block = self.blocks[k]
        for i in range(block.stop - 1, block.start - 1, -1):
            delta = self.layers[i].backward_input(trace.layers[i], delta)
        return delta

    def readout_gradients(self, trace: Trace, e: np.ndarray) -> list[dict | None]:
        """The readout block's exact gradient from e = dL/d output (B, n_out); None elsewhere."""
        from ..credit.chain import through_block

        grads: list[dict | None] = [None] * len(self.layers)
        through_block(self, trace, self.depth - 1, e, grads, e.shape[0])
        return grads

    def predict(self, x: np.ndarray) -> np.ndarray:
        """x (B, D) -> class scores or regression outputs (B, n_out), without dropout."""
        return graph.run(self, self.shaped_inputs(x))

    def flops(self, batch: int = 1) -> int:
        """FLOPs of one forward pass of ``batch`` samples: each layer's own formula."""
        return int(batch * self._flops_per_sample)

    def describe(self) -> str:
        """'rate 40-256-256-10' for a dense stack; else the layers, e.g. 'conv1d 25x5 /2 pad 1, relu, ...',
        in a graph with the nodes a layer reads where it does not read the one before ('add <- 1, 4')."""
        if self.is_chain and all(isinstance(l, (Dense, Activation, Dropout)) for l in self.layers):
            return "rate " + "-".join(map(str, self.sizes))
        parts = []
        for i, (layer, srcs) in enumerate(zip(self.layers, self.inputs)):
            reads = "" if srcs == (i - 1,) else " <- " + ", ".join("input" if s < 0 else str(s) for s in srcs)
            parts.append(layer.describe() + reads)
        return ", ".join(parts)
