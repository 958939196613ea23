"""scikit-learn's bundled 8x8 handwritten digits (the UCI optdigits test set), offline.

1797 images, 64 pixel features (values 0..16), 10 classes. There is no official split, so
a stratified one is drawn from ``split_seed`` (default 0), NOT from the run seed: every run of
an experiment then trains and tests on the same images, and seeds vary only the network and
the rule. Set ``split_seed`` per sweep point to study split variance.
"""

from __future__ import annotations

import numpy as np

from .base import Dataset
from .params import check_fraction, check_seed, check_split
from .preprocessing import make_rng, split_indices

PARAMS = {"test_fraction": 0.2, "split_seed": 0}
N_SAMPLES = 1797


def check_params(*, test_fraction: float, split_seed: int) -> dict:
    """The parameters, checked without loading anything (one-line DatasetError otherwise)."""
    test_fraction = check_fraction("digits", "test_fraction", test_fraction)
    check_split("digits", N_SAMPLES, test_fraction)
    return {"test_fraction": test_fraction, "split_seed": check_seed(split_seed, "'split_seed'")}


def load_digits(*, seed: int, cache_dir: str | None, test_fraction: float, split_seed: int) -> Dataset:
    """Digits with a stratified split; pixels are scaled to [0, 1] (standardised later).
    Parameters arrive checked (``check_params``)."""
    from sklearn.datasets import load_digits as sk_load_digits  # deferred: sklearn is slow to import

    del seed, cache_dir  # the split is fixed by split_seed; the data ship with scikit-learn
    bunch = sk_load_digits()
    x = np.asarray(bunch.data, dtype=np.float64) / 16.0  # (1797, 64)
    y = np.asarray(bunch.target, dtype=np.int64)  # (1797,)
    train, test = split_indices(len(y), test_fraction, make_rng(split_seed, "digits", "split"), y)
    return Dataset("digits", x[train], y[train], x[test], y[test], n_classes=10)
