"""Predictive coding (Whittington & Bogacz 2017, "An approximation of the error backpropagation
algorithm in a predictive coding network with local Hebbian synaptic plasticity"), and its
fixed-prediction variant (Millidge, Tschantz & Buckley 2020, "Predictive coding approximates
backprop along arbitrary computation graphs"; Song, Lukasiewicz, Xu & Bogacz 2020, "Can the brain
do backpropagation? Exact implementation of backpropagation in predictive coding networks"),
which reproduces backprop exactly.

Errors are neurons. Every hidden block k = 0 .. L-2 has value nodes x_k (B, *block_output_shape(k))
and predicts them from the block below, mu_k = f_k(x_{k-1}) (block k's own layers; x_{-1} is the
input, clamped); the readout's prediction mu_{L-1} = f_{L-1}(x_{L-2}) is the network's output.
Per sample the free energy is

    F = sum_{k < L-1} 1/2 ||eps_k||^2 + pi loss(mu_{L-1}, y),      eps_k = x_k - mu_k,

(for the mse loss the top term is Whittington & Bogacz's clamped output node, and pi,
``output_precision``, is their 1 / Sigma of the output layer). Inference starts
at the feedforward pass (x_k = mu_k, so only the top error is non-zero) and descends F in the
value nodes for ``iterations`` steps of size ``step_size`` (gamma), all blocks at once:

    x_k <- x_k + gamma (-eps_k + J_{k+1}^T eps_{k+1}),    eps_{L-1} := -pi dloss/dmu_{L-1},

with J_{k+1}^T the vector-Jacobian product of block k+1 (its layers' own backward). Then every
block learns from its own error only (local and Hebbian in the dense case,
dW_k = -x_{k-1}^T (eps_k * f'(a_k))):

    dtheta_k = (1 / pi) dF/dtheta_k: block k's local backward of -eps_k / pi at its output
                                     (the readout's: of dloss/dmu_{L-1}),

averaged over the batch, so the update is on the loss's scale whatever pi.

The precision decides how far inference moves the hidden activity. With pi = 1 on MNIST-1D the
value nodes absorb much of the output error (the relaxed output fits the label better than the
feedforward one), the readout learns from that relaxed activity and grows, and the rule stalls
(36% test accuracy after 10 epochs of the quickstart protocol, where backprop has 59%); with a
weak output term (pi -> 0) the equilibrium errors tend to pi times backprop's, so the update
tends to backprop's (Whittington & Bogacz 2017; Millidge, Song, Salvatori, Lukasiewicz & Bogacz
2022, "Backpropagation at the infinitesimal inference limit of energy-based models"). The
default pi = 0.1 sits between (docs/settling.md).

``variant = "standard"`` recomputes every prediction mu_k (and J) from the current x at each step.
A plain gradient step on F can overshoot there (F's curvature grows with the Jacobians and pi:
at gamma = 1 on a five-layer tanh net the value nodes oscillated, residual 8.6 after 400 steps),
so each step is backtracked per sample: a sample whose F the step would raise (or make
non-finite) keeps its state and halves its own gamma_b. F never rises, inference cannot diverge
at any allowed step size, and a step that is too large costs a few halvings and one more forward
pass (the step's ``inference_step`` logs the smallest gamma_b reached).
``variant = "fixed_prediction"`` holds predictions and Jacobians at their feedforward values, so
eps_k <- (1 - gamma) eps_k + gamma J_{k+1}^T eps_{k+1}, a contraction for every gamma in (0, 1]
(a triangular system with eigenvalues 1 - gamma: it cannot diverge): its fixed point is backprop's error,
eps_k = -pi dl/dh_k per sample (so the update is backprop's: relative error below 1e-14 in
float64, tested), and with gamma = 1 it is reached exactly after L - 1 steps. With fewer steps
the lowest blocks have not heard of the error yet and do not learn.

Where defined: any stack of layers with a backward, dense or convolutional. The standard variant
recomputes predictions at every step, so it refuses dropout (a new mask each step would change
the model being inferred) and batch norm (batch statistics and running averages would move with
every step); the fixed-prediction variant runs wherever backprop does. Cost per step: the
forward pass, ``iterations`` x (the blocks' vector-Jacobian products, plus for the standard
variant a forward pass of blocks 1 .. L-1), then one local gradient per block; the critical path
grows by 2 layer operations per step of inference (1 for fixed predictions; see
learning_rules.critical_path).
"""

from __future__ import annotations

import numpy as np

from ..credit.chain import Sweep
from ..credit.relax import (block_gradients, block_input_error, forward_block, forward_block_flops, largest_move,
                            refuse_layers, trace_caches)
from ..hyperparameters import Integer, Options, Real
from ..losses import get_loss, sample_losses
from ..optimizers import Optimizer
from .credit_assignment import CreditAssignmentRule
from .forward_only import per_sample
from .plausibility import PlausibilityCard

#: layers the standard variant cannot re-run at every inference step (see the module docstring)
_NOT_RERUNNABLE = ("dropout", "batchnorm")


class PredictiveCoding(CreditAssignmentRule):
    """Relax value nodes to lower the prediction errors, then learn each block from its own error."""

    name = "predictive_coding"
    update_dependency = "relaxation"
    requires = ("backward", "chain")
    conformance_steps = 40  # each step settles 20+ iterations; the loss falls below 0.45x of its start by 30
    card = PlausibilityCard(
        no_weight_transport=False,
        local_errors=True,
        no_update_locking=False,
        spiking=False,
        no_separate_error_phase=True,
        single_network=True,
        notes="errors are neurons relaxed by inference; feedback J^T uses the forward weights",
    )
    hyperparameters = {
        "iterations": Integer(0, None),
        "step_size": Real(0.0, 1.0, low_open=True),
        "variant": Options("standard", "fixed_prediction"),
        "output_precision": Real(0.0, None, low_open=True),
    }

    def __init__(self, iterations: int = 20, step_size: float = 0.1, variant: str = "standard",
                 output_precision: float = 0.1, optimizer: Optimizer | None = None,
                 loss: str = "cross_entropy") -> None:
        super().__init__(iterations=iterations, step_size=step_size, variant=variant,
                         output_precision=output_precision, optimizer=optimizer, loss=loss)

    def check_network(self, net) -> None:
        super().check_network(net)
        if self.variant == "standard":
            refuse_layers(self.name, net, lambda layer: layer.kind not in _NOT_RERUNNABLE,
                          "the standard variant re-runs every prediction at each inference step "
                          "(variant = \"fixed_prediction\" runs it)")

    def inner_steps(self, depth: int) -> int:
        """Sequential layer operations of inference: a prediction and an error exchange per step
        (the error exchange alone with fixed predictions)."""
        return self.iterations * (1 if self.variant == "fixed_prediction" else 2)

    # -- inference --------------------------------------------------------------------------
    def compute_gradients(self, net, x: np.ndarray, y: np.ndarray, train: bool = True):
        loss, e, trace = self.output_error(net, x, y, train)
        L, B = net.depth, x.shape[0]
        caches = [trace_caches(net, trace, k) for k in range(L)]
        mu = [net.block_output(trace, k) for k in range(L)]      # predictions, (B, *shape of block k)
        values = [m.copy() for m in mu[:-1]]                      # value nodes x_k, hidden blocks
        e_top, residual = e, 0.0                                  # dloss/dmu_top (mean over the batch)
        fixed = self.variant == "fixed_prediction"
        # the standard variant's per-sample step, halved where a step would raise F (backtracking)
        gamma = np.full(B, self.step_size, dtype=mu[-1].dtype)   # (B,)
        energy = None if fixed else self.free_energy(values, mu, y)  # (B,)
        flops = 0
        for _ in range(self.iterations):
            errors = [v - m for v, m in zip(values, mu[:-1])] + [-(B * self.output_precision) * e_top]
            moves = []                                            # -dF/dx_k, every block at once
            for k in range(L - 1):
                feedback, f = block_input_error(net, k + 1, caches[k + 1], errors[k + 1])
                moves.append(feedback - errors[k])
                flops += f + 2 * feedback.size
            if fixed:  # a linear contraction for any gamma in (0, 1]: it cannot diverge
                steps = [self.step_size * d for d in moves]
                values = [v + d for v, d in zip(values, steps)]
                flops += 2 * sum(d.size for d in moves)
            else:
                steps, values, mu, caches, e_top, energy, gamma, f = self.backtracked_step(
                    net, values, moves, mu, caches, e_top, energy, gamma, y)
                flops += f
            residual = max((largest_move(d) for d in steps), default=0.0)  # the largest move of this step
        errors = [v - m for v, m in zip(values, mu[:-1])]
        grads = [None] * len(net.layers)
        deltas = [None] * L
        for k in range(L):
            error = e_top if k == L - 1 else -errors[k] / (B * self.output_precision)   # dF/dmu_k / pi
            flops += block_gradients(net, k, caches[k], error, grads) + error.size
            deltas[k] = error
        trace.extra["inference_residual"] = residual
        trace.extra["inference_step"] = float(gamma.min())
        return loss, grads, trace, Sweep(grads, deltas, flops)

    def free_energy(self, values: list, mu: list, y: np.ndarray) -> np.ndarray:
        """Each sample's F (B,): sum_k 1/2 ||x_k - mu_k||^2 + pi loss(mu_top, y)."""
        F = self.output_precision * sample_losses(self.loss, mu[-1], y)
        for v, m in zip(values, mu[:-1]):
            F = F + 0.5 * ((v - m) ** 2).reshape(v.shape[0], -1).sum(axis=1)
        return F

    def predict_from(self, net, values: list, mu: list, caches: list, y: np.ndarray):
        """Predictions mu_1.. (and their caches) recomputed from the value nodes; the top error."""
        mu, caches = list(mu), list(caches)
        flops = 0
        for k in range(1, net.depth):
            mu[k], caches[k] = forward_block(net, k, values[k - 1])
            flops += forward_block_flops(net, k, values[k - 1].shape[0])
        _, e_top = get_loss(self.loss)(mu[-1], y)
        return mu, caches, e_top, flops + 3 * e_top.size

    def backtracked_step(self, net, values, moves, mu, caches, e_top, energy, gamma, y):
        """One step of the standard variant's inference, x_k + gamma_b (-dF/dx_k) per sample b,
        kept only where it does not raise that sample's F; elsewhere the sample stays and its
        gamma_b halves. So F never rises and the relaxation cannot diverge at any allowed step
        size (a too-large step costs only halvings). Returns the moves taken, the new state and
        FLOPs (a second forward pass when some sample refused its step)."""
        B = values[0].shape[0] if values else 1
        steps = [per_sample(gamma, d) * d for d in moves]
        proposed = [v + d for v, d in zip(values, steps)]
        new_mu, new_caches, new_e, flops = self.predict_from(net, proposed, mu, caches, y)
        new_energy = self.free_energy(proposed, new_mu, y)
        flops += 2 * sum(d.size for d in moves) + 3 * sum(v.size for v in proposed) + 2 * B
        # rounding: at a settled state F moves by a few ulps either way, no reason to halve
        slack = 8 * np.finfo(energy.dtype).eps * np.maximum(np.abs(energy), 1.0)
        keep = np.isfinite(new_energy) & (new_energy <= energy + slack)  # (B,)
        if keep.all():
            return steps, proposed, new_mu, new_caches, new_e, new_energy, gamma, flops
        gamma = np.where(keep, gamma, gamma * gamma.dtype.type(0.5))
        steps = [np.where(per_sample(keep, d), d, 0).astype(d.dtype, copy=False) for d in steps]
        values = [v + d for v, d in zip(values, steps)]
        mu, caches, e_top, f = self.predict_from(net, values, mu, caches, y)  # the kept state's
        return steps, values, mu, caches, e_top, np.where(keep, new_energy, energy), gamma, flops + f

    def step_info(self, trace) -> dict[str, float]:
        return {"inference_residual": float(trace.extra.get("inference_residual", 0.0)),
                "inference_step": float(trace.extra.get("inference_step", self.step_size))}
