"""MNIST-1D (Greydanus 2020, "Scaling down deep learning"), generated offline and cached.

Ten 1-D digit templates, each padded, dilated, scaled, translated, noised and sheared, then
resampled to 40 points: a (N, 40) problem where an MLP reaches ~68% and a CNN ~94% test
accuracy, small enough to run many learning rules and seeds on a laptop.

The data are fixed by the package's own generator seed (``data_seed``, default 42), not by
the run seed: every run of an experiment sees the same 4000 train / 1000 test samples.
The package's ``get_dataset`` is never used (it downloads and unpickles); ``make_dataset`` is
called once per parameter set and the arrays are cached as ``<cache>/mnist1d/*.npz``.
"""

from __future__ import annotations

import importlib.metadata
import os
import random
import zipfile

import numpy as np

from .base import Dataset, DatasetError
from .cache import atomic_savez, dataset_dir
from .params import check_bool, check_fraction, check_int, check_seed

# Defaults as the package's get_dataset_args(); `data_seed` is the package's `seed` (renamed
# because `seed` is the run seed everywhere else in the lab).
PARAMS = {"num_samples": 5000, "train_split": 0.8, "data_seed": 42, "shuffle_seq": False}
_KEYS = ("x", "y", "x_test", "y_test")


def _package_version() -> str:
    try:
        return importlib.metadata.version("mnist1d")
    except importlib.metadata.PackageNotFoundError:  # pragma: no cover - installed as a dependency
        return "unknown"


def cache_path(
    num_samples: int, train_split: float, data_seed: int, shuffle_seq: bool, cache_dir: str | None = None
) -> str:
    """The .npz file for one parameter set; the package version is part of the name because
    a new version of the generator could produce different data from the same seed."""
    name = (
        f"mnist1d-v{_package_version()}-n{num_samples}-split{train_split!r}"
        f"-seed{data_seed}{'-shuffled' if shuffle_seq else ''}.npz"
    )
    return os.path.join(dataset_dir("mnist1d", cache_dir), name)


def generate(num_samples: int, train_split: float, data_seed: int, shuffle_seq: bool) -> dict[str, np.ndarray]:
    """Run the package's generator; returns x (N, 40) float64, y (N,) int64, x_test, y_test.

    ``make_dataset`` reseeds numpy's and Python's GLOBAL generators (``set_seed``) and draws
    from them, so both states are saved first and restored afterwards, even on error: loading
    a dataset must not change any other random stream in the process. (Not thread-safe, like
    anything that uses the global state; the result is cached, so this runs once.)
    """
    from mnist1d.data import get_dataset_args, make_dataset  # deferred: pulls in scipy.interpolate

    args = get_dataset_args()  # an ObjectView over a fresh dict
    args.num_samples, args.train_split = num_samples, train_split
    args.seed, args.shuffle_seq = data_seed, shuffle_seq
    np_state, py_state = np.random.get_state(), random.getstate()
    try:
        data = make_dataset(args)
    finally:
        np.random.set_state(np_state)
        random.setstate(py_state)
    return {
        "x": np.asarray(data["x"], dtype=np.float64),
        "y": np.asarray(data["y"], dtype=np.int64),
        "x_test": np.asarray(data["x_test"], dtype=np.float64),
        "y_test": np.asarray(data["y_test"], dtype=np.int64),
    }


def _read_cache(path: str) -> dict[str, np.ndarray] | None:
    """The cached arrays, or None when the file is absent or unreadable (it is regenerated)."""
    if not os.path.isfile(path):
        return None
    try:
        with np.load(path, allow_pickle=False) as f:
            return {key: f[key] for key in _KEYS}
    except (OSError, ValueError, KeyError, EOFError, zipfile.BadZipFile):
        return None


def check_params(*, num_samples: int, train_split: float, data_seed: int, shuffle_seq: bool) -> dict:
    """The parameters, checked without generating anything."""
    num_samples = check_int("mnist1d", "num_samples", num_samples, minimum=20)
    if num_samples % 10:
        # The generator makes num_samples // 10 per class and silently drops the rest.
        raise DatasetError(f"data: 'num_samples' for dataset 'mnist1d' must be a multiple of 10, got {num_samples}")
    train_split = check_fraction("mnist1d", "train_split", train_split)
    n_train = int(num_samples * train_split)  # the package's own split rule
    if not 0 < n_train < num_samples:
        raise DatasetError(f"data: 'train_split' {train_split} leaves an empty split of {num_samples} mnist1d samples")
    return {"num_samples": num_samples, "train_split": train_split,
            "data_seed": check_seed(data_seed, "'data_seed'"),
            "shuffle_seq": check_bool("mnist1d", "shuffle_seq", shuffle_seq)}


def load_mnist1d(
    *,
    seed: int,
    cache_dir: str | None,
    num_samples: int,
    train_split: float,
    data_seed: int,
    shuffle_seq: bool,
) -> Dataset:
    """Load MNIST-1D from the cache, generating it on first use. ``seed`` is ignored (see module).
    Parameters arrive checked (``check_params``)."""
    del seed
    path = cache_path(num_samples, train_split, data_seed, shuffle_seq, cache_dir)
    arrays = _read_cache(path)
    if arrays is None:
        arrays = generate(num_samples, train_split, data_seed, shuffle_seq)
        try:
            atomic_savez(path, **arrays)
        except OSError:
            pass  # a read-only cache only costs regeneration next time; the data are still right
    return Dataset("mnist1d", arrays["x"], arrays["y"], arrays["x_test"], arrays["y_test"], n_classes=10)
