"""Difference target propagation (Lee, Zhang, Fischer & Bengio 2015, "Difference target
propagation"), with the inverses trained by the layer-wise reconstruction loss of that paper or
by the difference reconstruction loss of Meulemans, Carzaniga, Suykens, Sacramento & Grewe 2020
("A theoretical framework for target propagation").

Each block k = 0 .. L-1 computes h_k = f_k(h_{k-1}) (h_{-1} = x). Every block k >= 1 owns a
learned inverse, a dense layer and the activation of the block below,

    g_k(h_k) = rho_{k-1}(h_k V_k + c_k)           V_k (n_k, n_{k-1}), c_k (n_{k-1},)

Targets come from the output down, each through one inverse and a difference correction that
makes them exact where g_k would reconstruct h_{k-1} exactly from h_k:

    hat h_{L-1} = h_{L-1} - eta dl/dh_{L-1}                  (per sample; eta = ``target_step``)
    hat h_{k-1} = h_{k-1} + g_k(hat h_k) - g_k(h_k)

and each block learns from its own local loss 1/2 ||h_k - hat h_k||^2 with its input held fixed:
block k's local backward of (h_k - hat h_k) / eta at its output, averaged over the batch (the
readout's is its exact loss gradient). No error crosses a block: targets do.

With exact inverses the target differences are, to first order in eta, the Gauss-Newton
direction, hat h_k - h_k = -eta J_k^{-1} dl/dh_{L-1} with J_k = dh_{L-1}/dh_k (Meulemans et al.
2020; tested on an invertible network in tests/learning_rules/test_target_propagation.py). The
update is therefore not backprop's; its angle to backprop's is the diagnostic ``update_angle``.

The inverses learn by their own losses, in ``step`` before the targets are sent, for
``feedback_iterations`` rounds of corrupted activity h~_{k-1} = h_{k-1} + sigma xi (sigma =
``noise``, xi ~ N(0, 1) from the rule's generator), each round one optimizer step (the rule's
optimizer, with the inverses' own state):

- ``reconstruction = "dtp"`` (Lee et al.): 1/2 ||g_k(f_k(h~_{k-1})) - h~_{k-1}||^2, layer by layer;
- ``reconstruction = "drl"`` (Meulemans et al., the difference reconstruction loss without its
  regulariser): h~_{k-1} is carried up to the output, its output sent back down as a target by
  the inverses above (the difference rule) to a target t_k, and
  1/sigma^2 1/2 ||h_{k-1} + g_k(t_k) - g_k(h_k) - h~_{k-1}||^2, which trains g_k to invert the
  whole path above, not block k alone.

Where defined: fully connected blocks, a dense layer and one activation each (the setting of both
papers); a convolution's inverse would need a transposed convolution learned as its own layer,
which the lab does not have, so other layers are refused at init with a one-line error and the
conformance kit checks this rule on its dense network only. Cost: the forward pass, 2 (L - 1)
inverse passes for the targets, the local gradients, and per feedback round a corrupted forward
pass and inverse passes (layer-wise: 1 block up and 1 inverse each; drl: up to the output and back).
"""

from __future__ import annotations

import math

import numpy as np

from ..credit.chain import Sweep
from ..credit.relax import block_gradients, forward_block, forward_block_flops, trace_caches
from ..hyperparameters import Integer, Options, Real
from ..layers import Activation, Dense
from ..params import leaves
from ..optimizers import Optimizer
from .credit_assignment import CreditAssignmentRule
from .gradient import optimizer_step
from .plausibility import PlausibilityCard


class TargetPropagation(CreditAssignmentRule):
    """Send targets down through learned inverses; every block learns to hit its own target."""

    name = "target_propagation"
    update_dependency = "backward_chain"
    requires = ("backward", "chain")
    card = PlausibilityCard(
        no_weight_transport=True,
        local_errors=True,
        no_update_locking=False,
        spiking=False,
        no_separate_error_phase=False,
        single_network=True,
        notes="learned inverses carry targets down (a backward phase); layer-local losses",
    )
    hyperparameters = {
        "target_step": Real(0.0, None, low_open=True),
        "noise": Real(0.0, None, low_open=True),
        "feedback_iterations": Integer(0, None),
        "reconstruction": Options("dtp", "drl"),
    }

    def __init__(self, target_step: float = 0.1, noise: float = 0.1, feedback_iterations: int = 1,
                 reconstruction: str = "drl", optimizer: Optimizer | None = None, loss: str = "cross_entropy") -> None:
        super().__init__(target_step=target_step, noise=noise, feedback_iterations=feedback_iterations,
                         reconstruction=reconstruction, optimizer=optimizer, loss=loss)

    @classmethod
    def example_networks(cls, n_features: int, n_classes: int, rng_seed: int):
        """Dense only: the learned inverses are dense maps (see the module docstring)."""
        return {"dense": super().example_networks(n_features, n_classes, rng_seed)["dense"]}

    def check_network(self, net) -> None:
        super().check_network(net)
        for k in range(net.depth):
            block = net.blocks[k]
            kinds = [layer.kind for layer in net.layers[block.start:block.stop]]
            if kinds[0] != "dense" or kinds[1:] not in ([], ["activation"]) or (k < net.depth - 1 and len(kinds) != 2):
                i = next((i for i in range(block.start, block.stop) if net.layers[i].kind not in ("dense", "activation")),
                         block.stop - 1)
                raise ValueError(f"{self.name}: not defined for layer {i} ({net.layers[i].describe()}); its learned "
                                 "inverses need fully connected blocks of a dense layer and one activation")

    # -- state: the inverses ----------------------------------------------------------------
    def init_state(self, net, rng: np.random.Generator) -> None:
        self.inverses = []                                  # block k >= 1: [Dense (n_k -> n_{k-1}), Activation]
        for k in range(1, net.depth):
            n_below, n_k = net.sizes[k], net.sizes[k + 1]
            act = net.layers[net.blocks[k - 1].start + 1].name
            self.inverses.append([Dense(n_k, n_below, rng, dtype=net.dtype), Activation(act, (n_below,))])
        self.inverse_opt_state = self.optimizer.init(leaves(self.inverse_params))

    @property
    def inverse_params(self) -> list[dict[str, np.ndarray]]:
        return [layer.params for pair in self.inverses for layer in pair]

    def inverse(self, net, k: int, h: np.ndarray) -> tuple[np.ndarray, list]:
        """g_k(h): h (B, n_k) -> (B, n_{k-1}), and the caches for ``inverse_gradients``."""
        caches = []
        for layer in self.inverses[k - 1]:
            h, cache = layer.forward(h)
            caches.append(cache)
        return h, caches

    def inverse_flops(self, k: int, batch: int) -> int:
        return int(sum(layer.flops(batch) for layer in self.inverses[k - 1]))

    def inverse_gradients(self, k: int, caches: list, delta: np.ndarray) -> dict[str, np.ndarray]:
        """d(loss)/d(V_k, c_k) for ``delta`` = d(loss)/d g_k(h) at the cached pass."""
        dense, act = self.inverses[k - 1]
        return dense.backward_params(caches[0], act.backward_input(caches[1], delta))

    def inner_steps(self, depth: int) -> int:
        """Training rounds of the inverses before the targets: 2 layer operations each
        (layer-wise), or 2 (L - 1) (drl: up to the output and back)."""
        per_round = 2 if self.reconstruction == "dtp" else 2 * (depth - 1)
        return self.feedback_iterations * per_round if depth > 1 else 0

    # -- targets ----------------------------------------------------------------------------
    def targets(self, net, h: list[np.ndarray], top: np.ndarray, low: int = 0) -> tuple[list, int]:
        """Targets for blocks L-1 .. low from the target ``top`` of block L-1 (the difference
        rule); returns (targets by block, None below ``low``; FLOPs)."""
        L, B = net.depth, top.shape[0]
        out: list = [None] * L
        out[L - 1], flops = top, 0
        for k in range(L - 1, low, -1):
            g_t, _ = self.inverse(net, k, out[k])
            g_h, _ = self.inverse(net, k, h[k])
            out[k - 1] = h[k - 1] + g_t - g_h
            flops += 2 * self.inverse_flops(k, B) + 2 * out[k - 1].size
        return out, flops

    def gradients_from(self, net, trace, e: np.ndarray):
        """The grads and Sweep for the traced pass with output error e (B, K)."""
        L, B = net.depth, e.shape[0]
        h = [net.block_output(trace, k) for k in range(L)]
        scale = self.target_step * B
        targets, flops = self.targets(net, h, h[L - 1] - scale * e)
        grads = [None] * len(net.layers)
        deltas = [e] * L
        for k in range(L - 1):
            deltas[k] = (h[k] - targets[k]) / scale            # local loss gradient, on the loss's scale
            flops += 2 * h[k].size
        for k in range(L):
            flops += block_gradients(net, k, trace_caches(net, trace, k), deltas[k], grads)
        trace.extra["target_norms"] = [float(np.linalg.norm(t - hk) / math.sqrt(B)) for t, hk in zip(targets, h)]
        return grads, Sweep(grads, deltas, flops)

    def compute_gradients(self, net, x: np.ndarray, y: np.ndarray, train: bool = True):
        loss, e, trace = self.output_error(net, x, y, train)
        grads, sweep = self.gradients_from(net, trace, e)
        return loss, grads, trace, sweep

    # -- the inverses' own learning ---------------------------------------------------------
    def train_inverses(self, net, h: list[np.ndarray]) -> tuple[float, int]:
        """One round of every inverse's reconstruction loss (fresh noise from the rule's
        generator) and its optimizer step; returns (mean reconstruction loss, FLOPs)."""
        noise = [self.noise * self.rng.standard_normal(hk.shape).astype(hk.dtype) for hk in h[:-1]]
        losses, grads, flops = self.reconstruction_gradients(net, h, noise)
        optimizer_step(self.optimizer, self.inverse_opt_state, self.inverse_params,
                       [g for pair in grads for g in (pair, {})])
        return float(np.mean(losses)) if losses else 0.0, flops

    def reconstruction_gradients(self, net, h: list[np.ndarray], noise: list[np.ndarray]):
        """Per inverse k = 1 .. L-1, its reconstruction loss and gradient {"W", "b"} for the
        corruption h~_{k-1} = h_{k-1} + noise[k-1]; returns (losses, grads, FLOPs)."""
        L, B = net.depth, h[0].shape[0]
        grads, losses, flops = [], [], 0
        sigma2 = self.noise ** 2 if self.reconstruction == "drl" else 1.0
        for k in range(1, L):
            noisy = h[k - 1] + noise[k - 1]
            up, _ = forward_block(net, k, noisy)
            flops += forward_block_flops(net, k, B)
            if self.reconstruction == "dtp":
                rec, caches = self.inverse(net, k, up)
                g = self.inverse_gradients(k, caches, (rec - noisy) / B)
                flops += self.inverse_flops(k, B)
            else:
                for j in range(k + 1, L):                        # the corrupted activity, up to the output
                    up, _ = forward_block(net, j, up)
                    flops += forward_block_flops(net, j, B)
                t, f = self.targets(net, h, up, low=k)           # ... and back down to block k
                g_t, caches_t = self.inverse(net, k, t[k])
                g_h, caches_h = self.inverse(net, k, h[k])
                rec = h[k - 1] + g_t - g_h
                delta = (rec - noisy) / (sigma2 * B)
                g_at_t, g_at_h = self.inverse_gradients(k, caches_t, delta), self.inverse_gradients(k, caches_h, delta)
                g = {name: g_at_t[name] - g_at_h[name] for name in g_at_t}
                flops += f + 2 * self.inverse_flops(k, B)
            losses.append(0.5 * float(np.sum((rec - noisy) ** 2)) / (sigma2 * B))
            flops += 4 * rec.size + sum(2 * v.size for v in g.values())
            grads.append(g)
        return losses, grads, flops

    def step(self, net, x: np.ndarray, y: np.ndarray) -> dict[str, float]:
        loss, e, trace = self.output_error(net, x, y)
        h = [net.block_output(trace, k) for k in range(net.depth)]
        reconstruction, flops = 0.0, 0
        for _ in range(self.feedback_iterations if net.depth > 1 else 0):
            reconstruction, f = self.train_inverses(net, h)
            flops += f
        grads, sweep = self.gradients_from(net, trace, e)
        self.apply_gradients(net, grads)
        info = {"loss": loss, "flops": float(self.step_flops(net, x.shape[0], sweep) + flops),
                "reconstruction_loss": reconstruction}
        info.update({f"target_norm/{k}": v for k, v in enumerate(trace.extra["target_norms"][:-1])})
        return info
