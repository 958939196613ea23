"""Input encodings: how a sample x (n_in,) drives the first layer over T time steps.

- ``current`` (direct current): x itself is the input at every step; the first layer's current
  x W + b is constant, so it is computed once. Any real-valued input.
- ``rate``: Bernoulli spikes, x_t ~ Bernoulli(p) with p = clip(x, 0, 1), drawn from the generator
  passed in (the run's). Inputs are intensities in [0, 1]; values outside are clipped (a standardised
  feature's negative half is silent).
- ``latency``: one spike per input, at step round((1 - p) (T - 1)) with p = clip(x, 0, 1): the
  stronger the input, the earlier the spike; p = 0 never fires.

``encode`` returns (B, n_in) for ``current`` (constant in time) and (T, B, n_in) otherwise.
"""

from __future__ import annotations

import numpy as np

ENCODINGS = ("current", "rate", "latency")


def check_encoding(name: str) -> str:
    if name not in ENCODINGS:
        raise ValueError(f"encoding: {name!r} not allowed; allowed: {', '.join(ENCODINGS)}")
    return name


def intensity(x: np.ndarray) -> np.ndarray:
    """Inputs as firing probabilities / intensities in [0, 1]."""
    return np.clip(x, 0.0, 1.0)


def encode(name: str, x: np.ndarray, steps: int, rng: np.random.Generator | None) -> np.ndarray:
    """x (B, n_in) -> (B, n_in) for 'current', else (T, B, n_in) spikes in x's dtype."""
    if name == "current":
        return x
    p = intensity(x)
    if name == "rate":
        if rng is None:
            raise ValueError("rate encoding needs a numpy Generator to draw its spikes")
        return (rng.random((steps, *x.shape), dtype=np.float64) < p).astype(x.dtype)
    # latency: one spike at step round((1 - p)(T - 1)), none where p == 0
    when = np.rint((1.0 - p) * (steps - 1)).astype(np.int64)  # (B, n_in)
    out = np.zeros((steps, *x.shape), x.dtype)
    b, i = np.nonzero(p > 0)
    out[when[b, i], b, i] = 1
    return out


def is_static(name: str) -> bool:
    """True when the encoded input is constant in time (one (B, n_in) array)."""
    return name == "current"


def input_events(name: str, encoded: np.ndarray) -> np.ndarray:
    """Input spikes per sample (B,): zero for direct current (no spikes, a dense current)."""
    if is_static(name):
        return np.zeros(encoded.shape[0], encoded.dtype)
    return encoded.sum(axis=(0, 2))


def encode_step(name: str, x: np.ndarray, t: int, steps: int, rng: np.random.Generator | None) -> np.ndarray:
    """The encoded input at step t alone, (B, n_in), for online simulation without (T, ...) storage.

    Rate spikes drawn step by step from ``rng`` equal those ``encode`` draws at once from a
    generator in the same state (numpy fills arrays in order)."""
    if name == "current":
        return x
    p = intensity(x)
    if name == "rate":
        if rng is None:
            raise ValueError("rate encoding needs a numpy Generator to draw its spikes")
        return (rng.random(x.shape, dtype=np.float64) < p).astype(x.dtype)
    when = np.rint((1.0 - p) * (steps - 1)).astype(np.int64)
    return ((when == t) & (p > 0)).astype(x.dtype)
