"""Parameters by name, per layer: a network's ``params`` is a list with one dict per layer,
``[{"W": W_0, "b": b_0}, {}, {"W": W_1, "b": b_1}, ...]`` (an empty dict for a layer without
parameters), holding the live arrays. Gradients and updates use the same shape of list, with
None for a layer that does not learn.

The optimizer works on the flat list of arrays (``leaves``), layer by layer and name by name in
insertion order: for a dense stack that is [W_0, b_0, W_1, b_1, ...]. No code finds a parameter
by its position in that list; it finds it by (layer, name).
"""

from __future__ import annotations

import numpy as np

ParamTree = list[dict[str, np.ndarray]]
GradTree = list[dict[str, np.ndarray] | None]


def leaves(tree: ParamTree) -> list[np.ndarray]:
    """The arrays of a parameter tree, in order (the live arrays themselves)."""
    return [a for layer in tree for a in layer.values()]


def aligned_leaves(params: ParamTree, grads: GradTree) -> list[np.ndarray | None]:
    """``grads`` flattened in the order of ``leaves(params)``: None where a layer has no gradient
    (or the gradient lacks a name)."""
    return [None if g is None else g.get(name) for p, g in zip(params, grads) for name in p]


def tree_like(params: ParamTree, flat: list) -> GradTree:
    """A flat list aligned with ``leaves(params)`` back into one dict per layer ({} where none;
    None where every entry of a layer is None)."""
    out: GradTree = []
    i = 0
    for layer in params:
        d = {name: flat[i + j] for j, name in enumerate(layer)}
        i += len(layer)
        out.append(None if layer and all(v is None for v in d.values()) else d)
    return out


def names(params: ParamTree) -> list[str]:
    """'<layer>.<name>' for every leaf: '0.W', '0.b', '2.W', ..."""
    return [f"{i}.{name}" for i, layer in enumerate(params) for name in layer]
