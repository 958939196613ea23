"""Budgets in sight: the terminal summary shows each rule's budget, an override of the
experiment's epochs that leaves rules on their own prints one warning naming them, and the report
adds an equal-compute view when budgets differ."""

from __future__ import annotations

from experiments import load_config, run_experiment
from experiments.cli import main
from experiments.commands import summary_table
from experiments.report import write_report

from tiny import TINY

MIXED = TINY.replace('[[rules]]\nname = "readout_only"', '[[rules]]\nname = "readout_only"\nepochs = 1')


def test_the_override_warning_names_the_rules_that_keep_their_own_budget(tmp_path, capsys):
    path = tmp_path / "mixed.toml"
    path.write_text(MIXED)
    config = load_config(path, ["experiment.epochs=5"])
    assert config.warnings == (
        "--set experiment.epochs=5 leaves 1 rule(s) on their own epochs: readout_only (1); "
        "set rules.<label>.epochs for those too to give every rule one budget",)
    assert load_config(path, ["optimizer.lr=0.1"]).warnings == ()
    assert main(["run", str(path), "--set", "experiment.epochs=5", "--dry-run", "--out", str(tmp_path / "o")]) == 0
    err = capsys.readouterr().err
    assert err.count("warning: --set experiment.epochs=5 leaves 1 rule(s)") == 1


def test_terminal_summary_and_report_show_the_budgets(tmp_path):
    path = tmp_path / "mixed.toml"
    path.write_text(MIXED)
    outcome = run_experiment(load_config(path), tmp_path / "out", quiet=True)
    text = summary_table(outcome.summary)
    lines = {line.split()[0]: line for line in text.splitlines()[2:]}
    assert " 3 ep " in lines["backprop"] and " 1 ep " in lines["readout_only"]
    header = text.splitlines()[1]
    assert "budget" in header and "train (%)" in header and "gap (pts)" in header
    write_report(outcome.results_dir)
    md = (outcome.results_dir / "report.md").read_text()
    section = md.split("## Equal compute", 1)[1].split("\n## ", 1)[0]
    assert "test acc. at epoch 1 (%)" in section
    rows = [line for line in section.splitlines() if line.startswith("| backprop") or line.startswith("| readout_only")]
    assert len(rows) == 2
    from experiments import load_results
    from experiments.report.statistics import mean_ci
    from experiments.report.tables import pct_ci

    m = load_results(outcome.results_dir).metrics
    at1 = m[(m["label"] == "backprop") & (m["metric"] == "test_accuracy") & (m["epoch"] == 1)]["value"]
    backprop = next(r for r in rows if r.startswith("| backprop"))
    assert f"| {pct_ci(*mean_ci(at1)[:2])} |" in backprop  # read at the common epoch, not at its end


def test_a_tiny_control_does_not_set_the_equal_flops_budget():
    import pandas as pd

    from experiments.report.equal_compute import equal_compute

    # flops per epoch: big 10 (3 epochs), medium 10 (2 epochs), tiny 1 (1 epoch: the linear model)
    runs = {"big": [10, 20, 30], "medium": [10, 20], "tiny": [1]}
    summary = pd.DataFrame([{"run_id": k, "label": k, "status": "complete", "flops": float(v[-1]),
                             "test_accuracy": 0.5} for k, v in runs.items()])
    records = []
    for k, v in runs.items():
        for epoch, flops in enumerate([0, *v]):
            records += [{"run_id": k, "epoch": epoch, "metric": "flops", "value": float(flops), "layer": None},
                        {"run_id": k, "epoch": epoch, "metric": "test_accuracy", "value": epoch / 10, "layer": None}]
    table, common_flops, _ = equal_compute(summary, pd.DataFrame(records))
    assert common_flops == 20.0  # the smallest total that buys every rule its first epoch, not tiny's 1
    at = table.set_index("label")["epoch_at_flops"]
    assert at["big"] == [2] and at["medium"] == [2] and at["tiny"] == [1]  # tiny read at its end
