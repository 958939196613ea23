"""Surrogate-gradient learning by backpropagation through time (Neftci, Mostafa & Zenke 2019,
"Surrogate gradient learning in spiking neural networks"; Zenke & Ganguli 2018, SuperSpike).

The spiking network runs its T steps with true all-or-none spikes s_t = H(v_t - threshold). The
loss L(out, y) of the scores is then differentiated through time with the spike's derivative
replaced by a smooth surrogate g (fast sigmoid, arctan or sigmoid, learning_rules.spiking.surrogates):

    ds_t/dv_t := g(v_t - threshold),   dW_l = sum_t h_{l,t}^T dL/dc_{l,t}   (the sweep: spiking/bptt.py)

and the pseudo-gradients go to the optimizer. With ``detach_reset`` (default) the reset is treated
as a constant in the backward pass (Zenke & Vogels 2021). ``smooth_forward`` runs the forward pass
on the surrogate's smooth step too, which makes the gradient exact (a testing aid, not a model).
It needs weight transport (W^T in the backward sweep), stores every layer's T-step history and
holds every update until the backward sweep through time has finished.
"""

from __future__ import annotations

import numpy as np

from ..credit.chain import Sweep
from ..hyperparameters import Boolean, Options, Real
from ..losses import get_loss
from ..optimizers import Optimizer
from ..spiking.activity import activity_metrics
from ..spiking.bptt import bptt, bptt_flops
from ..spiking.surrogates import SURROGATES, Surrogate
from .credit_assignment import CreditAssignmentRule
from .plausibility import PlausibilityCard


class SpikingSurrogate(CreditAssignmentRule):
    """BPTT with a surrogate spike derivative on a ``SpikingNetwork``."""

    name = "spiking_surrogate"
    update_dependency = "backward_chain"
    requires = "spiking"
    conformance_steps = 150
    network_kinds = ("spiking",)
    card = PlausibilityCard(
        no_weight_transport=False,
        local_errors=False,
        no_update_locking=False,
        spiking=True,
        no_separate_error_phase=False,
        single_network=True,
        notes="spiking forward; exact-style BPTT with a surrogate derivative, W^T and the T-step history",
    )
    hyperparameters = {"surrogate": Options(*SURROGATES), "slope": Real(0, None, low_open=True),
                       "detach_reset": Boolean(), "smooth_forward": Boolean()}

    def __init__(self, optimizer: Optimizer | None = None, loss: str = "cross_entropy",
                 surrogate: str = "fast_sigmoid", slope: float = 10.0, detach_reset: bool = True,
                 smooth_forward: bool = False) -> None:
        super().__init__(optimizer=optimizer, loss=loss, surrogate=surrogate, slope=slope,
                         detach_reset=detach_reset, smooth_forward=smooth_forward)

    @classmethod
    def example_network(cls, sizes: list[int], rng: np.random.Generator):
        from ..spiking.network import SpikingNetwork

        return SpikingNetwork(sizes, rng, steps=10)

    def _surrogate(self) -> Surrogate:
        return Surrogate(self.surrogate, self.slope)

    def output_error(self, net, x, y, train: bool = True):
        kwargs = {"spike_fn": self._surrogate().primitive} if self.smooth_forward else {}
        out, trace = net.forward(x, train=train, rng=self.rng if train else None, **kwargs)
        trace.extra["targets"] = y
        loss, e = get_loss(self.loss)(out, y)
        return loss, e, trace

    def compute_gradients(self, net, x, y, train: bool = True):
        """(loss, grads (one dict per layer), trace, sweep): the backward sweep through time."""
        loss, e, trace = self.output_error(net, x, y, train)
        grads, deltas = bptt(net, trace, e, self._surrogate(), self.detach_reset)
        return loss, grads, trace, Sweep(grads, deltas, bptt_flops(net, x.shape[0]))

    def step_flops(self, net, batch: int, sweep=None) -> int:
        """Forward pass + backward sweep through time + weight gradients."""
        return int(net.flops(batch) + bptt_flops(net, batch))

    def step_info(self, trace) -> dict[str, float]:
        return activity_metrics(trace.extra["spike_counts"], float(trace.extra["synaptic_events"]))
