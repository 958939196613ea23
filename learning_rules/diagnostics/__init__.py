"""Diagnostics computed beside learning, never used by it.

``epoch_diagnostics(rule, net, x, y)`` returns a dict of floats that the runner logs into
metrics.csv every ``[diagnostics] every`` epochs, on a fixed probe batch of training data; a key
``"name/k"`` is metric ``name`` of block (weight layer) ``k``:

- ``update_norm/k``, ``signal_norm/k`` for every rule (``update_norms``);
- ``update_angle/k`` for credit-assignment rules on a network that supports them, and for
  temporal rules on a temporal network (against BPTT; ``recurrent_angle/k`` for a cell's U)
  (``alignment``);
- ``feedback_angle/k``, ``feedback_norm_ratio/k`` for rules with feedback tensors;
- ``effective_rank/k``, ``linear_probe_accuracy/k``, ``dead_fraction/k``, ``saturated_fraction/k``
  for every rule on a network that keeps its blocks' outputs (``representations``, ``unit_health``);
- whatever a rule reports through its own ``layer_diagnostics(net, x, y)`` (e.g. the accuracy
  of each block's local readout).

Everything is computed on copies or without side effects: training with and without
diagnostics gives identical parameters.
"""

from __future__ import annotations

from ..rules.credit_assignment import CreditAssignmentRule
from ..rules.temporal import TemporalRule
from .alignment import feedback_alignment, update_angles
from .representations import block_outputs, linear_cka, representation_diagnostics
from .update_norms import update_norms


def epoch_diagnostics(rule, net, x, y, representation_probe=None) -> dict[str, float]:
    """All diagnostics that apply to ``rule`` on ``net`` for the probe batch x (B, D), y (B,).

    ``representation_probe``: (x_fit, y_fit, x_held, y_held), the samples the representation
    diagnostics read (unit health and effective rank on x_fit; linear probes fitted on x_fit,
    scored on x_held); by default (x, y, None, None): the probe batch, its second half held out."""
    out = update_norms(rule, net, x, y)
    layered = net.capabilities.supports("backward") and isinstance(rule, CreditAssignmentRule)
    temporal = net.capabilities.supports("temporal") and isinstance(rule, TemporalRule)
    if layered or temporal:
        if not rule.exact_gradient:  # (backprop's own angle is 0 by definition)
            out.update(update_angles(rule, net, x, y))
        if rule.has_feedback:
            out.update(feedback_alignment(rule, net))
    out.update(representation_diagnostics(net, *(representation_probe or (x, y, None, None))))
    out.update(rule.layer_diagnostics(net, x, y))
    return out


__all__ = ["block_outputs", "epoch_diagnostics", "feedback_alignment", "linear_cka", "representation_diagnostics",
           "update_angles", "update_norms"]
