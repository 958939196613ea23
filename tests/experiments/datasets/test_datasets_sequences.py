"""Sequence datasets: sequential MNIST-1D is MNIST-1D read as (40, 1); the delay task puts its
cue where it says, draws from the run seed, and checks its parameters before anything is drawn."""

from __future__ import annotations

import numpy as np
import pytest

from experiments.datasets import DatasetError, dataset_input_shape, load_dataset


def test_sequential_mnist1d_is_mnist1d_read_one_position_per_step(tmp_path):
    seq = load_dataset("sequential_mnist1d", seed=0, cache_dir=str(tmp_path), num_samples=500)
    flat = load_dataset("mnist1d", seed=0, cache_dir=str(tmp_path), num_samples=500)
    assert seq.shape == (40, 1) and flat.shape == (1, 40)
    for a, b in ((seq.x_train, flat.x_train), (seq.y_test, flat.y_test)):
        np.testing.assert_array_equal(a, b)


def test_delay_task_shows_the_cue_once_then_distractors_only():
    d = load_dataset("delay", seed=3, n_samples=200, n_cues=3, delay=5, distractors=2)
    assert d.shape == (6, 5) and d.n_classes == 3 and d.x_train.shape == (160, 30)
    x = d.x_train.reshape(-1, 6, 5)
    np.testing.assert_array_equal(x[:, 0, :3].argmax(axis=1), d.y_train)   # the cue is the label
    assert np.all(x[:, 1:, :3] == 0)                                        # silent afterwards
    assert np.all(x[:, :, 3:].std(axis=0) > 0.5)                            # distractors throughout
    assert np.bincount(d.y_train).min() >= 50                               # balanced


def test_delay_task_is_drawn_from_the_run_seed():
    a, b, c = (load_dataset("delay", seed=s, n_samples=100) for s in (1, 1, 2))
    np.testing.assert_array_equal(a.x_train, b.x_train)
    assert not np.array_equal(a.x_train, c.x_train)
    np.testing.assert_array_equal(load_dataset("delay", seed=1, n_samples=100, data_seed=7).x_test,
                                  load_dataset("delay", seed=2, n_samples=100, data_seed=7).x_test)


@pytest.mark.parametrize("params, message", [
    ({"delay": 0}, "'delay' for dataset 'delay' must be an integer >= 1, got 0"),
    ({"n_cues": 1}, "'n_cues' for dataset 'delay' must be an integer >= 2"),
    ({"distractors": -1}, "'distractors' for dataset 'delay' must be an integer >= 0"),
    ({"test_fraction": 1.0}, "'test_fraction' for dataset 'delay' must be a number strictly between 0 and 1"),
    ({"n_samples": 10**7, "delay": 100}, "holds 6060000000 values, more than 200000000"),
])
def test_bad_delay_parameters_are_one_line_errors_before_drawing(params, message):
    with pytest.raises(DatasetError, match=message) as err:
        dataset_input_shape("delay", params)
    assert "\n" not in str(err.value)
