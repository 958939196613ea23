"""Kolen-Pollack learning (Kolen & Pollack 1994; Akrout, Wilson, Humphreys, Lillicrap & Tweed 2019,
"Deep learning without weight transport", NeurIPS).

Errors travel back through feedback matrices B_l (the shape of W_l^T) that *learn*: each B_l
receives the transpose of the update its forward matrix receives, and both decay by the same factor,

    delta_l = (delta_{l+1} B_{l+1}) * f'(a_l),
    W_l <- (1 - lambda) W_l + U_l,    B_l <- (1 - lambda) B_l + U_l^T,

where U_l is the optimizer's update from dW_l = x_l^T delta_l. The update U_l is local to the
synapses of layer l (pre- and postsynaptic activity and the error at layer l), so no weights are
transported, yet W_l - B_l^T shrinks by (1 - lambda) every step and the feedback comes to equal W^T:
the feedback angle falls towards 0 and learning becomes backprop.
"""

from __future__ import annotations

import numpy as np

from ..optimizers import Optimizer, apply_updates
from .feedback_alignment import FeedbackAlignment
from .plausibility import PlausibilityCard


class KolenPollack(FeedbackAlignment):
    """Feedback alignment whose feedback learns with the forward weights' own update."""

    name = "kolen_pollack"
    card = PlausibilityCard(
        no_weight_transport=True, local_errors=False, no_update_locking=False, spiking=False,
        no_separate_error_phase=False, single_network=True,
        notes="feedback learns by the transposed local update plus decay, converging to W^T",
    )

    def __init__(self, decay: float = 1e-3, distribution: str = "uniform", scale: float = 1.0,
                 optimizer: Optimizer | None = None, loss: str = "cross_entropy") -> None:
        super().__init__(distribution=distribution, scale=scale, optimizer=optimizer, loss=loss)
        if not isinstance(decay, (int, float)) or isinstance(decay, bool) or not 0.0 <= decay < 1.0:
            raise ValueError(f"kolen_pollack: decay {decay!r} not allowed; must be in [0, 1)")
        self.decay = decay

    def init_state(self, net, rng: np.random.Generator) -> None:
        super().init_state(net, rng)
        self.set_feedback(self.feedback)

    def set_feedback(self, matrices: list[np.ndarray | None]) -> None:
        # column-major (n_out, n_in): the same memory layout as W_l (n_in, n_out), so adding the
        # transposed update U_l^T runs over contiguous memory (a strided add cost ~15x more)
        self.feedback = [None if B is None else np.array(B, order="F") for B in matrices]

    def step(self, net, x: np.ndarray, y: np.ndarray) -> dict[str, float]:
        loss, grads, trace, deltas = self.compute_gradients(net, x, y)
        params = net.params
        updates, self.opt_state = self.optimizer.update(grads, self.opt_state, params)
        keep = 1.0 - self.decay
        for l in range(1, len(net.layers)):
            # the same local update and decay for W_l and its feedback B_l (transposed)
            B = self.feedback[l]
            if self.decay:  # (decay = 0: plain Kolen-Pollack transport of updates, no decay passes)
                B *= keep
                net.layers[l].W *= keep
            B += updates[2 * l].T.astype(B.dtype, copy=False)
        apply_updates(params, updates)
        return {"loss": loss, "flops": float(self.step_flops(net, x.shape[0], deltas) + self._feedback_flops(net))}

    def _feedback_flops(self, net) -> int:
        # the feedback update and both decays: three operations per feedback weight
        return int(sum(3 * l.n_in * l.n_out for l in net.layers[1:]))
