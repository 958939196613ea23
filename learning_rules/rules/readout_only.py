"""Control: only the readout learns (a random-features model; cf. Rahimi & Recht 2008 and the
extreme learning machine of Huang et al. 2006).

Hidden layers keep their random initialisation; the output layer follows its exact gradient,

    delta_L = e,    dW_L = x_L^T e,    delta_l = None (frozen) for l < L.

Any rule that claims its hidden layers learn must beat this score.
"""

from __future__ import annotations

from .base import CreditAssignmentRule, Deltas
from .plausibility import PlausibilityCard


class ReadoutOnly(CreditAssignmentRule):
    """Train the last layer alone; the hidden layers are fixed random features."""

    name = "readout_only"
    update_dependency = "readout"
    network_kinds = ("rate", "spiking")  # the spiking control: LIF layers stay random, the readout learns
    card = PlausibilityCard(
        no_weight_transport=True,
        local_errors=True,
        no_update_locking=True,
        spiking=False,
        no_separate_error_phase=True,
        single_network=True,
        notes="control: hidden layers stay random; delta-rule readout",
    )

    def layer_errors(self, net, trace, e) -> Deltas:
        return [None] * (len(net.layers) - 1) + [e]

    def propagation_flops(self, net, batch: int) -> int:
        return 0
