"""Rules that hand (pseudo-)gradients to an optimizer: the one optimizer step, written once.

Whatever estimates the gradient (a backward sweep through the layers, a spiking rule's
eligibility traces, a population's search gradient, forward-forward's local losses), the step
that turns it into a parameter change is ``apply_gradients``: the optimizer's transformation
(SGD, momentum, Adam; weight decay; clipping) and the in-place update, in the spirit of optax.
Changing the rule never touches the optimizer.
"""

from __future__ import annotations

import numpy as np

from ..divergence import GradientGuard
from ..hyperparameters import InstanceOf, Options
from ..losses import LOSSES
from ..optimizers import Optimizer, OptimizerState, apply_updates
from ..params import GradTree, aligned_leaves, leaves, tree_like
from ..streams import child_stream
from .base import LearningRule


class GradientRule(LearningRule):
    """A rule with an optimizer and a loss; ``init`` creates the optimizer state."""

    hyperparameters = {"optimizer": InstanceOf(Optimizer), "loss": Options(*LOSSES)}

    def __init__(self, optimizer: Optimizer | None = None, loss: str = "cross_entropy", **hyperparameters) -> None:
        super().__init__(optimizer=optimizer, loss=loss, **hyperparameters)
        if self.optimizer is None:
            self.optimizer = Optimizer()

    def init(self, net, rng: np.random.Generator) -> None:
        """Optimizer state, then the rule's own state: fixed tensors from the ``feedback``
        stream, and ``self.rng`` (the ``step`` stream) for what each step draws, so neither
        moves with the other's number of draws (learning_rules.streams)."""
        self.check_network(net)
        self.rng = child_stream(rng, "step")
        self.opt_state: OptimizerState = self.optimizer.init(leaves(net.params))
        self.guard = GradientGuard()  # an exploding gradient stops the run (learning_rules.divergence)
        self.init_state(net, child_stream(rng, "feedback"))

    def init_state(self, net, rng: np.random.Generator) -> None:
        """Create rule-specific state (feedback tensors, readouts, traces). Default: nothing."""

    def apply_gradients(self, net, grads: GradTree, before_apply=None) -> GradTree:
        """Move ``net``'s parameters by the optimizer's update for ``grads`` (one dict or None
        per layer, as ``net.params``); returns the updates in the same shape. ``before_apply``
        (updates -> None), if given, sees the updates before they are added."""
        self.guard.check(aligned_leaves(net.params, grads))
        return optimizer_step(self.optimizer, self.opt_state, net.params, grads, before_apply)


def optimizer_step(optimizer: Optimizer, state: OptimizerState, params: list[dict], grads: GradTree,
                   before_apply=None) -> GradTree:
    """The optimizer's update of ``params`` (a parameter tree) for ``grads``, applied in place."""
    flat = leaves(params)
    updates, _ = optimizer.update(aligned_leaves(params, grads), state, flat)
    tree = tree_like(params, updates)
    if before_apply is not None:
        before_apply(tree)
    apply_updates(flat, updates)
    return tree
