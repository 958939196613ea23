"""Control: only the readout learns (a random-features model; cf. Rahimi & Recht 2008 and the
extreme learning machine of Huang et al. 2006).

Hidden blocks keep their random initialisation; the readout follows its exact gradient,

    delta_L = e,    dW_L = x_L^T e,    delta_k = None (frozen) for k < L.

Any rule that claims its hidden layers learn must beat this score.
"""

from __future__ import annotations

from ..credit.chain import Sweep
from ..optimizers import Optimizer
from .credit_assignment import CreditAssignmentRule
from .plausibility import PlausibilityCard


class ReadoutOnly(CreditAssignmentRule):
    """Train the last layer alone; the hidden layers are fixed random features."""

    name = "readout_only"
    update_dependency = "readout"
    chained = False
    requires = "readout"
    card = PlausibilityCard(
        no_weight_transport=True,
        local_errors=True,
        no_update_locking=True,
        spiking=False,
        no_separate_error_phase=True,
        single_network=True,
        notes="control: hidden layers stay random; delta-rule readout",
    )

    def __init__(self, optimizer: Optimizer | None = None, loss: str = "cross_entropy") -> None:
        super().__init__(optimizer=optimizer, loss=loss)

    def block_error(self, net, trace, k, e, incoming):
        return None

    def compute_gradients(self, net, x, y, train: bool = True):
        if net.capabilities.supports("backward"):  # the one sweep, with every hidden block frozen
            return super().compute_gradients(net, x, y, train)
        loss, e, trace = self.output_error(net, x, y, train)  # e.g. a temporal network's dense readout
        readout = net.weight_layer(net.depth - 1)
        flops = 2 * x.shape[0] * readout.n_in * readout.n_out + x.shape[0] * readout.n_out
        grads = net.readout_gradients(trace, e)
        return loss, grads, trace, Sweep(grads, [None] * (net.depth - 1) + [e], flops)
