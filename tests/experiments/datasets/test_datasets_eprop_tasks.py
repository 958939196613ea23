"""The e-prop paper's tasks: evidence accumulation and pattern generation (shapes, structure,
determinism from the seed, unstandardised spikes, one-line errors)."""

from __future__ import annotations

import numpy as np
import pytest

from experiments.datasets import DatasetError, dataset_input_shape, load_dataset
from experiments.datasets.evidence import draw, steps_of
from experiments.datasets.pattern import PERIODS, nmse
from experiments.datasets.preprocessing import make_rng

SMALL = {"n_samples": 60, "n_cues": 3, "cue_steps": 4, "gap_steps": 2, "delay": 5, "recall": 3, "population": 2}


def test_evidence_shapes_and_spikes():
    d = load_dataset("evidence", seed=0, **SMALL)
    T = 3 * (4 + 2) + 5 + 3
    assert d.input_shape == (T, 8) == dataset_input_shape("evidence", SMALL)
    assert d.x_train.shape == (48, T * 8) and d.x_test.shape == (12, T * 8)
    assert set(np.unique(d.x_train)) <= {0.0, 1.0}  # spikes, not standardised
    assert d.n_classes == 2 and set(np.unique(d.y_train)) == {0, 1}


def test_evidence_label_is_the_side_with_more_cues():
    p = {k: v for k, v in SMALL.items() if k != "n_samples"}
    x, y = draw(make_rng(3, "t"), 400, **p, spike_prob=1.0, cue_bias=0.7)
    T, P = steps_of(p), 2
    starts = [k * 6 + 2 for k in range(3)]
    right = np.stack([x[:, s, P:2 * P].all(axis=1) for s in starts], axis=1)  # (N, cues): right shown
    left = np.stack([x[:, s, :P].all(axis=1) for s in starts], axis=1)
    assert (left ^ right).all()  # each cue shows exactly one side
    np.testing.assert_array_equal(y, right.sum(axis=1) >= 2)
    assert not x[:, T - 3 - 5:T - 3, :2 * P].any()  # the delay: no cue spikes
    assert x[:, T - 3:, 2 * P:3 * P].all() and not x[:, :T - 3, 2 * P:3 * P].any()  # recall only at the end


def test_evidence_is_drawn_from_the_seed():
    a, b, c = (load_dataset("evidence", seed=s, **SMALL) for s in (1, 1, 2))
    np.testing.assert_array_equal(a.x_train, b.x_train)
    np.testing.assert_array_equal(a.y_train, b.y_train)
    assert not np.array_equal(a.x_train, c.x_train)
    d = load_dataset("evidence", seed=5, data_seed=1, **SMALL)
    np.testing.assert_array_equal(a.x_train, d.x_train)


@pytest.mark.parametrize("params, message", [({"n_cues": 4}, "must be odd"), ({"spike_prob": 0.0}, "spike_prob"),
                                             ({"cue_bias": 0.3}, "cue_bias"), ({"recall": 0}, "recall")])
def test_bad_evidence_parameters_are_one_line_errors(params, message):
    with pytest.raises(DatasetError, match=message) as err:
        load_dataset("evidence", seed=0, **{**SMALL, **params})
    assert "\n" not in str(err.value)


def test_pattern_is_one_frozen_input_and_a_sum_of_sinusoids():
    d = load_dataset("pattern", seed=0, steps=50, n_inputs=7, n_outputs=2)
    assert d.input_shape == (50, 7) and d.task == "regression" and d.n_outputs == 100
    assert (d.x_train == d.x_train[0]).all() and (d.x_test == d.x_train[0]).all()  # frozen, every sample
    assert set(np.unique(d.x_train)) == {0.0, 1.0} and d.x_train.mean() > 0  # spikes kept (not centred)
    y = d.y_train[0].reshape(50, 2)  # time-major: y[t K + k]
    np.testing.assert_allclose(y.mean(axis=0), 0, atol=1e-6)
    np.testing.assert_allclose(y.std(axis=0), 1, rtol=1e-5)
    spectrum = np.abs(np.fft.rfft(y, axis=0))
    assert set(np.argsort(spectrum[:, 0])[-4:]) == set(PERIODS)  # its 4 frequencies, nothing else
    assert nmse(0.5 * 100 * 1.0, 50, 2) == pytest.approx(1.0)  # a constant at the mean: nMSE 1


def test_pattern_is_drawn_from_the_seed():
    a, b, c = (load_dataset("pattern", seed=s, steps=20, n_inputs=5) for s in (4, 4, 5))
    np.testing.assert_array_equal(a.x_train, b.x_train)
    np.testing.assert_array_equal(a.y_train, b.y_train)
    assert not np.array_equal(a.y_train, c.y_train)


def test_bad_pattern_parameters_are_one_line_errors():
    with pytest.raises(DatasetError, match="'steps'"):
        load_dataset("pattern", seed=0, steps=5)
