"""Synthetic datasets (blobs, xor, teacher) and the bundled digits: seeding, shapes, splits."""

from __future__ import annotations

import numpy as np
import pytest

from experiments.datasets import DatasetError, load_dataset

SYNTHETIC = ["blobs", "xor", "teacher"]


def arrays(d):
    return (d.x_train, d.y_train, d.x_test, d.y_test)


@pytest.mark.parametrize("name", SYNTHETIC)
def test_same_seed_same_data_different_seed_different_data(name):
    a, b, c = (load_dataset(name, seed=s) for s in (3, 3, 4))
    for u, v in zip(arrays(a), arrays(b)):
        np.testing.assert_array_equal(u, v)
    assert not np.array_equal(a.x_train, c.x_train)


@pytest.mark.parametrize("name", SYNTHETIC)
def test_data_seed_fixes_data_across_run_seeds(name):
    a = load_dataset(name, seed=0, data_seed=11)
    b = load_dataset(name, seed=1, data_seed=11)
    np.testing.assert_array_equal(a.x_train, b.x_train)


@pytest.mark.parametrize("name", SYNTHETIC + ["digits"])
def test_global_random_state_untouched(name):
    np.random.seed(5)
    load_dataset(name, seed=0)
    draw = np.random.random()
    np.random.seed(5)
    assert draw == np.random.random()


@pytest.mark.parametrize(
    "name, params, n_features, n_outputs",
    [
        ("blobs", dict(n_samples=500, n_features=5, n_classes=4), 5, 4),
        ("xor", dict(n_samples=500), 2, 2),
        ("teacher", dict(n_samples=500, n_features=7, n_outputs=3), 7, 3),
    ],
)
@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_shapes_and_dtypes(name, params, n_features, n_outputs, dtype):
    d = load_dataset(name, seed=0, dtype=dtype, **params)
    assert d.x_train.shape == (400, n_features) and d.x_test.shape == (100, n_features)
    assert d.x_train.dtype == np.dtype(dtype) and d.x_test.dtype == np.dtype(dtype)
    assert d.y_train.dtype == np.int64 and d.y_train.shape == (400,)
    assert d.n_outputs == n_outputs and d.n_features == n_features and d.task == "classification"
    assert all(a.flags.c_contiguous for a in arrays(d))
    assert d.y_train.min() >= 0 and max(d.y_train.max(), d.y_test.max()) < n_outputs


def test_teacher_regression_targets():
    d = load_dataset("teacher", seed=0, dtype="float64", task="regression", n_outputs=4, n_samples=300)
    assert d.task == "regression" and d.n_classes is None and d.n_outputs == 4
    assert d.y_train.shape == (240, 4) and d.y_train.dtype == np.float64
    assert d.y_train.std() > 0.1  # the teacher output carries signal


def test_teacher_labels_are_argmax_of_regression_outputs():
    # Same data_seed, same draws: the classification labels are the argmax of the regression targets.
    cls = load_dataset("teacher", seed=0, data_seed=2, dtype="float64", test_fraction=0.5)
    reg = load_dataset("teacher", seed=0, data_seed=2, dtype="float64", test_fraction=0.5, task="regression")
    all_x = np.concatenate([reg.x_train, reg.x_test])
    all_y = np.concatenate([reg.y_train, reg.y_test]).argmax(axis=1)
    order_c = np.lexsort(np.concatenate([cls.x_train, cls.x_test]).T)
    order_r = np.lexsort(all_x.T)
    np.testing.assert_array_equal(np.concatenate([cls.y_train, cls.y_test])[order_c], all_y[order_r])


def test_xor_is_not_linearly_separable():
    from sklearn.linear_model import LogisticRegression

    d = load_dataset("xor", seed=0, noise=0.0, dtype="float64")
    acc = LogisticRegression().fit(d.x_train, d.y_train).score(d.x_test, d.y_test)
    assert acc < 0.7
    # ... but the labels are the XOR of the coordinate signs of the clean points.
    prod = d.x_train[:, 0] * d.x_train[:, 1]  # standardising barely moves the near-zero means
    assert np.mean((prod < 0) == (d.y_train == 1)) > 0.97


@pytest.mark.parametrize("name", ["blobs", "teacher", "digits"])
def test_split_is_stratified(name):
    d = load_dataset(name, seed=0) if name != "blobs" else load_dataset(name, seed=0, n_classes=5)
    k = d.n_classes
    train = np.bincount(d.y_train, minlength=k) / len(d.y_train)
    test = np.bincount(d.y_test, minlength=k) / len(d.y_test)
    # Largest-remainder rounding: each class's test count is within one of its exact share.
    total = np.bincount(np.concatenate([d.y_train, d.y_test]), minlength=k)
    exact = total * len(d.y_test) / total.sum()
    assert np.all(np.abs(np.bincount(d.y_test, minlength=k) - exact) <= 1)
    assert np.abs(train - test).max() < 0.02


@pytest.mark.parametrize("name", SYNTHETIC + ["digits"])
def test_standardised_with_train_statistics_only(name):
    d = load_dataset(name, seed=0, dtype="float64")
    mean, std = d.x_train.mean(axis=0), d.x_train.std(axis=0)
    np.testing.assert_allclose(mean, 0.0, atol=1e-10)
    varying = std > 0  # digits has pixels that are always 0: centred, not scaled
    np.testing.assert_allclose(std[varying], 1.0, rtol=1e-10)
    assert np.all(np.abs(d.x_test.mean(axis=0)[varying]) > 1e-8)  # test set not re-centred on itself


def test_digits_split_fixed_by_split_seed_not_run_seed():
    a, b = load_dataset("digits", seed=0), load_dataset("digits", seed=9)
    c = load_dataset("digits", seed=0, split_seed=1)
    np.testing.assert_array_equal(a.x_test, b.x_test)
    assert not np.array_equal(a.y_test, c.y_test)
    assert a.x_train.shape == (1438, 64) and a.x_test.shape == (359, 64) and a.n_classes == 10


@pytest.mark.parametrize(
    "name, params, match",
    [
        ("blobs", dict(n_classes=1), "'n_classes' for dataset 'blobs' must be an integer >= 2"),
        ("xor", dict(noise=-0.1), "'noise'"),
        ("xor", dict(test_fraction=0.0), "'test_fraction'"),
        ("teacher", dict(task="ranking"), "classification, regression"),
        ("teacher", dict(teacher_depth=-1), "'teacher_depth'"),
        ("blobs", dict(n_samples=2.5), "'n_samples' for dataset 'blobs' must be of type int"),
        ("xor", dict(data_seed=-3), "'data_seed'"),
    ],
)
def test_bad_values_name_the_key(name, params, match):
    with pytest.raises(DatasetError, match=match):
        load_dataset(name, seed=0, **params)


def test_teacher_gain_makes_a_more_nonlinear_teacher_and_is_checked():
    from experiments.datasets import DatasetError, load_dataset

    a = load_dataset("teacher", seed=0, teacher_gain=1.0, n_samples=400)
    b = load_dataset("teacher", seed=0, teacher_gain=3.0, n_samples=400)
    assert not np.array_equal(a.y_train, b.y_train)
    with pytest.raises(DatasetError, match="teacher_gain"):
        load_dataset("teacher", seed=0, teacher_gain=0.0)
