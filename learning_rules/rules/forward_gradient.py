"""Forward gradients (Baydin, Pearlmutter, Syme, Wood & Torr 2022, "Gradients without
backpropagation", arXiv:2202.08587), weight- and activity-perturbed, optionally with a local
loss per block (Ren, Kornblith, Liao & Hinton 2022, "Scaling forward gradient with local
losses", arXiv:2210.03310).

A random tangent is carried forward beside the forward pass by forward mode: every layer pushes
it through its own ``jvp`` (learning_rules.credit.forward_mode), so the directional derivative
of the loss along the tangent is exact, not a finite difference. The estimate is that
derivative times the tangent:

- ``perturb = "weights"`` (Baydin et al.): a tangent v ~ N(0, I) on every parameter;
  d = grad L . v = sum_b e_b . (dz_b/dtheta) v, and g = d v. E[g] = grad L exactly, and
  E||g - grad L||^2 = (D + 1) ||grad L||^2 for D parameters.
- ``perturb = "activities"`` (Ren et al.): a tangent u_i ~ N(0, I) on the output of every layer
  with parameters (a block's pre-activation), per sample; d_b = sum_i (dl_b/da_i[b]) . u_i[b]
  arrives at sample b's output, and the estimate of dL/da_i is d_b u_i[b], which the layer turns
  into dW_i = x_i^T (d u_i) with its own ``backward_params``. Unbiased too, with a variance that
  grows with the units per sample rather than with the weights.

The default is ``perturb = "activities"``; ``"weights"`` is Baydin et al.'s estimate, whose
variance grows with the number of weights: on digits it stays below the readout_only control at
a short equal budget (docs/reproductions.md).

``n_tangents`` averages that many independent tangents per step. With ``local_losses`` every
hidden block k has a readout R_k (n_k, K), c_k (K,) and its own loss L_k = loss(h_k R_k + c_k, y)
(the readout block keeps the network's loss); a tangent does not cross blocks (Ren et al.'s stop
gradient), so block k's parameters follow the forward gradient of L_k alone, and the readouts
learn from their exact local gradient, dR_k = h_k^T e_k, dc_k = sum_b e_k[b] (Ren et al.'s
local heads; no error crosses a block). Each block's update then waits only for its own forward
pass and its own head, the "local" dependency, though the rule declares the global "forward_only".

FLOPs: the forward pass F; per tangent the forward mode (each layer's ``backward_flops`` for the
products it takes), the heads, and the estimate (2D for weights, 2N plus every ``backward_params``
for activities); the local readouts' scores and gradients.
"""

from __future__ import annotations

import math

import numpy as np

from ..credit.forward_mode import push_tangents, sample_directional_derivatives
from ..hyperparameters import Boolean, Integer, Options
from ..initializers import init_weight
from ..losses import get_loss
from ..optimizers import Optimizer
from ..params import leaves
from .forward_only import Estimate, ForwardOnlyRule, node_layers, per_sample
from .gradient import optimizer_step
from .plausibility import PlausibilityCard

PERTURB = ("weights", "activities")


class ForwardGradient(ForwardOnlyRule):
    """The directional derivative along a random tangent, by forward mode, times the tangent."""

    name = "forward_gradient"
    card = PlausibilityCard(
        no_weight_transport=True, local_errors=False, no_update_locking=True, spiking=False,
        no_separate_error_phase=True, single_network=True,
        notes="tangents ride along the forward pass; a broadcast directional derivative "
              "(per block with local_losses)",
    )
    conformance_steps = 300  # weight tangents: one direction among ~400 parameters a step

    hyperparameters = {"perturb": Options(*PERTURB), "local_losses": Boolean(), "n_tangents": Integer(1)}

    def __init__(self, perturb: str = "activities", local_losses: bool = False, n_tangents: int = 1,
                 optimizer: Optimizer | None = None, loss: str = "cross_entropy") -> None:
        # defaults that learn: activity tangents (Ren et al.'s lower-variance estimate) and SGD
        # with momentum 0.9, lr 0.01 (Adam scales each coordinate of a one-tangent estimate to
        # ~lr, a random walk): digits, 64-64-10, 3 epochs: 92%, where weight tangents with Adam
        # stayed at chance
        super().__init__(optimizer=Optimizer("momentum", lr=0.01) if optimizer is None else optimizer,
                         loss=loss, perturb=perturb, local_losses=local_losses, n_tangents=n_tangents)

    def init_state(self, net, rng: np.random.Generator) -> None:
        hidden = range(net.depth - 1) if self.local_losses else range(0)
        K = net.n_outputs
        # random, not zero, at the start: a zero readout would give its block no derivative at all
        self.readouts = [{"W": init_weight("xavier", rng, math.prod(net.block_output_shape(k)), K, net.dtype),
                          "b": np.zeros(K, dtype=net.dtype)} for k in hidden]
        self.readout_opt_state = self.optimizer.init(leaves(self.readouts))

    # -- the estimate ---------------------------------------------------------------------------
    def segments(self, net, trace, e, y):
        """(start, stop, head, error, loss) per part a tangent crosses: the whole network, or with
        local losses every block, a hidden block's head being its readout (n_k, K)."""
        if not self.local_losses:
            return [(0, len(net.layers), None, e, None)]
        out = []
        for k, block in enumerate(net.blocks):
            if k == net.depth - 1:
                out.append((block.start, block.stop, None, e, None))
                continue
            h = net.block_output(trace, k).reshape(e.shape[0], -1)
            R = self.readouts[k]
            loss_k, e_k = get_loss(self.loss)(h @ R["W"] + R["b"], y)           # e_k (B, K)
            out.append((block.start, block.stop, R["W"], e_k, loss_k))
        return out

    def estimate(self, net, x, y):
        seed = self.step_seed()
        loss, e, trace = self.traced_pass(net, x, y, seed)
        B, n = x.shape[0], self.n_tangents
        segments = self.segments(net, trace, e, y)
        nodes = node_layers(net)
        weights = self.perturb == "weights"
        # the running estimate per perturbed layer: of its parameters, or of dL/d(its output)
        acc = {i: ({name: np.zeros_like(p) for name, p in net.layers[i].params.items()} if weights
                   else np.zeros_like(trace.outputs[i])) for i in nodes}
        # the heads' scores, loss gradients and own exact gradients
        flops = net.flops(B) + sum(4 * B * R.size + 5 * B * R.shape[1] for _, _, R, _, _ in segments if R is not None)
        for _ in range(n):
            tangent = {i: ({name: self.rng.standard_normal(p.shape, dtype=p.dtype) for name, p in acc[i].items()}
                           if weights else self.rng.standard_normal(acc[i].shape, dtype=acc[i].dtype)) for i in nodes}
            along = ({"param_tangents": [tangent.get(i) for i in range(len(net.layers))]} if weights
                     else {"node_tangents": tangent})
            for start, stop, head, error, _ in segments:
                t, f = push_tangents(net, trace, start, stop, **along)
                if head is not None:
                    t = t.reshape(B, -1) @ head                                  # (B, K)
                    f += 2 * B * head.size
                d = sample_directional_derivatives(error, t) / error.dtype.type(n)  # (B,)
                flops += f + 2 * error.size
                for i in (i for i in nodes if start <= i < stop):
                    if weights:
                        for name, g in acc[i].items():
                            g += d.sum() * tangent[i][name]
                    else:
                        acc[i] += per_sample(d, tangent[i]) * tangent[i]
                    flops += 2 * sum(a.size for a in (acc[i].values() if weights else [acc[i]]))
        grads: list = [None] * len(net.layers)
        for i in nodes:
            if weights:
                grads[i] = acc[i]
            else:
                grads[i] = net.layers[i].backward_params(trace.layers[i], acc[i])
                flops += net.layers[i].backward_flops(B, inputs=False, params=True)
        local = {k: (loss_k, error) for k, (_, _, R, error, loss_k) in enumerate(segments) if R is not None}
        info = {f"local_loss/{k}": float(loss_k) for k, (loss_k, _) in local.items()}
        return Estimate(loss, grads, flops, info, {"local_errors": {k: er for k, (_, er) in local.items()},
                                                   "trace": trace})

    def after_update(self, net, estimate: Estimate) -> None:
        """Local readouts follow their exact gradient: dR_k = h_k^T e_k, dc_k = sum_b e_k[b]."""
        errors = estimate.records["local_errors"]
        if not errors:
            return
        trace = estimate.records["trace"]
        grads = []
        for k, e_k in sorted(errors.items()):
            h = net.block_output(trace, k).reshape(e_k.shape[0], -1)
            grads.append({"W": h.T @ e_k, "b": e_k.sum(axis=0)})                # (n_k, K), (K,)
        optimizer_step(self.optimizer, self.readout_opt_state, self.readouts, grads)
