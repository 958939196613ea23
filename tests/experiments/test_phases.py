"""Runs made of phases (tasks in sequence) and the forgetting score."""

import numpy as np
import pandas as pd
import pytest

from experiments import load_config, load_results, run_experiment
from experiments.errors import ConfigError
from experiments.runs.phases import permutation_of, task_view
from experiments.studies.forgetting import accuracy_matrix, forgetting_score, forgetting_table

SPLIT = """
[experiment]
name = "split"
seeds = [0]
batch_size = 32
[data]
name = "digits"
[model]
hidden = [32]
[optimizer]
lr = 0.01
[[rules]]
name = "backprop"
[[phases]]
name = "low"
epochs = 3
classes = [0, 1, 2, 3, 4]
[[phases]]
name = "high"
epochs = 2
classes = [5, 6, 7, 8, 9]
"""


def test_task_view_selects_classes_and_permutes_features():
    x = np.arange(12, dtype=float).reshape(4, 3)
    y = np.array([0, 1, 2, 1])
    xs, ys = task_view({"name": "t", "classes": [1]}, x, y, 3)
    np.testing.assert_array_equal(ys, [1, 1])
    np.testing.assert_array_equal(xs, x[[1, 3]])
    xp, _ = task_view({"name": "t", "permutation": [2, 0, 1]}, x, y, 3)
    np.testing.assert_array_equal(xp, x[:, [2, 0, 1]])
    p1 = permutation_of({"name": "t", "permutation_seed": 1}, 64)
    assert sorted(p1) == list(range(64)) and not np.array_equal(p1, np.arange(64))
    np.testing.assert_array_equal(p1, permutation_of({"name": "u", "permutation_seed": 1}, 64))


def test_split_digits_run_logs_every_task_and_forgets(tmp_path):
    path = tmp_path / "split.toml"
    path.write_text(SPLIT)
    config = load_config(path)
    assert config.specs[0].epochs == 5
    run_experiment(config, tmp_path, quiet=True)
    res = load_results(tmp_path / "split")
    m = res.metrics
    assert {"low_accuracy", "high_accuracy", "test_accuracy", "phase"} <= set(m["metric"])
    phase = m[m["metric"] == "phase"].sort_values("epoch")["value"].tolist()
    assert phase == [0, 0, 0, 1, 1]
    at = lambda metric, epoch: m[(m["metric"] == metric) & (m["epoch"] == epoch)]["value"].item()
    # after phase 1 the first task is learnt; training only on 5-9 then erases it
    assert at("low_accuracy", 3) > 0.9 and at("high_accuracy", 3) < 0.1
    assert at("high_accuracy", 5) > 0.9 and at("low_accuracy", 5) < 0.5
    assert at("test_accuracy", 5) == pytest.approx((at("low_accuracy", 5) + at("high_accuracy", 5)) / 2)
    table = forgetting_table(res)
    assert table["forgetting"].item() == pytest.approx(at("low_accuracy", 3) - at("low_accuracy", 5))


def test_forgetting_score_by_hand():
    # tasks a, b, c; columns: accuracy after phases a, b, c
    matrix = pd.DataFrame({"a": [0.9, 0.1, 0.0], "b": [0.6, 0.8, 0.1], "c": [0.5, 0.7, 0.95]},
                          index=["a", "b", "c"])
    # task a: max(0.9, 0.6) - 0.5 = 0.4; task b: max(0.1, 0.8) - 0.7 = 0.1 -> mean 0.25
    assert forgetting_score(matrix) == pytest.approx(0.25)
    metrics = pd.DataFrame({"epoch": [1, 1, 2, 2], "metric": ["a_accuracy", "b_accuracy"] * 2,
                            "value": [0.9, 0.2, 0.4, 0.8]})
    got = accuracy_matrix(metrics, [{"name": "a", "epochs": 1}, {"name": "b", "epochs": 1}])
    assert got.loc["a", "b"] == 0.4 and got.loc["b", "a"] == 0.2


@pytest.mark.parametrize("phases, message", [
    ("phases = []", "phases: expected a non-empty list"),
    ('[[phases]]\nname = "x"\nepochs = 1\nclasses = [0, 12]', "phases.x.classes: unknown class 12; allowed: 0..9"),
    ('[[phases]]\nname = "x"\nepochs = 1\npermutation = [0, 1, 2]', "phases.x.permutation: expected a permutation of 0..63 (64 entries)"),
    ('[[phases]]\nname = "x"\nepochs = 0', "phases.x.epochs: 0 not allowed"),
    ('[[phases]]\nname = "x"\nepochs = 1\ncolour = 1', "phases[0]: unknown key 'colour'"),
])
def test_bad_phase_definitions(tmp_path, phases, message):
    base = SPLIT[: SPLIT.index("[[phases]]")]
    text = phases + "\n" + base if phases.startswith("phases =") else base + phases + "\n"
    path = tmp_path / "bad.toml"
    path.write_text(text)
    with pytest.raises(ConfigError) as err:
        load_config(path)
    assert message in str(err.value) and "\n" not in str(err.value)
