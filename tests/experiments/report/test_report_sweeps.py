"""A sweep key that applies to one rule only (``rules.<label>.<key>``): every rule is still reported."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from md_tables import md_rows
from scipy import stats

from experiments import load_results
from experiments.report import write_report
from experiments.report.build import draw_figures

SWEPT = """
[experiment]
name = "report_rule_key"
seeds = [0, 1, 2]
epochs = 2
batch_size = 64
[data]
name = "blobs"
[model]
hidden = [6]
[optimizer]
name = "adam"
lr = 0.01
[[rules]]
name = "backprop"
[[rules]]
name = "feedback_alignment"
[sweep]
"optimizer.lr" = [0.003, 0.03]
"rules.feedback_alignment.scale" = [0.5, 1.0]
"""
SCALE = "rules.feedback_alignment.scale"


@pytest.fixture(scope="module")
def swept(make_results):
    root = make_results(SWEPT)
    write_report(root)
    return root


def test_every_rule_and_point_is_in_the_summary(swept):
    rows = md_rows((swept / "report.md").read_text(), "Summary")
    backprop = [r for r in rows if r["rule"] == "backprop"]
    assert sorted(r["optimizer.lr"] for r in backprop) == ["0.003", "0.03"]
    assert all(r[SCALE] == "any" for r in backprop)  # the key does not apply to backprop
    assert len([r for r in rows if r["rule"] == "feedback_alignment"]) == 4


def test_each_point_is_tested_against_backprop_at_the_same_shared_values(swept):
    res = load_results(swept)
    s = res.summary[res.summary["status"] == "complete"]
    rows = md_rows((swept / "report.md").read_text(), "Summary")
    for lr in (0.003, 0.03):
        ref = s[(s["label"] == "backprop") & (s["optimizer.lr"] == lr)]["test_accuracy"]
        fa = [r for r in rows if r["rule"] == "feedback_alignment" and r["optimizer.lr"] == str(lr)]
        raw = [stats.ttest_ind(s[(s["label"] == "feedback_alignment") & (s["optimizer.lr"] == lr)
                                 & (s[SCALE] == float(r[SCALE]))]["test_accuracy"], ref, equal_var=False).pvalue
               for r in fa]
        holm = np.minimum(1, np.maximum.accumulate(np.sort(raw) * (len(raw) - np.arange(len(raw)))))
        expected = dict(zip(np.argsort(raw), holm))
        for i, r in enumerate(fa):
            assert float(r["p vs backprop (Welch, Holm)"]) == pytest.approx(expected[i], rel=2e-3, abs=1e-3)


def test_figures_show_the_rule_a_key_does_not_apply_to(swept):
    figures = draw_figures(load_results(swept))
    try:
        ticks = [t.get_text() for t in figures["final_accuracy"].axes[0].get_yticklabels()]
        assert any(t.startswith("backprop (3 ok)") for t in ticks)
        curves = figures["learning_curves"].axes[0]
        assert {"backprop", "feedback_alignment"} <= {line.get_label() for line in curves.get_lines()}
        scale_panel = next(ax for ax in figures["sweeps"].axes if ax.get_xlabel().startswith(SCALE))
        assert [c.get_label() for c in scale_panel.containers] == ["feedback_alignment"]
    finally:
        import matplotlib.pyplot as plt

        plt.close("all")


def test_best_point_of_a_rule_without_the_key_keeps_its_curves():
    from experiments.report.statistics import at_points, best_sweep_points

    summary = pd.DataFrame({"label": ["a", "a", "b", "b"], "status": "complete", "test_accuracy": [0.2, 0.4, 0.5, 0.6],
                            "x.lr": [1, 2, 1, 2], "x.scale": [np.nan, np.nan, 0.5, 1.0]})
    points = best_sweep_points(summary)
    assert points["a"]["x.lr"] == 2 and np.isnan(points["a"]["x.scale"])
    assert list(at_points(summary, points)["test_accuracy"]) == [0.4, 0.6]
