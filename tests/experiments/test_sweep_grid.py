"""The sweep grid: shared and per-rule keys, runs a key does not change, and resuming a grid."""

from experiments import load_config, run_experiment
from experiments.driver import plan

GRID = """
[sweep]
"rules.backprop.optimizer.lr" = [0.01, 0.001]
"model.hidden" = [[4], [8, 8]]
"""


def test_a_per_rule_key_multiplies_only_that_rules_runs(write_config, TINY):
    specs = load_config(write_config(TINY + GRID)).specs
    backprop = [s for s in specs if s.label == "backprop"]
    readout = [s for s in specs if s.label == "readout_only"]
    assert len(backprop) == 2 * 2 * 2 and len(readout) == 2 * 2  # (lr x hidden x seeds), (hidden x seeds)
    assert {s.optimizer["lr"] for s in backprop} == {0.01, 0.001}
    assert {s.optimizer["lr"] for s in readout} == {0.01}  # the shared value
    assert all("rules.backprop.optimizer.lr" not in s.sweep_point for s in readout)
    assert all(set(s.sweep_point) == {"rules.backprop.optimizer.lr", "model.hidden"} for s in backprop)
    assert len({s.run_id for s in specs}) == len(specs)


def test_a_shared_key_that_a_rule_overrides_gives_that_rule_one_run_per_seed(write_config, TINY):
    text = TINY + '\n[[rules]]\nname = "backprop"\nlabel = "own_lr"\noptimizer = { lr = 0.5 }\n' \
        + '\n[sweep]\n"optimizer.lr" = [0.1, 0.01, 0.001]\n'
    specs = load_config(write_config(text)).specs
    own = [s for s in specs if s.label == "own_lr"]
    assert [(s.seed, s.optimizer["lr"], s.sweep_point) for s in own] == [(0, 0.5, {}), (1, 0.5, {})]
    assert len([s for s in specs if s.label == "backprop"]) == 3 * 2


def test_growing_a_grid_reuses_the_runs_already_done(write_config, TINY, tmp_path):
    small = write_config(TINY + '\n[sweep]\n"optimizer.lr" = [0.01]\n', "small.toml")
    run_experiment(load_config(small), tmp_path, quiet=True)
    big = load_config(write_config(TINY + '\n[sweep]\n"optimizer.lr" = [0.01, 0.02]\n', "big.toml"))
    p = plan(big, tmp_path)
    assert len(p.done) == 4 and len(p.todo) == 4
    assert {s.optimizer["lr"] for s in p.todo} == {0.02}
