"""Sign symmetry (Liao, Leibo & Poggio 2016, "How important is weight symmetry in
backpropagation?", AAAI).

Feedback carries only the signs of the forward weights: B_l = M_l * sign(W_l^T), with magnitudes
M_l that know nothing of |W_l|:

    delta_L = e,    delta_l = (delta_{l+1} B_{l+1}) * f'(a_l),    dW_l = x_l^T delta_l.

Variants (the paper's names):
- ``uSF`` uniform sign-concordant feedback: M = 1;
- ``frSF`` fixed random magnitude: M drawn once, uniform on [0, sqrt(6/(n_in+n_out)));
- ``brSF`` batchwise random magnitude: M_t drawn the same way, afresh for every batch.

The signs do need a (1-bit) weight transport. With M = 1 the error grows by about
1 / mean|W| per layer (||B|| is 16x and 11.5x ||W|| on the quickstart network at initialisation;
raw updates 16-260x backprop's). An optimizer that normalises per parameter (Adam) does not mind;
SGD with momentum trains badly (MNIST-1D, relu: 43% where backprop reaches 63% at lr 0.01, chance at 0.03).
``normalize=True`` rescales M so that its mean is mean|W_l|: the error keeps backprop's scale
under any optimizer.
"""

from __future__ import annotations

import numpy as np

from ..optimizers import Optimizer
from .base import CreditAssignmentRule, Deltas
from .feedback import random_magnitudes
from .plausibility import PlausibilityCard

VARIANTS = ("uSF", "frSF", "brSF")


class SignSymmetry(CreditAssignmentRule):
    """Backprop's backward sweep through the signs of the forward weights."""

    name = "sign_symmetry"
    card = PlausibilityCard(
        no_weight_transport=False, local_errors=False, no_update_locking=False, spiking=False,
        no_separate_error_phase=False, single_network=True,
        notes="feedback knows only the signs of W (a 1-bit weight transport)",
    )

    def __init__(self, variant: str = "uSF", normalize: bool = False,
                 optimizer: Optimizer | None = None, loss: str = "cross_entropy") -> None:
        super().__init__(optimizer=optimizer, loss=loss)
        if variant not in VARIANTS:
            raise ValueError(f"sign_symmetry: variant {variant!r} not allowed; allowed: {', '.join(VARIANTS)}")
        if not isinstance(normalize, bool):
            raise ValueError(f"sign_symmetry: normalize {normalize!r} not allowed; must be true or false")
        self.variant = variant
        self.normalize = normalize

    def init_state(self, net, rng: np.random.Generator) -> None:
        # frSF's fixed magnitudes, kept in W_l's layout (n_in_l, n_out_l) so that M * sign(W_l)
        # runs on contiguous memory; uSF and brSF keep none
        self.magnitudes: list[np.ndarray | None] = [None] * len(net.layers)
        if self.variant == "frSF":
            self.magnitudes = [None] + [random_magnitudes(rng, l.W.shape, net.dtype) for l in net.layers[1:]]

    def _feedback_t(self, net, l: int, rng: np.random.Generator) -> tuple[np.ndarray, float]:
        """(S_l, c_l) with B_l^T = c_l * S_l, S_l = M_l * sign(W_l) of shape (n_in_l, n_out_l) (W's
        layout; the caller transposes the view). The scalar c_l is normalize's rescaling, kept apart
        so it multiplies the (B, n_in) error instead of the whole matrix."""
        W = net.layers[l].W
        S = np.sign(W)
        M = None  # uSF: M = 1
        if self.variant == "frSF":
            M = self.magnitudes[l]
        elif self.variant == "brSF":
            M = random_magnitudes(rng, W.shape, W.dtype)
        if M is not None:
            S *= M
        if not self.normalize:
            return S, 1.0
        # scale M so that its mean is mean|W_l| (then mean|B_l| = mean|W_l| for W without zeros)
        mean_m = 1.0 if M is None else max(float(M.mean()), float(np.finfo(W.dtype).tiny))
        return S, float(np.abs(W).mean()) / mean_m

    def feedback_matrices(self, net) -> list[np.ndarray | None]:
        """Per layer l >= 1, the sign feedback (n_out_l, n_in_l) standing in for W_l^T (brSF: one
        fresh draw, from the rule's generator: call it on a copy of the rule to leave it untouched)."""
        out: list[np.ndarray | None] = [None]
        for l in range(1, len(net.layers)):
            S, c = self._feedback_t(net, l, self.rng)
            out.append(S.T * S.dtype.type(c) if c != 1.0 else S.T)
        return out

    def layer_errors(self, net, trace, e) -> Deltas:
        deltas: Deltas = [None] * len(net.layers)
        delta = deltas[-1] = e
        for l in range(len(net.layers) - 2, -1, -1):
            S, c = self._feedback_t(net, l + 1, self.rng)
            # (B, n_out_{l+1}) @ (n_out_{l+1}, n_in_{l+1}): the transposed view costs no copy
            delta = delta @ S.T
            if c != 1.0:
                delta *= delta.dtype.type(c)
            delta *= trace.layers[l].derivative()
            deltas[l] = delta
        return deltas
