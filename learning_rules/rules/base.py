"""The learning-rule interface (DESIGN.md section 3) and the credit-assignment base class.

    rule = RuleClass(**hyperparameters)   # stores hyperparameters only
    rule.init(net, rng)                   # creates rule-owned state
    info = rule.step(net, x, y)           # one learning step; returns a dict of floats

Credit-assignment rules differ only in how each layer's error signal delta_l (B, n_out_l) is
computed (``layer_errors``). The base turns error signals into (pseudo-)gradients,
dW_l = x_l^T delta_l and db_l = sum_b delta_l (the loss's output error already carries the
1/B of the mean), and hands them to the optimizer. A ``None`` delta freezes that layer.
"""

from __future__ import annotations

import inspect
from abc import ABC, abstractmethod
from typing import Any, ClassVar

import numpy as np

from ..losses import get_loss
from ..optimizers import Optimizer, OptimizerState, apply_updates
from ..trace import Trace
from .plausibility import PlausibilityCard

Deltas = list[np.ndarray | None]


class LearningRule(ABC):
    """Base of every rule: a name, a plausibility card, hyperparameters, init and step."""

    name: ClassVar[str]
    card: ClassVar[PlausibilityCard]

    #: where a layer's learning signal comes from, which decides how long a training step's
    #: critical path is (see learning_rules.critical_path): "backward_chain" (delta_l needs
    #: delta_{l+1}), "output" (delta_l needs the output error), "local" (layer l's own signal),
    #: "readout" (only the output layer learns), "population" (candidates scored by forward passes)
    update_dependency: ClassVar[str] = "backward_chain"

    #: steps the conformance kit trains for in its loss-falls check (population rules need more)
    conformance_steps: ClassVar[int] = 150

    #: the network kinds (``[model] kind``) this rule can train; the first one is built for it
    #: when an experiment does not choose a kind
    network_kinds: ClassVar[tuple[str, ...]] = ("rate",)

    @classmethod
    def example_network(cls, sizes: list[int], rng: np.random.Generator):
        """A network this rule can train, for the conformance kit (a rate network by default)."""
        from ..network import Network

        return Network(sizes, rng)

    def get_params(self) -> dict[str, Any]:
        """The constructor's hyperparameters by name, as stored (scikit-learn style)."""
        sig = inspect.signature(type(self).__init__)
        return {k: getattr(self, k) for k in sig.parameters if k != "self" and hasattr(self, k)}

    @abstractmethod
    def init(self, net, rng: np.random.Generator) -> None:
        """Create the rule-owned state for ``net``; all randomness comes from ``rng``."""

    @abstractmethod
    def step(self, net, x: np.ndarray, y: np.ndarray) -> dict[str, float]:
        """One learning step on the batch x (B, n_in), y (B,) or (B, K); updates net in place.

        Returns at least ``loss`` (the batch loss before the update) and ``flops`` (the step's
        floating-point operations)."""

    def __repr__(self) -> str:
        args = ", ".join(f"{k}={v!r}" for k, v in self.get_params().items())
        return f"{type(self).__name__}({args})"


class CreditAssignmentRule(LearningRule):
    """Shared machinery of rules that learn from per-layer error signals.

    Subclasses implement ``layer_errors`` (and, if they own state such as feedback matrices,
    ``init_state``; if that state learns, ``after_update``). ``compute_gradients`` has no side
    effect on the rule's state, so diagnostics can call it on any batch.
    """

    def __init__(self, optimizer: Optimizer | None = None, loss: str = "cross_entropy") -> None:
        get_loss(loss)  # validate early: one-line error naming the allowed losses
        self.optimizer = optimizer if optimizer is not None else Optimizer()
        self.loss = loss

    # -- hooks for subclasses ---------------------------------------------------------------
    def init_state(self, net, rng: np.random.Generator) -> None:
        """Create rule-specific state (feedback matrices, readouts). Default: nothing."""

    @abstractmethod
    def layer_errors(self, net, trace: Trace, e: np.ndarray) -> Deltas:
        """Per layer l, the error signal delta_l (B, n_out_l) that plays dL/da_l, or None.

        ``e`` (B, n_outputs) is dL/d(output pre-activation) for the batch-mean loss."""

    def after_update(self, net, trace: Trace, deltas: Deltas) -> None:
        """Called after the parameters moved (Kolen-Pollack updates its feedback here)."""

    def propagation_flops(self, net, batch: int) -> int:
        """FLOPs spent carrying errors between layers; default: backprop's, one
        (B, n_out) x (n_out, n_in) product per layer above the first plus the f' product."""
        return int(sum(2 * batch * l.n_in * l.n_out + 2 * batch * l.n_in for l in net.layers[1:]))

    # -- shared machinery ---------------------------------------------------------------------
    def init(self, net, rng: np.random.Generator) -> None:
        self.rng = rng
        self.opt_state: OptimizerState = self.optimizer.init(net.params)
        self.init_state(net, rng)

    def output_error(self, net, x: np.ndarray, y: np.ndarray, train: bool = True):
        """Forward pass and loss: returns (loss, e (B, n_out), trace)."""
        out, trace = net.forward(x, train=train, rng=self.rng if train else None)
        trace.extra["targets"] = y  # for rules whose hidden signals use the labels themselves
        loss, e = get_loss(self.loss)(out, y)
        # the output layer's own derivative (identity for the usual linear readout)
        last = trace.layers[-1]
        if last.activation.name != "linear":
            e = e * last.derivative()
        return loss, e, trace

    def gradients_from_deltas(self, trace: Trace, deltas: Deltas) -> list[np.ndarray | None]:
        """dW_l = x_l^T delta_l (n_in, n_out), db_l = sum over the batch of delta_l (n_out,)."""
        grads: list[np.ndarray | None] = []
        for layer, delta in zip(trace.layers, deltas):
            if delta is None:
                grads += [None, None]
            else:
                grads += [layer.input.T @ delta, delta.sum(axis=0)]
        return grads

    def compute_gradients(self, net, x: np.ndarray, y: np.ndarray, train: bool = True):
        """(loss, grads aligned with net.params, trace, deltas); changes no state but the rng."""
        loss, e, trace = self.output_error(net, x, y, train)
        deltas = self.layer_errors(net, trace, e)
        return loss, self.gradients_from_deltas(trace, deltas), trace, deltas

    def step(self, net, x: np.ndarray, y: np.ndarray) -> dict[str, float]:
        loss, grads, trace, deltas = self.compute_gradients(net, x, y)
        params = net.params
        updates, self.opt_state = self.optimizer.update(grads, self.opt_state, params)
        apply_updates(params, updates)
        self.after_update(net, trace, deltas)
        return {"loss": loss, "flops": float(self.step_flops(net, x.shape[0], deltas))}

    def step_flops(self, net, batch: int, deltas: Deltas) -> int:
        """Forward pass + error propagation + weight gradients of the learning layers."""
        grad = sum(2 * batch * l.n_in * l.n_out + batch * l.n_out
                   for l, d in zip(net.layers, deltas) if d is not None)
        return net.flops(batch) + self.propagation_flops(net, batch) + grad
