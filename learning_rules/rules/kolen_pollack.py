"""Kolen-Pollack learning (Kolen & Pollack 1994, "Backpropagation without weight transport";
Akrout, Wilson, Humphreys, Lillicrap & Tweed 2019, "Deep learning without weight transport").

Feedback alignment whose feedback tensors B_k (W_k's shape) learn: W_k and B_k receive the same
local update and the same weight decay,

    W_k <- (1 - lambda) W_k + U_k,    B_k <- (1 - lambda) B_k + U_k,

where U_k is the optimizer's update from dW_k = x_k^T delta_k. The update U_k is local to the
synapses of layer k (pre- and postsynaptic activity and the error at layer k), so no weights are
transported, yet W_k - B_k shrinks by (1 - lambda) every step and the feedback comes to equal W:
the feedback angle falls towards 0 and learning becomes backprop.
"""

from __future__ import annotations

import numpy as np

from ..hyperparameters import Real
from ..optimizers import Optimizer
from .feedback_alignment import FeedbackAlignment
from .plausibility import PlausibilityCard


class KolenPollack(FeedbackAlignment):
    """Feedback alignment whose feedback learns with the forward weights' own update."""

    name = "kolen_pollack"
    card = PlausibilityCard(
        no_weight_transport=True, local_errors=False, no_update_locking=False, spiking=False,
        no_separate_error_phase=False, single_network=True,
        notes="feedback learns by the transposed local update plus decay, converging to W^T",
    )
    hyperparameters = {"decay": Real(0, 1, high_open=True)}

    def __init__(self, decay: float = 1e-3, distribution: str = "uniform", scale: float = 1.0,
                 optimizer: Optimizer | None = None, loss: str = "cross_entropy") -> None:
        super().__init__(distribution=distribution, scale=scale, optimizer=optimizer, loss=loss)
        self.store(decay=decay)

    def init_state(self, net, rng: np.random.Generator) -> None:
        super().init_state(net, rng)
        self.set_feedback(self.feedback)

    def set_feedback(self, tensors: list[np.ndarray | None]) -> None:
        # C order, W's own memory layout, so adding the update U_k runs over contiguous memory
        self.feedback = [None if B is None else np.array(B, order="C") for B in tensors]

    def before_apply(self, net, updates) -> None:
        keep = 1.0 - self.decay
        for k in range(1, net.depth):
            # the same local update and decay for W_k and its feedback B_k
            B, W = self.feedback[k], net.weight_layer(k).params["W"]
            if self.decay:  # (decay = 0: plain Kolen-Pollack transport of updates, no decay passes)
                B *= keep
                W *= keep
            B += updates[net.blocks[k].weight]["W"].astype(B.dtype, copy=False)

    def step_flops(self, net, batch: int, sweep) -> int:
        # the feedback update and both decays: three operations per feedback weight
        return int(super().step_flops(net, batch, sweep)
                   + sum(3 * net.weight_layer(k).params["W"].size for k in range(1, net.depth)))
