"""The credit-assignment base: rules that differ only in how each block's error is computed.

A subclass says, through a few hooks of the one backward sweep (learning_rules.credit.chain):

- ``block_error(net, trace, k, e, incoming)``: the error at block k's output (the chain's
  ``incoming`` by default; e B_k for direct feedback; a local readout's error; None to freeze);
- ``feedback_weight(net, k)``: the tensor of W_k's shape that carries the error across block k's weight
  layer (None: W_k itself, i.e. backprop), or ``cross`` to change how it is carried;
- ``chained``: whether block k-1's error comes through block k at all;
- ``init_state`` for its own state, ``before_apply`` / ``after_update`` if that state learns.

The base runs the forward pass, the loss, the sweep and the optimizer step, and counts FLOPs.
``compute_gradients`` changes no state but the rng (and a batch norm's running statistics when
``train``), so diagnostics can call it on any batch.
"""

from __future__ import annotations

from typing import ClassVar

import numpy as np

from ..credit.chain import Sweep, backward_sweep
from ..losses import get_loss
from ..trace import Trace
from .gradient import GradientRule


class CreditAssignmentRule(GradientRule):
    """Shared machinery of rules that learn from per-block error signals."""

    requires = "backward"
    #: True when block k-1's error is the error block k passes down (a backward chain)
    chained: ClassVar[bool] = True
    #: True when the rule's gradient is backprop's by construction (no angle to measure)
    exact_gradient: ClassVar[bool] = False
    #: True when ``feedback_tensors`` returns the rule's feedback (for the diagnostics)
    has_feedback: ClassVar[bool] = False

    def __init_subclass__(cls, **kwargs) -> None:
        super().__init_subclass__(**kwargs)
        if "layer_errors" in vars(cls):  # a rule written for the dense-only interface of v1
            raise TypeError(f"{cls.__name__}: layer_errors(net, trace, e) was replaced by block_error(net, trace, "
                            "k, e, incoming), which returns the error at block k's output (the layers carry it "
                            "to their weights); see docs/architecture.md")

    # -- hooks for subclasses ---------------------------------------------------------------
    def block_error(self, net, trace: Trace, k: int, e: np.ndarray, incoming: np.ndarray | None):
        """The error at block k's output (B, *block_output_shape(k)), or None (block k does not
        learn). ``e`` (B, K) is the output error at the readout's pre-activation."""
        return incoming

    def block_error_flops(self, net, k: int, batch: int) -> int:
        """FLOPs of ``block_error`` for block k (0 when it passes ``incoming`` on)."""
        return 0

    def feedback_weight(self, net, k: int) -> np.ndarray | None:
        """The tensor of W_k's shape that carries the error across block k (None: W_k)."""
        return None

    def cross(self, net, k: int, cache, delta: np.ndarray) -> np.ndarray:
        """The error at block k's input from delta_k, through ``feedback_weight(net, k)``."""
        return net.weight_layer(k).backward_input(cache, delta, weight=self.feedback_weight(net, k))

    def cross_flops(self, net, k: int, batch: int) -> int:
        return net.weight_layer(k).backward_flops(batch, inputs=True, params=False)

    def feedback_tensors(self, net) -> list[np.ndarray | None] | None:
        """Per block, the feedback standing in for the backward path (for the diagnostics), or
        None for a rule without feedback. Must not change the rule's state."""
        return None

    def before_apply(self, net, updates) -> None:
        """Sees the step's updates (one dict or None per layer) before they are added
        (Kolen-Pollack moves its feedback by them and decays both here)."""

    def after_update(self, net, trace: Trace, sweep: Sweep) -> None:
        """Called after the parameters moved (trainable local readouts learn here)."""

    # -- shared machinery ---------------------------------------------------------------------
    def output_error(self, net, x: np.ndarray, y: np.ndarray, train: bool = True):
        """Forward pass and loss: returns (loss, dL/d output (B, K), trace)."""
        out, trace = net.forward(x, train=train, rng=self.rng if train else None)
        trace.extra["targets"] = y  # for rules whose hidden signals use the labels themselves
        loss, e = get_loss(self.loss)(out, y)
        return loss, e, trace

    def compute_gradients(self, net, x: np.ndarray, y: np.ndarray, train: bool = True):
        """(loss, grads (one dict or None per layer), trace, sweep)."""
        loss, e, trace = self.output_error(net, x, y, train)
        sweep = backward_sweep(net, trace, e, self)
        return loss, sweep.grads, trace, sweep

    def step(self, net, x: np.ndarray, y: np.ndarray) -> dict[str, float]:
        loss, grads, trace, sweep = self.compute_gradients(net, x, y)
        self.apply_gradients(net, grads, lambda updates: self.before_apply(net, updates))
        self.after_update(net, trace, sweep)
        info = {"loss": loss, "flops": float(self.step_flops(net, x.shape[0], sweep))}
        info.update(self.step_info(trace))
        return info

    def step_flops(self, net, batch: int, sweep: Sweep) -> int:
        """The forward pass and everything the sweep computed."""
        return int(net.flops(batch) + sweep.flops)

    def step_info(self, trace: Trace) -> dict[str, float]:
        """Extra floats a step reports (local losses, spike counts). Default: none."""
        return {}
