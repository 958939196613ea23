"""Sequential MNIST-1D: MNIST-1D (mnist1d.py) read one position per time step, as the MNIST-1D
paper's GRU reads it (Greydanus 2020): each 40-point signal is a sequence of 40 steps of one
value, input shape (T, D) = (40, 1).

The arrays are MNIST-1D's own (same parameters, same cache, same 4000 / 1000 split and the same
per-position standardisation); only the declared shape differs, so a temporal network reads
x[:, t] at step t while a dense network still reads the flat row.
"""

from __future__ import annotations

from .base import Dataset
from .mnist1d import PARAMS as MNIST1D_PARAMS
from .mnist1d import load_mnist1d

PARAMS = dict(MNIST1D_PARAMS)
STEPS, FEATURES = 40, 1


def load_sequential_mnist1d(*, seed: int, cache_dir: str | None, **params) -> Dataset:
    """MNIST-1D's arrays, named for the sequence task (the shape is declared in the registry)."""
    data = load_mnist1d(seed=seed, cache_dir=cache_dir, **params)
    return Dataset("sequential_mnist1d", data.x_train, data.y_train, data.x_test, data.y_test, n_classes=10)
