"""A leading seed axis: S copies of one network's parameters in (S, ...) arrays, trained together.

``stack_into(arrays)`` makes one (S, ...) array of S same-shaped arrays and returns it with S views
of it, one per seed: the solo networks keep their views, so what moves the stack moves each seed's
own network, which then evaluates and diagnoses itself unchanged. ``stacked_loss`` is
learning_rules.losses on (S, B, K) outputs, one loss per seed, row by row the same arithmetic.
"""

from __future__ import annotations

import numpy as np

from .losses import _targets, log_softmax


def stack_into(arrays: list[np.ndarray]) -> tuple[np.ndarray, list[np.ndarray]]:
    """S arrays of one shape -> (their stack (S, ...), the S views stack[s])."""
    stacked = np.stack(arrays)
    return stacked, [stacked[s] for s in range(stacked.shape[0])]


def stacked_loss(name: str, z: np.ndarray, y: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The batch loss of each seed (S,) and dL/dz (S, B, K), for outputs z (S, B, K) and targets y
    (S, B) int labels or (S, B, K): seed s gets what ``get_loss(name)(z[s], y[s])`` gives."""
    S, B, K = z.shape
    flat = z.reshape(S * B, K)  # every row as a solo batch row: the same row-wise arithmetic
    if name == "cross_entropy":
        logp = log_softmax(flat)
        rows, labels = np.arange(S * B), y.reshape(S * B)
        loss = -logp[rows, labels].reshape(S, B).mean(axis=1)
        e = np.exp(logp)
        e[rows, labels] -= 1
        e /= B
        return loss, e.reshape(S, B, K)
    if name == "mse":
        diff = flat - _targets(flat, y.reshape(S * B, *y.shape[2:]))
        return 0.5 * (diff * diff).sum(axis=1).reshape(S, B).mean(axis=1), (diff / B).reshape(S, B, K)
    raise ValueError(f"stacked seeds: loss {name!r} not supported; allowed: cross_entropy, mse")
