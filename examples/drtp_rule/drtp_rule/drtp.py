"""Direct random target projection (Frenkel, Lefebvre & Bol 2021, "Learning without feedback:
fixed random learning signals allow for feedforward training of deep neural networks").

Each hidden layer l receives the one-hot *target* t (not the error) through its own fixed random
matrix B_l (K, n_out_l); the output layer learns from its own error e:

    delta_L = e,    delta_l = (t B_l) * f'(a_l),    dW_l = x_l^T delta_l.

No weight transport, no error crosses layers, and a layer can update as soon as its forward pass
is done (the target is known in advance): no update locking.
"""

from __future__ import annotations

import numpy as np

from learning_rules.losses import one_hot
from learning_rules.rules import CreditAssignmentRule, PlausibilityCard


class DirectRandomTargetProjection(CreditAssignmentRule):
    name = "drtp"
    card = PlausibilityCard(
        no_weight_transport=True, local_errors=True, no_update_locking=True,
        spiking=False, no_separate_error_phase=True, single_network=True,
        notes="hidden layers learn from the target through fixed random projections",
    )

    def __init__(self, scale: float = 1.0, optimizer=None, loss: str = "cross_entropy") -> None:
        super().__init__(optimizer=optimizer, loss=loss)
        if not scale > 0:
            raise ValueError(f"drtp: scale {scale!r} not allowed; must be > 0")
        self.scale = scale

    def init_state(self, net, rng: np.random.Generator) -> None:
        k = net.layers[-1].n_out
        # B_l: (K, n_out_l), one per hidden layer, fixed for the whole run
        self.feedback = [
            (self.scale * rng.normal(0.0, 1.0 / np.sqrt(k), size=(k, layer.n_out))).astype(net.dtype)
            for layer in net.layers[:-1]
        ]

    def layer_errors(self, net, trace, e):
        # the target, signed so that following the delta lowers the loss: -t for the hidden layers
        t = -one_hot(trace.extra["targets"], e.shape[1], e.dtype) / e.shape[0]
        return [(t @ B) * layer.derivative() for B, layer in zip(self.feedback, trace.layers)] + [e]
