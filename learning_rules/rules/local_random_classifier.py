"""Local errors through fixed random classifiers (Mostafa, Ramesh & Cauwenberghs 2018,
"Deep supervised learning using local errors", Frontiers in Neuroscience 12:608).

Every hidden layer l projects its activity h_l (B, n_l) through its own *fixed random* readout
R_l (n_l, K) to class scores z_l = h_l R_l, and learns only from the loss of those scores:

    e_l = dL(z_l, y)/dz_l                           (B, K)
    delta_l = (e_l R_l^T) * f'(a_l),   dW_l = x_l^T delta_l      for hidden layers l < L
    delta_L = e = dL(z, y)/dz,         dW_L = x_L^T e            the output layer's own error

R_l is drawn once in ``init`` (Xavier-uniform times ``scale``) and never changes, so no layer
needs another layer's weights or error (no weight transport, no update locking): each layer can
update as soon as its own forward pass is done.
"""

from __future__ import annotations

import numpy as np

from ..hyperparameters import Real
from ..initializers import init_weight
from ..optimizers import Optimizer
from .local_readouts import LocalReadoutRule
from .plausibility import PlausibilityCard


class LocalRandomClassifier(LocalReadoutRule):
    """Each hidden layer is trained by the loss of its own fixed random readout."""

    name = "local_random_classifier"
    card = PlausibilityCard(
        no_weight_transport=True,
        local_errors=True,
        no_update_locking=True,
        spiking=False,
        no_separate_error_phase=True,
        single_network=True,
        notes="each hidden layer needs the label and a fixed random readout of its own",
    )
    trainable_readouts = False

    hyperparameters = {"scale": Real(0, None, low_open=True)}

    def __init__(self, optimizer: Optimizer | None = None, loss: str = "cross_entropy",
                 scale: float = 1.0) -> None:
        super().__init__(optimizer=optimizer, loss=loss, scale=scale)

    def make_readouts(self, net, rng: np.random.Generator) -> list[np.ndarray]:
        K = net.n_outputs
        # fixed for the whole run: the layer must learn features this random projection can read
        return [init_weight("xavier", rng, n, K, net.dtype, float(self.scale)) for n in self.hidden_widths(net)]
