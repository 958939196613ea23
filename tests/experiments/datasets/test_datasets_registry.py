"""The registry: names, parameters, errors, and the shared preprocessing helpers."""

from __future__ import annotations

import numpy as np
import pytest

from experiments.datasets import DATASETS, Dataset, DatasetError, dataset_params, load_dataset
from experiments.datasets.preprocessing import make_rng, split_indices, standardize, stratified_indices

EXPECTED = {"mnist1d", "digits", "mnist", "fashion_mnist", "blobs", "xor", "teacher", "sequential_mnist1d", "delay",
            "evidence", "pattern", "trajectory"}


def test_registry_lists_the_datasets_and_their_defaults():
    assert set(DATASETS) == EXPECTED
    assert dataset_params("mnist1d") == {"num_samples": 5000, "train_split": 0.8, "data_seed": 42, "shuffle_seq": False}
    assert dataset_params("digits") == {"test_fraction": 0.2, "split_seed": 0}
    params = dataset_params("xor")
    params["noise"] = 99  # a copy: callers cannot change the defaults
    assert dataset_params("xor")["noise"] == 0.1


def test_unknown_dataset_names_the_allowed_ones():
    for call in (lambda: dataset_params("cifar"), lambda: load_dataset("cifar", seed=0)):
        with pytest.raises(DatasetError) as err:
            call()
        msg = str(err.value)
        assert "\n" not in msg and "'cifar'" in msg
        assert all(name in msg for name in EXPECTED)


def test_unknown_parameter_names_the_allowed_ones():
    with pytest.raises(DatasetError) as err:
        load_dataset("xor", seed=0, foo=1)
    assert str(err.value) == (
        "data: unknown key 'foo' for dataset 'xor'; allowed: n_samples, noise, tiles, test_fraction, data_seed"
    )


@pytest.mark.parametrize("seed", [-1, 1.5, True, "0"])
def test_bad_run_seed(seed):
    with pytest.raises(DatasetError, match="seed"):
        load_dataset("xor", seed=seed)


def test_bad_dtype():
    with pytest.raises(DatasetError, match="float32 or float64"):
        load_dataset("xor", seed=0, dtype="int8")
    assert load_dataset("xor", seed=0, dtype=np.float64).x_train.dtype == np.float64


def test_dataset_validates_shapes():
    x, y = np.zeros((4, 2)), np.zeros(4, dtype=np.int64)
    with pytest.raises(DatasetError, match="different lengths"):
        Dataset("t", x, y[:3], x, y, n_classes=2)
    with pytest.raises(DatasetError, match="2-D"):
        Dataset("t", x, y, x, y, n_classes=None)  # regression targets must be (N, K)
    assert "n_train=4" in repr(Dataset("t", x, y, x, y, n_classes=2))


def test_stratified_indices_keep_proportions():
    y = np.repeat([0, 1, 2], [50, 30, 20])
    idx = stratified_indices(y, 10, make_rng(0, "t"))
    assert len(set(idx)) == 10
    np.testing.assert_array_equal(np.bincount(y[idx]), [5, 3, 2])


def test_split_indices_partition_the_rows():
    y = np.repeat([0, 1], [70, 30])
    train, test = split_indices(100, 0.2, make_rng(0, "t"), y)
    assert sorted(np.concatenate([train, test])) == list(range(100))
    np.testing.assert_array_equal(np.bincount(y[test]), [14, 6])
    with pytest.raises(DatasetError, match="empty"):
        split_indices(3, 0.1, make_rng(0, "t"))


def test_make_rng_streams_differ_by_purpose():
    assert make_rng(0, "a").random() != make_rng(0, "b").random()
    assert make_rng(0, "a").random() == make_rng(0, "a").random()


def test_standardize_constant_features_and_train_statistics():
    x_train = np.array([[1.0, 0.1, 10.0], [3.0, 0.1, 10.0]])
    x_test = np.array([[5.0, 0.1, 12.0]])
    tr, te = standardize(x_train, x_test, np.float64)
    np.testing.assert_allclose(tr, [[-1, 0, 0], [1, 0, 0]], atol=1e-12)
    np.testing.assert_allclose(te, [[3, 0, 2]], atol=1e-12)  # constant features: centred, not scaled


def test_returned_arrays_are_read_only():
    d = load_dataset("xor", seed=0)
    for arr in (d.x_train, d.y_train, d.x_test, d.y_test):
        with pytest.raises(ValueError, match="read-only"):
            arr[0] = 0
