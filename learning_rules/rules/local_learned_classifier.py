"""Local errors through trainable per-layer classifiers: the prediction loss of Nøkland &
Eidnes 2019 ("Training neural networks with local error signals", ICML) and the greedy
layer-wise supervised scheme of Belilovsky, Eickenberg & Oyallon 2019 ("Greedy layerwise
learning can scale to ImageNet"; here trained simultaneously, not one layer after another).

Every hidden layer l has its own linear readout (R_l (n_l, K), c_l (K,)), trained together with
the layer on the same local loss L_l = L(h_l R_l + c_l, y):

    e_l = dL_l/dz_l                                  (B, K)
    delta_l = (e_l R_l^T) * f'(a_l),   dW_l = x_l^T delta_l      hidden layers l < L
    dR_l = h_l^T e_l,   dc_l = sum_b e_l                         the readout's own gradient
    delta_L = e,                       dW_L = x_L^T e            the output layer's own error

No error crosses a layer: the readout is part of layer l's local circuit (the paper's
"auxiliary classifier"), so delta_l uses R_l, which is not another layer's forward weight.
The readouts are rule-owned state trained by the rule's optimizer with their own optimizer
state; they move after the network's weights, from the errors of the same step.
"""

from __future__ import annotations

import numpy as np

from ..hyperparameters import Real
from ..initializers import init_weight
from ..optimizers import Optimizer
from .local_readouts import LocalReadoutRule
from .plausibility import PlausibilityCard


class LocalLearnedClassifier(LocalReadoutRule):
    """Each hidden layer and its own trainable readout learn from the readout's loss."""

    name = "local_learned_classifier"
    card = PlausibilityCard(
        no_weight_transport=True,
        local_errors=True,
        no_update_locking=True,
        spiking=False,
        no_separate_error_phase=True,
        single_network=True,
        notes="each hidden layer needs the label and a trained auxiliary readout (its transpose carries the local error)",
    )
    trainable_readouts = True

    hyperparameters = {"readout_gain": Real(0, None, low_open=True)}

    def __init__(self, optimizer: Optimizer | None = None, loss: str = "cross_entropy",
                 readout_gain: float = 1.0) -> None:
        super().__init__(optimizer=optimizer, loss=loss, readout_gain=readout_gain)

    def make_readouts(self, net, rng: np.random.Generator) -> list[np.ndarray]:
        K = net.n_outputs
        # random, not zero, at the start: a zero readout would send the layer no error at all
        return [init_weight("xavier", rng, n, K, net.dtype, float(self.readout_gain))
                for n in self.hidden_widths(net)]
