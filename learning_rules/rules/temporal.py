"""The base of the rules that learn in time, on temporal networks (networks/temporal.py).

A temporal rule produces gradients for every layer of a network of cells, from one of the two
engines: the backward sweep through time (credit/bptt.py: BPTT, truncated BPTT, feedback
alignment in time, surrogate-gradient spiking) or the forward, online pass with eligibility
traces (credit/online.py: e-prop, RFLO, the local spiking rule) and forward-mode sensitivities
(credit/rtrl.py: RTRL). The base runs the forward pass and the loss, hands the gradients to the
one optimizer step, reports FLOPs and, for LIF cells, the spiking activity. Spiking cells need a
surrogate derivative: ``surrogate`` and ``slope`` choose it for every temporal rule.

``compute_gradients(net, x, y, train)`` changes no state but the rng, so diagnostics can compare
any temporal rule's gradient with BPTT's on a probe batch (``update_angle/k``).
"""

from __future__ import annotations

from typing import ClassVar

import numpy as np

from ..hyperparameters import Options, Real
from ..losses import get_loss
from ..optimizers import Optimizer
from ..spiking.activity import activity_metrics
from ..spiking.surrogates import SURROGATES, Surrogate
from .gradient import GradientRule

#: the example sequences of the conformance kit: its 8 features read as 4 steps of 2
EXAMPLE_STEPS = 4


class TemporalRule(GradientRule):
    """Shared machinery of rules on temporal networks."""

    requires = ("temporal", "cells")
    #: the cell kinds this rule can train
    cells: ClassVar[tuple[str, ...]] = ("elman", "gru", "lif", "alif")
    #: True when the rule's gradient is BPTT's by construction (no angle to measure)
    exact_gradient: ClassVar[bool] = False
    #: True when ``feedback_tensors`` returns the rule's feedback (for the diagnostics)
    has_feedback: ClassVar[bool] = False
    #: True for rules that learn in the online pass, forward in time (no bidirectional layers)
    online: ClassVar[bool] = False
    hyperparameters = {"surrogate": Options(*SURROGATES), "slope": Real(0, None, low_open=True)}

    def __init__(self, optimizer: Optimizer | None = None, loss: str = "cross_entropy",
                 surrogate: str = "fast_sigmoid", slope: float = 10.0, **hyperparameters) -> None:
        super().__init__(optimizer=optimizer, loss=loss, surrogate=surrogate, slope=slope, **hyperparameters)

    @classmethod
    def example_networks(cls, n_features: int, n_classes: int, rng_seed: int) -> dict:
        """One small temporal network per cell kind the rule trains: the kit's features read as
        ``EXAMPLE_STEPS`` steps, 16 recurrent units, the mean over steps read out."""
        from ..networks.temporal import TemporalNetwork

        shape = (EXAMPLE_STEPS, n_features // EXAMPLE_STEPS)
        return {cell: TemporalNetwork([n_features, 16, n_classes], np.random.default_rng(rng_seed), cell=cell,
                                      readout="mean", input_shape=shape,
                                      neuron={"tau_mem": 5.0} if cell in ("lif", "alif") else None)
                for cell in cls.cells}

    def check_network(self, net) -> None:
        super().check_network(net)
        kinds = sorted({cell.kind for cell in net.cells} - set(type(self).cells))
        if kinds:
            raise ValueError(f"{type(self).name}: cannot train {kinds[0]} cells; it trains "
                             f"{', '.join(type(self).cells)}")
        if type(self).online and net.bidirectional:
            raise ValueError(f"{type(self).name}: learns online, forward in time; a bidirectional layer's "
                             "reverse half reads the future (use bidirectional = false)")

    # -- hooks --------------------------------------------------------------------------------
    def cell_options(self) -> dict:
        """Options every cell's backward receives (a LIF cell's surrogate derivative)."""
        return {"surrogate": Surrogate(self.surrogate, self.slope)}

    def forward_options(self) -> dict:
        """Options of the forward pass (``spike_fn`` for a smooth forward)."""
        return {}

    def compute_gradients(self, net, x: np.ndarray, y: np.ndarray, train: bool = True):
        """(loss, grads (one dict or None per layer), trace, sweep with the FLOPs)."""
        raise NotImplementedError

    # -- shared machinery ---------------------------------------------------------------------
    def output_error(self, net, x: np.ndarray, y: np.ndarray, train: bool = True):
        """Forward pass and loss: (loss, dL/d scores (B, K), trace)."""
        out, trace = net.forward(x, train=train, rng=self.rng if train else None, **self.forward_options())
        trace.extra["targets"] = y
        loss, e = get_loss(self.loss)(out, y)
        return loss, e, trace

    def step(self, net, x: np.ndarray, y: np.ndarray) -> dict[str, float]:
        loss, grads, trace, sweep = self.compute_gradients(net, x, y)
        self.apply_gradients(net, grads)
        info = {"loss": loss, "flops": float(self.step_flops(net, x.shape[0], sweep))}
        info.update(self.step_info(trace))
        return info

    def step_flops(self, net, batch: int, sweep) -> int:
        """The forward pass and what the engine computed."""
        return int(net.flops(batch) + sweep.flops)

    def step_info(self, trace) -> dict[str, float]:
        """Spiking activity for LIF cells (spikes per neuron, silent fraction, synaptic events)."""
        if "spike_counts" not in trace.extra:
            return {}
        return activity_metrics(trace.extra["spike_counts"], float(trace.extra["synaptic_events"]))

    def reference_gradients(self, net, x: np.ndarray, y: np.ndarray):
        """BPTT's exact gradients on the same batch (evaluation mode, this rule's surrogate)."""
        from .bptt import BPTT

        return BPTT(loss=self.loss, surrogate=self.surrogate, slope=self.slope).compute_gradients(
            net, x, y, train=False)[1]
