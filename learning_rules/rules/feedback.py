"""Fixed random feedback matrices, shared by the feedback-alignment family.

A feedback matrix replaces a transposed forward weight matrix in the backward pathway. It is
drawn once, from the rule's generator, with the scale of a Glorot-initialised forward matrix of the
same shape (times ``scale``), so error signals start at the size backprop's would have.
"""

from __future__ import annotations

import numpy as np

from ..optimizers import Optimizer
from .base import CreditAssignmentRule

DISTRIBUTIONS = ("uniform", "normal")


def check_feedback_options(rule: str, distribution: str, scale: float) -> None:
    """One-line ValueError for an unknown distribution or a non-positive scale."""
    if distribution not in DISTRIBUTIONS:
        raise ValueError(f"{rule}: distribution {distribution!r} not allowed; allowed: {', '.join(DISTRIBUTIONS)}")
    if not isinstance(scale, (int, float)) or isinstance(scale, bool) or not scale > 0:
        raise ValueError(f"{rule}: scale {scale!r} not allowed; must be a number > 0")


def random_feedback(rng: np.random.Generator, shape: tuple[int, int], distribution: str,
                    scale: float, dtype) -> np.ndarray:
    """A (rows, cols) matrix: uniform on ±sqrt(6/(rows+cols)) or normal with std sqrt(2/(rows+cols)),
    times ``scale``."""
    fan = shape[0] + shape[1]
    if distribution == "uniform":
        limit = np.sqrt(6.0 / fan)
        B = rng.uniform(-limit, limit, size=shape)
    else:
        B = rng.normal(0.0, np.sqrt(2.0 / fan), size=shape)
    return (scale * B).astype(dtype)


def random_magnitudes(rng: np.random.Generator, shape: tuple[int, int], dtype) -> np.ndarray:
    """Non-negative magnitudes, uniform on [0, sqrt(6/(rows+cols))): the absolute value of a Glorot
    uniform draw. Drawn directly in ``dtype`` (float32: about 6x cheaper than a normal draw), so
    sign symmetry's brSF can redraw them every batch."""
    limit = np.sqrt(6.0 / (shape[0] + shape[1]))
    kind = np.float32 if np.dtype(dtype) == np.float32 else np.float64  # what rng.random can draw
    M = rng.random(shape, dtype=kind)
    M *= kind(limit)
    return M.astype(dtype, copy=False)


class RandomFeedbackRule(CreditAssignmentRule):
    """Shared by the rules whose feedback starts as fixed random matrices (feedback alignment,
    direct feedback alignment, Kolen-Pollack): the options, the accessors, the oracle hook.
    Subclasses create ``self.feedback`` (one matrix or None per layer) in ``init_state``."""

    def __init__(self, distribution: str = "uniform", scale: float = 1.0,
                 optimizer: Optimizer | None = None, loss: str = "cross_entropy") -> None:
        super().__init__(optimizer=optimizer, loss=loss)
        check_feedback_options(self.name, distribution, scale)
        self.distribution = distribution
        self.scale = scale

    def feedback_matrices(self, net) -> list[np.ndarray | None]:
        """Per layer, the feedback matrix standing in for the backward path (None where none)."""
        return self.feedback

    def set_feedback(self, matrices: list[np.ndarray | None]) -> None:
        """Replace the feedback matrices (oracle tests set B = W^T to recover backprop)."""
        self.feedback = [None if B is None else np.array(B) for B in matrices]
