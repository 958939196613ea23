"""Shared machinery of the local-classifier rules: each hidden block learns from its own readout.

Hidden block k (output h_k, flattened to (B, n_k)) owns a readout R_k (n_k, K) and bias c_k (K,).
Its local class scores z_k = h_k R_k + c_k are scored by the rule's loss against the labels,
giving the local output error e_k = dL_k/dz_k (B, K), and the error at the block's output is

    dL_k/dh_k = e_k R_k^T           (B, n_k), carried down to W_k by the block's own layers
    delta_L = e                     the network's own output error, for the readout

so no error crosses a block: block k needs only its activity, its readout and the label.
Subclasses decide how readouts are made (``make_readouts``) and whether they learn
(``trainable_readouts``). The local losses and errors are written into the step's trace
(``trace.extra``), never into the rule, so ``compute_gradients`` stays free of side effects;
a trainable readout is moved in ``after_update`` from those recorded errors.
"""

from __future__ import annotations

import math
from typing import ClassVar

import numpy as np

from ..losses import get_loss
from ..params import leaves
from ..seed_axis import stacked_loss
from ..trace import Trace
from .credit_assignment import CreditAssignmentRule
from .gradient import optimizer_step


class LocalReadoutRule(CreditAssignmentRule):
    """Credit assignment where every hidden block is trained by the loss of its own readout."""

    update_dependency = "local"
    chained = False
    #: whether the readouts learn (with the rule's optimizer and their own optimizer state)
    trainable_readouts: ClassVar[bool] = False

    # -- state -----------------------------------------------------------------------------------
    def make_readouts(self, net, rng: np.random.Generator) -> list[np.ndarray]:
        """One readout matrix R_k (n_k, K) per hidden block k, drawn from ``rng``."""
        raise NotImplementedError

    def init_state(self, net, rng: np.random.Generator) -> None:
        if net.depth < 2:
            raise ValueError(f"{self.name}: needs at least one hidden layer, got sizes {net.sizes}")
        self.readout_W = self.make_readouts(net, rng)                       # [(n_k, K)]
        self.readout_b = [np.zeros(W.shape[1], dtype=W.dtype) for W in self.readout_W]  # [(K,)]
        if self.trainable_readouts:
            self.readout_opt_state = self.optimizer.init(leaves(self.readout_tree))

    @staticmethod
    def hidden_widths(net) -> list[int]:
        """n_k, the units of every hidden block's output."""
        return [math.prod(net.block_output_shape(k)) for k in range(net.depth - 1)]

    @property
    def readout_tree(self) -> list[dict[str, np.ndarray]]:
        """The live readout arrays, one {"W": R_k, "b": c_k} per hidden block."""
        return [{"W": W, "b": b} for W, b in zip(self.readout_W, self.readout_b)]

    # -- error signals ---------------------------------------------------------------------------
    def local_scores(self, h: np.ndarray, k: int) -> np.ndarray:
        """Block k's own class scores z_k = h_k R_k + c_k: (B, ...) -> (B, K); with the seeds
        stacked (readouts (S, n_k, K), experiments/runs/stacked.py) (S, B, ...) -> (S, B, K)."""
        W, b = self.readout_W[k], self.readout_b[k]
        if W.ndim == 3:
            return h.reshape(h.shape[0], h.shape[1], -1) @ W + b[:, None, :]
        return h.reshape(h.shape[0], -1) @ W + b

    def block_error(self, net, trace: Trace, k, e, incoming):
        h = net.block_output(trace, k)
        z, y = self.local_scores(h, k), trace.extra["targets"]
        # stacked seeds: one loss per seed (S,) and e_k (S, B, K)
        loss_k, e_k = stacked_loss(self.loss, z, y) if z.ndim == 3 else get_loss(self.loss)(z, y)  # (B, K)
        # recorded on this step's trace, not on the rule: compute_gradients stays side-effect free
        trace.extra.setdefault("local_losses", {})[k] = loss_k
        trace.extra.setdefault("local_errors", {})[k] = e_k
        return (e_k @ self.readout_W[k].swapaxes(-1, -2)).reshape(h.shape)  # (B, *shape of h_k)

    def block_error_flops(self, net, k: int, batch: int) -> int:
        """Readout scores (2 B n_k K + B K), the loss gradient (~3 B K) and the error projected
        back (2 B K n_k); no product crosses a block."""
        n, K = self.readout_W[k].shape[-2:]  # stacked seeds: (S, n_k, K)
        return int(4 * batch * n * K + 4 * batch * K)

    def after_update(self, net, trace: Trace, sweep) -> None:
        """Trainable readouts follow their own loss's gradient: dR_k = h_k^T e_k, dc_k = sum e_k."""
        if not self.trainable_readouts:
            return
        grads = []
        for k, e_k in sorted(trace.extra["local_errors"].items()):
            h = net.block_output(trace, k)
            grads.append({"W": h.reshape(h.shape[0], -1).T @ e_k, "b": e_k.sum(axis=0)})  # (n_k, K), (K,)
        optimizer_step(self.optimizer, self.readout_opt_state, self.readout_tree, grads)

    def step_info(self, trace: Trace) -> dict[str, float]:
        """Each hidden block's local loss as ``local_loss/k``."""
        return {f"local_loss/{k}": float(v) for k, v in sorted(trace.extra["local_losses"].items())}

    def step_flops(self, net, batch: int, sweep) -> int:
        """The base count, plus the readouts' own gradients when they learn (2 B n_k K + B K)."""
        flops = super().step_flops(net, batch, sweep)
        if self.trainable_readouts:
            flops += sum(2 * batch * W.size + batch * W.shape[1] for W in self.readout_W)
        return int(flops)

    # -- diagnostics -----------------------------------------------------------------------------
    def layer_diagnostics(self, net, x: np.ndarray, y: np.ndarray) -> dict[str, float]:
        """``readout_accuracy/k``: how well block k's own readout classifies the probe batch
        (for the top block, the network's own prediction). Changes no state; empty for
        regression targets."""
        if y.ndim != 1:
            return {}
        out, trace = net.forward(x, train=False)
        result = {f"readout_accuracy/{k}": float((self.local_scores(net.block_output(trace, k), k).argmax(1) == y).mean())
                  for k in range(net.depth - 1)}
        result[f"readout_accuracy/{net.depth - 1}"] = float((out.argmax(1) == y).mean())
        return result
