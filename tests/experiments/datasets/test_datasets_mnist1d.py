"""MNIST-1D: offline generation, determinism, global random state untouched, .npz cache."""

from __future__ import annotations

import os
import random

import numpy as np
import pytest

from experiments.datasets import DatasetError, load_dataset
from experiments.datasets import mnist1d

SMALL = dict(num_samples=500)  # fast (~0.2 s) for the tests that only need some data


@pytest.fixture(autouse=True)
def no_package_download(monkeypatch):
    import mnist1d.data

    def forbidden(*args, **kwargs):
        raise AssertionError("mnist1d.get_dataset downloads and unpickles; it must never be called")

    monkeypatch.setattr(mnist1d.data, "get_dataset", forbidden)


def test_default_dataset_shapes_state_and_cache(tmp_path, monkeypatch):
    np.random.seed(123)
    random.seed(123)
    np_before, py_before = np.random.get_state(), random.getstate()

    first = load_dataset("mnist1d", seed=0, cache_dir=str(tmp_path))

    np_after = np.random.get_state()
    assert np_after[0] == np_before[0] and np.array_equal(np_after[1], np_before[1])
    assert np_after[2:] == np_before[2:]
    assert random.getstate() == py_before
    draw = np.random.random()
    np.random.seed(123)
    assert draw == np.random.random()  # the next global draw is the one it would have been

    assert first.x_train.shape == (4000, 40) and first.x_test.shape == (1000, 40)
    assert first.n_classes == 10 and set(np.unique(first.y_train)) == set(range(10))
    assert first.x_train.dtype == np.float32 and first.y_train.dtype == np.int64
    assert first.x_train.flags.c_contiguous
    expected_file = mnist1d.cache_path(5000, 0.8, 42, False, str(tmp_path))
    assert os.listdir(tmp_path / "mnist1d") == [os.path.basename(expected_file)]

    # Second time: read from the cache, the generator is not run; the run seed changes nothing.
    def must_not_generate(*args, **kwargs):
        raise AssertionError("generated again instead of using the cache")

    monkeypatch.setattr(mnist1d, "generate", must_not_generate)
    second = load_dataset("mnist1d", seed=5, cache_dir=str(tmp_path))
    np.testing.assert_array_equal(first.x_train, second.x_train)
    np.testing.assert_array_equal(first.y_test, second.y_test)


def test_generation_is_deterministic(tmp_path):
    a = load_dataset("mnist1d", seed=0, cache_dir=str(tmp_path / "a"), **SMALL)
    b = load_dataset("mnist1d", seed=0, cache_dir=str(tmp_path / "b"), **SMALL)  # fresh cache: regenerated
    for key in ("x_train", "y_train", "x_test", "y_test"):
        np.testing.assert_array_equal(getattr(a, key), getattr(b, key))
    assert a.x_train.shape == (400, 40)
    c = load_dataset("mnist1d", seed=0, cache_dir=str(tmp_path / "a"), data_seed=7, **SMALL)
    assert not np.array_equal(a.x_train, c.x_train)


def test_global_state_restored_even_when_generator_fails(tmp_path, monkeypatch):
    import mnist1d.data

    def broken(args):
        np.random.seed(0)
        random.seed(0)
        raise RuntimeError("boom")

    monkeypatch.setattr(mnist1d.data, "make_dataset", broken)
    np_before, py_before = np.random.get_state(), random.getstate()
    with pytest.raises(RuntimeError):
        load_dataset("mnist1d", seed=0, cache_dir=str(tmp_path), **SMALL)
    assert np.array_equal(np.random.get_state()[1], np_before[1]) and random.getstate() == py_before


def test_shuffled_variant_permutes_positions(tmp_path):
    plain = load_dataset("mnist1d", seed=0, cache_dir=str(tmp_path), dtype="float64", **SMALL)
    shuf = load_dataset("mnist1d", seed=0, cache_dir=str(tmp_path), dtype="float64", shuffle_seq=True, **SMALL)
    np.testing.assert_array_equal(plain.y_train, shuf.y_train)
    assert not np.allclose(plain.x_train, shuf.x_train)
    # Each shuffled position is one original position, the same for every sequence.
    dist = np.abs(shuf.x_train.T[:, None, :] - plain.x_train.T[None, :, :]).max(axis=2)  # (40, 40)
    perm = dist.argmin(axis=1)
    assert sorted(perm) == list(range(40)) and dist.min(axis=1).max() < 1e-9
    np.testing.assert_allclose(shuf.x_test, plain.x_test[:, perm], atol=1e-9)


def test_unreadable_cache_is_regenerated_and_written_atomically(tmp_path):
    path = mnist1d.cache_path(500, 0.8, 42, False, str(tmp_path))
    os.makedirs(os.path.dirname(path))
    with open(path, "wb") as f:
        f.write(b"not a zip file")
    data = load_dataset("mnist1d", seed=0, cache_dir=str(tmp_path), **SMALL)
    assert data.x_train.shape == (400, 40)
    assert os.listdir(os.path.dirname(path)) == [os.path.basename(path)]  # no temp files left
    with np.load(path, allow_pickle=False) as f:
        assert sorted(f.files) == ["x", "x_test", "y", "y_test"]


@pytest.mark.parametrize(
    "params, match",
    [
        (dict(num_samples=505), "multiple of 10"),
        (dict(train_split=1.0), "'train_split'.*between 0 and 1"),
        (dict(data_seed=-1), "'data_seed' must be a non-negative integer"),
        (dict(shuffle_seq=1), "'shuffle_seq'.*bool"),
    ],
)
def test_bad_parameters(tmp_path, params, match):
    with pytest.raises(DatasetError, match=match):
        load_dataset("mnist1d", seed=0, cache_dir=str(tmp_path), **params)
