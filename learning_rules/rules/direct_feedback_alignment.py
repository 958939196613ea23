"""Direct feedback alignment (Nøkland 2016, "Direct feedback alignment provides learning in deep
neural networks", NeurIPS).

Each hidden layer receives the output error e (B, K) directly, through its own fixed random
matrix B_l (K, n_out_l); nothing is carried from layer to layer:

    delta_L = e,    delta_l = (e B_l) * f'(a_l),    dW_l = x_l^T delta_l.

No weight transport, and no layer waits for the layers above it to compute their errors (every
hidden error is one product away from the output error); the output error itself still needs the
full forward pass.
"""

from __future__ import annotations

import numpy as np

from .base import Deltas
from .feedback import RandomFeedbackRule, random_feedback
from .plausibility import PlausibilityCard


class DirectFeedbackAlignment(RandomFeedbackRule):
    """Every hidden layer learns from the output error through its own random matrix."""

    name = "direct_feedback_alignment"
    update_dependency = "output"
    card = PlausibilityCard(
        no_weight_transport=True, local_errors=False, no_update_locking=True, spiking=False,
        no_separate_error_phase=False, single_network=True,
        notes="output error broadcast to every layer by fixed random matrices",
    )

    def init_state(self, net, rng: np.random.Generator) -> None:
        k = net.layers[-1].n_out
        # feedback[l]: (K, n_out_l) for every hidden layer, standing where backprop has the product
        # (W_{l+1} ... W_L)^T (the derivatives left out); the output layer uses e itself
        self.feedback: list[np.ndarray | None] = [
            random_feedback(rng, (k, layer.n_out), self.distribution, self.scale, net.dtype)
            for layer in net.layers[:-1]
        ] + [None]

    def layer_errors(self, net, trace, e) -> Deltas:
        hidden = [(e @ B) * t.derivative() for B, t in zip(self.feedback[:-1], trace.layers[:-1])]
        return hidden + [e]

    def propagation_flops(self, net, batch: int) -> int:
        k = net.layers[-1].n_out
        return int(sum(2 * batch * k * l.n_out + 2 * batch * l.n_out for l in net.layers[:-1]))
