"""Per-block update norms: does each layer still learn? (the depth and vanishing-gradient study)

Two norms per block k (its weight layer's W), measured on a probe batch without touching the run:

- ``update_norm``: ||W_k after - W_k before||_F for one step of the rule taken on deep copies of the
  network and the rule (its optimizer state and generator included), so it is the step the rule
  would really take, for any kind of rule.
- ``signal_norm`` (credit-assignment rules only): ||dW_k||_F, the norm of the rule's
  pseudo-gradient before the optimizer rescales it (Adam's per-parameter normalisation hides a
  vanishing signal in ``update_norm``; this shows it).
"""

from __future__ import annotations

import copy

import numpy as np


def update_norms(rule, net, x: np.ndarray, y: np.ndarray) -> dict[str, float]:
    """{"update_norm/k": ..., "signal_norm/k": ...} for every block k."""
    from ..rules.credit_assignment import CreditAssignmentRule

    out: dict[str, float] = {}
    twin_net, twin_rule = copy.deepcopy(net), copy.deepcopy(rule)
    twin_rule.step(twin_net, x, y)
    for k in range(net.depth):
        before, after = net.weight_layer(k).params["W"], twin_net.weight_layer(k).params["W"]
        out[f"update_norm/{k}"] = float(np.linalg.norm(after - before))
    if isinstance(rule, CreditAssignmentRule):
        _, grads, _, _ = copy.deepcopy(rule).compute_gradients(net, x, y, train=False)
        for k, i in enumerate(net.weight_layers):
            g = grads[i]
            out[f"signal_norm/{k}"] = 0.0 if g is None else float(np.linalg.norm(g["W"]))
    return out
