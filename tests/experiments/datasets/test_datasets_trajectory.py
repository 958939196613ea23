"""Murray (2019)'s periodic output task (experiments/datasets/trajectory.py): shapes, the pulse,
the target's structure, determinism from the seed, one-line errors."""

from __future__ import annotations

import numpy as np
import pytest

from experiments.datasets import DatasetError, dataset_input_shape, load_dataset
from experiments.datasets.pattern import PERIODS

SMALL = {"n_samples": 10, "steps": 40, "pulse_steps": 3, "n_outputs": 2}


def test_shapes_pulse_and_unit_variance_target():
    d = load_dataset("trajectory", seed=0, **SMALL)
    assert d.input_shape == (40, 1) == dataset_input_shape("trajectory", SMALL)
    assert d.x_train.shape == (8, 40) and d.y_train.shape == (8, 80) and d.x_test.shape == (2, 40)
    assert d.n_classes is None
    np.testing.assert_array_equal(d.x_train[0], np.r_[np.ones(3), np.zeros(37)])  # not standardised
    assert (d.x_train == d.x_train[0]).all() and (d.y_test == d.y_train[0]).all()  # one trial, every row
    y = d.y_train[0].reshape(40, 2)  # time-major: y[t K + k]
    np.testing.assert_allclose(y.mean(axis=0), 0.0, atol=1e-6)
    np.testing.assert_allclose(y.std(axis=0), 1.0, rtol=1e-5)
    assert not np.allclose(y[:, 0], y[:, 1])  # each output its own signal


def test_target_is_periodic_over_the_trial():
    """Sinusoids of whole periods over T: the signal continued one step past T returns to y_0,
    so its spectrum holds only the frequencies PERIODS."""
    y = load_dataset("trajectory", seed=0, steps=60, dtype="float64").y_train[0]
    power = np.abs(np.fft.rfft(y)) ** 2
    assert set(np.flatnonzero(power > 1e-9 * power.max())) == set(PERIODS)


def test_drawn_from_the_seed():
    a, b, c = (load_dataset("trajectory", seed=s, **SMALL) for s in (1, 1, 2))
    np.testing.assert_array_equal(a.y_train, b.y_train)
    assert not np.allclose(a.y_train, c.y_train)
    d = load_dataset("trajectory", seed=2, data_seed=1, **SMALL)
    np.testing.assert_array_equal(a.y_train, d.y_train)


@pytest.mark.parametrize("key, value, match", [("pulse_steps", 40, "pulse_steps"), ("steps", 5, "steps"),
                                               ("n_outputs", 0, "n_outputs"), ("pulse_steps", 0, "pulse_steps")])
def test_bad_parameters_are_one_line_errors(key, value, match):
    with pytest.raises(DatasetError, match=match) as err:
        load_dataset("trajectory", seed=0, **{**SMALL, key: value})
    assert "\n" not in str(err.value)
