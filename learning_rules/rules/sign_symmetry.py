"""Sign symmetry (Liao, Leibo & Poggio 2016, "How important is weight symmetry in
backpropagation?", AAAI).

Feedback carries only the signs of the forward weights: B_k = M_k * sign(W_k), of W_k's shape
(a dense matrix or a convolution kernel), with magnitudes M_k that know nothing of |W_k|:

    delta_L = e,    delta_k = (delta_{k+1} B_{k+1}^T) * f'(a_k),    dW_k = x_k^T delta_k.

Variants (the paper's names):
- ``uSF`` uniform sign-concordant feedback: M = 1;
- ``frSF`` fixed random magnitude: M drawn once, uniform on [0, sqrt(6/(fan_in+fan_out)));
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

from ..hyperparameters import Boolean, Options
from ..optimizers import Optimizer
from .credit_assignment import CreditAssignmentRule
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
    hyperparameters = {"variant": Options(*VARIANTS), "normalize": Boolean()}
    has_feedback = True

    def __init__(self, variant: str = "uSF", normalize: bool = False,
                 optimizer: Optimizer | None = None, loss: str = "cross_entropy") -> None:
        super().__init__(optimizer=optimizer, loss=loss, variant=variant, normalize=normalize)

    def init_state(self, net, rng: np.random.Generator) -> None:
        # frSF's fixed magnitudes, of W_k's shape; uSF and brSF keep none
        self.magnitudes: list[np.ndarray | None] = [None] * net.depth
        if self.variant == "frSF":
            self.magnitudes = [None] + [self._draw(net, k, rng) for k in range(1, net.depth)]

    @staticmethod
    def _draw(net, k: int, rng: np.random.Generator) -> np.ndarray:
        layer = net.weight_layer(k)
        W = layer.params["W"]
        return random_magnitudes(rng, W.shape, W.dtype, sum(layer.fans))

    def _signed(self, net, k: int, rng: np.random.Generator) -> tuple[np.ndarray, float]:
        """(S_k, c_k) with B_k = c_k S_k, S_k = M_k * sign(W_k) of W_k's shape. The scalar c_k is
        normalize's rescaling, kept apart so it multiplies the (B, n_in) error instead of the
        whole tensor."""
        W = net.weight_layer(k).params["W"]
        S = np.sign(W)
        M = None  # uSF: M = 1
        if self.variant == "frSF":
            M = self.magnitudes[k]
        elif self.variant == "brSF":
            M = self._draw(net, k, rng)
        if M is not None:
            S *= M
        if not self.normalize:
            return S, 1.0
        # scale M so that its mean is mean|W_k| (then mean|B_k| = mean|W_k| for W without zeros)
        mean_m = 1.0 if M is None else max(float(M.mean()), float(np.finfo(W.dtype).tiny))
        return S, float(np.abs(W).mean()) / mean_m

    def cross(self, net, k: int, cache, delta: np.ndarray) -> np.ndarray:
        S, c = self._signed(net, k, self.rng)
        dx = net.weight_layer(k).backward_input(cache, delta, weight=S)
        if c != 1.0:
            dx *= dx.dtype.type(c)
        return dx

    def feedback_tensors(self, net) -> list[np.ndarray | None]:
        """Per block k >= 1, the sign feedback of W_k's shape (brSF: one fresh draw, from the rule's
        generator: call it on a copy of the rule to leave it untouched)."""
        out: list[np.ndarray | None] = [None]
        for k in range(1, net.depth):
            S, c = self._signed(net, k, self.rng)
            out.append(S * S.dtype.type(c) if c != 1.0 else S)
        return out
