"""[tune]: the trials are a pure function of the file, every rule gets the same number of them,
a rule's own keys apply to it alone, and the search runs hold out a validation split."""

from __future__ import annotations

import dataclasses
import math

import numpy as np
import pytest

from experiments import load_config
from experiments.config.smoke import smoke
from experiments.errors import ConfigError
from experiments.runs.spec import RunSpec, stable_hash
from experiments.tuning.space import Distribution, draw_trials, parse_space
from tiny import TINY

TUNED = TINY.replace('name = "readout_only"', 'name = "feedback_alignment"') + """
[[rules]]
name = "readout_only"
seeds = [5]

[tune]
trials = 6
seeds = [100, 101]

[tune.space]
"optimizer.lr" = { log_uniform = [1e-3, 1e-1] }
"model.init_gain" = { uniform = [0.5, 2.0] }
"rules.feedback_alignment.scale" = { log_uniform = [0.1, 10.0] }
"""


def by_stage(config, stage):
    return [s for s in config.specs if s.stage == stage]


def test_every_rule_gets_the_same_trials_on_the_search_seeds(write_config):
    config = load_config(write_config(TUNED))
    tuning = config.tuning
    assert tuning.labels == ("backprop", "feedback_alignment", "readout_only")
    search = by_stage(config, "search")
    for label in tuning.labels:
        runs = [s for s in search if s.label == label]
        assert len(runs) == 6 * 2 and {s.seed for s in runs} == {100, 101}
        assert sorted(s.sweep_point["tune.trial"] for s in runs) == sorted(list(range(6)) * 2)
        assert all(s.validation_fraction == 0.2 for s in runs)
    # the shared keys take the same value in trial i for every rule
    for i in range(6):
        lrs = {s.optimizer["lr"] for s in search if s.sweep_point["tune.trial"] == i}
        assert lrs == {tuning.trials[i]["optimizer.lr"]}
    untuned = by_stage(config, "untuned")
    assert {(s.label, s.seed) for s in untuned} == {("backprop", 0), ("backprop", 1), ("feedback_alignment", 0),
                                                   ("feedback_alignment", 1), ("readout_only", 5)}
    assert all(s.validation_fraction is None and s.optimizer["lr"] == 0.01 for s in untuned)
    assert [len(tuning.final[label][0]) for label in tuning.labels] == [2, 2, 1]  # the experiment's seeds


def test_a_rules_own_key_applies_to_that_rule_alone(write_config):
    config = load_config(write_config(TUNED))
    keys = config.tuning.keys
    assert keys["feedback_alignment"] == ("optimizer.lr", "model.init_gain", "rules.feedback_alignment.scale")
    assert keys["backprop"] == keys["readout_only"] == ("optimizer.lr", "model.init_gain")
    fa = [s for s in by_stage(config, "search") if s.label == "feedback_alignment"]
    assert len({s.hyperparameters["scale"] for s in fa}) == 6
    # a shared key that a rule sets itself does not change that rule's runs
    text = TUNED.replace('name = "readout_only"\nseeds = [5]', 'name = "readout_only"\nseeds = [5]\noptimizer = { lr = 0.02 }')
    config = load_config(write_config(text, "own.toml"))
    assert config.tuning.keys["readout_only"] == ("model.init_gain",)
    assert {s.optimizer["lr"] for s in by_stage(config, "search") if s.label == "readout_only"} == {0.02}


def test_the_trials_are_a_pure_function_of_the_file(write_config):
    first = load_config(write_config(TUNED))
    again = load_config(write_config(TUNED, "again.toml"))
    assert [s.run_id for s in first.specs] == [s.run_id for s in again.specs]
    assert first.tuning.trials == again.tuning.trials
    other = load_config(write_config(TUNED.replace("trials = 6", "trials = 6\nsampler_seed = 1"), "other.toml"))
    assert other.tuning.trials != first.tuning.trials


@pytest.mark.parametrize("sampler", ["sobol", "random"])
def test_drawn_values_stay_in_their_ranges_and_spread_over_them(sampler):
    space = parse_space({"a": {"log_uniform": [1e-4, 1e-1]}, "b": {"uniform": [-1.0, 1.0]},
                         "c": {"choice": ["x", "y", "z"]}})
    trials = draw_trials(space, 64, sampler, seed=3)
    a = np.array([t["a"] for t in trials])
    b = np.array([t["b"] for t in trials])
    assert a.min() >= 1e-4 and a.max() <= 1e-1 and b.min() >= -1 and b.max() <= 1
    # log-uniform: each decade holds about a third of the draws; uniform: each half about half
    assert all(10 <= np.sum((a >= 10.0 ** k) & (a < 10.0 ** (k + 1))) <= 33 for k in (-4, -3, -2))
    assert 20 <= np.sum(b < 0) <= 44
    assert {t["c"] for t in trials} == {"x", "y", "z"}
    assert all(float(f"{v:.4g}") == v for v in a)  # rounded to 4 significant digits
    if sampler == "sobol":  # quasi-random: every eighth of [0, 1) gets exactly 8 of the 64 points
        u = (np.log(a) - math.log(1e-4)) / (math.log(1e-1) - math.log(1e-4))
        assert np.all(np.bincount(np.minimum((u * 8).astype(int), 7), minlength=8) == 8)


def test_grid_takes_the_product_of_the_choices_or_a_seeded_subset():
    space = parse_space({"a": {"choice": [1, 2, 3]}, "b": {"choice": ["p", "q"]}})
    full = draw_trials(space, 6, "grid", seed=0)
    assert [(t["a"], t["b"]) for t in full] == [(1, "p"), (1, "q"), (2, "p"), (2, "q"), (3, "p"), (3, "q")]
    part = draw_trials(space, 4, "grid", seed=0)
    assert len(part) == 4 and all(t in full for t in part) and part == draw_trials(space, 4, "grid", seed=0)
    with pytest.raises(ConfigError, match="its grid has 6 points"):
        draw_trials(space, 7, "grid", seed=0)
    with pytest.raises(ConfigError, match='"c" is a range'):
        draw_trials(parse_space({"c": {"uniform": [0, 1]}}), 2, "grid", seed=0)


def test_distribution_ends_and_quantiles():
    log = Distribution("k", "log_uniform", (1e-3, 1e-1))
    assert log.at(0.0) == 1e-3 and log.at(0.5) == pytest.approx(1e-2) and log.at(0.999999) == pytest.approx(0.1)
    choice = Distribution("k", "choice", ("a", "b"))
    assert [choice.at(u) for u in (0.0, 0.49, 0.5, 0.99)] == ["a", "a", "b", "b"]
    assert log.other(1e-3) == 1e-1 and choice.other("b") == "a"


def test_smoke_searches_two_trials_on_the_first_search_seed(write_config):
    config = load_config(write_config(TUNED), smoke=True)
    assert config.tuning.settings.trials == 2 and config.tuning.settings.seeds == (100,)
    assert {s.epochs for s in config.specs} == {1} and config.name.endswith("-smoke")
    assert smoke({"tune": {"trials": 1}})["tune"]["trials"] == 1


def test_plain_run_ids_do_not_change():
    """A spec without a validation split or a stage hashes as before tuning existed."""
    spec = RunSpec("e", "backprop", "backprop", 0, 1, 8, {"name": "xor"}, {"kind": "rate", "hidden": [4]},
                   {"name": "adam", "lr": 0.01}, {})
    assert "stage" not in spec.semantic() and "validation_fraction" not in spec.semantic()
    old_fields = {k: v for k, v in spec.to_dict().items()
                  if k not in ("experiment", "sweep_point", "stage", "validation_fraction", "representation_samples")}
    assert spec.run_id == "backprop-s0-" + stable_hash(old_fields, 10)
    assert dataclasses.replace(spec, stage="untuned").run_id != spec.run_id


def test_tune_does_not_combine_with_a_sweep_or_phases(write_config):
    with pytest.raises(ConfigError, match=r"\[tune\] and \[sweep\] do not combine"):
        load_config(write_config(TUNED + '\n[sweep]\n"optimizer.beta1" = [0.9]\n', "s.toml"))
