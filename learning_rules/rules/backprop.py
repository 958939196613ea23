"""Exact backpropagation (Rumelhart, Hinton & Williams 1986, "Learning representations by
back-propagating errors").

Output error e = dL/da_L; every block's error carried back through the transposed forward
weights (for a convolution, the transposed convolution with its own kernel):

    delta_L = e,    delta_k = (delta_{k+1} W_{k+1}^T) * f'(a_k),    dW_k = x_k^T delta_k.

In the one backward sweep (learning_rules.credit.chain) that is the default of every hook: the
chain's incoming error, carried by W_k itself. The reference every other rule is compared
against: it needs weight transport (W^T in the feedback path), non-local errors and a separate
backward phase that locks every update.
"""

from __future__ import annotations

from ..optimizers import Optimizer
from .credit_assignment import CreditAssignmentRule
from .plausibility import PlausibilityCard


class Backprop(CreditAssignmentRule):
    """Exact gradient descent on the loss through the network's own weights."""

    name = "backprop"
    exact_gradient = True
    card = PlausibilityCard(
        no_weight_transport=False,
        local_errors=False,
        no_update_locking=False,
        spiking=False,
        no_separate_error_phase=False,
        single_network=True,
        notes="reference: exact gradient via the transposed forward weights",
    )

    def __init__(self, optimizer: Optimizer | None = None, loss: str = "cross_entropy") -> None:
        super().__init__(optimizer=optimizer, loss=loss)
