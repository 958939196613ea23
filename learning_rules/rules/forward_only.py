"""The shared base of the rules that learn from forward passes alone, with no backward sweep:
weight and node perturbation, forward gradients and PEPITA.

A subclass implements ``estimate(net, x, y) -> Estimate``: the batch loss of the network as it
is, a gradient estimate for every layer with parameters (one dict or None per layer, as
``net.params``), the step's FLOPs and any extra floats to report. ``step`` hands the estimate to
the shared optimizer step (``GradientRule.apply_gradients``), so the optimizer never depends on
the estimator.

Conventions every subclass keeps:

- All passes of one step see the same dropout masks (common random numbers: a loss difference
  must measure the perturbation, not a change of mask): each pass draws from
  ``np.random.default_rng(seed)`` with the step's ``seed``, drawn once from the rule's rng.
- Perturbed and modulated passes run on the rule's twin of the network (``twin(net)``: a copy
  made in ``init``, its parameters refreshed from the network's): the network's own parameters
  are never written and restored (no rounding drift), and a batch norm's running statistics
  move once per step, with the unperturbed pass.
- The perturbed *nodes* of the activity methods are the outputs of the layers with parameters
  (``node_layers``): every weight layer's output, a block's pre-activation, and every
  normalisation layer's. Their estimated dL/d(out_i) reaches the parameters through the layer's
  own ``backward_params``, as in the backward sweep, so dense and convolutional layers train alike.
- Estimates are per sample where the samples are independent: a perturbation of sample b's
  activities is credited with sample b's own change of loss. That is exact unless the layers
  couple samples (batch norm in training): then it keeps only each sample's own path.
"""

from __future__ import annotations

import copy
from abc import abstractmethod
from dataclasses import dataclass, field

import numpy as np

from ..hyperparameters import Integer, Real
from ..losses import get_loss
from ..optimizers import Optimizer
from ..params import GradTree, leaves
from .gradient import GradientRule


@dataclass
class Estimate:
    """One step's estimate: the batch loss before the update, the gradient estimate per layer
    (None where a layer has none), its FLOPs, floats to report and records for ``after_update``."""

    loss: float
    grads: GradTree
    flops: int
    info: dict[str, float] = field(default_factory=dict)
    records: dict = field(default_factory=dict)


def node_layers(net) -> list[int]:
    """Indices of the layers whose outputs the activity methods perturb: those with parameters."""
    return net.parameter_layers


def per_sample(weights: np.ndarray, like: np.ndarray) -> np.ndarray:
    """weights (B,) shaped to broadcast over ``like`` (B, ...)."""
    return weights.reshape(weights.shape[0], *([1] * (like.ndim - 1)))


class ForwardOnlyRule(GradientRule):
    """A rule whose gradient estimate comes from forward passes (and forward mode) alone."""

    update_dependency = "forward_only"
    #: a layered network: estimates reach each parameter through its layer's own local formulas
    requires = ("backward", "chain")

    def init(self, net, rng: np.random.Generator) -> None:
        super().init(net, rng)
        self._twin = net.copy()  # scratch network for the perturbed passes (allocated once)

    def twin(self, net, refresh: bool = True):
        """The scratch copy of ``net``, with ``net``'s current parameters when ``refresh``."""
        if refresh:
            for mine, theirs in zip(leaves(self._twin.params), leaves(net.params)):
                np.copyto(mine, theirs)
        return self._twin

    @abstractmethod
    def estimate(self, net, x: np.ndarray, y: np.ndarray) -> Estimate:
        """The step's gradient estimate on the batch x (B, D), y (B,); changes no parameter."""

    def after_update(self, net, estimate: Estimate) -> None:
        """Called after the parameters moved (forward gradients' local readouts learn here)."""

    def step(self, net, x: np.ndarray, y: np.ndarray) -> dict[str, float]:
        est = self.estimate(net, x, y)
        self.apply_gradients(net, est.grads)
        self.after_update(net, est)
        return {"loss": float(est.loss), "flops": float(est.flops), **est.info}

    # -- helpers for subclasses -------------------------------------------------------------
    def step_seed(self) -> int:
        """The seed every pass of this step draws its dropout masks from."""
        return int(self.rng.integers(2**63))

    def traced_pass(self, net, x: np.ndarray, y: np.ndarray, seed: int):
        """The unperturbed training pass: (loss, e = dL/d output (B, K), trace)."""
        out, trace = net.forward(x, train=True, rng=np.random.default_rng(seed))
        loss, e = get_loss(self.loss)(out, y)
        return loss, e, trace

    @staticmethod
    def perturbed_output(twin, x: np.ndarray, seed: int, noise: dict[int, np.ndarray]) -> np.ndarray:
        """The output (B, K) of a training pass of ``twin`` (the scratch copy) with
        noise[i] added to layer i's output."""
        rng = np.random.default_rng(seed)
        h = twin.shaped_inputs(x)
        for i, layer in enumerate(twin.layers):
            h = layer.forward(h, True, rng)[0]
            if i in noise:
                h = h + noise[i]
        return h

    def layer_diagnostics(self, net, x: np.ndarray, y: np.ndarray) -> dict[str, float]:
        """``update_angle/k``: the angle between one estimate's dW_k and backprop's gradient on
        the probe batch, for every hidden block (computed on copies: no state changes)."""
        from ..diagnostics.alignment import angle_degrees, true_gradients

        grads = copy.deepcopy(self).estimate(net.copy(), x, y).grads
        truth = true_gradients(net, x, y, self.loss)
        return {f"update_angle/{k}": angle_degrees(grads[i]["W"], truth[i]["W"])
                for k, i in enumerate(net.weight_layers[:-1]) if grads[i] is not None}


class PerturbationRule(ForwardOnlyRule):
    """Antithetic perturbations of size ``sigma``, ``n_perturbations`` of them a step."""

    hyperparameters = {"sigma": Real(0, None, low_open=True), "n_perturbations": Integer(1)}

    def __init__(self, sigma: float = 1e-3, n_perturbations: int = 1, optimizer: Optimizer | None = None,
                 loss: str = "cross_entropy") -> None:
        super().__init__(optimizer=optimizer, loss=loss, sigma=sigma, n_perturbations=n_perturbations)
