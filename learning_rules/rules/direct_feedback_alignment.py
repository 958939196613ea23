"""Direct feedback alignment (Nøkland 2016, "Direct feedback alignment provides learning in deep
neural networks", NeurIPS).

Each hidden block receives the output error e (B, K) directly, through its own fixed random
matrix B_k (K, n_k) onto its output (n_k units: a dense layer's width, or a convolution block's
positions x channels), reshaped to the block's output; nothing is carried from block to block:

    delta_L = e,    delta_k = (e B_k) * f'(a_k),    dW_k = x_k^T delta_k.

No weight transport, and no layer waits for the layers above it to compute their errors (every
hidden error is one product away from the output error); the output error itself still needs the
full forward pass.
"""

from __future__ import annotations

import math

import numpy as np

from .feedback import RandomFeedbackRule, random_feedback
from .plausibility import PlausibilityCard


class DirectFeedbackAlignment(RandomFeedbackRule):
    """Every hidden block learns from the output error through its own random matrix."""

    name = "direct_feedback_alignment"
    update_dependency = "output"
    chained = False
    card = PlausibilityCard(
        no_weight_transport=True, local_errors=False, no_update_locking=True, spiking=False,
        no_separate_error_phase=False, single_network=True,
        notes="output error broadcast to every layer by fixed random matrices",
    )

    def init_state(self, net, rng: np.random.Generator) -> None:
        K = net.n_outputs
        # feedback[k]: (K, n_k) for every hidden block, standing where backprop has the
        # linearised path from block k's output to the output (for dense layers the product
        # (W_{k+1} ... W_L)^T, derivatives left out); the readout uses e itself
        self.feedback: list[np.ndarray | None] = [
            random_feedback(rng, (K, math.prod(net.block_output_shape(k))), self.distribution, self.scale, net.dtype)
            for k in range(net.depth - 1)
        ] + [None]

    def block_error(self, net, trace, k, e, incoming):
        return (e @ self.feedback[k]).reshape(e.shape[0], *net.block_output_shape(k))

    def block_error_flops(self, net, k: int, batch: int) -> int:
        return int(2 * batch * self.feedback[k].size)
