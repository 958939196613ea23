"""Divergence as a state: a step whose numbers explode stops the run, not only one that is NaN.

A rule's gradient (or pseudo-gradient) estimate can stay finite while it explodes: predictive
coding with too large an inference step returns gradients of 1e249, which Adam then turns into
ordinary-looking updates. ``GradientGuard`` watches the squared norm of every step's gradient
and raises ``Divergence`` when it is non-finite or more than GRADIENT_BOUND times the norm of the
first non-zero gradient of the run. The training loop (experiments/runs/train.py) stores such a
run as ``diverged`` with the reason.
"""

from __future__ import annotations

import math

import numpy as np

#: a gradient norm this many times the run's first (non-zero) one is an explosion, not learning
GRADIENT_BOUND = 1e6


class Divergence(ArithmeticError):
    """A step's numbers exploded or stopped being finite; the message says which and how."""


class GradientGuard:
    """Raises ``Divergence`` for a non-finite or exploding gradient (see the module docstring)."""

    def __init__(self, bound: float = GRADIENT_BOUND) -> None:
        self.bound = bound
        self.first: float | None = None  # the first non-zero gradient norm of the run

    def check(self, grads: list[np.ndarray | None]) -> None:
        """``grads``: the step's gradient arrays (any shapes; None: no gradient)."""
        with np.errstate(over="ignore", invalid="ignore"):
            squared = sum(float(np.vdot(g, g).real) for g in grads if g is not None)
        norm = math.sqrt(squared) if math.isfinite(squared) else math.inf
        if not math.isfinite(norm):
            raise Divergence("the gradient became non-finite (or its norm overflowed)")
        if self.first is None:
            self.first = norm if norm > 0 else None
            return
        if norm > self.bound * self.first:
            raise Divergence(f"the gradient exploded: norm {norm:.3g}, {norm / self.first:.3g} times the "
                             f"run's first ({self.first:.3g}; the bound is {self.bound:g} times)")
