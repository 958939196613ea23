"""Graphs of layers from ``[model] layers``: named nodes, ``from = [...]``, merges and whole
residual or attention blocks as one spec, checked with one-line errors before any run.

A list of plain layer specs (layers/specs.py) is a chain, as before. Any spec may also carry

    name = "h"                    the node's name (default: its place, "layers[3]")
    from = ["a", "b"]             the nodes it reads (default: the spec before it; "input" is the data)

and four spec types describe structure:

    { type = "add", from = ["a", "b"] }            residual merge: the inputs' sum (one shape)
    { type = "concat", from = ["a", "b"] }         the inputs joined on the last axis
    { type = "residual", layers = [...] }          x + f(x), f the inner specs run as a chain
    { type = "attention", heads = 4 }              multi-head self-attention on (T, D) tokens, with
                                                   query, key, value and output projections as
                                                   per-token dense weight layers
    { type = "attention_block", heads = 4, mlp = 128 }
                                                   a pre-norm transformer block: x + attention(LN(x)),
                                                   then h + W2 relu(W1 LN(h))

The nodes are sorted topologically; a cycle, a ``from`` naming no node, a node whose output no
other node reads (dangling), or a merge of mismatched shapes is a LayerError naming the spec.
The graph's output is the last spec's node.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np

from ..layers import LayerError
from ..layers.attention import SelfAttention
from ..layers.base import Layer, Shape
from ..layers.merge import Add, Concat
from ..layers.specs import build_one
from .graph import INPUT

GRAPH_TYPES = ("add", "concat", "residual", "attention", "attention_block")
MERGES = {"add": Add, "concat": Concat}


@dataclass
class _Node:
    where: str
    name: str
    spec: Any                    # a layer spec, or ("add" | "concat" | "attention", options)
    sources: list[str] = field(default_factory=list)
    width_of: str | None = None  # a dense node's units: the last axis of this node's output


def is_graph(specs: Any) -> bool:
    """Whether ``specs`` uses any graph feature (else it is a plain chain of layer specs)."""
    return isinstance(specs, list) and any(
        isinstance(s, dict) and ("name" in s or "from" in s or s.get("type") in GRAPH_TYPES) for s in specs)


def _sources(where: str, spec: dict, previous: str) -> list[str]:
    src = spec.get("from", [previous])
    src = [src] if isinstance(src, str) else src
    if not isinstance(src, list) or not src or not all(isinstance(s, str) for s in src):
        raise LayerError(f"{where}.from: {spec.get('from')!r} not allowed; give a node name or a list of them")
    return src


def _keys(where: str, kind: str, spec: dict, allowed: dict) -> dict:
    unknown = sorted(set(spec) - set(allowed) - {"type", "name", "from"})
    if unknown:
        names = ", ".join([*allowed, "name", "from"])
        raise LayerError(f"{where} ({kind}): unknown key {unknown[0]!r}; allowed: {names}")
    missing = [k for k, d in allowed.items() if d is None and k not in spec]
    if missing:
        raise LayerError(f"{where} ({kind}): missing key {missing[0]!r}")
    return {k: spec.get(k, d) for k, d in allowed.items()}


def _expand(where: str, spec: Any, name: str, sources: list[str]) -> list[_Node]:
    """One spec -> its nodes, the last named ``name``."""
    kind = spec.get("type") if isinstance(spec, dict) else None
    if kind in MERGES:
        _keys(where, kind, spec, {})
        return [_Node(where, name, (kind, {}), sources)]
    if kind is not None and kind in GRAPH_TYPES and len(sources) != 1:
        raise LayerError(f"{where} ({kind}): reads one node, got from = {sources}")
    if kind == "residual":
        opts = _keys(where, kind, spec, {"layers": None})
        inner = opts["layers"]
        if not isinstance(inner, list) or not inner:
            raise LayerError(f"{where} (residual): layers = {inner!r} not allowed; "
                             "give a non-empty list of layer specs")
        nodes, prev = [], sources[0]
        for j, sub in enumerate(inner):
            if isinstance(sub, dict) and ("name" in sub or "from" in sub):
                raise LayerError(f"{where}.layers[{j}]: a residual's inner layers run as a chain; "
                                 "name and from are not allowed there")
            nodes += _expand(f"{where}.layers[{j}]", sub, f"{name}.layers[{j}]", [prev])
            prev = nodes[-1].name
        return nodes + [_Node(where, name, ("add", {}), [sources[0], prev])]
    if kind == "attention":
        opts = _keys(where, kind, spec, {"heads": None})
        proj = {"type": "dense", "units": "same", "per_token": True}
        q, k, v, a = (f"{name}.{p}" for p in ("query", "key", "value", "heads"))
        return [_Node(where, q, proj, sources), _Node(where, k, proj, sources), _Node(where, v, proj, sources),
                _Node(where, a, ("attention", opts), [q, k, v]), _Node(where, name, proj, [a])]
    if kind == "attention_block":
        opts = _keys(where, kind, spec, {"heads": None, "mlp": None})
        norm = {"type": "layernorm", "per_token": True}
        first = {"type": "residual", "layers": [norm, {"type": "attention", "heads": opts["heads"]}]}
        second = {"type": "residual", "layers": [
            norm, {"type": "dense", "units": opts["mlp"], "per_token": True, "activation": "relu"},
            {"type": "dense", "units": "same", "per_token": True}]}
        nodes = _expand(where, first, f"{name}.attention", sources)
        nodes += _expand(where, second, name, [f"{name}.attention"])
        nodes[-2].width_of = f"{name}.attention"   # the MLP's second layer returns to the block's width
        for n in nodes:
            n.where = where   # errors name the spec the user wrote
        return nodes
    if isinstance(spec, dict):
        spec = {k: v for k, v in spec.items() if k not in ("name", "from")}
    if len(sources) != 1:
        raise LayerError(f"{where}: only add, concat and attention read several nodes; got from = {sources}")
    return [_Node(where, name, spec, sources)]


def _topological(nodes: list[_Node]) -> list[_Node]:
    """Kahn's order, ties in the listed order; a cycle is an error naming its nodes."""
    by_name = {n.name: n for n in nodes}
    pending = {n.name: sum(s != "input" for s in n.sources) for n in nodes}
    readers: dict[str, list[str]] = {n.name: [] for n in nodes}
    for n in nodes:
        for s in n.sources:
            if s != "input":
                readers[s].append(n.name)
    order: list[_Node] = []
    ready = [n.name for n in nodes if pending[n.name] == 0]
    while ready:
        name = ready.pop(0)
        order.append(by_name[name])
        for r in readers[name]:
            pending[r] -= 1
            if pending[r] == 0:
                ready.append(r)
        ready.sort(key=[n.name for n in nodes].index)
    if len(order) < len(nodes):
        stuck = [n for n in nodes if pending[n.name] > 0]
        raise LayerError(f"{stuck[0].where}: a cycle through {' -> '.join(repr(n.name) for n in stuck)}; "
                         "a graph must not feed a node's output back to it")
    return order


def graph_nodes(specs: list) -> list[_Node]:
    """The checked nodes of ``specs`` in topological order (no shapes yet)."""
    nodes: list[_Node] = []
    previous = "input"
    for i, spec in enumerate(specs):
        where = f"layers[{i}]"
        name = spec.get("name", where) if isinstance(spec, dict) else where
        if not isinstance(name, str) or name == "input" or "." in name:
            raise LayerError(f"{where}.name: {name!r} not allowed; a name is a string other than 'input', without dots")
        if any(n.name == name for n in nodes):
            raise LayerError(f"{where}.name: {name!r} is used twice; give each node its own name")
        sources = _sources(where, spec, previous) if isinstance(spec, dict) else [previous]
        nodes += _expand(where, spec, name, sources)
        previous = name
    known = {n.name for n in nodes}
    for n in nodes:
        for s in n.sources:
            if s != "input" and s not in known:
                names = ", ".join(["input", *(m.name for m in nodes if "." not in m.name)])
                raise LayerError(f"{n.where}.from: no node named {s!r}; nodes: {names}")
    read = {s for n in nodes for s in n.sources}
    for n in nodes[:-1]:
        if n.name not in read:
            raise LayerError(f"{n.where} ({n.name!r}): its output is read by no node (dangling); "
                             "read it with from = [...] or remove it")
    return _topological(nodes)


def build_graph(specs: list, input_shape: Shape, rng: np.random.Generator, *, dtype=np.float32,
                init: str = "xavier", init_gain: float = 1.0) -> tuple[list[Layer], list[tuple[int, ...]]]:
    """Layers in topological order and, per layer, the layer indices it reads (INPUT: the data)."""
    from ..layers.specs import build_layers

    if not is_graph(specs):
        layers = build_layers(specs, input_shape, rng, dtype=dtype, init=init, init_gain=init_gain)
        return layers, [(i - 1,) for i in range(len(layers))]
    layers: list[Layer] = []
    inputs: list[tuple[int, ...]] = []
    index = {"input": INPUT}
    shapes = {"input": tuple(input_shape)}
    for node in graph_nodes(specs):
        srcs = tuple(index[s] for s in node.sources)
        in_shapes = [shapes[s] for s in node.sources]
        if isinstance(node.spec, tuple):
            kind, opts = node.spec
            try:
                layer = SelfAttention(in_shapes, **opts) if kind == "attention" else MERGES[kind](in_shapes)
            except LayerError as err:
                message = str(err).removeprefix(f"{kind}: ")
                source = "" if kind == "attention" else f" from {', '.join(node.sources)}"
                raise LayerError(f"{node.where} ({kind}){source}: {message}") from None
            made = [layer]
        else:
            spec = node.spec if node.width_of is None else {**node.spec, "units": shapes[node.width_of][-1]}
            made = build_one(node.where, spec, in_shapes[0], rng, dtype=dtype, init=init, init_gain=init_gain)
        for j, layer in enumerate(made):
            inputs.append(srcs if j == 0 else (len(layers) - 1,))
            layers.append(layer)
        index[node.name] = len(layers) - 1
        shapes[node.name] = made[-1].output_shape
    return layers, inputs
