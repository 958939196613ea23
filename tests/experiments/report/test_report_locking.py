"""The update-locking figure draws each rule where its critical-path numbers put it."""

from __future__ import annotations

import matplotlib.pyplot as plt
import pytest

from experiments import load_results
from experiments.report import figures as F
from learning_rules.critical_path import critical_path
from learning_rules.rules import get_rule

#: the tiny experiment's networks: 3 weight layers (hidden [8, 6]); the linear control has 1.
#: (critical path, first layer's wait) by the formulas of learning_rules.critical_path:
#: backward chain 2L and 2L, readout L + 1 and L + 1
EXPECTED = {"backprop": (6, 6), "report_probe": (6, 6), "readout_only": (4, 4), "linear": (2, 2)}


@pytest.fixture
def figure(results_dir):
    res = load_results(results_dir)
    fig = F.accuracy_vs_critical_path(res)
    yield res, fig
    plt.close(fig)


def _points(ax, kind: str) -> dict[str, tuple[float, float]]:
    """label -> (x, y) of the rule's circle ('critical path') or cross ("first layer's wait")."""
    out = {}
    for c in ax.collections:
        label, _, what = c.get_label().lstrip("_").partition(": ")
        if what == kind:
            ((x, y),) = c.get_offsets()
            out[label] = (float(x), float(y))
    return out


def test_markers_sit_at_the_critical_path_numbers(figure):
    res, fig = figure
    ax = fig.axes[0]
    done = res.summary[res.summary["status"] == "complete"]
    accuracy = done.groupby("label")["test_accuracy"].mean()
    circles, crosses = _points(ax, "critical path"), _points(ax, "first layer's wait")
    assert set(circles) == set(crosses) == set(EXPECTED)  # rules without a complete run are left out
    for label, (path, wait) in EXPECTED.items():
        assert circles[label] == pytest.approx((path, accuracy[label]))
        assert crosses[label] == pytest.approx((wait, accuracy[label]))
    assert EXPECTED["backprop"] == (critical_path(get_rule("backprop").update_dependency, 3).length,
                                    critical_path(get_rule("backprop").update_dependency, 3).first_layer_latency)


def test_every_rule_is_named_at_its_circle_and_no_names_overlap(figure):
    _, fig = figure
    ax = fig.axes[0]
    circles = _points(ax, "critical path")
    names = {t.get_text(): t for t in ax.texts}
    # backprop and report_probe train alike (report_probe only logs more): their circles coincide,
    # and one name names both rather than two names of which one would sit at the other's point
    assert "backprop, report_probe" in names
    assert sorted(label for text in names for label in text.split(", ")) == sorted(circles)
    for text, t in names.items():
        assert t.xy == pytest.approx(circles[text.split(", ")[0]])
    renderer = fig.canvas.get_renderer()
    boxes = [t.get_window_extent(renderer) for t in names.values()]
    assert not any(a.overlaps(b) for i, a in enumerate(boxes) for b in boxes[i + 1:])


def test_counts_are_plain_integers_on_the_log_axis(figure):
    _, fig = figure
    ax = fig.axes[0]
    fig.canvas.draw()
    assert ax.get_xscale() == "log"
    assert [t.get_text() for t in ax.get_xticklabels()] == ["2", "4", "6"]
    assert not ax.get_xticklabels(minor=True) or all(not t.get_text() for t in ax.get_xticklabels(minor=True))
