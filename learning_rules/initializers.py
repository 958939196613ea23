"""Weight initialisations, each drawing from an explicit ``numpy.random.Generator``.

- ``xavier`` / ``glorot`` (Glorot & Bengio 2010): uniform on ±sqrt(6 / (fan_in + fan_out)).
- ``he`` / ``kaiming`` (He et al. 2015): normal with std sqrt(2 / fan_in), for relu-like units.
- ``lecun`` (LeCun et al. 1998): normal with std sqrt(1 / fan_in).

A dense matrix (n_in, n_out) has fan_in = n_in and fan_out = n_out; a convolution kernel
(C_out, C_in, *k) has fan_in = C_in prod(k) and fan_out = C_out prod(k).
``gain`` multiplies the result (the initial weight scale swept in sensitivity studies).
"""

from __future__ import annotations

import numpy as np


def _xavier(rng: np.random.Generator, fan_in: int, fan_out: int, shape) -> np.ndarray:
    limit = np.sqrt(6.0 / (fan_in + fan_out))
    return rng.uniform(-limit, limit, size=shape)


def _he(rng: np.random.Generator, fan_in: int, fan_out: int, shape) -> np.ndarray:
    return rng.normal(0.0, np.sqrt(2.0 / fan_in), size=shape)


def _lecun(rng: np.random.Generator, fan_in: int, fan_out: int, shape) -> np.ndarray:
    return rng.normal(0.0, np.sqrt(1.0 / fan_in), size=shape)


INITIALIZERS = {
    "xavier": _xavier,
    "glorot": _xavier,
    "he": _he,
    "kaiming": _he,
    "lecun": _lecun,
}


def check_init(name: str, gain: float) -> None:
    """One-line ValueError for an unknown scheme or a gain that is not a finite number > 0."""
    if name not in INITIALIZERS:
        raise ValueError(f"unknown init {name!r}; allowed: {', '.join(sorted(INITIALIZERS))}")
    if isinstance(gain, bool) or not isinstance(gain, (int, float)) or not np.isfinite(gain) or gain <= 0:
        raise ValueError(f"init_gain: {gain!r} not allowed; must be a finite number > 0")


def init_tensor(name: str, rng: np.random.Generator, shape: tuple[int, ...], fan_in: int, fan_out: int,
                dtype=np.float32, gain: float = 1.0) -> np.ndarray:
    """An array of ``shape`` drawn by the named scheme for the given fans, times ``gain``."""
    check_init(name, gain)
    return (gain * INITIALIZERS[name](rng, fan_in, fan_out, shape)).astype(dtype)


def init_weight(
    name: str, rng: np.random.Generator, n_in: int, n_out: int, dtype=np.float32, gain: float = 1.0
) -> np.ndarray:
    """A dense weight matrix of shape (n_in, n_out) drawn by the named scheme, times ``gain``."""
    return init_tensor(name, rng, (n_in, n_out), n_in, n_out, dtype, gain)
