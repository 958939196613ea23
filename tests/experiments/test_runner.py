"""The runner end to end on a tiny experiment: layout, determinism, resume, failures."""

import csv
import json

import pandas as pd
import pytest

from experiments import load_config, load_results, run_experiment
from experiments.errors import UserError


def run(path, out, **kw):
    return run_experiment(load_config(path, kw.pop("overrides", ())), out, quiet=True, **kw)


def test_results_layout(write_config, tmp_path):
    outcome = run(write_config(), tmp_path / "out")
    root = tmp_path / "out" / "tiny"
    assert outcome.results_dir == root
    assert (root / "config.toml").is_file()
    summary = pd.read_csv(root / "summary.csv")
    assert len(summary) == 4 and set(summary["status"]) == {"complete"}
    for col in ("run_id", "rule", "label", "seed", "status", "test_accuracy", "flops", "wall_time"):
        assert col in summary.columns
    run_dir = root / "runs" / summary["run_id"][0]
    meta = json.loads((run_dir / "run.json").read_text())
    assert meta["status"] == "complete" and meta["spec"]["epochs"] == 3
    assert meta["environment"]["packages"]["numpy"]
    rows = list(csv.DictReader(open(run_dir / "metrics.csv")))
    metrics = {r["metric"] for r in rows}
    assert {"step_loss", "train_loss", "train_accuracy", "test_loss", "test_accuracy", "flops", "wall_time"} <= metrics
    assert sorted({int(r["epoch"]) for r in rows}) == [0, 1, 2, 3]
    flops = [float(r["value"]) for r in rows if r["metric"] == "flops"]
    assert flops[0] == 0 and all(b > a for a, b in zip(flops, flops[1:]))


def test_learning_happens_and_backprop_beats_chance(write_config, tmp_path):
    run(write_config(), tmp_path, overrides=["experiment.epochs=10"])
    summary = load_results(tmp_path / "tiny").summary
    assert summary.loc[summary["rule"] == "backprop", "test_accuracy"].mean() > 0.8


def test_same_experiment_twice_gives_identical_metrics(write_config, tmp_path):
    run(write_config(), tmp_path / "a")
    run(write_config(), tmp_path / "b")
    a, b = load_results(tmp_path / "a" / "tiny"), load_results(tmp_path / "b" / "tiny")
    keep = lambda m: m[m["metric"] != "wall_time"].reset_index(drop=True)
    pd.testing.assert_frame_equal(keep(a.metrics), keep(b.metrics))


def test_same_seed_same_initial_network_for_every_rule(write_config, tmp_path):
    run(write_config(), tmp_path)
    m = load_results(tmp_path / "tiny").metrics
    at0 = m[(m["epoch"] == 0) & (m["metric"] == "test_loss")]
    for seed, g in at0.groupby("seed"):
        assert g["value"].nunique() == 1, "rules of one seed must start from the same network"


def test_resume_skips_done_runs_and_force_recomputes(write_config, tmp_path):
    first = run(write_config(), tmp_path)
    assert len(first.computed) == 4 and first.skipped == 0
    again = run(write_config(), tmp_path)
    assert len(again.computed) == 0 and again.skipped == 4
    forced = run(write_config(), tmp_path, force=True)
    assert len(forced.computed) == 4


def test_changed_config_keeps_old_results(write_config, tmp_path):
    run(write_config(), tmp_path)
    old_ids = set(load_results(tmp_path / "tiny").summary["run_id"])
    run(write_config(), tmp_path, overrides=["optimizer.lr=0.02"])
    new_ids = set(load_results(tmp_path / "tiny").summary["run_id"])
    assert not old_ids & new_ids
    for run_id in old_ids:
        assert (tmp_path / "tiny" / "runs" / run_id / "run.json").is_file()
    assert len(list((tmp_path / "tiny").glob("config.*.toml"))) == 1, "the earlier config is kept"


def test_diverged_and_failed_runs_are_stored_and_others_go_on(write_config, tmp_path, TINY, failing_rule):
    text = TINY + """
[[rules]]
name = "backprop"
label = "exploding"
optimizer = { name = "sgd", lr = 1e30 }
model = { activation = "relu" }

[[rules]]
name = "always_fails"
label = "broken"
"""
    outcome = run(write_config(text), tmp_path / "out")
    summary = load_results(tmp_path / "out" / "tiny").summary.set_index("label")
    status = summary.groupby(level=0)["status"].first()
    assert status["exploding"] == "diverged" and status["broken"] == "failed"
    assert status["backprop"] == "complete" and status["readout_only"] == "complete"
    failed = [r for r in outcome.computed if r["status"] == "failed"][0]
    assert "Traceback" in failed["traceback"] and failed["reason"]
    diverged = [r for r in outcome.computed if r["status"] == "diverged"][0]
    assert "epoch" in diverged["reason"]


def test_unwritable_output_directory(write_config, tmp_path):
    blocker = tmp_path / "file"
    blocker.write_text("not a folder")
    with pytest.raises(UserError, match="not writable"):
        run(write_config(), blocker / "out")


def test_sweep_over_list_values_summarises(write_config, tmp_path, TINY):
    from experiments.commands import summary_table

    outcome = run(write_config(TINY + '\n[sweep]\n"model.hidden" = [[4], [4, 4]]\n'), tmp_path)
    assert {r["model.hidden"] for r in outcome.summary} == {"[4]", "[4, 4]"}
    assert "[4, 4]" in summary_table(outcome.summary)


def test_result_files_are_readable_by_others(write_config, tmp_path):
    import os
    import stat

    from experiments.atomic import FILE_MODE

    run(write_config(), tmp_path)
    mode = stat.S_IMODE(os.stat(tmp_path / "tiny" / "summary.csv").st_mode)
    assert mode == FILE_MODE and mode & stat.S_IRGRP  # not mkstemp's 0600


class _RecordsBatches:
    """Mixin: remember a fingerprint of every training batch the rule is given."""

    seen: dict = {}

    def step(self, net, x, y):
        self.seen.setdefault((self.name, self.run_seed), []).append(hash(x.tobytes()) ^ hash(y.tobytes()))
        return super().step(net, x, y)

    def init(self, net, rng):
        super().init(net, rng)
        self.run_seed = len([k for k in self.seen if k[0] == self.name])  # runs of this rule so far


def test_every_rule_of_a_seed_sees_the_same_batches_in_the_same_order(write_config, tmp_path, TINY):
    from learning_rules.rules import register, unregister
    from learning_rules.rules.backprop import Backprop
    from learning_rules.rules.feedback_alignment import FeedbackAlignment

    probes = {"probe_backprop": type("ProbeBP", (_RecordsBatches, Backprop), {"name": "probe_backprop"}),
              "probe_fa": type("ProbeFA", (_RecordsBatches, FeedbackAlignment), {"name": "probe_fa"})}
    _RecordsBatches.seen.clear()
    for name, cls in probes.items():
        register(name, cls)
    try:
        text = TINY.replace('name = "backprop"', 'name = "probe_backprop"').replace(
            'name = "readout_only"', 'name = "probe_fa"\nscale = 0.5\noptimizer = { lr = 0.003 }')
        text += "\n[diagnostics]\nevery = 0\n"  # diagnostics take steps of their own on a probe batch
        run(write_config(text), tmp_path, workers=1)  # serial, in this process: the probes' records are here
    finally:
        for name in probes:
            unregister(name)
    seen = _RecordsBatches.seen
    assert len(seen[("probe_backprop", 0)]) == 3 * (800 // 16)  # 3 epochs of 50 batches
    for seed in (0, 1):
        assert seen[("probe_backprop", seed)] == seen[("probe_fa", seed)], f"seed {seed}: rules saw other batches"
    assert seen[("probe_backprop", 0)] != seen[("probe_backprop", 1)]


def test_the_printed_summary_shows_the_numbers_of_summary_csv(write_config, tmp_path, capsys, TINY):
    from experiments.cli import main

    path = write_config(TINY.replace("seeds = [0, 1]", "seeds = [0, 1, 2]"))
    assert main(["run", str(path), "--out", str(tmp_path), "--quiet", "--no-report", "--workers", "1"]) == 0
    out = capsys.readouterr().out.splitlines()
    assert out[0] == "test accuracy (%): mean ± 95% CI half-width over 3 seeds"
    printed = {line.split()[0]: line for line in out[2:] if line.strip()}
    summary = pd.read_csv(tmp_path / "tiny" / "summary.csv")
    from experiments.report.statistics import mean_ci

    for label, acc in summary.groupby("label")["test_accuracy"]:
        mean, half, _ = mean_ci(acc)
        assert f"{100 * mean:.2f} ± {100 * half:.2f}" in printed[label]
        assert half > 0 and 0.3 < mean < 1  # numbers a broken table could not fake
