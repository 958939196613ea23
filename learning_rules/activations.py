"""Elementwise activation functions and their derivatives.

Each activation is a small frozen value object with ``f(a)`` and ``df(a, h)``, where ``a`` is the
pre-activation and ``h = f(a)`` (passed so derivatives that are cheaper from the output, like
tanh's ``1 - h**2``, need not recompute it). All formulas stay finite for any finite input:
the sigmoid is evaluated in the branch-free stable form ``0.5 * (1 + tanh(a / 2))``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

import numpy as np

Array = np.ndarray


@dataclass(frozen=True)
class Activation:
    """An activation ``f`` and its derivative ``df(a, h) = f'(a)`` (``h`` is ``f(a)``)."""

    name: str
    f: Callable[[Array], Array]
    df: Callable[[Array, Array], Array]

    def __reduce__(self):
        # pickled by name (its functions are lambdas), so trained networks can be saved and
        # sent to worker processes, as scikit-learn and joblib do with estimators
        return get_activation, (self.name,)


def _sigmoid(a: Array) -> Array:
    # 0.5 * (1 + tanh(a/2)) equals 1 / (1 + exp(-a)) and never overflows.
    return 0.5 * (1.0 + np.tanh(0.5 * a))


LEAKY_SLOPE = 0.01

ACTIVATIONS: dict[str, Activation] = {
    "tanh": Activation("tanh", np.tanh, lambda a, h: 1.0 - h * h),
    "sigmoid": Activation("sigmoid", _sigmoid, lambda a, h: h * (1.0 - h)),
    # relu's derivative is the mask a > 0 itself: multiplying by a boolean gives the same numbers as
    # multiplying by its 0/1 floats, without making them
    "relu": Activation("relu", lambda a: np.maximum(a, 0), lambda a, h: a > 0),
    "leaky_relu": Activation(
        "leaky_relu",
        lambda a: np.where(a > 0, a, a * LEAKY_SLOPE),
        lambda a, h: np.where(a > 0, 1.0, LEAKY_SLOPE).astype(a.dtype),
    ),
    "linear": Activation("linear", lambda a: a, lambda a, h: np.ones_like(a)),
}


def get_activation(name: str) -> Activation:
    """Look up an activation by name; unknown names raise ``ValueError`` listing the allowed ones."""
    try:
        return ACTIVATIONS[name]
    except KeyError:
        raise ValueError(
            f"unknown activation {name!r}; allowed: {', '.join(sorted(ACTIVATIONS))}"
        ) from None
