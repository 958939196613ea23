"""Small synthetic classification problems drawn from the run seed: ``blobs`` and ``xor``.

Each run seed draws a new sample (and split), so the spread over seeds includes data
variance; set ``data_seed`` to fix the data across runs. All randomness comes from
``make_rng`` (a ``SeedSequence``), never from numpy's global state.
"""

from __future__ import annotations

import numpy as np

from .base import Dataset
from .params import check_float, check_fraction, check_int, check_optional_seed, check_split
from .preprocessing import make_rng, split_indices

BLOBS_PARAMS = {
    "n_samples": 1000,
    "n_features": 2,
    "n_classes": 3,
    "spread": 1.0,
    "test_fraction": 0.2,
    "data_seed": None,
}
XOR_PARAMS = {"n_samples": 1000, "noise": 0.1, "tiles": 2, "test_fraction": 0.2, "data_seed": None}


def data_seed_or(seed: int, data_seed: int | None) -> int:
    """The seed the data are drawn from: ``data_seed`` if set, else the run seed."""
    return seed if data_seed is None else data_seed


def check_sample(dataset: str, n_samples: int, test_fraction: float, data_seed: int | None) -> dict:
    """The parameters every synthetic set shares: sample size, split, data seed."""
    n_samples = check_int(dataset, "n_samples", n_samples, minimum=2)
    test_fraction = check_fraction(dataset, "test_fraction", test_fraction)
    check_split(dataset, n_samples, test_fraction)
    return {"n_samples": n_samples, "test_fraction": test_fraction,
            "data_seed": check_optional_seed(data_seed, "'data_seed'")}


def check_blobs(*, n_samples: int, n_features: int, n_classes: int, spread: float, test_fraction: float,
                data_seed: int | None) -> dict:
    """The blobs parameters, checked without drawing anything."""
    return {**check_sample("blobs", n_samples, test_fraction, data_seed),
            "n_features": check_int("blobs", "n_features", n_features),
            "n_classes": check_int("blobs", "n_classes", n_classes, minimum=2),
            "spread": check_float("blobs", "spread", spread)}


def check_xor(*, n_samples: int, noise: float, tiles: int, test_fraction: float, data_seed: int | None) -> dict:
    """The xor parameters, checked without drawing anything."""
    return {**check_sample("xor", n_samples, test_fraction, data_seed),
            "noise": check_float("xor", "noise", noise), "tiles": check_int("xor", "tiles", tiles, minimum=2)}


def balanced_labels(n_samples: int, n_classes: int, rng: np.random.Generator) -> np.ndarray:
    """(n_samples,) int64 labels with class sizes differing by at most one, in random order."""
    return rng.permutation(np.arange(n_samples, dtype=np.int64) % n_classes)


def load_blobs(
    *,
    seed: int,
    cache_dir: str | None,
    n_samples: int,
    n_features: int,
    n_classes: int,
    spread: float,
    test_fraction: float,
    data_seed: int | None,
) -> Dataset:
    """Gaussian clusters: centres ~ N(0, 4 I) in ``n_features`` dimensions, one per class;
    x = centre[y] + spread * N(0, I). spread=1 gives partly overlapping classes in 2-D.
    Parameters arrive checked (``check_blobs``)."""
    del cache_dir
    data_seed = data_seed_or(seed, data_seed)

    rng = make_rng(data_seed, "blobs", "data")
    centres = 2.0 * rng.standard_normal((n_classes, n_features))  # (C, D)
    y = balanced_labels(n_samples, n_classes, rng)  # (N,)
    x = centres[y] + spread * rng.standard_normal((n_samples, n_features))  # (N, D)
    train, test = split_indices(n_samples, test_fraction, make_rng(data_seed, "blobs", "split"), y)
    return Dataset("blobs", x[train], y[train], x[test], y[test], n_classes=n_classes)


def load_xor(
    *,
    seed: int,
    cache_dir: str | None,
    n_samples: int,
    noise: float,
    tiles: int,
    test_fraction: float,
    data_seed: int | None,
) -> Dataset:
    """XOR / checkerboard in 2-D: points uniform on [-1, 1]^2, labelled by the colour of their
    cell in a ``tiles`` x ``tiles`` checkerboard (tiles=2 is XOR of the coordinate signs), then
    moved by N(0, noise^2) input noise, which blurs the class boundaries. Not linearly
    separable, so a linear model stays near chance: the classic test that hidden layers learn.
    Parameters arrive checked (``check_xor``)."""
    del cache_dir
    data_seed = data_seed_or(seed, data_seed)

    rng = make_rng(data_seed, "xor", "data")
    clean = rng.uniform(-1.0, 1.0, size=(n_samples, 2))  # (N, 2)
    cell = np.minimum(np.floor((clean + 1.0) / 2.0 * tiles), tiles - 1).astype(np.int64)  # (N, 2)
    y = (cell.sum(axis=1) % 2).astype(np.int64)  # (N,)
    x = clean + noise * rng.standard_normal((n_samples, 2))
    train, test = split_indices(n_samples, test_fraction, make_rng(data_seed, "xor", "split"), y)
    return Dataset("xor", x[train], y[train], x[test], y[test], n_classes=2)
