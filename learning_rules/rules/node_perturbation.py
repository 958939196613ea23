"""Node perturbation (Williams 1992, "Simple statistical gradient-following algorithms for
connectionist reinforcement learning", Machine Learning 8:229; Fiete & Seung 2006, "Gradient
learning in spiking neural networks by dynamic perturbation of conductances", Phys. Rev. Lett.
97:048104).

Instead of the weights, the nodes are perturbed: the output a_i of every layer with parameters
(each block's pre-activation; a normalisation layer's output too), by sigma xi_i with
xi_i ~ N(0, I) of a_i's shape, all at once and in an antithetic pair. Each sample b is a trial
of its own: its loss l_b is measured with +sigma xi and with -sigma xi, and the estimate of
dL/da_i (L = mean_b l_b) is the loss difference times the perturbation,

    delta_i[b] = 1/n sum_j (l_b(+sigma xi_j) - l_b(-sigma xi_j)) / (2 sigma B) xi_{j,i}[b],

averaged over n = ``n_perturbations`` draws. The layer then learns from its own input, through
its own ``backward_params``: dW_i = x_i^T delta_i, db_i = sum_b delta_i[b] (for a convolution,
summed over positions too). Unbiased to O(sigma^2) like weight perturbation, with a variance
that grows with the number of perturbed units per sample (sum_i n_i) instead of the number of
weights: far fewer in a wide network (Werfel, Xie & Seung 2005).

FLOPs: the unperturbed pass F (its caches feed the updates), then per draw two passes 2F, the
noise 4N and the estimate 2N (N perturbed values), and every layer's ``backward_params``.
"""

from __future__ import annotations

import numpy as np

from ..losses import sample_losses
from ..optimizers import Optimizer
from .forward_only import Estimate, PerturbationRule, node_layers, per_sample
from .plausibility import PlausibilityCard


class NodePerturbation(PerturbationRule):
    """Antithetic perturbation of every pre-activation; each sample's loss change times it."""

    name = "node_perturbation"
    card = PlausibilityCard(
        no_weight_transport=True, local_errors=False, no_update_locking=True, spiking=False,
        no_separate_error_phase=True, single_network=True,
        notes="each unit correlates its own noise with a broadcast scalar (the trial's loss change)",
    )

    def __init__(self, sigma: float = 1e-3, n_perturbations: int = 1, optimizer: Optimizer | None = None,
                 loss: str = "cross_entropy") -> None:
        # SGD with momentum 0.9, lr 0.01 by default: Adam divides each coordinate of the noisy
        # estimate by its own running scale and learnt ~6x slower on digits (3 epochs, 64-64-10)
        super().__init__(sigma=sigma, n_perturbations=n_perturbations, loss=loss,
                         optimizer=Optimizer("momentum", lr=0.01) if optimizer is None else optimizer)

    def estimate(self, net, x, y):
        seed = self.step_seed()
        loss, _, trace = self.traced_pass(net, x, y, seed)
        B = x.shape[0]
        nodes = node_layers(net)
        twin = self.twin(net)
        delta = {i: np.zeros_like(trace.outputs[i]) for i in nodes}            # (B, *out_i)
        for _ in range(self.n_perturbations):
            xi = {i: self.rng.standard_normal(delta[i].shape, dtype=delta[i].dtype) for i in nodes}
            plus = sample_losses(self.loss, self.perturbed_output(twin, x, seed, {i: self.sigma * xi[i] for i in nodes}), y)
            minus = sample_losses(self.loss, self.perturbed_output(twin, x, seed, {i: -self.sigma * xi[i] for i in nodes}), y)
            w = ((plus - minus) / (2.0 * self.sigma * B * self.n_perturbations)).astype(trace.output.dtype)  # (B,)
            for i in nodes:
                delta[i] += per_sample(w, xi[i]) * xi[i]
        grads = [None] * len(net.layers)
        flops = net.flops(B) + self.n_perturbations * (2 * net.flops(B) + 6 * sum(d.size for d in delta.values()))
        for i in nodes:
            grads[i] = net.layers[i].backward_params(trace.layers[i], delta[i])
            flops += net.layers[i].backward_flops(B, inputs=False, params=True)
        return Estimate(loss, grads, flops)
