"""Feedback alignment (Lillicrap, Cownden, Tweed & Akerman 2016, "Random synaptic feedback
weights support error backpropagation for deep learning", Nature Communications 7:13276).

The backward pathway carries errors through fixed random tensors B_k of W_k's shape instead of
the forward weights themselves; B is never learned:

    delta_L = e,    delta_k = (delta_{k+1} B_{k+1}^T) * f'(a_k),    dW_k = x_k^T delta_k

(for a convolution, the transposed convolution with kernel B). The forward weights come to align
with B (the update-to-gradient angle falls below 90 degrees), so the random feedback ends up
carrying useful error information. No weight transport; errors are still non-local and the
backward sweep still locks every update.
"""

from __future__ import annotations

import numpy as np

from .feedback import RandomFeedbackRule, random_feedback_like
from .plausibility import PlausibilityCard


class FeedbackAlignment(RandomFeedbackRule):
    """Backprop's backward sweep through fixed random feedback tensors."""

    name = "feedback_alignment"
    card = PlausibilityCard(
        no_weight_transport=True, local_errors=False, no_update_locking=False, spiking=False,
        no_separate_error_phase=False, single_network=True,
        notes="fixed random feedback replaces W^T; errors still sweep back layer by layer",
    )

    def init_state(self, net, rng: np.random.Generator) -> None:
        # feedback[k] stands in for W_k for k >= 1 (block 0's error is never sent further down)
        self.feedback: list[np.ndarray | None] = [None] + [
            random_feedback_like(rng, net.weight_layer(k), self.distribution, self.scale)
            for k in range(1, net.depth)
        ]

    def feedback_weight(self, net, k: int) -> np.ndarray | None:
        return self.feedback[k]
