"""Seeded, stratified splits and train-only standardisation.

Every function takes its randomness as a ``numpy.random.Generator``; none touches numpy's or
Python's global random state.
"""

from __future__ import annotations

import zlib

import numpy as np

from .base import DatasetError


def make_rng(seed: int, *purpose: str) -> np.random.Generator:
    """A generator for one purpose of one seed, e.g. ``make_rng(seed, "xor", "split")``.

    The purpose words enter the ``SeedSequence`` spawn key, so the dataset's streams never
    coincide with the stream a runner derives from the same seed for weights or batches.
    """
    key = tuple(zlib.crc32(word.encode()) for word in purpose)
    return np.random.default_rng(np.random.SeedSequence(entropy=seed, spawn_key=key))


def _allocate(counts: np.ndarray, n_pick: int) -> np.ndarray:
    """Split ``n_pick`` over classes in proportion to ``counts`` (largest-remainder rounding).

    counts: (C,) int; returns (C,) int summing to ``n_pick`` with each entry <= its count.
    """
    ideal = counts * (n_pick / counts.sum())
    take = np.floor(ideal).astype(np.int64)
    # Hand the leftover units to the classes that floor() shortchanged most; ties go to the
    # lower class index (argsort is stable), so the result is deterministic.
    order = np.argsort(-(ideal - take), kind="stable")
    for c in order[: n_pick - int(take.sum())]:
        take[c] += 1
    return np.minimum(take, counts)


def stratified_indices(y: np.ndarray, n_pick: int, rng: np.random.Generator) -> np.ndarray:
    """Indices of ``n_pick`` rows of ``y`` (N,) keeping each class's share; returned shuffled."""
    classes, inverse, counts = np.unique(y, return_inverse=True, return_counts=True)
    take = _allocate(counts, n_pick)
    picked = [rng.permutation(np.flatnonzero(inverse == c))[: take[c]] for c in range(len(classes))]
    out = np.concatenate(picked) if picked else np.empty(0, dtype=np.int64)
    return rng.permutation(out)


def split_indices(
    n: int, test_fraction: float, rng: np.random.Generator, y: np.ndarray | None = None
) -> tuple[np.ndarray, np.ndarray]:
    """Seeded train/test split of ``n`` rows: (train_idx, test_idx), each shuffled.

    With class labels ``y`` (N,) the split is stratified: each class keeps (up to rounding) the
    same share in train and test. Without ``y`` (regression) it is a plain random split.
    """
    n_test = int(round(n * test_fraction))
    if n_test < 1 or n_test > n - 1:
        raise DatasetError(
            f"data: test_fraction {test_fraction} leaves an empty train or test split for {n} samples"
        )
    if y is None:
        perm = rng.permutation(n)
        return perm[n_test:], perm[:n_test]
    test_idx = stratified_indices(y, n_test, rng)
    mask = np.ones(n, dtype=bool)
    mask[test_idx] = False
    train_idx = rng.permutation(np.flatnonzero(mask))
    return train_idx, test_idx


def standardize(
    x_train: np.ndarray, x_test: np.ndarray, dtype: np.dtype | str = np.float32
) -> tuple[np.ndarray, np.ndarray]:
    """Centre and scale each feature by the TRAINING mean and std; returns C-contiguous arrays.

    x_train: (N, D), x_test: (M, D), any numeric dtype; outputs are (N, D), (M, D) in ``dtype``.
    Statistics are accumulated in float64 whatever the output dtype. Features that are
    constant on the training set (std at rounding level relative to their magnitude) are
    centred but not scaled, instead of being blown up by a division by ~0.
    The test set is transformed with the training statistics, so its mean is not exactly 0.
    """
    mean = x_train.mean(axis=0, dtype=np.float64)
    std = x_train.std(axis=0, dtype=np.float64)
    scale = np.abs(x_train).max(axis=0).astype(np.float64) if len(x_train) else np.zeros_like(std)
    std = np.where(std <= 1e-10 * scale, 1.0, std)
    return _apply(x_train, mean, std, dtype), _apply(x_test, mean, std, dtype)


def _apply(x: np.ndarray, mean: np.ndarray, std: np.ndarray, dtype: np.dtype | str) -> np.ndarray:
    # Work in float64 and cast once at the end so float32 outputs carry no extra rounding.
    out = (np.asarray(x, dtype=np.float64) - mean) / std
    return np.ascontiguousarray(out, dtype=dtype)
