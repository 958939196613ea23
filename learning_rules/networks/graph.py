"""The network owns its composition: a directed acyclic graph of layers, run and differentiated
in one place, which every engine calls instead of walking a list of layers itself.

A network holds its layers in topological order, ``layers[i]``, and for each the nodes it reads,
``inputs[i]``: a tuple of earlier layer indices, INPUT (-1) for the network's input. A plain
stack is the chain inputs[i] = (i - 1,). Merge layers (layers/merge.py, layers/attention.py)
read several nodes; any node may feed several others (fan-out).

    out, trace = forward(net, h, train, rng)   every node once, in order; trace.outputs[i], trace.layers[i]
    out        = run(net, h, start, stop)      the nodes [start, stop) alone, h entering at ``start``
    errors     = node_input_errors(net, trace, i, delta)
                                                the error at each input of node i, J_i^T delta
    order      = reverse_order(net)            node indices for the backward sweep (reverse topological)

The backward sweep (credit/chain.py) visits nodes in reverse topological order and sums the
errors arriving at a node from all its consumers, so a residual connection's error is the sum of
the skip's and the branch's.
"""

from __future__ import annotations

import numpy as np

from ..trace import Trace

#: the index that stands for the network's input in ``inputs``
INPUT = -1


def chain_inputs(n: int) -> list[tuple[int, ...]]:
    """The inputs of a plain stack of n layers: each reads the one before."""
    return [(i - 1,) for i in range(n)]


def is_merge(layer) -> bool:
    return getattr(layer, "merges", False)


def consumers(inputs: list[tuple[int, ...]]) -> list[list[int]]:
    """For every node, the nodes that read it (in order)."""
    out: list[list[int]] = [[] for _ in inputs]
    for i, srcs in enumerate(inputs):
        for s in srcs:
            if s != INPUT:
                out[s].append(i)
    return out


def is_chain(inputs: list[tuple[int, ...]]) -> bool:
    return all(srcs == (i - 1,) for i, srcs in enumerate(inputs))


def check_graph(layers: list, inputs: list[tuple[int, ...]]) -> None:
    """ValueError unless ``inputs`` is a DAG in topological order whose every node but the last is read."""
    if len(inputs) != len(layers):
        raise ValueError(f"graph: {len(inputs)} input lists for {len(layers)} layers")
    for i, (layer, srcs) in enumerate(zip(layers, inputs)):
        if not srcs or any(not INPUT <= s < i for s in srcs):
            raise ValueError(f"graph: node {i} ({layer.describe()}) reads {srcs}; a node reads earlier nodes only")
        if len(srcs) > 1 and not is_merge(layer):
            raise ValueError(f"graph: node {i} ({layer.describe()}) reads {len(srcs)} nodes but is not a merge")
    used = consumers(inputs)
    for i in range(len(layers) - 1):
        if not used[i]:
            raise ValueError(f"graph: the output of node {i} ({layers[i].describe()}) is read by no node")


def _gather(outputs: list, h: np.ndarray, srcs: tuple[int, ...], merge: bool):
    xs = [h if s == INPUT else outputs[s] for s in srcs]
    return xs if merge else xs[0]


def forward(net, h: np.ndarray, train: bool = False,
            rng: np.random.Generator | None = None) -> tuple[np.ndarray, Trace]:
    """h (B, *internal input shape) -> (output, trace with every node's cache and output)."""
    caches, outputs = [], []
    if net.is_chain:  # the plain stack: each layer on the one before (no lookups on the hot path)
        for layer in net.layers:
            h, cache = layer.forward(h, train, rng)
            caches.append(cache)
            outputs.append(h)
        return h, Trace(caches, outputs)
    for layer, srcs in zip(net.layers, net.inputs):
        out, cache = layer.forward(_gather(outputs, h, srcs, is_merge(layer)), train, rng)
        caches.append(cache)
        outputs.append(out)
    return outputs[-1], Trace(caches, outputs)


def run(net, h: np.ndarray, start: int = 0, stop: int | None = None, outside: Trace | None = None) -> np.ndarray:
    """Nodes [start, stop) in evaluation mode, with h the value entering node ``start`` (its
    single input); a node in the range that reads a node before ``start`` reads it from
    ``outside`` (a trace of the whole network), and INPUT is h. Returns node stop - 1's output."""
    stop = len(net.layers) if stop is None else stop
    if net.is_chain:
        for i in range(start, stop):
            h = net.layers[i].forward(h)[0]
        return h
    outputs: dict[int, np.ndarray] = {}
    for i in range(start, stop):
        layer, srcs = net.layers[i], net.inputs[i]
        xs = []
        for s in srcs:
            if i == start or s == INPUT:
                xs.append(h)
            elif s >= start:
                xs.append(outputs[s])
            elif outside is not None:
                xs.append(outside.outputs[s])
            else:
                raise ValueError(f"run: node {i} reads node {s}, outside [{start}, {stop}); pass a trace")
        outputs[i] = layer.forward(xs if is_merge(layer) else xs[0])[0]
    return outputs[stop - 1]


def stacked_forward(net, h: np.ndarray, params: list[dict[str, np.ndarray]]) -> np.ndarray:
    """The graph for C parameter sets at once: h (B, ...) shared or (C, B, ...), ``params`` per
    layer {name: (C, *shape)} -> (C, B, n_out) (population scoring; layers must be vectorisable)."""
    outputs: list[np.ndarray] = []
    for layer, srcs, p in zip(net.layers, net.inputs, params):
        xs = [h if s == INPUT else outputs[s] for s in srcs]
        if is_merge(layer):  # a shared input meets a stacked one: give both the C axis
            outputs.append(layer.forward(list(np.broadcast_arrays(*xs)) if len(
                {x.ndim for x in xs}) > 1 else xs)[0])
        else:
            outputs.append(layer.population_forward(xs[0], p))
    return outputs[-1]


def node_input_errors(net, trace: Trace, i: int, delta: np.ndarray, weight=None) -> list[tuple[int, np.ndarray]]:
    """[(source, error at that source)] for delta = dL/d(output of node i): J_i^T delta per input."""
    layer, srcs = net.layers[i], net.inputs[i]
    if is_merge(layer):
        return list(zip(srcs, layer.backward_input(trace.layers[i], delta)))
    return [(srcs[0], layer.backward_input(trace.layers[i], delta, weight=weight))]


def node_tangent(net, trace: Trace, i: int, tangents: dict[int, np.ndarray], dparams=None) -> np.ndarray | None:
    """Forward mode at node i: its output's tangent from its inputs' tangents (``tangents`` by
    node index, missing: zero) and its parameters' tangents ``dparams``."""
    layer, srcs = net.layers[i], net.inputs[i]
    if is_merge(layer):
        dxs = [tangents.get(s) for s in srcs]
        return None if all(d is None for d in dxs) else layer.jvp(trace.layers[i], dxs)
    dx = tangents.get(srcs[0])
    if dx is None and not dparams:
        return None
    return layer.jvp(trace.layers[i], dx, dparams or None)


def add_error(errors: list, i: int, e: np.ndarray) -> None:
    """Sum the errors arriving at node i from its consumers (fan-out)."""
    if i == INPUT:
        return
    errors[i] = e if errors[i] is None else errors[i] + e


def reverse_order(net) -> range:
    return range(len(net.layers) - 1, -1, -1)
