"""Exact backpropagation (Rumelhart, Hinton & Williams 1986, "Learning representations by
back-propagating errors").

Output error e = dL/da_L; hidden errors carried back through the transposed forward weights:

    delta_L = e,    delta_l = (delta_{l+1} W_{l+1}^T) * f'(a_l),    dW_l = x_l^T delta_l.

The reference every other rule is compared against: it needs weight transport (W^T in the
feedback path), non-local errors and a separate backward phase that locks every update.
"""

from __future__ import annotations

from .base import CreditAssignmentRule, Deltas
from .plausibility import PlausibilityCard


def backprop_deltas(net, trace, e) -> Deltas:
    """The exact errors delta_l (B, n_out_l) of every layer, from the output error e (B, K)."""
    deltas: Deltas = [None] * len(net.layers)
    delta = e
    deltas[-1] = delta
    for l in range(len(net.layers) - 2, -1, -1):
        delta = (delta @ net.layers[l + 1].W.T) * trace.layers[l].derivative()
        deltas[l] = delta
    return deltas


class Backprop(CreditAssignmentRule):
    """Exact gradient descent on the loss through the network's own weights."""

    name = "backprop"
    card = PlausibilityCard(
        no_weight_transport=False,
        local_errors=False,
        no_update_locking=False,
        spiking=False,
        no_separate_error_phase=False,
        single_network=True,
        notes="reference: exact gradient via the transposed forward weights",
    )

    def layer_errors(self, net, trace, e) -> Deltas:
        return backprop_deltas(net, trace, e)
