"""Backpropagation through time (Werbos 1990, "Backpropagation through time: what it does and
how to do it"; Rumelhart, Hinton & Williams 1986), and its truncated form (Williams & Peng
1990, "An efficient gradient-based algorithm for on-line training of recurrent network
trajectories").

The network runs its T steps and keeps every step's state; the error then sweeps back from the
readout through time (credit/bptt.py). For a cell h_t = F(x_t W + b, h_{t-1} U, h_{t-1}):

    g_t = dL/dh_t|direct + (g_{t+1} D_h,{t+1} + (D_m,{t+1} g_{t+1}) U^T)        (from the future)
    dW = sum_t x_t^T (D_in,t g_t),   dU = sum_t h_{t-1}^T (D_m,t g_t),   db = sum_t D_in,t g_t

and for LIF cells the same sweep with a surrogate spike derivative (layers/lif.py).
``truncation`` = k > 0 cuts the error through the state every k steps, counted back from the
last step (chunks of k steps, each learning only from errors inside it): the window truncated
BPTT sees. It stores the whole history (memory linear in T) and no weight can change before the
sweep back through all T steps has finished: the least plausible way to learn in time.
"""

from __future__ import annotations

from ..credit.bptt import bptt, bptt_flops
from ..hyperparameters import Boolean, Integer
from ..optimizers import Optimizer
from .plausibility import PlausibilityCard
from .temporal import TemporalRule


class BPTT(TemporalRule):
    """The exact gradient through time (``truncation`` = 0), or its truncated form."""

    name = "bptt"
    update_dependency = "backward_chain"
    card = PlausibilityCard(
        no_weight_transport=False, local_errors=False, no_update_locking=False, spiking=False,
        no_separate_error_phase=False, single_network=True,
        notes="reference in time: W^T and U^T carry errors back through the stored T-step history",
    )
    hyperparameters = {"truncation": Integer(0, None), "detach_reset": Boolean()}

    def __init__(self, optimizer: Optimizer | None = None, loss: str = "cross_entropy", truncation: int = 0,
                 surrogate: str = "fast_sigmoid", slope: float = 10.0, detach_reset: bool = True) -> None:
        super().__init__(optimizer=optimizer, loss=loss, surrogate=surrogate, slope=slope,
                         truncation=truncation, detach_reset=detach_reset)

    @property
    def exact_gradient(self) -> bool:
        return self.truncation == 0

    def feedback(self, net, i: int) -> dict | None:
        """Tensors that carry the error across layer i's W (and U); None: the weights themselves."""
        return None

    def cell_options(self) -> dict:
        return {**super().cell_options(), "detach_reset": self.detach_reset}

    def compute_gradients(self, net, x, y, train: bool = True):
        loss, e, trace = self.output_error(net, x, y, train)
        sweep = bptt(net, trace, e, feedback=lambda i: self.feedback(net, i), truncation=self.truncation,
                     **self.cell_options())
        return loss, self.keep(sweep.grads), trace, sweep

    def step_flops(self, net, batch: int, sweep=None) -> int:
        """The forward pass and the sweep back through time (each layer's own formula)."""
        return int(net.flops(batch) + bptt_flops(net, batch))

    def keep(self, grads):
        """The gradients the rule applies (every one; the control without recurrent learning
        drops U's)."""
        return grads

    def window(self, net) -> int | None:
        """How many steps back the error reaches (None: all of them), for the critical path."""
        return self.truncation if 0 < self.truncation < net.steps else None
