"""Forward mode through a traced pass: tangents pushed from layer to layer by each layer's own
``jvp``, the forward counterpart of the one backward sweep (chain.py).

For layers [start, stop) of a layered network and the trace of a forward pass, given tangents
v_i of some layers' parameters (by name) and tangents u_i of some layers' outputs (added to the
tangent arriving there),

    t = 0 at the input of layer ``start``
    t <- layer_i.jvp(cache_i, t, v_i) + u_i          for i = start, ..., stop - 1

so the tangent leaving layer ``stop - 1`` is the directional derivative of that layer's output
along (v, u): the sum over i of (d out / d theta_i) v_i + (d out / d out_i) u_i. It is computed
from the layers' forward formulas at the traced point, not by finite differences. A layer that
receives no tangent and has none of its own is skipped (its tangent is zero).

On a graph (networks/graph.py) the tangents follow the graph: each node's tangent comes from its
inputs' tangents (a merge's own ``jvp``), and a node reading one outside [start, stop) reads a
zero tangent there.

Cost: a tangent through a layer takes the products its reverse mode takes (the same matrices,
multiplied from the other side), so each layer's share is counted with its ``backward_flops``.
"""

from __future__ import annotations

import numpy as np

from ..params import GradTree


def push_tangents(net, trace, start: int, stop: int, param_tangents: GradTree | None = None,
                  node_tangents: dict[int, np.ndarray] | None = None) -> tuple[np.ndarray | None, int]:
    """The tangent (B, *output shape of layer stop - 1) leaving layers [start, stop), or None if
    no tangent was given there; and its FLOPs. ``param_tangents``: one dict (by parameter name)
    or None per layer of ``net``; ``node_tangents``: {layer index: (B, *its output shape)}."""
    batch = trace.outputs[stop - 1].shape[0]
    if not getattr(net, "is_chain", True):
        return _graph_tangents(net, trace, start, stop, param_tangents, node_tangents, batch)
    t, flops = None, 0
    for i in range(start, stop):
        layer = net.layers[i]
        v = param_tangents[i] if param_tangents is not None else None
        if t is not None or v:
            flops += layer.backward_flops(batch, inputs=t is not None, params=bool(v))
            t = layer.jvp(trace.layers[i], t, v or None)
        u = node_tangents.get(i) if node_tangents else None
        if u is not None:
            flops += u.size if t is not None else 0
            t = u if t is None else t + u
    return t, flops


def _graph_tangents(net, trace, start, stop, param_tangents, node_tangents, batch) -> tuple[np.ndarray | None, int]:
    from ..networks.graph import node_tangent

    tangents: dict[int, np.ndarray] = {}
    flops = 0
    for i in range(start, stop):
        v = param_tangents[i] if param_tangents is not None else None
        t = node_tangent(net, trace, i, tangents, v or None)
        if t is not None:
            flops += net.layers[i].backward_flops(batch, inputs=True, params=bool(v))
        u = node_tangents.get(i) if node_tangents else None
        if u is not None:
            t = u if t is None else t + u
        if t is not None:
            tangents[i] = t
    return tangents.get(stop - 1), flops


def sample_directional_derivatives(error: np.ndarray, tangent: np.ndarray) -> np.ndarray:
    """Per sample b, sum_k error[b, k] tangent[b, k]: (B, K), (B, K) -> (B,). With ``error`` =
    dL/dz of a batch loss, their sum is the directional derivative of that loss along the
    tangent, and entry b the part that flows through sample b's outputs."""
    return (error * tangent).reshape(error.shape[0], -1).sum(axis=1)
