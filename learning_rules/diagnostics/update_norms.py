"""Per-layer update norms: does each layer still learn? (the depth and vanishing-gradient study)

Two norms per weight layer l, measured on a probe batch without touching the real run:

- ``update_norm``: ||W_l after - W_l before||_F for one step of the rule taken on deep copies of the
  network and the rule (its optimizer state and generator included), so it is the step the rule
  would really take, for any kind of rule.
- ``signal_norm`` (credit-assignment rules only): ||x_l^T delta_l||_F, the norm of the rule's
  pseudo-gradient before the optimizer rescales it (Adam's per-parameter normalisation hides a
  vanishing signal in ``update_norm``; this shows it).
"""

from __future__ import annotations

import copy

import numpy as np


def update_norms(rule, net, x: np.ndarray, y: np.ndarray) -> dict[str, float]:
    """{"update_norm/L": ..., "signal_norm/L": ...} for every weight layer L."""
    out: dict[str, float] = {}
    twin_net, twin_rule = copy.deepcopy(net), copy.deepcopy(rule)
    twin_rule.step(twin_net, x, y)
    for l, (before, after) in enumerate(zip(net.layers, twin_net.layers)):
        out[f"update_norm/{l}"] = float(np.linalg.norm(after.W - before.W))
    if hasattr(rule, "compute_gradients"):
        _, grads, _, _ = copy.deepcopy(rule).compute_gradients(net, x, y, train=False)
        for l in range(len(net.layers)):
            g = grads[2 * l]
            out[f"signal_norm/{l}"] = 0.0 if g is None else float(np.linalg.norm(g))
    return out
