"""Seeds trained together on a leading axis store the same runs as when each runs alone."""

import pytest

from experiments.config.load import parse_config
from experiments.errors import ConfigError
from experiments.runs.stacked import execute_group, seed_groups
from experiments.runs.worker import execute_run


def _raw(dtype: str, rules=("backprop", "feedback_alignment", "local_random_classifier"), **experiment) -> dict:
    return {"experiment": {"name": "t", "seeds": [0, 1, 2], "epochs": 3, "batch_size": 16, **experiment},
            "data": {"name": "blobs"}, "model": {"hidden": [8, 8], "activation": "tanh", "dtype": dtype},
            "optimizer": {"name": "adam", "lr": 0.01}, "rules": [{"name": r} for r in rules]}


def _values(result: dict) -> dict:
    return {(r["epoch"], r["metric"], r["layer"]): r["value"] for r in result["records"] if r["metric"] != "wall_time"}


@pytest.mark.parametrize("dtype, optimizer, loss", [
    ("float64", {"name": "adam", "lr": 0.01}, "auto"),
    ("float32", {"name": "adam", "lr": 0.01}, "auto"),
    ("float64", {"name": "momentum", "lr": 0.05, "weight_decay": 1e-3, "nesterov": True}, "mse"),
    ("float32", {"name": "sgd", "lr": 0.1}, "cross_entropy"),
])
def test_every_stacked_seed_equals_its_solo_run(dtype, optimizer, loss):
    raw = _raw(dtype)
    raw["optimizer"], raw["model"]["loss"] = optimizer, loss
    specs = [s.to_dict() for s in parse_config(raw).specs]
    groups = seed_groups(specs, True)
    assert [len(g) for g in groups] == [3, 3, 3]  # one stack per rule
    for group in groups:
        for stacked, solo in zip(execute_group(group), [execute_run(s) for s in group]):
            assert stacked["run_id"] == solo["run_id"] and stacked["status"] == solo["status"] == "complete"
            a, b = _values(stacked), _values(solo)
            assert a.keys() == b.keys()
            for key, value in b.items():
                if dtype == "float64":
                    assert a[key] == pytest.approx(value, rel=1e-10, abs=1e-12), key
                elif key[1].endswith("accuracy"):
                    assert round(a[key], 3) == round(value, 3), key
                else:
                    assert a[key] == pytest.approx(value, rel=1e-5, abs=1e-8), key
            assert stacked["flops"] == solo["flops"]


def test_a_network_the_stack_cannot_hold_runs_seed_by_seed():
    raw = _raw("float64", rules=("backprop",))
    raw["model"]["dropout"] = 0.2  # dropout draws per seed from the rule's stream: not stacked
    specs = [s.to_dict() for s in parse_config(raw).specs]
    (group,) = seed_groups(specs, True)
    assert [_values(r) for r in execute_group(group)] == [_values(execute_run(s)) for s in group]


def test_rules_not_stacked_run_alone():
    specs = [s.to_dict() for s in parse_config(_raw("float64", rules=("backprop", "readout_only"))).specs]
    assert [len(g) for g in seed_groups(specs, "auto")] == [3, 1, 1, 1]
    assert [len(g) for g in seed_groups(specs, False)] == [1] * 6


@pytest.mark.parametrize("value", ["yes", 1, 0.5])
def test_a_bad_stack_seeds_value_is_one_line(value):
    with pytest.raises(ConfigError, match=r"experiment\.stack_seeds: .* not allowed; must be true, false or \"auto\""):
        parse_config(_raw("float64", stack_seeds=value))


def test_a_stacked_experiment_stores_what_a_solo_one_does_and_verifies(tmp_path, monkeypatch):
    import pandas as pd

    from experiments.driver import run_experiment
    from experiments.runs import stacked

    stacks = []
    real = stacked.train_stacked
    monkeypatch.setattr(stacked, "train_stacked",
                        lambda specs, on_epoch=None: stacks.append(len(specs)) or real(specs, on_epoch))

    raw = _raw("float64", rules=("feedback_alignment",))
    raw["experiment"]["epochs"] = 2
    runs = {}
    for stack in (False, True):
        raw["experiment"]["stack_seeds"] = stack
        outcome = run_experiment(parse_config(raw), tmp_path / str(stack), quiet=True)
        assert len(outcome.computed) == 3
        folder = tmp_path / str(stack) / "t" / "runs"
        runs[stack] = {p.name: pd.read_csv(p / "metrics.csv").query("metric != 'wall_time'").reset_index(drop=True)
                       for p in sorted(folder.iterdir())}
        again = run_experiment(parse_config(raw), tmp_path / str(stack), quiet=True)  # stored runs verify
        assert len(again.computed) == 0 and again.skipped == 3
    assert stacks == [3]  # the three seeds trained together once, only when asked
    assert runs[True].keys() == runs[False].keys()
    for run_id, frame in runs[False].items():
        pd.testing.assert_frame_equal(runs[True][run_id], frame, rtol=1e-10)


def test_a_seed_that_diverges_is_stored_as_its_solo_run():
    raw = _raw("float64", rules=("backprop",))
    raw["optimizer"] = {"name": "sgd", "lr": 200.0}
    specs = [s.to_dict() for s in parse_config(raw).specs]
    (group,) = seed_groups(specs, True)
    stacked, solo = execute_group(group), [execute_run(s) for s in group]
    assert any(r["status"] == "diverged" for r in solo)
    for a, b in zip(stacked, solo):
        assert (a["status"], a["reason"], _values(a)) == (b["status"], b["reason"], _values(b))


def test_a_stack_that_raises_leaves_each_seed_to_its_solo_run(monkeypatch):
    from experiments.runs import stacked

    def broken(*args, **kwargs):
        raise RuntimeError("a bug in the stacked loop")

    monkeypatch.setattr(stacked, "stacked_step", broken)
    specs = [s.to_dict() for s in parse_config(_raw("float64", rules=("backprop",))).specs]
    (group,) = seed_groups(specs, True)
    with pytest.warns(RuntimeWarning, match="stack_seeds: the stacked run of backprop failed"):
        results = execute_group(group)  # said, not silent
    assert [r["status"] for r in results] == ["complete"] * 3
    assert [_values(r) for r in results] == [_values(execute_run(s)) for s in group]


CONV = [{"type": "conv1d", "channels": 6, "kernel": 3, "stride": 2, "padding": 1, "activation": "relu"},
        {"type": "maxpool1d", "kernel": 2},
        {"type": "conv1d", "channels": 5, "kernel": 3, "padding": 1, "activation": "tanh"}]


@pytest.mark.parametrize("dtype", ["float64", "float32"])
def test_stacked_convolutional_seeds_equal_their_solo_runs(dtype):
    raw = _raw(dtype)
    raw["experiment"]["epochs"] = 2
    raw["data"] = {"name": "mnist1d", "num_samples": 300}
    raw["model"] = {"layers": CONV, "dtype": dtype}
    specs = [s.to_dict() for s in parse_config(raw).specs]
    for group in seed_groups(specs, True):
        assert len(group) == 3
        for stacked, solo in zip(stacked_module().train_stacked(group), [execute_run(s) for s in group]):
            a, b = _values(stacked), _values(solo)
            assert a.keys() == b.keys() and stacked["status"] == solo["status"] == "complete"
            for key, value in b.items():
                assert a[key] == pytest.approx(value, rel=1e-10 if dtype == "float64" else 1e-5, abs=1e-8), key


def stacked_module():
    from experiments.runs import stacked

    return stacked  # train_stacked itself: a group it could not stack would raise, not fall back
