"""Critical-path counts against hand-computed cases."""

import numpy as np
import pytest

from learning_rules import Network, available_rules, get_rule
from learning_rules.critical_path import DEPENDENCIES, critical_path, rule_critical_path


@pytest.mark.parametrize("dependency, L, T, length, first", [
    ("backward_chain", 3, 1, 6, 6),   # F1 F2 F3 d3 d2 d1
    ("backward_chain", 1, 1, 2, 2),   # F1 d1
    ("output", 3, 1, 4, 4),           # F1 F2 F3 then d1, d2, d3 at once
    ("local", 3, 1, 4, 2),            # layer 1: F1 then its local error
    ("readout", 4, 1, 5, 5),
    ("population", 2, 1, 3, 3),
    ("backward_chain", 2, 5, 12, 12), # forward wavefront 5 + 2 - 1 = 6, BPTT back the same
    ("local", 2, 5, 7, 6),            # online: layer 1 updates after its own 5 steps and 1 op
    ("relaxation", 3, 1, 3, 3),       # F1 F2 F3, then every layer learns from its own state
])
def test_by_hand(dependency, L, T, length, first):
    path = critical_path(dependency, L, T)
    assert (path.length, path.first_layer_latency) == (length, first)


@pytest.mark.parametrize("dependency, L, S, length, first", [
    ("relaxation", 3, 40, 43, 43),    # F1 F2 F3, 40 sequential relaxation operations
    ("backward_chain", 3, 4, 10, 10), # 4 inverse-training operations before the targets go down
    ("local", 3, 2, 6, 4),
])
def test_inner_steps_add_to_both_lengths(dependency, L, S, length, first):
    path = critical_path(dependency, L, 1, inner_steps=S)
    assert (path.length, path.first_layer_latency) == (length, first)


def test_rule_critical_path_counts_a_rules_iterations():
    net = Network([4, 8, 8, 3], np.random.default_rng(0))
    assert rule_critical_path(get_rule("predictive_coding"), net).length == 3 + 2 * 20    # defaults
    assert rule_critical_path(get_rule("predictive_coding")(iterations=5), net).length == 3 + 10
    assert rule_critical_path(get_rule("equilibrium_propagation")(free_iterations=4, nudged_iterations=3,
                                                                  nudging="one_sided"), net).length == 3 + 2 * 7
    assert rule_critical_path(get_rule("target_propagation")(feedback_iterations=2), net).length == 6 + 2 * 2 * 2


def test_every_registered_rule_declares_a_known_dependency():
    for name in available_rules():
        assert get_rule(name).update_dependency in DEPENDENCIES, name


def test_rule_critical_path_reads_the_network_depth():
    net = Network([4, 8, 8, 8, 3], np.random.default_rng(0))
    assert rule_critical_path(get_rule("backprop"), net).length == 8
    assert rule_critical_path(get_rule("readout_only"), net).length == 5


def test_unknown_dependency():
    with pytest.raises(ValueError, match="allowed: backward_chain"):
        critical_path("telepathy", 2)


def test_critical_path_table_from_stored_specs():
    import pandas as pd

    from experiments.studies.critical_paths import critical_path_table, spec_critical_path

    def spec(rule, hidden, **model):
        return {"spec": {"rule": rule, "label": rule, "model": {"hidden": hidden, **model}}}

    assert spec_critical_path(spec("backprop", [8, 8])).length == 6
    assert spec_critical_path(spec("spiking_surrogate", [8], kind="spiking", steps=10)).length == 2 * (10 + 2 - 1)
    settle = spec("predictive_coding", [8, 8])
    settle["spec"]["hyperparameters"] = {"iterations": 7}
    assert spec_critical_path(settle).length == 3 + 14
    # a layer stack: what the run recorded of its network
    cnn = {"spec": {"rule": "backprop", "label": "cnn", "model": {"layers": [{"type": "conv1d"}]}},
           "network": {"depth": 4, "time_steps": 1, "critical_path": {"length": 8, "first_layer_latency": 8}}}
    assert spec_critical_path(cnn).length == 8

    class Results:
        runs = {"a": spec("backprop", [8, 8]), "b": spec("direct_feedback_alignment", [8, 8])}
        summary = pd.DataFrame({"label": ["backprop", "direct_feedback_alignment"], "status": ["complete"] * 2,
                                "test_accuracy": [0.7, 0.6]})

    table = critical_path_table(Results())
    assert table["label"].tolist() == ["direct_feedback_alignment", "backprop"]
    assert table["critical path"].tolist() == [4, 6] and table["test accuracy"].tolist() == [0.6, 0.7]


def test_critical_path_in_time_by_hand():
    """BPTT sweeps back through all T steps, truncated BPTT through its window, online rules wait
    one operation after the forward wavefront (T + L - 1)."""
    assert critical_path("backward_chain", 2, 10).length == 2 * 11
    assert critical_path("backward_chain", 2, 10, window=3).length == 11 + 3 + 1
    assert critical_path("backward_chain", 2, 10, window=50).length == 2 * 11   # a window past T is all of T
    assert critical_path("output", 2, 10).length == 12
    with pytest.raises(ValueError, match="window must be >= 1"):
        critical_path("backward_chain", 2, 10, window=0)


def test_a_recurrent_networks_time_steps_come_from_its_sequence_data():
    """Runs stored before runs recorded their network: T from the sequence data, k from truncation."""
    from experiments.studies.critical_paths import depth_and_steps, spec_critical_path, spec_time_steps

    spec = {"rule": "bptt", "label": "b", "model": {"kind": "recurrent", "hidden": [8]},
            "data": {"name": "delay", "delay": 9}, "hyperparameters": {}}
    assert spec_time_steps(spec) == 10 and depth_and_steps({"spec": spec}) == (2, 10)
    assert spec_critical_path({"spec": spec}).length == 2 * (10 + 2 - 1)
    spec["hyperparameters"] = {"truncation": 4}
    assert spec_critical_path({"spec": spec}).length == (10 + 2 - 1) + (4 + 2 - 1)
    online = {**spec, "rule": "eprop", "hyperparameters": {}}
    assert spec_critical_path({"spec": online}).length == 10 + 2
    static = {**spec, "model": {"kind": "recurrent", "hidden": [8], "encoding": "rate", "steps": 7}}
    assert spec_time_steps(static) == 7


def test_a_truncated_run_records_its_window_in_its_critical_path():
    from experiments.runs.worker import network_facts
    from learning_rules.networks import make_network

    net = make_network("recurrent", [20, 8, 4], np.random.default_rng(0), input_shape=(10, 2))
    spec = type("Spec", (), {"rule": "bptt", "hyperparameters": {"truncation": 4}})()
    assert network_facts(spec, net)["critical_path"]["length"] == (10 + 2 - 1) + (4 + 2 - 1)


def test_runs_record_their_network_and_its_critical_path(tmp_path):
    """A layer stack's depth is known only to the built network: the run records it."""
    from experiments import load_config, load_results, run_experiment

    path = tmp_path / "cnn.toml"
    path.write_text("""
[experiment]
name = "cnn_path"
seeds = [0]
epochs = 1
[data]
name = "digits"
[model]
layers = [{ type = "conv2d", channels = 2, kernel = 3, activation = "relu" }, { type = "maxpool2d", kernel = 2 }]
[[rules]]
name = "backprop"
[[rules]]
name = "direct_feedback_alignment"
""")
    run_experiment(load_config(path), tmp_path / "out", quiet=True)
    res = load_results(tmp_path / "out" / "cnn_path")
    facts = {m["spec"]["label"]: m["network"] for m in res.runs.values()}
    assert facts["backprop"]["depth"] == 2 and facts["backprop"]["critical_path"]["length"] == 4
    assert facts["direct_feedback_alignment"]["critical_path"]["length"] == 3
    assert facts["backprop"]["description"].startswith("conv2d 2x3x3")
    from experiments.studies.critical_paths import critical_path_table

    assert critical_path_table(res)["critical path"].tolist() == [3, 4]
