"""Direct random target projection (Frenkel, Lefebvre & Bol 2021, "Learning without feedback:
fixed random learning signals allow for feedforward training of deep neural networks").

Each hidden block k receives the one-hot *target* t (not the error) through its own fixed random
matrix B_k (K, n_k) onto its output; the readout learns from its own error e:

    delta_L = e,    delta_k = (t B_k) * f'(a_k),    dW_k = x_k^T delta_k.

No weight transport, no error crosses layers, and a layer can update as soon as its forward pass
is done (the target is known in advance): no update locking. The lab's backward sweep carries
t B_k from the block's output to its weights (through f', and any pooling of a convolutional
block), so the same rule trains dense and convolutional networks.
"""

from __future__ import annotations

import math

import numpy as np

from learning_rules.hyperparameters import Real
from learning_rules.losses import one_hot
from learning_rules.rules import CreditAssignmentRule, PlausibilityCard


class DirectRandomTargetProjection(CreditAssignmentRule):
    name = "drtp"
    card = PlausibilityCard(
        no_weight_transport=True, local_errors=True, no_update_locking=True,
        spiking=False, no_separate_error_phase=True, single_network=True,
        notes="hidden layers learn from the target through fixed random projections",
    )
    update_dependency = "local"  # each block learns right after its own forward pass
    chained = False              # nothing is carried from block to block
    hyperparameters = {"scale": Real(0, None, low_open=True)}

    def __init__(self, scale: float = 1.0, optimizer=None, loss: str = "cross_entropy") -> None:
        super().__init__(optimizer=optimizer, loss=loss, scale=scale)

    def init_state(self, net, rng: np.random.Generator) -> None:
        K = net.n_outputs
        # B_k: (K, n_k), one per hidden block, fixed for the whole run
        self.feedback = [
            (self.scale * rng.normal(0.0, 1.0 / np.sqrt(K), size=(K, math.prod(net.block_output_shape(k)))))
            .astype(net.dtype)
            for k in range(net.depth - 1)
        ]

    def block_error(self, net, trace, k, e, incoming):
        # the target, signed so that following the delta lowers the loss: -t for the hidden layers
        t = -one_hot(trace.extra["targets"], e.shape[1], e.dtype) / e.shape[0]
        return (t @ self.feedback[k]).reshape(e.shape[0], *net.block_output_shape(k))
