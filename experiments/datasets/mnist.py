"""MNIST (LeCun et al. 1998) and Fashion-MNIST (Xiao et al. 2017) from their IDX files.

28x28 grey images flattened to 784 features, 10 classes; 60000 train / 10000 test.
Files live in ``<cache>/mnist/`` or ``<cache>/fashion_mnist/`` and are downloaded and
verified on first use (see ``download.py``). ``n_train`` / ``n_test`` take a seeded,
stratified subset for quick runs; the subset's seed is ``split_seed`` (default 0), not the
run seed, so every run of an experiment trains and tests on the same images.
"""

from __future__ import annotations

import numpy as np

from .base import Dataset, DatasetError
from .cache import dataset_dir
from .download import ensure_files
from .idx import read_idx
from .params import check_bool, check_optional_int, check_seed
from .preprocessing import make_rng, stratified_indices

PARAMS = {"n_train": None, "n_test": None, "split_seed": 0, "download": True}
#: samples in the official splits (the files are verified by digest, so these are fixed)
SPLIT_SIZES = {"n_train": 60000, "n_test": 10000}


def check_params(dataset: str, *, n_train: int | None, n_test: int | None, split_seed: int,
                 download: bool) -> dict:
    """The parameters, checked without reading or downloading anything."""
    sizes = {"n_train": n_train, "n_test": n_test}
    for key, n in sizes.items():
        n = sizes[key] = check_optional_int(dataset, key, n)
        if n is not None and n > SPLIT_SIZES[key]:
            raise DatasetError(f"data: {key!r} for dataset {dataset!r} is {n} but the split has only "
                               f"{SPLIT_SIZES[key]} samples")
    return {**sizes, "split_seed": check_seed(split_seed, "'split_seed'"),
            "download": check_bool(dataset, "download", download)}


def _read_pair(dataset: str, images_path: str, labels_path: str) -> tuple[np.ndarray, np.ndarray]:
    """Images (N, rows*cols) uint8 and labels (N,) int64 from one pair of IDX files."""
    images, labels = read_idx(images_path), read_idx(labels_path)
    if images.ndim != 3 or images.dtype != np.uint8:
        raise DatasetError(f"data: {images_path} is not an IDX image file (shape {images.shape}, {images.dtype})")
    if labels.ndim != 1 or labels.dtype != np.uint8:
        raise DatasetError(f"data: {labels_path} is not an IDX label file (shape {labels.shape}, {labels.dtype})")
    if len(images) != len(labels):
        raise DatasetError(
            f"data: {images_path} has {len(images)} images but {labels_path} has {len(labels)} labels"
        )
    if labels.size and labels.max() > 9:
        raise DatasetError(f"data: {labels_path} holds label {labels.max()}, outside 0..9")
    return images.reshape(len(images), -1), labels.astype(np.int64)


def _subsample(
    dataset: str, key: str, n: int | None, y: np.ndarray, rng: np.random.Generator
) -> np.ndarray | None:
    if n is None:
        return None
    if n > len(y):  # files other than the official ones (a test's, a cut-down copy)
        raise DatasetError(f"data: {key!r} for dataset {dataset!r} is {n} but the split has only {len(y)} samples")
    return stratified_indices(y, n, rng)


def load_idx_dataset(
    dataset: str,
    *,
    seed: int,
    cache_dir: str | None,
    n_train: int | None,
    n_test: int | None,
    split_seed: int,
    download: bool,
) -> Dataset:
    """Load ``dataset`` ("mnist" or "fashion_mnist"); inputs are raw uint8 pixels. Parameters
    arrive checked (``check_params``).

    Pixels are not divided by 255 here: the registry standardises every feature with the
    training mean and std, which makes any prior scaling a no-op (and a float64 copy of
    60000x784 pixels would cost 376 MB for nothing).
    """
    del seed  # the data and the subset are fixed per experiment, not per run
    paths = ensure_files(dataset, dataset_dir(dataset, cache_dir), download=download)
    x_train, y_train = _read_pair(dataset, paths["train-images-idx3-ubyte.gz"], paths["train-labels-idx1-ubyte.gz"])
    x_test, y_test = _read_pair(dataset, paths["t10k-images-idx3-ubyte.gz"], paths["t10k-labels-idx1-ubyte.gz"])

    rng = make_rng(split_seed, dataset, "subsample")
    train_idx = _subsample(dataset, "n_train", n_train, y_train, rng)
    test_idx = _subsample(dataset, "n_test", n_test, y_test, rng)
    if train_idx is not None:
        x_train, y_train = x_train[train_idx], y_train[train_idx]
    if test_idx is not None:
        x_test, y_test = x_test[test_idx], y_test[test_idx]
    return Dataset(dataset, x_train, y_train, x_test, y_test, n_classes=10)


def load_mnist(**kwargs) -> Dataset:
    """MNIST handwritten digits; see ``load_idx_dataset``."""
    return load_idx_dataset("mnist", **kwargs)


def load_fashion_mnist(**kwargs) -> Dataset:
    """Fashion-MNIST clothing images; see ``load_idx_dataset``."""
    return load_idx_dataset("fashion_mnist", **kwargs)
