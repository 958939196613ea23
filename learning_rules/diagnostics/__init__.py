"""Diagnostics computed beside learning, never used by it.

``epoch_diagnostics(rule, net, x, y)`` returns a dict of floats that the runner logs into
metrics.csv every ``[diagnostics] every`` epochs, on a fixed probe batch of training data; a key
``"name/L"`` is metric ``name`` of layer ``L``:

- ``update_norm/L``, ``signal_norm/L`` for every rule (``update_norms``);
- ``update_angle/L`` for credit-assignment rules on a rate network (``alignment``);
- ``feedback_angle/L``, ``feedback_norm_ratio/L`` for rules with feedback matrices;
- whatever a rule reports through its own ``layer_diagnostics(net, x, y)`` (e.g. the accuracy
  of each layer's local readout).

Everything is computed on copies or without side effects: training with and without
diagnostics gives identical parameters.
"""

from __future__ import annotations

from ..network import Network
from ..rules.backprop import Backprop
from .alignment import feedback_alignment, update_angles
from .update_norms import update_norms


def epoch_diagnostics(rule, net, x, y) -> dict[str, float]:
    """All diagnostics that apply to ``rule`` on ``net`` for the probe batch x (B, D), y (B,)."""
    out = update_norms(rule, net, x, y)
    rate_network = type(net) is Network
    if rate_network and hasattr(rule, "compute_gradients") and type(rule) is not Backprop:
        out.update(update_angles(rule, net, x, y))  # (backprop's own angle is 0 by definition)
    if rate_network and hasattr(rule, "feedback_matrices"):
        out.update(feedback_alignment(rule, net))
    if hasattr(rule, "layer_diagnostics"):
        out.update(rule.layer_diagnostics(net, x, y))
    return out


__all__ = ["epoch_diagnostics", "feedback_alignment", "update_angles", "update_norms"]
