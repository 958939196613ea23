"""Common random numbers: a run's draws depend on the seed, the network, the rule's name and the
stream only, never on the optimizer, the learning rate or whether a value was written out."""

import tomllib

import numpy as np

from experiments.config.load import parse_config
from experiments.runs.worker import build_network, dataset_for, loss_for, train_spec
from experiments.config.rules import build_rule

CONFIG = """
[experiment]
name = "crn"
seeds = [0]
epochs = 2
batch_size = 16

[data]
name = "blobs"

[model]
hidden = [8, 8]
activation = "tanh"

[optimizer]
name = "adam"
lr = 0.01

[[rules]]
name = "backprop"

[[rules]]
name = "feedback_alignment"

[[rules]]
name = "kolen_pollack"

[[rules]]
name = "kolen_pollack"
label = "kp_written"
decay = 0.001
"""


def _specs(extra: str = ""):
    return parse_config(tomllib.loads(CONFIG + extra)).specs


def _initial(spec):
    """(the network's initial parameters, the rule after init) as the worker builds them."""
    data = dataset_for(spec)
    net = build_network(spec.model, data, spec.generator("network"))
    weights = [{k: v.copy() for k, v in (p or {}).items()} for p in net.params]
    rule = build_rule(spec.rule, spec.hyperparameters, spec.optimizer, loss_for(spec, True))
    rule.init(net, spec.generator("rule"))
    return weights, rule


def _same_tree(a, b) -> bool:
    return len(a) == len(b) and all(a[i].keys() == b[i].keys() and all(np.array_equal(a[i][k], b[i][k]) for k in a[i])
                                    for i in range(len(a)))


def test_a_learning_rate_sweep_keeps_the_initial_weights_and_the_feedback_tensors():
    specs = [s for s in _specs('[sweep]\n"optimizer.lr" = [0.001, 0.003, 0.01]\n') if s.rule == "feedback_alignment"]
    assert len(specs) == 3 and len({s.optimizer["lr"] for s in specs}) == 3
    built = [_initial(s) for s in specs]
    for weights, rule in built[1:]:
        assert _same_tree(weights, built[0][0])
        assert len(rule.feedback) == len(built[0][1].feedback)
        for mine, first in zip(rule.feedback, built[0][1].feedback):
            assert (mine is None and first is None) or np.array_equal(mine, first)
    assert any(f is not None for f in built[0][1].feedback)


def test_backprop_and_feedback_alignment_of_one_seed_start_from_the_same_weights():
    by_rule = {s.label: s for s in _specs()}
    bp, _ = _initial(by_rule["backprop"])
    fa, _ = _initial(by_rule["feedback_alignment"])
    assert _same_tree(bp, fa)


def test_a_hyperparameter_written_at_its_default_gives_the_same_run():
    by_rule = {s.label: s for s in _specs()}
    default, written = by_rule["kolen_pollack"], by_rule["kp_written"]
    assert written.hyperparameters == default.hyperparameters == {}
    a, b = train_spec(default)[0], train_spec(written)[0]
    keep = lambda records: [r for r in records if r["metric"] != "wall_time"]  # noqa: E731
    assert keep(a.records) == keep(b.records) and len(keep(a.records)) > 10


def test_the_rule_stream_ignores_optimizer_and_hyperparameters_but_not_the_rule_or_network():
    base = {s.label: s for s in _specs()}["feedback_alignment"]
    draw = lambda spec: spec.generator("rule").random(4)  # noqa: E731
    from dataclasses import replace

    assert np.array_equal(draw(base), draw(replace(base, optimizer={**base.optimizer, "lr": 0.5})))
    assert np.array_equal(draw(base), draw(replace(base, hyperparameters={"feedback_scale": 2.0})))
    assert not np.array_equal(draw(base), draw(replace(base, rule="backprop")))
    assert not np.array_equal(draw(base), draw(replace(base, model={**base.model, "hidden": [8]})))
    assert not np.array_equal(draw(base), draw(replace(base, seed=1)))
