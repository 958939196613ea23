"""A tuned experiment runs its search on validation, chooses each rule's trial there, trains the
choice on the experiment's seeds and reports on test; the test split never reaches the search."""

from __future__ import annotations

import dataclasses
import json
import math
import shutil

import numpy as np
import pandas as pd
import pytest

from experiments import load_config, load_results, run_experiment
from experiments.cli import main
from experiments.report.tuning import main_results, tuning_section
from experiments.runs import worker
from experiments.store import ResultsStore
from experiments.tuning.select import TrialScore, _trial_score, choose

TUNED = """
[experiment]
name = "tuned"
seeds = [0, 1]
epochs = 4
batch_size = 16

[data]
name = "digits"

[model]
hidden = [16]
activation = "tanh"

[optimizer]
name = "adam"
lr = 0.001

[diagnostics]
every = 0

[[rules]]
name = "backprop"

[[rules]]
name = "feedback_alignment"

[[rules]]
name = "readout_only"

[tune]
trials = 4
seeds = [100]

[tune.space]
"optimizer.lr" = { log_uniform = [1e-4, 1e-1] }
"rules.feedback_alignment.scale" = { log_uniform = [0.1, 10.0] }
"""


def numbers(folder, run_id) -> pd.DataFrame:
    """A stored run's metrics but its wall times (the one measurement that differs between runs)."""
    m = pd.read_csv(folder / "runs" / run_id / "metrics.csv")
    return m[m["metric"] != "wall_time"].reset_index(drop=True)


def chosen(choices):
    return {label: (c.trial, c.values, c.score, c.epochs) for label, c in choices.items()}


@pytest.fixture(scope="module")
def tuned_run(tmp_path_factory):
    root = tmp_path_factory.mktemp("tuned")
    (root / "tuned.toml").write_text(TUNED)
    config = load_config(root / "tuned.toml")
    outcome = run_experiment(config, root / "out", quiet=True)
    return config, outcome, root / "out" / "tuned"


def test_each_rule_is_searched_with_the_same_trials_then_its_choice_is_trained(tuned_run):
    config, outcome, folder = tuned_run
    summary = pd.read_csv(folder / "summary.csv")
    assert set(summary["status"]) == {"complete"}
    counts = summary.groupby(["tune.stage", "label"]).size()
    for label in ("backprop", "feedback_alignment", "readout_only"):
        assert counts[("search", label)] == 4  # the same budget for every rule
        assert counts[("untuned", label)] == counts[("tuned", label)] == 2
    search = summary[summary["tune.stage"] == "search"]
    assert search["test_accuracy"].isna().all() and search["validation_accuracy"].notna().all()
    assert summary.loc[summary["tune.stage"] != "search", "test_accuracy"].notna().all()
    choices = choose(config.tuning, ResultsStore(folder))
    for label, c in choices.items():
        rows = search[search["label"] == label]
        best = rows.loc[rows["validation_accuracy"].idxmax()]  # one search seed: the run's final score
        assert c.score == best["validation_accuracy"] and c.trial == best["tune.trial"]
        tuned = [s for s in config.tuning.final[label][c.trial]]
        assert set(summary.loc[(summary["tune.stage"] == "tuned") & (summary["label"] == label), "run_id"]) == \
            {s.run_id for s in tuned}
        assert all(s.optimizer["lr"] == c.values["optimizer.lr"] and s.validation_fraction is None for s in tuned)
    # the search runs trained on the training split minus 20%, and were scored on that 20%
    digits_train = len(worker.dataset_for(config.specs[-1]).x_train)
    meta = json.loads((folder / "runs" / search["run_id"].iloc[0] / "run.json").read_text())
    assert meta["spec"]["validation_fraction"] == 0.2
    assert len(worker.dataset_for(config.tuning.search["backprop"][0][0]).x_test) == round(0.2 * digits_train)


def test_the_report_states_the_budget_the_choice_and_tuned_beside_untuned(tuned_run):
    config, outcome, folder = tuned_run
    assert main(["report", str(folder)]) == 0
    text = (folder / "report.md").read_text()
    section = text[text.index("## Tuning"):text.index("## Plausibility")]
    table = [line for line in section.splitlines() if line.startswith("| ")]
    header = [c.strip() for c in table[0].strip("|").split("|")]
    assert header[:4] == ["rule", "trials", "search FLOPs", "chosen values"]
    rows = {r.split("|")[1].strip(): [c.strip() for c in r.strip("|").split("|")] for r in table[1:]}
    assert {rows[k][1] for k in rows} == {"4"}  # every rule: the same number of trials
    assert "untuned test acc. (%)" in header and "tuned test acc. (%)" in header
    assert "no test number enters the choice" in section
    assert (folder / "figures" / "tuning.png").is_file()
    # the main summary is the tuned runs, with no column selected on the test split
    summary_part = text[:text.index("## Tuning")]
    assert "picked on test" not in summary_part and "train acc. (%)" in summary_part
    assert summary_part.count("| 2 ok |") == 3


def test_noise_for_test_labels_leaves_the_selection_unchanged(tuned_run, tmp_path, monkeypatch):
    config, outcome, folder = tuned_run
    load = worker.load_dataset

    def noisy_test_split(*args, **kwargs):
        data = load(*args, **kwargs)
        rng = np.random.default_rng(7)
        return dataclasses.replace(data, y_test=rng.integers(0, data.n_classes, len(data.y_test)),
                                   x_test=rng.normal(size=data.x_test.shape).astype(data.x_test.dtype))

    monkeypatch.setattr(worker, "load_dataset", noisy_test_split)
    worker._cached_dataset.cache_clear()
    try:
        run_experiment(config, tmp_path, quiet=True)
    finally:
        worker._cached_dataset.cache_clear()
    noisy = tmp_path / "tuned"
    assert chosen(choose(config.tuning, ResultsStore(noisy))) == chosen(choose(config.tuning, ResultsStore(folder)))
    clean, dirty = pd.read_csv(folder / "summary.csv"), pd.read_csv(noisy / "summary.csv")
    search = clean["tune.stage"] == "search"
    for run_id in clean.loc[search, "run_id"]:  # every search run computed the same numbers
        pd.testing.assert_frame_equal(numbers(noisy, run_id), numbers(folder, run_id), check_exact=True)
    # ... while the noise did reach the runs that read the test split
    assert dirty.loc[~search, "test_accuracy"].mean() < clean.loc[~search, "test_accuracy"].mean() - 0.2


def test_serial_processes_and_dask_choose_the_same(tuned_run, tmp_path):
    pytest.importorskip("distributed")
    config, outcome, folder = tuned_run
    reference = chosen(choose(config.tuning, ResultsStore(folder)))
    run_experiment(config, tmp_path / "procs", workers=2, quiet=True)
    run_experiment(config, tmp_path / "dask", dask="local:2", quiet=True)
    for where in ("procs", "dask"):
        assert chosen(choose(config.tuning, ResultsStore(tmp_path / where / "tuned"))) == reference
        a, b = (load_results(f).summary.set_index("run_id").sort_index() for f in (folder, tmp_path / where / "tuned"))
        pd.testing.assert_series_equal(a["test_accuracy"], b["test_accuracy"], check_exact=True)


def test_a_rerun_computes_nothing_and_force_recomputes_the_same_numbers(tuned_run, tmp_path):
    config, outcome, folder = tuned_run
    assert len(outcome.computed) == 4 * 3 + 6 + 6
    again = run_experiment(config, folder.parent, quiet=True)
    assert again.computed == [] and again.skipped == 24
    shutil.copytree(folder, tmp_path / "tuned")
    forced = run_experiment(config, tmp_path, force=True, quiet=True)
    assert len(forced.computed) == 24
    for run_id in pd.read_csv(folder / "summary.csv")["run_id"]:
        pd.testing.assert_frame_equal(numbers(tmp_path / "tuned", run_id), numbers(folder, run_id), check_exact=True)


def test_select_best_trains_the_tuned_runs_for_the_best_validation_epoch(tmp_path):
    path = tmp_path / "best.toml"
    path.write_text(TUNED.replace("trials = 4", 'trials = 2\nselect = "best"').replace("epochs = 4", "epochs = 6"))
    config = load_config(path)
    run_experiment(config, tmp_path, quiet=True)
    store = ResultsStore(tmp_path / "tuned")
    for label, c in choose(config.tuning, store).items():
        run_id = config.tuning.search[label][c.trial][0].run_id
        m = pd.read_csv(store.runs_dir / run_id / "metrics.csv")
        curve = m[(m["metric"] == "validation_accuracy") & (m["epoch"] > 0)].set_index("epoch")["value"]
        assert c.epochs == curve.idxmax() and c.score == curve.max()
    summary = pd.read_csv(tmp_path / "tuned" / "summary.csv")
    tuned = summary[summary["tune.stage"] == "tuned"]
    best = {label: c.epochs for label, c in choose(config.tuning, store).items()}
    assert all(row["epochs_completed"] == best[row["label"]] for _, row in tuned.iterrows())


def test_a_trial_with_a_diverged_run_is_never_chosen_and_ties_go_to_the_earlier_trial():
    spec = dataclasses.replace(load_spec(), epochs=2)
    runs = {spec.run_id: {"status": "diverged", "flops": 1.0, "curve": {1: 0.9}}}
    assert _trial_score(0, (spec,), runs, "final").score == -math.inf
    runs = {spec.run_id: {"status": "complete", "flops": 1.0, "curve": {0: 0.1, 1: 0.5, 2: 0.5}}}
    assert _trial_score(0, (spec,), runs, "best") == TrialScore(0, 0.5, 1, (spec.run_id,), 1.0)


def load_spec():
    from experiments.runs.spec import RunSpec

    return RunSpec("e", "backprop", "backprop", 0, 1, 8, {"name": "xor"}, {"kind": "rate", "hidden": [4]},
                   {"name": "adam", "lr": 0.01}, {}, validation_fraction=0.2, stage="search")


def test_a_failed_search_run_holds_the_tuned_runs_back(tmp_path, failing_rule, capsys):
    path = tmp_path / "f.toml"
    path.write_text(TUNED.replace('name = "readout_only"', f'name = "{failing_rule}"').replace("trials = 4", "trials = 2"))
    code = main(["run", str(path), "--out", str(tmp_path), "--workers", "1", "--quiet", "--no-report"])
    out = capsys.readouterr().out
    assert code == 1
    assert "the search is not complete, so the tuned runs have not started" in out
    summary = pd.read_csv(tmp_path / "tuned" / "summary.csv")
    assert "tuned" not in set(summary["tune.stage"])
    # the report compares the untuned runs meanwhile, and says why there is no choice yet
    res = load_results(tmp_path / "tuned")
    assert set(main_results(res).summary["label"]) == set(summary.loc[summary["tune.stage"] == "untuned", "label"])
    assert tuning_section(res).notes[0].startswith("The search is not complete yet")


def test_a_report_of_search_runs_alone_is_one_error(tuned_run, tmp_path, capsys):
    config, outcome, folder = tuned_run
    shutil.copytree(folder, tmp_path / "tuned")
    summary = pd.read_csv(folder / "summary.csv")
    summary[summary["tune.stage"] == "search"].to_csv(tmp_path / "tuned" / "summary.csv", index=False)
    assert main(["report", str(tmp_path / "tuned")]) == 2
    assert "holds only search runs so far (12 stored)" in capsys.readouterr().err


def test_the_terminal_plans_the_stages_and_ends_with_each_rules_choice(tuned_run, tmp_path, capsys):
    config, outcome, folder = tuned_run
    path = folder.parent.parent / "tuned.toml"
    assert main(["run", str(path), "--out", str(tmp_path), "--dry-run"]) == 0
    plan = capsys.readouterr().out.splitlines()
    assert plan[0].startswith("tuned: 18 runs (0 done, 18 to compute)")  # 4 trials x 3 rules, 2 seeds x 3 rules
    assert sum("[search]" in line for line in plan) == 12 and sum("[untuned]" in line for line in plan) == 6
    assert plan[-1] == "  then 6 tuned runs: each rule's trial chosen on validation, once the search is stored"
    assert main(["run", str(path), "--out", str(folder.parent), "--quiet", "--no-report"]) == 0
    out = capsys.readouterr().out
    stages = [line.split()[0] for line in out.split("\n\n")[0].splitlines()[2:]]
    assert sorted(stages) == ["tuned"] * 3 + ["untuned"] * 3  # the search runs are not in the summary
    choices = choose(config.tuning, ResultsStore(folder))
    for label, c in choices.items():
        assert f"  {label}: trial {c.trial}, validation {100 * c.score:.2f}%: optimizer.lr=" in out
    assert "0 computed, 24 already done" in out
