"""Blocks: a network's layers split at its weight layers, and the part of the network interface
that follows from that split (shared by the layered and the forward-forward networks).

Block k runs from weight layer k up to the next weight layer or merge, so it holds W_k and the
layers that follow it in a chain (activation, pooling, normalisation, flatten, dropout). Learning
rules assign an error to each block's output; the block's own layers carry it down to W_k
(credit/chain.py). In a graph (networks/graph.py) a chain also ends where a node feeds several
others; the nodes outside every block (merges, and what follows a merge up to the next weight
layer) are *free nodes*: the backward sweep carries errors through them exactly.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ..layers import Layer
from ..trace import Trace


@dataclass(frozen=True)
class Block:
    """Layers [start, stop) of a network; ``weight`` is the index of its weight layer."""

    start: int
    weight: int
    stop: int


def split_blocks(layers: list[Layer], inputs: list[tuple[int, ...]] | None = None) -> list[Block]:
    """One block per weight layer, in topological order; layers before the first weight layer
    belong to block 0 when they form a chain from the input."""
    from .graph import chain_inputs, consumers, is_merge

    inputs = chain_inputs(len(layers)) if inputs is None else inputs
    weights = [i for i, layer in enumerate(layers) if layer.has_weight]
    if not weights:
        raise ValueError("a network needs at least one weight layer")
    used = consumers(inputs)

    def chained(i: int) -> bool:  # node i continues the chain of node i - 1
        return (inputs[i] == (i - 1,) and not is_merge(layers[i]) and not layers[i].has_weight
                and len(used[i - 1]) == 1)

    w0 = weights[0]
    prelude = inputs[w0] == (w0 - 1,) and all(
        inputs[i] == (i - 1,) and not is_merge(layers[i]) and len(used[i]) == 1 for i in range(w0))
    if prelude and any(layers[i].params for i in range(weights[0])):
        raise ValueError("layers with parameters before the first weight layer would never learn")
    blocks = []
    for n, w in enumerate(weights):
        stop = w + 1
        while stop < len(layers) and chained(stop):
            stop += 1
        blocks.append(Block(0 if n == 0 and prelude else w, w, stop))
    return blocks


class BlockedNetwork:
    """``layers`` split into ``blocks``: parameters by layer and name, and blocks by index."""

    layers: list[Layer]
    blocks: list[Block]

    @property
    def params(self) -> list[dict[str, np.ndarray]]:
        """One dict of live arrays per layer ({} for a layer without parameters)."""
        return [layer.params for layer in self.layers]

    @property
    def parameter_layers(self) -> list[int]:
        """Indices of the layers that hold parameters (whose outputs a perturbation can move)."""
        return [i for i, layer in enumerate(self.layers) if layer.params]

    @property
    def widest_output(self) -> int:
        """The largest per-sample output of any layer: what one pass must hold at once."""
        return max(layer.n_out for layer in self.layers)

    def params_by_layer(self, arrays: list[np.ndarray]) -> list[dict[str, np.ndarray]]:
        """Flat per-parameter arrays, in ``params`` order, regrouped per layer by name."""
        out, i = [], 0
        for layer in self.layers:
            out.append({name: arrays[i + j] for j, name in enumerate(layer.params)})
            i += len(layer.params)
        return out

    @property
    def weight_layers(self) -> list[int]:
        """The index of block k's weight layer, for every block."""
        return [b.weight for b in self.blocks]

    def weight_layer(self, k: int) -> Layer:
        return self.layers[self.blocks[k].weight]

    @property
    def depth(self) -> int:
        """Weight layers (blocks): the depth that critical paths and diagnostics count."""
        return len(self.blocks)

    def block_output_shape(self, k: int) -> tuple[int, ...]:
        return self.layers[self.blocks[k].stop - 1].output_shape

    def block_output(self, trace: Trace, k: int) -> np.ndarray:
        """What block k passed on in the traced pass: (B, *block_output_shape(k))."""
        return trace.outputs[self.blocks[k].stop - 1]

    def free_nodes(self) -> list[int]:
        """Nodes in no block (merges and what follows them up to the next weight layer)."""
        inside = {i for b in self.blocks for i in range(b.start, b.stop)}
        return [i for i in range(len(self.layers)) if i not in inside]

    @property
    def n_outputs(self) -> int:
        return self.layers[-1].n_out

    def copy(self):
        """A deep copy with independent parameter arrays."""
        clone = object.__new__(type(self))
        clone.__dict__.update(self.__dict__)
        clone.layers = [layer.copy() for layer in self.layers]
        return clone
