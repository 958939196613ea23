"""Surrogate-gradient learning by backpropagation through time (Neftci, Mostafa & Zenke 2019,
"Surrogate gradient learning in spiking neural networks"; Zenke & Ganguli 2018, SuperSpike).

The spiking network runs its T steps with true all-or-none spikes s_t = H(v_t - threshold). The
loss L(out, y) of the scores is then differentiated through time with the spike's derivative
replaced by a smooth surrogate g (fast sigmoid, arctan or sigmoid, learning_rules.spiking.surrogates):

    ds_t/dv_t := g(v_t - threshold),   dW_l = sum_t h_{l,t}^T dL/dc_{l,t}   (the LIF cell's sweep,
                                                                         layers/lif.py)

and the pseudo-gradients go to the optimizer. It is BPTT (rules/bptt.py, one engine for rate and
spiking cells) on a network of LIF cells. With ``detach_reset`` (default) the reset is treated
as a constant in the backward pass (Zenke & Vogels 2021). ``smooth_forward`` runs the forward pass
on the surrogate's smooth step too, which makes the gradient exact (a testing aid, not a model).
It needs weight transport (W^T in the backward sweep), stores every layer's T-step history and
holds every update until the backward sweep through time has finished.
"""

from __future__ import annotations

import numpy as np

from ..hyperparameters import Boolean
from ..optimizers import Optimizer
from ..spiking.surrogates import Surrogate
from .bptt import BPTT
from .plausibility import PlausibilityCard


class SpikingSurrogate(BPTT):
    """BPTT with a surrogate spike derivative on a network of LIF cells."""

    name = "spiking_surrogate"
    requires = "spiking"
    cells = ("lif", "alif")
    card = PlausibilityCard(
        no_weight_transport=False,
        local_errors=False,
        no_update_locking=False,
        spiking=True,
        no_separate_error_phase=False,
        single_network=True,
        notes="spiking forward; exact-style BPTT with a surrogate derivative, W^T and the T-step history",
    )
    hyperparameters = {"smooth_forward": Boolean()}

    def __init__(self, optimizer: Optimizer | None = None, loss: str = "cross_entropy",
                 surrogate: str = "fast_sigmoid", slope: float = 10.0, detach_reset: bool = True,
                 smooth_forward: bool = False, truncation: int = 0) -> None:
        super().__init__(optimizer=optimizer, loss=loss, truncation=truncation, surrogate=surrogate,
                         slope=slope, detach_reset=detach_reset)
        self.store(smooth_forward=smooth_forward)

    @classmethod
    def example_networks(cls, n_features: int, n_classes: int, rng_seed: int) -> dict:
        """The spiking network (dense LIF layers, direct current) and a recurrent LIF network."""
        from ..spiking.network import SpikingNetwork

        nets = {"dense": SpikingNetwork([n_features, 16, 16, n_classes], np.random.default_rng(rng_seed), steps=10)}
        nets.update({"recurrent lif": super().example_networks(n_features, n_classes, rng_seed)["lif"]})
        return nets

    def forward_options(self) -> dict:
        return {"spike_fn": Surrogate(self.surrogate, self.slope).primitive} if self.smooth_forward else {}
