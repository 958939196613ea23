"""Feedback alignment (Lillicrap, Cownden, Tweed & Akerman 2016, "Random synaptic feedback
weights support error backpropagation for deep learning", Nature Communications 7:13276).

The backward pathway carries errors through fixed random matrices B_l (the shape of W_l^T,
(n_out_l, n_in_l)) instead of the transposed forward weights; B is never learned:

    delta_L = e,    delta_l = (delta_{l+1} B_{l+1}) * f'(a_l),    dW_l = x_l^T delta_l.

The forward weights come to align with B (the update-to-gradient angle falls below 90 degrees),
so the random feedback ends up carrying useful error information. No weight transport; errors are
still non-local and the backward sweep still locks every update.
"""

from __future__ import annotations

import numpy as np

from .base import Deltas
from .feedback import RandomFeedbackRule, random_feedback
from .plausibility import PlausibilityCard


class FeedbackAlignment(RandomFeedbackRule):
    """Backprop's backward sweep through fixed random feedback matrices."""

    name = "feedback_alignment"
    card = PlausibilityCard(
        no_weight_transport=True, local_errors=False, no_update_locking=False, spiking=False,
        no_separate_error_phase=False, single_network=True,
        notes="fixed random feedback replaces W^T; errors still sweep back layer by layer",
    )

    def init_state(self, net, rng: np.random.Generator) -> None:
        # feedback[l] plays W_l^T for l >= 1 (layer 0's error is never sent further down)
        self.feedback: list[np.ndarray | None] = [None] + [
            random_feedback(rng, (layer.n_out, layer.n_in), self.distribution, self.scale, net.dtype)
            for layer in net.layers[1:]
        ]

    def layer_errors(self, net, trace, e) -> Deltas:
        deltas: Deltas = [None] * len(net.layers)
        delta = deltas[-1] = e
        for l in range(len(net.layers) - 2, -1, -1):
            delta = (delta @ self.feedback[l + 1]) * trace.layers[l].derivative()
            deltas[l] = delta
        return deltas
