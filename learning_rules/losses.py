"""Losses, each returning the mean loss over the batch and its gradient with respect to the
network's output (the output error ``e``, already divided by the batch size).

- ``cross_entropy``: softmax cross-entropy on logits z (B, K) and integer labels y (B,);
  stable log-sum-exp; e = (softmax(z) - onehot(y)) / B.
- ``mse``: 0.5 * mean over samples of ||z - t||^2 with targets t (B, K) (integer labels are
  one-hot encoded); e = (z - t) / B.

``sample_losses(name, z, y)`` gives each sample's own loss (B,), for rules that credit a
sample's perturbation with that sample's change of loss.
"""

from __future__ import annotations

from typing import Callable

import numpy as np


def one_hot(y: np.ndarray, n_classes: int, dtype=np.float32) -> np.ndarray:
    """(B,) integer labels -> (B, K) one-hot matrix."""
    out = np.zeros((y.shape[0], n_classes), dtype=dtype)
    out[np.arange(y.shape[0]), y] = 1
    return out


def log_softmax(z: np.ndarray) -> np.ndarray:
    """Row-wise log-softmax of (B, K) logits, stable for any finite input."""
    shifted = z - z.max(axis=1, keepdims=True)
    return shifted - np.log(np.exp(shifted).sum(axis=1, keepdims=True))


def cross_entropy(z: np.ndarray, y: np.ndarray) -> tuple[float, np.ndarray]:
    """Softmax cross-entropy. z: (B, K) logits, y: (B,) int labels -> (loss, dL/dz (B, K))."""
    logp = log_softmax(z)
    rows = np.arange(z.shape[0])
    loss = -float(logp[rows, y].mean())
    e = np.exp(logp)
    e[rows, y] -= 1
    e /= z.shape[0]
    return loss, e


def mse(z: np.ndarray, y: np.ndarray) -> tuple[float, np.ndarray]:
    """Half mean squared error. z: (B, K), y: (B, K) targets or (B,) int labels."""
    diff = z - _targets(z, y)
    loss = 0.5 * float((diff * diff).sum(axis=1).mean())
    return loss, diff / z.shape[0]


def sample_losses(name: str, z: np.ndarray, y: np.ndarray) -> np.ndarray:
    """Each sample's own loss (B,), whose mean is the batch loss of ``get_loss(name)``."""
    get_loss(name)  # an unknown name gets the same one-line error
    if name == "cross_entropy":
        return -log_softmax(z)[np.arange(z.shape[0]), y]
    return 0.5 * ((z - _targets(z, y)) ** 2).sum(axis=1)


def _targets(z: np.ndarray, y: np.ndarray) -> np.ndarray:
    """Regression targets (B, K) for outputs z (B, K): integer labels one-hot encoded."""
    t = one_hot(y, z.shape[1], z.dtype) if y.ndim == 1 and np.issubdtype(y.dtype, np.integer) else y
    return t.reshape(z.shape)


LOSSES: dict[str, Callable[[np.ndarray, np.ndarray], tuple[float, np.ndarray]]] = {
    "cross_entropy": cross_entropy,
    "mse": mse,
}


def get_loss(name: str):
    """Look up a loss by name; unknown names raise ``ValueError`` listing the allowed ones."""
    if name not in LOSSES:
        raise ValueError(f"unknown loss {name!r}; allowed: {', '.join(sorted(LOSSES))}")
    return LOSSES[name]
