"""The numbers in report.md equal those computed here, independently, from the raw run files."""

from __future__ import annotations

import csv
import json
import math

import numpy as np
import pytest
from scipy import stats

from experiments.report.statistics import hedges_g, hedges_g_interval, holm, mean_ci
from experiments.report.tables import NO_REFERENCE, pct, pct_ci, pvalue


def raw_runs(root):
    """label -> list of (run.json, {metric: [(epoch, value)]}) read with csv/json only."""
    out = {}
    for folder in sorted((root / "runs").iterdir()):
        meta = json.loads((folder / "run.json").read_text())
        series = {}
        with open(folder / "metrics.csv", newline="") as f:
            for row in csv.DictReader(f):
                if not row["layer"]:
                    series.setdefault(row["metric"], []).append((int(row["epoch"]), float(row["value"])))
        out.setdefault(meta["spec"]["label"], []).append((meta, series))
    return out


def finals(runs, metric="test_accuracy"):
    return np.array([max(s[metric])[1] for m, s in runs if m["status"] == "complete"])


def summary_table(md: str) -> list[str]:
    """The lines of the report's first table."""
    section = md.split("## Summary", 1)[1]
    table = next(block for block in section.split("\n\n") if block.startswith("| rule"))
    return table.splitlines()


def summary_rows(md: str) -> dict[str, list[str]]:
    """rule cell -> the cells of its row in the report's first table."""
    rows = [[c.strip() for c in line.strip("|").split(" | ")] for line in summary_table(md)[2:]]
    return {r[0].split(" (")[0]: r for r in rows}


def header(md: str) -> list[str]:
    return [c.strip() for c in summary_table(md)[0].strip("|").split(" | ")]


def half_width(x):
    lo, hi = stats.t.interval(0.95, len(x) - 1, loc=np.mean(x), scale=stats.sem(x))
    return (hi - lo) / 2


def test_summary_table_is_first_and_has_every_label(results_dir):
    md = (results_dir / "report.md").read_text()
    assert md.index("## Summary") < md.index("## Plausibility") < md.index("## Figures") < md.index("## Provenance")
    assert md.split("## Summary")[0].count("|") == 0  # nothing tabular before the summary
    assert set(summary_rows(md)) == {"backprop", "readout_only", "linear", "report_probe",
                                     "report_fails", "report_diverges"}


def test_final_and_best_accuracy_mean_and_ci_match_raw_files(results_dir):
    md = (results_dir / "report.md").read_text()
    rows, cols = summary_rows(md), header(md)
    raw = raw_runs(results_dir)
    for label in ("backprop", "readout_only", "linear", "report_probe"):
        acc = finals(raw[label])
        train = finals(raw[label], "train_accuracy")
        assert len(acc) == 3
        assert rows[label][cols.index("final test acc. (%)")] == f"{100 * acc.mean():.2f} ± {100 * half_width(acc):.2f}"
        assert rows[label][cols.index("train acc. (%)")] == f"{100 * train.mean():.2f} ± {100 * half_width(train):.2f}"
        assert rows[label][cols.index("gap, train − test (pts)")] == f"{100 * (train.mean() - acc.mean()):+.2f}"
    assert not any("picked on test" in c for c in cols)  # no selection on test in the headline


def test_welch_holm_and_hedges_g_match_scipy(results_dir):
    md = (results_dir / "report.md").read_text()
    rows, cols = summary_rows(md), header(md)
    raw = raw_runs(results_dir)
    ref = finals(raw["backprop"])
    others = ["readout_only", "report_probe"]  # the linear model is another network: no p, no g
    assert rows["linear"][cols.index("p vs backprop (Welch, Holm)")] == NO_REFERENCE
    assert rows["linear"][cols.index("Hedges' g vs backprop (95% CI)")] == NO_REFERENCE
    p = {lab: stats.ttest_ind(finals(raw[lab]), ref, equal_var=False).pvalue for lab in others}
    finite = sorted((v, k) for k, v in p.items() if math.isfinite(v))
    adjusted, running = {}, 0.0
    for i, (v, k) in enumerate(finite):  # Holm by hand
        running = max(running, (len(finite) - i) * v)
        adjusted[k] = min(1.0, running)
    for lab in others:
        a = finals(raw[lab])
        sp = math.sqrt(((len(a) - 1) * a.var(ddof=1) + (len(ref) - 1) * ref.var(ddof=1)) / (len(a) + len(ref) - 2))
        g = (a.mean() - ref.mean()) / sp * (1 - 3 / (4 * (len(a) + len(ref)) - 9)) if sp > 0 else math.nan
        assert rows[lab][cols.index("p vs backprop (Welch, Holm)")] == pvalue(adjusted.get(lab, math.nan))
        lo, hi = hedges_g_interval(g, len(a), len(ref))
        expected = "—" if math.isnan(g) else f"{g:.2f} [{lo:.2g}, {hi:.2g}]*"  # *: fewer than 5 seeds
        assert rows[lab][cols.index("Hedges' g vs backprop (95% CI)")] == expected
    assert rows["backprop"][cols.index("p vs backprop (Welch, Holm)")] == "—"


def test_gain_over_readout_and_epochs_to_default_target(results_dir):
    md = (results_dir / "report.md").read_text()
    rows, cols = summary_rows(md), header(md)
    raw = raw_runs(results_dir)
    readout = finals(raw["readout_only"]).mean()
    target = 0.95 * finals(raw["backprop"]).mean()
    assert f"({pct(target)}%)" in md
    assert rows["linear"][cols.index("gain over readout_only (pts)")] == "—"  # a control itself
    for label in ("backprop", "report_probe"):
        assert rows[label][cols.index("gain over readout_only (pts)")] == f"{100 * (finals(raw[label]).mean() - readout):+.2f}"
        hits = [min(e for e, v in s["test_accuracy"] if v >= target) for m, s in raw[label]
                if any(v >= target for _, v in s["test_accuracy"])]
        cell = rows[label][cols.index("epochs to target")]
        assert cell == (f"{np.mean(hits):.1f} ({len(hits)}/3)" if hits else "not reached")


def test_given_target_accuracy_is_used(results_dir):
    from experiments import load_results
    from experiments.report.statistics import find_controls, rule_statistics
    from experiments.report.tables import summary_table

    res = load_results(results_dir)
    controls = find_controls(res.summary, res.runs)
    table = summary_table(rule_statistics(res.summary, res.metrics, controls=controls, reference="backprop",
                                          target_accuracy=0.5), "backprop").set_index("rule")
    raw = raw_runs(results_dir)
    for label in ("backprop", "report_probe"):
        hits = [min(e for e, v in s["test_accuracy"] if v >= 0.5) for m, s in raw[label]]
        flops = [dict(s["flops"])[e] for (m, s), e in zip(raw[label], hits)]
        assert table.loc[label, "epochs to target"] == f"{np.mean(hits):.1f} (3/3)"
        assert table.loc[label, "FLOPs to target"] == f"{np.mean(flops):.3g}"


def test_failed_and_diverged_runs_are_counted_and_listed(results_dir):
    md = (results_dir / "report.md").read_text()
    rows, cols = summary_rows(md), header(md)
    assert rows["report_fails"][cols.index("runs")] == "0 ok, 3 failed"
    assert rows["report_diverges"][cols.index("runs")] == "0 ok, 3 diverged"
    failures = md.split("## Failures")[1].split("## Provenance")[0]
    assert "6 of 18 runs did not complete" in failures
    for folder in (results_dir / "runs").iterdir():
        meta = json.loads((folder / "run.json").read_text())
        if meta["status"] != "complete":
            assert meta["run_id"] in failures
    assert failures.count("RuntimeError: report test: this rule always fails") == 3
    assert failures.count("diverged") == 3


@pytest.mark.parametrize("values", [[0.5, 0.7, 0.65], [0.1, 0.2], [0.3, 0.31, 0.33, 0.29, 0.35]])
def test_mean_ci_is_the_t_interval(values):
    mean, half, n = mean_ci(values)
    assert n == len(values) and mean == pytest.approx(np.mean(values))
    assert half == pytest.approx(half_width(np.array(values)))
    assert pct_ci(mean, half) == f"{100 * np.mean(values):.2f} ± {100 * half_width(np.array(values)):.2f}"


def test_mean_ci_of_one_value_has_no_interval():
    mean, half, n = mean_ci([0.4, math.nan])
    assert (mean, n) == (0.4, 1) and math.isnan(half)
    assert pct_ci(mean, half) == "40.00"


def test_holm_by_hand():
    np.testing.assert_allclose(holm([0.01, 0.04, 0.03]), [0.03, 0.06, 0.06])
    np.testing.assert_allclose(holm([0.5, math.nan, 0.01]), [0.5, math.nan, 0.02])


def test_hedges_g_sign_and_small_sample_correction():
    a, b = np.array([1.0, 2.0, 3.0]), np.array([0.0, 1.0, 2.0])
    assert hedges_g(a, b) == pytest.approx(1.0 * (1 - 3 / (4 * 6 - 9)))
    assert hedges_g(b, a) == pytest.approx(-hedges_g(a, b))
    assert math.isnan(hedges_g([1.0], b))
