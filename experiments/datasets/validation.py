"""The validation split of a search run: held out from the training split, never from the test split.

A search run of a tuned experiment trains on part of the training split and is scored on the rest;
the dataset it is given has no test split at all, so nothing it computes can depend on the test
data. The split is stratified by class (a plain random split for regression) and drawn from the
generator passed in, so every rule and trial of one search seed holds out the same rows. The two
parts are standardised again with the statistics of the part that trains, as the loader does
with the training and test splits.
"""

from __future__ import annotations

import numpy as np

from .base import Dataset, DatasetError
from .preprocessing import split_indices, standardize


def carve_validation(data: Dataset, fraction: float, rng: np.random.Generator) -> Dataset:
    """``data`` with its training split cut in two: the returned dataset's training split is the
    part that trains, (N - V, D), and its test split *is the validation part*, (V, D); the real
    test split is dropped. ``fraction`` in (0, 1) is V / N, rounded."""
    n = len(data.x_train)
    labels = data.y_train if data.n_classes is not None else None
    try:
        fit, held = split_indices(n, fraction, rng, labels)
    except DatasetError:
        raise DatasetError(f"tune.validation_fraction: {fraction} leaves an empty training or validation "
                           f"split of the {n} training samples of dataset {data.name!r}") from None
    fit, held = np.sort(fit), np.sort(held)  # the run's own shuffle orders the batches
    x_fit, x_held = standardize(data.x_train[fit], data.x_train[held], data.x_train.dtype)
    y_fit, y_held = data.y_train[fit], data.y_train[held]  # fancy indexing copies: writable
    for arr in (x_fit, y_fit, x_held, y_held):
        arr.flags.writeable = False
    return Dataset(data.name, x_fit, y_fit, x_held, y_held, n_classes=data.n_classes,
                   input_shape=data.input_shape)
