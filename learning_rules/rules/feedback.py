"""Fixed random feedback, shared by the feedback-alignment family.

A feedback tensor replaces a forward weight in the backward pathway. It has the shape of the
weight it stands in for (a dense W (n_in, n_out), a kernel (C_out, C_in, *k)), so it means the same
for every layer type, and is drawn once, from the rule's generator, at the scale of a
Glorot-initialised weight with the same fans (times ``scale``), so that error signals start at the
size backprop's would have. Dense feedback is drawn as the (n_out, n_in) matrix of the backward
pathway and kept as its transpose (a view), which is also how it was drawn before layers owned
their backward, so results carry over unchanged.
"""

from __future__ import annotations

import numpy as np

from ..hyperparameters import Options, Real
from ..optimizers import Optimizer
from .credit_assignment import CreditAssignmentRule

DISTRIBUTIONS = ("uniform", "normal")


def random_feedback(rng: np.random.Generator, shape: tuple[int, ...], distribution: str,
                    scale: float, dtype, fan: int | None = None) -> np.ndarray:
    """An array of ``shape``: uniform on ±sqrt(6/fan) or normal with std sqrt(2/fan), times
    ``scale``; ``fan`` = fan_in + fan_out, by default the sum of a matrix's two sides."""
    fan = shape[0] + shape[1] if fan is None else fan
    if distribution == "uniform":
        limit = np.sqrt(6.0 / fan)
        B = rng.uniform(-limit, limit, size=shape)
    else:
        B = rng.normal(0.0, np.sqrt(2.0 / fan), size=shape)
    return (scale * B).astype(dtype)


def random_feedback_like(rng: np.random.Generator, layer, distribution: str, scale: float) -> np.ndarray:
    """Feedback of the shape of ``layer``'s W, at the scale of W's own initialisation."""
    W = layer.params["W"]
    fan = sum(layer.fans)
    if W.ndim == 2:  # drawn in the backward pathway's orientation (n_out, n_in), kept as W's shape
        return random_feedback(rng, W.shape[::-1], distribution, scale, W.dtype, fan).T
    return random_feedback(rng, W.shape, distribution, scale, W.dtype, fan)


def random_magnitudes(rng: np.random.Generator, shape: tuple[int, ...], dtype, fan: int | None = None) -> np.ndarray:
    """Non-negative magnitudes, uniform on [0, sqrt(6/fan)): the absolute value of a Glorot
    uniform draw (fan = fan_in + fan_out, by default the sum of a matrix's sides). Drawn directly
    in ``dtype`` (float32: about 6x cheaper than a normal draw), so sign symmetry's brSF can redraw
    them every batch."""
    fan = shape[0] + shape[1] if fan is None else fan
    limit = np.sqrt(6.0 / fan)
    kind = np.float32 if np.dtype(dtype) == np.float32 else np.float64  # what rng.random can draw
    M = rng.random(shape, dtype=kind)
    M *= kind(limit)
    return M.astype(dtype, copy=False)


class RandomFeedbackRule(CreditAssignmentRule):
    """Shared by the rules whose feedback starts as fixed random tensors (feedback alignment,
    direct feedback alignment, Kolen-Pollack): the options, the accessors, the oracle hook.
    Subclasses create ``self.feedback`` (one tensor or None per block) in ``init_state``."""

    hyperparameters = {"distribution": Options(*DISTRIBUTIONS), "scale": Real(0, None, low_open=True)}
    has_feedback = True

    def __init__(self, distribution: str = "uniform", scale: float = 1.0,
                 optimizer: Optimizer | None = None, loss: str = "cross_entropy") -> None:
        super().__init__(optimizer=optimizer, loss=loss, distribution=distribution, scale=scale)

    def feedback_tensors(self, net) -> list[np.ndarray | None]:
        return self.feedback

    def set_feedback(self, tensors: list[np.ndarray | None]) -> None:
        """Replace the feedback (oracle tests set B_k = W_k to recover backprop)."""
        self.feedback = [None if B is None else np.array(B) for B in tensors]
