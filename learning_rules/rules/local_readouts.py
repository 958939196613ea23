"""Shared machinery of the local-classifier rules: each hidden layer learns from its own readout.

Hidden layer l (output h_l (B, n_l), pre-activation a_l) owns a readout R_l (n_l, K) and bias
c_l (K,). Its local class scores z_l = h_l R_l + c_l are scored by the rule's loss against the
labels, giving the local output error e_l = dL_l/dz_l (B, K), and the layer's error signal is

    delta_l = (e_l R_l^T) * f'(a_l)                 (B, n_l),   l < L
    delta_L = e                                     the network's own output error

so no error crosses a layer: delta_l needs only layer l's activity, its readout and the label.
Subclasses decide how readouts are made (``make_readouts``) and whether they learn
(``trainable_readouts``). The local losses and errors are written into the step's trace
(``trace.extra``), never into the rule, so ``compute_gradients`` stays free of side effects;
a trainable readout is moved in ``after_update`` from those recorded errors.
"""

from __future__ import annotations

from typing import ClassVar

import numpy as np

from ..losses import get_loss
from ..optimizers import apply_updates
from ..trace import Trace
from .base import CreditAssignmentRule, Deltas


class LocalReadoutRule(CreditAssignmentRule):
    """Credit assignment where every hidden layer is trained by the loss of its own readout."""

    update_dependency = "local"
    #: whether the readouts learn (with the rule's optimizer and their own optimizer state)
    trainable_readouts: ClassVar[bool] = False

    # -- state -----------------------------------------------------------------------------------
    def make_readouts(self, net, rng: np.random.Generator) -> list[np.ndarray]:
        """One readout matrix R_l (n_l, K) per hidden layer l, drawn from ``rng``."""
        raise NotImplementedError

    def init_state(self, net, rng: np.random.Generator) -> None:
        if len(net.layers) < 2:
            raise ValueError(f"{self.name}: needs at least one hidden layer, got sizes {net.sizes}")
        self.readout_W = self.make_readouts(net, rng)                       # [(n_l, K)]
        self.readout_b = [np.zeros(W.shape[1], dtype=W.dtype) for W in self.readout_W]  # [(K,)]
        if self.trainable_readouts:
            self.readout_opt_state = self.optimizer.init(self.readout_params)

    @property
    def readout_params(self) -> list[np.ndarray]:
        """[R_0, c_0, R_1, c_1, ...]: the live readout arrays."""
        return [p for W, b in zip(self.readout_W, self.readout_b) for p in (W, b)]

    # -- error signals ---------------------------------------------------------------------------
    def local_scores(self, h: np.ndarray, l: int) -> np.ndarray:
        """Layer l's own class scores z_l = h_l R_l + c_l: (B, n_l) -> (B, K)."""
        return h @ self.readout_W[l] + self.readout_b[l]

    def layer_errors(self, net, trace: Trace, e: np.ndarray) -> Deltas:
        y = trace.extra["targets"]
        loss_fn = get_loss(self.loss)
        deltas: Deltas = []
        losses, errors = [], []
        for l, lt in enumerate(trace.layers[:-1]):
            loss_l, e_l = loss_fn(self.local_scores(lt.output, l), y)     # e_l (B, K)
            deltas.append((e_l @ self.readout_W[l].T) * lt.derivative())  # (B, n_l)
            losses.append(loss_l)
            errors.append(e_l)
        deltas.append(e)                                                   # output layer: (B, K)
        # recorded on this step's trace, not on the rule: compute_gradients stays side-effect free
        trace.extra["local_losses"], trace.extra["local_errors"] = losses, errors
        return deltas

    def after_update(self, net, trace: Trace, deltas: Deltas) -> None:
        """Trainable readouts follow their own loss's gradient: dR_l = h_l^T e_l, dc_l = sum e_l."""
        if not self.trainable_readouts:
            return
        grads: list[np.ndarray | None] = []
        for lt, e_l in zip(trace.layers[:-1], trace.extra["local_errors"]):
            grads += [lt.output.T @ e_l, e_l.sum(axis=0)]                  # (n_l, K), (K,)
        params = self.readout_params
        updates, self.readout_opt_state = self.optimizer.update(grads, self.readout_opt_state, params)
        apply_updates(params, updates)

    def step(self, net, x: np.ndarray, y: np.ndarray) -> dict[str, float]:
        """The base step, plus each hidden layer's local loss as ``local_loss/l``."""
        loss, grads, trace, deltas = self.compute_gradients(net, x, y)
        params = net.params
        updates, self.opt_state = self.optimizer.update(grads, self.opt_state, params)
        apply_updates(params, updates)
        self.after_update(net, trace, deltas)
        info = {"loss": loss, "flops": float(self.step_flops(net, x.shape[0], deltas))}
        for l, loss_l in enumerate(trace.extra["local_losses"]):
            info[f"local_loss/{l}"] = float(loss_l)
        return info

    # -- compute ---------------------------------------------------------------------------------
    def propagation_flops(self, net, batch: int) -> int:
        """Per hidden layer: readout scores (2 B n_l K + B K), loss gradient (~3 B K), the error
        projected back (2 B K n_l) and the f' product (B n_l); no product crosses a layer."""
        K = net.layers[-1].n_out
        return int(sum(4 * batch * l.n_out * K + 4 * batch * K + batch * l.n_out for l in net.layers[:-1]))

    def step_flops(self, net, batch: int, deltas: Deltas) -> int:
        """The base count, plus the readouts' own gradients when they learn (2 B n_l K + B K)."""
        flops = super().step_flops(net, batch, deltas)
        if self.trainable_readouts:
            K = net.layers[-1].n_out
            flops += sum(2 * batch * l.n_out * K + batch * K for l in net.layers[:-1])
        return int(flops)

    # -- diagnostics -----------------------------------------------------------------------------
    def layer_diagnostics(self, net, x: np.ndarray, y: np.ndarray) -> dict[str, float]:
        """``readout_accuracy/l``: how well layer l's own readout classifies the probe batch
        (for the output layer L, the network's own prediction). Changes no state; empty for
        regression targets."""
        if y.ndim != 1:
            return {}
        out, trace = net.forward(x, train=False)
        result = {}
        for l, lt in enumerate(trace.layers[:-1]):
            result[f"readout_accuracy/{l}"] = float((self.local_scores(lt.output, l).argmax(1) == y).mean())
        result[f"readout_accuracy/{len(net.layers) - 1}"] = float((out.argmax(1) == y).mean())
        return result
