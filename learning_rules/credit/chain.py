"""The one backward sweep: block by block from the output, each block's error carried down to
its weight layer by the block's own layers, and (for chained rules) across the weight layer to
the block below through whatever tensor the rule chooses.

For a network of blocks k = 0 .. L-1 (networks/sequential.py), with out_k the output of block k
and a_k the output of its weight layer:

    top block:      error at out_{L-1} = dL/d(output)                 (every rule's readout)
    block k < L-1:  error at out_k     = rule.block_error(k, e, incoming)
                    backprop and the feedback family: incoming, the error the block above sent
                    down; direct feedback: e B_k; local rules: their readout's error; None: frozen
    inside block k: delta_k = dL/da_k, through the block's activation, pooling, normalisation
                    (their exact local backward); every layer with parameters gets its gradient
    across W_k:     incoming_{k-1} = rule.cross(k, delta_k) = delta_k F_k^T   (chained rules only;
                    F_k = W_k for backprop, feedback of W_k's shape otherwise)

with e = delta_{L-1}, the output error at the readout's pre-activation. No rule writes this
algebra itself: each says which tensor carries the error, and the layers do the rest.

On a graph (networks/graph.py) the sweep visits the nodes in reverse topological order: the error
at a node is the sum of what its consumers sent (a residual add's input gets the skip's and the
branch's), block k's ``incoming`` is that sum at its output, the cross at W_k sends the error to
whichever node feeds W_k, and the free nodes (merges, and what follows them up to the next
weight layer) pass errors on exactly, with the gradient of their own parameters (a layer norm's
scale and shift) when an error reaches them.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ..networks import graph
from ..params import GradTree


@dataclass
class Sweep:
    """What one sweep computed: per layer the gradients (None where the layer did not learn),
    per block delta_k = dL/da_k as the rule assigned it (None where frozen), and the FLOPs."""

    grads: GradTree
    deltas: list[np.ndarray | None]
    flops: int


def through_block(net, trace, k: int, error: np.ndarray, grads: GradTree, batch: int) -> tuple[np.ndarray, int]:
    """Carry ``error`` (at block k's output) down to its weight layer's output, filling ``grads``
    for every layer of the block that has parameters; returns (delta_k, FLOPs)."""
    block = net.blocks[k]
    delta, flops = error, 0
    for i in range(block.stop - 1, block.weight - 1, -1):
        layer, cache = net.layers[i], trace.layers[i]
        if layer.params:
            grads[i] = layer.backward_params(cache, delta)
            flops += layer.backward_flops(batch, inputs=False, params=True)
        if i > block.weight:
            delta = layer.backward_input(cache, delta)
            flops += layer.backward_flops(batch, inputs=True, params=False)
    return delta, flops


def sweep_plan(net) -> tuple[dict[int, int], frozenset[int]]:
    """{last node of block k: k} and the nodes inside blocks, computed once per block layout."""
    cached = net.__dict__.get("_sweep_plan")
    if cached is not None and cached[0] is net.blocks:
        return cached[1], cached[2]
    ends = {b.stop - 1: k for k, b in enumerate(net.blocks)}
    inside = frozenset(i for b in net.blocks for i in range(b.start, b.stop))
    net.__dict__["_sweep_plan"] = (net.blocks, ends, inside)
    return ends, inside


def backward_sweep(net, trace, e_out: np.ndarray, rule) -> Sweep:
    """The sweep for ``rule`` on a traced pass of ``net``; e_out (B, K) = dL/d(output)."""
    L, batch = net.depth, e_out.shape[0]
    grads: GradTree = [None] * len(net.layers)
    deltas: list[np.ndarray | None] = [None] * L
    errors: list[np.ndarray | None] = [None] * len(net.layers)   # summed at each node's output
    errors[-1] = e_out
    ends, inside = sweep_plan(net)
    flops = 0
    e = None
    for i in graph.reverse_order(net):
        if i in ends:
            k = ends[i]
            if k == L - 1:
                error = errors[i]
            else:
                error = rule.block_error(net, trace, k, e, errors[i])
                flops += rule.block_error_flops(net, k, batch) if error is not None else 0
            if error is None:
                continue
            delta, f = through_block(net, trace, k, error, grads, batch)
            flops += f
            deltas[k] = delta
            if k == L - 1:
                e = delta
            block = net.blocks[k]
            source = net.inputs[block.weight][0]
            # nothing below W_k learns when it reads the input (or a prelude without parameters)
            if rule.chained and block.start == block.weight and source != graph.INPUT:
                graph.add_error(errors, source, rule.cross(net, k, trace.layers[block.weight], delta))
                flops += rule.cross_flops(net, k, batch)
        elif i not in inside and errors[i] is not None:   # a free node: the exact local backward
            layer = net.layers[i]
            if layer.params:
                grads[i] = layer.backward_params(trace.layers[i], errors[i])
                flops += layer.backward_flops(batch, inputs=False, params=True)
            for source, err in graph.node_input_errors(net, trace, i, errors[i]):
                graph.add_error(errors, source, err)
            flops += layer.backward_flops(batch, inputs=True, params=False)
    return Sweep(grads, deltas, flops)
