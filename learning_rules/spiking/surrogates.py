"""Surrogate derivatives of the spike function (Neftci, Mostafa & Zenke 2019).

A spike is the Heaviside step ``s = H(v - threshold)``, whose derivative is zero almost everywhere.
Surrogate-gradient learning keeps the step in the forward pass and replaces ``dH/dx`` (x = v - threshold)
in the backward pass by a smooth bump of slope parameter ``k``. Every bump here peaks at 1 at x = 0
(the SuperSpike convention of Zenke & Ganguli 2018, as in snnTorch's fast sigmoid):

- ``fast_sigmoid`` (SuperSpike): g(x) = 1 / (1 + k|x|)^2
- ``arctan``:                  g(x) = 1 / (1 + (k x)^2)
- ``sigmoid``:                 g(x) = 4 sigma(k x) (1 - sigma(k x))

``primitive(x)`` is the exact antiderivative of g that is 0 at x = -inf: a smooth step of height
2/k, pi/k and 4/k respectively. Running the forward pass with it in place of H makes surrogate BPTT
the exact gradient, which is how the tests check BPTT against finite differences.

Every formula stays finite for any finite input: |x| is clipped to 1e6 / k before squaring (where
g is already below 1e-12), and the sigmoid is evaluated as 0.5 (1 + tanh(k x / 2)).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

SURROGATES = ("fast_sigmoid", "arctan", "sigmoid")
_CLIP = 1e6  # |k x| beyond this changes g by < 1e-12 and would overflow float32 when squared


@dataclass(frozen=True)
class Surrogate:
    """A named surrogate derivative with slope ``k`` (> 0): ``grad(x)`` and its ``primitive(x)``."""

    name: str = "fast_sigmoid"
    slope: float = 10.0

    def __post_init__(self) -> None:
        if self.name not in SURROGATES:
            raise ValueError(f"surrogate: {self.name!r} not allowed; allowed: {', '.join(SURROGATES)}")
        if not (np.isfinite(self.slope) and self.slope > 0):
            raise ValueError(f"surrogate slope: {self.slope!r} not allowed; must be a finite number > 0")

    def _scaled(self, x: np.ndarray) -> np.ndarray:
        """k x with |k x| <= 1e6 (clipped before multiplying, so nothing overflows)."""
        bound = _CLIP / self.slope
        return self.slope * np.clip(x, -bound, bound)

    def grad(self, x: np.ndarray) -> np.ndarray:
        """g(x), elementwise, same shape and dtype as x; in (0, 1]."""
        kx = self._scaled(x)
        if self.name == "fast_sigmoid":
            d = 1.0 + np.abs(kx)
            return 1.0 / (d * d)
        if self.name == "arctan":
            return 1.0 / (1.0 + kx * kx)
        sig = 0.5 * (1.0 + np.tanh(0.5 * kx))
        return 4.0 * sig * (1.0 - sig)

    def primitive(self, x: np.ndarray) -> np.ndarray:
        """The smooth step whose derivative is exactly ``grad`` (0 at -inf)."""
        k = self.slope
        kx = self._scaled(x)
        if self.name == "fast_sigmoid":
            return (kx / (1.0 + np.abs(kx)) + 1.0) / k
        if self.name == "arctan":
            return (np.arctan(kx) + 0.5 * np.pi) / k
        return 2.0 * (1.0 + np.tanh(0.5 * kx)) / k


def heaviside(x: np.ndarray) -> np.ndarray:
    """The spike function: 1 where x >= 0, else 0, in x's dtype."""
    return (x >= 0).astype(x.dtype)
