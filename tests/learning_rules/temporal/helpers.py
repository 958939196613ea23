"""Small temporal networks with non-zero biases, for the gradient oracles (float64)."""

from __future__ import annotations

import numpy as np

from learning_rules.losses import cross_entropy
from learning_rules.networks.temporal import TemporalNetwork
from learning_rules.params import aligned_leaves, leaves

T, D, K, B = 5, 3, 3, 6


def temporal_net(cell: str, readout: str = "mean", seed: int = 0, hidden=(4,), **options) -> TemporalNetwork:
    """A float64 network on sequences (T, D) with every parameter drawn at a trained-like scale."""
    rng = np.random.default_rng(seed)
    if cell == "lif":
        options = {"neuron": {"tau_mem": 5.0}, "init_gain": 2.0, **options}
    net = TemporalNetwork([T * D, *hidden, K], rng, cell=cell, readout=readout, input_shape=(T, D),
                          dtype="float64", **options)
    if cell != "lif":  # non-zero biases, weights away from their initial symmetry
        for p in leaves(net.params):
            p[...] = rng.normal(0.0, 0.6, p.shape)
    return net


def batch(seed: int = 9):
    rng = np.random.default_rng(seed)
    return rng.normal(size=(B, T * D)), rng.integers(0, K, B)


def rule_gradients(rule, net, x, y) -> list[np.ndarray]:
    rule.init(net, np.random.default_rng(0))
    return aligned_leaves(net.params, rule.compute_gradients(net, x, y, train=False)[1])


def finite_differences(net, x, y, eps: float = 1e-6, loss=None, **forward) -> list[np.ndarray]:
    """Central differences of ``loss`` (cross-entropy by default) of ``net.forward(x, **forward)``
    by every parameter."""
    loss = loss or cross_entropy
    out = []
    for p in leaves(net.params):
        g = np.zeros_like(p)
        for i in np.ndindex(p.shape):
            old = p[i]
            p[i] = old + eps
            up = loss(net.forward(x, **forward)[0], y)[0]
            p[i] = old - eps
            down = loss(net.forward(x, **forward)[0], y)[0]
            p[i] = old
            g[i] = (up - down) / (2 * eps)
        out.append(g)
    return out


def relative(a: list[np.ndarray], b: list[np.ndarray]) -> float:
    """||a - b|| / ||b|| over every parameter at once."""
    va, vb = np.concatenate([g.ravel() for g in a]), np.concatenate([g.ravel() for g in b])
    return float(np.linalg.norm(va - vb) / np.linalg.norm(vb))
