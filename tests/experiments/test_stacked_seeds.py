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


@pytest.mark.parametrize("dtype", ["float64", "float32"])
def test_every_stacked_seed_equals_its_solo_run(dtype):
    specs = [s.to_dict() for s in parse_config(_raw(dtype)).specs]
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


def test_rules_not_stacked_run_alone():
    specs = [s.to_dict() for s in parse_config(_raw("float64", rules=("backprop", "readout_only"))).specs]
    assert [len(g) for g in seed_groups(specs, "auto")] == [3, 1, 1, 1]
    assert [len(g) for g in seed_groups(specs, False)] == [1] * 6


@pytest.mark.parametrize("value", ["yes", 1, 0.5])
def test_a_bad_stack_seeds_value_is_one_line(value):
    with pytest.raises(ConfigError, match=r"experiment\.stack_seeds: .* not allowed; must be true, false or \"auto\""):
        parse_config(_raw("float64", stack_seeds=value))
