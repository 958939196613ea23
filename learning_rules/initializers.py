"""Weight initialisations, each drawing from an explicit ``numpy.random.Generator``.

- ``xavier`` / ``glorot`` (Glorot & Bengio 2010): uniform on ±sqrt(6 / (n_in + n_out)).
- ``he`` / ``kaiming`` (He et al. 2015): normal with std sqrt(2 / n_in), for relu-like units.
- ``lecun`` (LeCun et al. 1998): normal with std sqrt(1 / n_in).

``gain`` multiplies the result (the initial weight scale swept in sensitivity studies).
"""

from __future__ import annotations

import numpy as np


def _xavier(rng: np.random.Generator, n_in: int, n_out: int) -> np.ndarray:
    limit = np.sqrt(6.0 / (n_in + n_out))
    return rng.uniform(-limit, limit, size=(n_in, n_out))


def _he(rng: np.random.Generator, n_in: int, n_out: int) -> np.ndarray:
    return rng.normal(0.0, np.sqrt(2.0 / n_in), size=(n_in, n_out))


def _lecun(rng: np.random.Generator, n_in: int, n_out: int) -> np.ndarray:
    return rng.normal(0.0, np.sqrt(1.0 / n_in), size=(n_in, n_out))


INITIALIZERS = {
    "xavier": _xavier,
    "glorot": _xavier,
    "he": _he,
    "kaiming": _he,
    "lecun": _lecun,
}


def init_weight(
    name: str, rng: np.random.Generator, n_in: int, n_out: int, dtype=np.float32, gain: float = 1.0
) -> np.ndarray:
    """A weight matrix of shape (n_in, n_out) drawn by the named scheme, times ``gain``."""
    if name not in INITIALIZERS:
        raise ValueError(f"unknown init {name!r}; allowed: {', '.join(sorted(INITIALIZERS))}")
    if isinstance(gain, bool) or not isinstance(gain, (int, float)) or not np.isfinite(gain) or gain <= 0:
        raise ValueError(f"init_gain: {gain!r} not allowed; must be a finite number > 0")
    return (gain * INITIALIZERS[name](rng, n_in, n_out)).astype(dtype)
