"""Finite differences for the gradient oracles (float64): a network's loss against every parameter."""

from __future__ import annotations

import numpy as np

from learning_rules import get_loss
from learning_rules.params import aligned_leaves, leaves


def central_differences(f, a: np.ndarray, eps: float = 1e-6) -> np.ndarray:
    """d f() / d a by central differences, perturbing ``a`` in place entry by entry."""
    g = np.zeros_like(a)
    it = np.nditer(a, flags=["multi_index"])
    for _ in it:
        i = it.multi_index
        old = a[i]
        a[i] = old + eps
        up = f()
        a[i] = old - eps
        down = f()
        a[i] = old
        g[i] = (up - down) / (2 * eps)
    return g


def numeric_gradient(net, x, y, loss_name: str, eps: float = 1e-6) -> list[np.ndarray]:
    """Central differences of the batch loss, one array per leaf of ``net.params``."""
    loss_fn = get_loss(loss_name)
    return [central_differences(lambda: loss_fn(net.predict(x), y)[0], p, eps) for p in leaves(net.params)]


def relative_error(net, analytic_tree, numeric: list[np.ndarray]) -> float:
    """||analytic - numeric|| / ||numeric|| over every parameter."""
    analytic = np.concatenate([g.ravel() for g in aligned_leaves(net.params, analytic_tree)])
    ref = np.concatenate([g.ravel() for g in numeric])
    return float(np.linalg.norm(analytic - ref) / np.linalg.norm(ref))


def randomise_offsets(net, rng: np.random.Generator, scale: float = 0.5) -> None:
    """Non-zero biases (and batch/layer-norm scales and shifts), so no oracle runs at b = 0."""
    for layer in net.params:
        for name, p in layer.items():
            if name in ("b", "beta"):
                p[...] = rng.normal(0.0, scale, p.shape)
            elif name == "gamma":
                p[...] = 1.0 + rng.normal(0.0, 0.2, p.shape)
