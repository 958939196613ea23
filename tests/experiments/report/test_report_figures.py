"""Every figure: saved as a valid PNG and SVG, and drawn with the expected lines and points."""

from __future__ import annotations

import xml.etree.ElementTree as ET

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from matplotlib.collections import PathCollection
import pytest

from experiments import load_results
from experiments.report import figures as F
from experiments.report.figures.tuning import validation_vs_keys
from experiments.report.palette import TOL_MUTED, palette
from experiments.report.statistics import find_controls

RULES_WITH_CURVES = ["backprop", "report_probe"]  # complete runs, not controls
CONTROLS = {"readout_only": "readout", "linear": "linear"}


@pytest.fixture(scope="module")
def res(results_dir):
    r = load_results(results_dir)
    ok = r.summary.loc[r.summary["status"] == "complete", "run_id"]
    return r, r.metrics[r.metrics["run_id"].isin(ok)]


def data_lines(ax):
    """Lines with a legend label (curves and control reference lines, not helper lines)."""
    return [line for line in ax.get_lines() if not line.get_label().startswith("_")]


def test_every_figure_with_data_is_a_valid_png_and_svg(results_dir):
    folder = results_dir / "figures"
    names = {"final_accuracy", "learning_curves", "accuracy_vs_compute", "alignment", "spiking_activity", "evolution",
             "update_locking"}
    assert {p.stem for p in folder.glob("*.png")} == names  # no sweep, no raster, no phases: those are skipped
    for name in names:
        assert (folder / f"{name}.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
        root = ET.parse(folder / f"{name}.svg").getroot()
        assert root.tag.endswith("svg")


def test_report_lists_every_saved_figure(results_dir):
    md = (results_dir / "report.md").read_text()
    for png in (results_dir / "figures").glob("*.png"):
        assert f"](figures/{png.name})" in md


def test_learning_curves_one_line_per_rule_and_a_reference_per_control(res):
    r, metrics = res
    fig = F.learning_curves(metrics, controls=find_controls(r.summary, r.runs))
    acc_ax, loss_ax = fig.axes[:2]
    labels = sorted(line.get_label() for line in data_lines(acc_ax))
    assert labels == sorted(RULES_WITH_CURVES + [f"{c} ({n})" for c, n in
                                                 (("linear", "control: linear model, final"),
                                                  ("readout_only", "control: hidden frozen, final"))])
    curve = next(line for line in acc_ax.get_lines() if line.get_label() == "backprop")
    assert len(curve.get_xdata()) == 5  # epochs 0..4
    final = r.summary.query("label == 'backprop' and status == 'complete'")["test_accuracy"].mean()
    assert curve.get_ydata()[-1] == pytest.approx(final)
    assert len(loss_ax.get_lines()) == len(RULES_WITH_CURVES) + len(CONTROLS)


def test_final_accuracy_one_point_per_run_and_every_status_named(res):
    r, _ = res
    fig = F.final_accuracy(r.summary, controls=find_controls(r.summary, r.runs))
    ax = fig.axes[0]
    n_points = sum(len(c.get_offsets()) for c in ax.collections if isinstance(c, PathCollection))
    complete_or_diverged = int(r.summary["status"].isin(["complete", "diverged"]).sum())
    control_runs = int(r.summary["label"].isin(list(CONTROLS)).sum())
    assert n_points == complete_or_diverged - control_runs
    ticks = [t.get_text() for t in ax.get_yticklabels()]
    assert "report_fails (0 ok, 3 failed)" in ticks and "report_diverges (0 ok, 3 diverged)" in ticks
    assert len(data_lines(ax)) == len(CONTROLS)


def test_accuracy_vs_compute_has_log_flops_axis(res):
    r, metrics = res
    fig = F.accuracy_vs_compute(metrics, controls=find_controls(r.summary, r.runs))
    flops_ax, time_ax = fig.axes[:2]
    assert flops_ax.get_xscale() == "log"
    for ax in (flops_ax, time_ax):
        assert len(data_lines(ax)) == len(RULES_WITH_CURVES) + len(CONTROLS)
    line = next(line for line in flops_ax.get_lines() if line.get_label() == "backprop")
    assert len(line.get_xdata()) == 4 and np.all(np.diff(line.get_xdata()) > 0)  # epochs 1..4, FLOPs grow


def test_alignment_panel_per_layer_only_for_rules_that_log_it(res):
    _, metrics = res
    fig = F.alignment(metrics)
    axes = [ax for ax in fig.axes if ax.get_title().startswith("layer")]
    assert [ax.get_title() for ax in axes] == ["layer 1", "layer 2"]  # numbered from 1, the first weight layer
    for ax, angle in zip(axes, (40.0, 20.0)):
        (line,) = data_lines(ax)
        assert line.get_label() == "report_probe"
        np.testing.assert_allclose(line.get_ydata(), angle)


def test_spiking_and_evolution_figures(res):
    _, metrics = res
    spikes = F.spiking_activity(metrics)
    (line,) = data_lines(spikes.axes[0])
    np.testing.assert_allclose(line.get_ydata(), 3.0)
    evo = F.evolution(metrics)
    assert sorted(line.get_label() for line in data_lines(evo.axes[0])) == [
        "report_probe: best", "report_probe: population mean"]


def test_figures_without_data_are_skipped(res):
    _, metrics = res
    plain = metrics[metrics["label"] == "backprop"]
    assert F.alignment(plain) is None
    assert F.spiking_activity(plain) is None
    assert F.evolution(plain) is None
    assert F.spike_raster({}) is None


def test_raster_of_a_stored_sample(results_dir, tmp_path):
    spikes = np.zeros((10, 6), dtype=bool)
    spikes[[1, 3, 3, 7], [0, 2, 5, 4]] = True
    fig = F.spike_raster({"layer0": spikes})
    (points,) = fig.axes[0].collections
    np.testing.assert_array_equal(points.get_offsets(), [[1, 0], [3, 2], [3, 5], [7, 4]])


def test_each_label_keeps_one_colour_in_every_figure(res):
    r, metrics = res
    controls = find_controls(r.summary, r.runs)
    styles = palette(r.summary["label"].unique(), controls)
    kw = {"controls": controls, "styles": styles}  # as write_report passes them
    colours = {}
    for fig in (F.learning_curves(metrics, **kw), F.accuracy_vs_compute(metrics, **kw),
                F.alignment(metrics, **kw), F.evolution(metrics, **kw)):
        for ax in fig.axes:
            for line in data_lines(ax):
                label = line.get_label().split(" ")[0].rstrip(":")
                colours.setdefault(label, set()).add(line.get_color())
    assert all(len(c) == 1 for c in colours.values()), colours
    assert colours["report_probe"] == {styles["report_probe"].color}
    assert colours["backprop"] == {styles["backprop"].color}


def test_inferred_styles_agree_between_figures_of_one_frame(res):
    _, metrics = res
    colours = {}
    for fig in (F.learning_curves(metrics), F.alignment(metrics), F.evolution(metrics)):
        for ax in fig.axes:
            for line in data_lines(ax):
                colours.setdefault(line.get_label().split(" ")[0].rstrip(":"), set()).add(line.get_color())
    assert all(len(c) == 1 for c in colours.values()), colours


def test_palette_is_deterministic_and_colour_blind_safe():
    labels = ["fa", "backprop", "dfa", "readout_only"]
    a = palette(labels, {"readout_only": "readout"})
    b = palette(list(reversed(labels)), {"readout_only": "readout"})
    assert a == b
    assert [a[k].color for k in ("backprop", "dfa", "fa")] == list(TOL_MUTED[:3])
    many = palette([f"r{i:02d}" for i in range(12)])
    assert len({(s.color, s.linestyle) for s in many.values()}) == 12


def test_sweep_figure_one_line_per_rule_one_point_per_value(make_results):
    from experiments.report import write_report

    text = """
[experiment]
name = "report_sweep"
target_accuracy = 0.5
seeds = [0, 1]
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
name = "readout_only"
[sweep]
"optimizer.lr" = [0.001, 0.01, 0.1]
"""
    root = make_results(text)
    r = load_results(root)
    fig = F.sweeps(r.summary, controls=find_controls(r.summary, r.runs))
    ax = fig.axes[0]
    assert ax.get_xscale() == "log"
    lines = {c.get_label(): c.lines[0] for c in ax.containers}  # errorbar containers: (line, caps, bars)
    assert sorted(lines) == ["backprop", "readout_only"]
    for line in lines.values():
        np.testing.assert_allclose(line.get_xdata(), [0.001, 0.01, 0.1])
    means = r.summary.query("label == 'backprop'").groupby("optimizer.lr")["test_accuracy"].mean()
    np.testing.assert_allclose(lines["backprop"].get_ydata(), means.to_numpy())
    paths = write_report(root)
    assert root / "figures" / "sweeps.svg" in paths
    md = (root / "report.md").read_text()
    assert "best sweep point" in md
    assert "Target accuracy: the experiment's target_accuracy, 50.00%" in md  # [experiment] target_accuracy


def test_sweep_over_names_uses_category_positions():
    import pandas as pd

    rows = [{"run_id": f"{lab}-{act}-{s}", "rule": lab, "label": lab, "seed": s, "status": "complete",
             "model.activation": act, "test_accuracy": acc + 0.01 * s}
            for lab, base in (("backprop", 0.6), ("readout_only", 0.3))
            for act, acc in (("tanh", base), ("relu", base + 0.05)) for s in range(2)]
    fig = F.sweeps(pd.DataFrame(rows))
    ax = fig.axes[0]
    assert [t.get_text() for t in ax.get_xticklabels()] == ["relu", "tanh"]
    line = next(c.lines[0] for c in ax.containers if c.get_label() == "backprop")
    np.testing.assert_allclose(line.get_xdata(), [0, 1])
    np.testing.assert_allclose(line.get_ydata(), [0.655, 0.605])


def test_learning_curves_mark_where_a_new_phase_starts():
    import pandas as pd

    rows = []
    for seed in (0, 1):
        for epoch in range(6):
            rows += [{"run_id": f"r{seed}", "rule": "backprop", "label": "backprop", "seed": seed, "epoch": epoch,
                      "metric": m, "value": v, "layer": np.nan}
                     for m, v in (("test_accuracy", 0.1 * epoch), ("train_loss", 1.0 / (1 + epoch)))]
            if epoch:
                rows.append({"run_id": f"r{seed}", "rule": "backprop", "label": "backprop", "seed": seed,
                             "epoch": epoch, "metric": "phase", "value": float(epoch > 3), "layer": np.nan})
    fig = F.learning_curves(pd.DataFrame(rows))
    for ax in fig.axes[:2]:
        marks = [line.get_xdata()[0] for line in ax.get_lines() if line.get_label() == "_phase"]
        assert marks == [3.5]


def test_alignment_axis_shows_angles_beyond_90_degrees(res):
    _, metrics = res
    m = metrics.copy()
    m.loc[m["metric"] == "update_angle", "value"] = 130.0
    fig = F.alignment(m)
    assert all(ax.get_ylim()[1] >= 130.0 for ax in fig.axes if ax.get_title().startswith("layer"))


def test_tuning_figure_draws_every_trial_visibly_with_the_chosen_one_starred():
    rows = [{"label": label, "trial": t, "score": 0.3 + 0.01 * t, "epoch": 3, "optimizer.lr": 10.0 ** -(1 + t)}
            for label in ("backprop", "linear") for t in range(4)]
    fig = validation_vs_keys(pd.DataFrame(rows), {"backprop": ("optimizer.lr",), "linear": ("optimizer.lr",)},
                               log_keys=("optimizer.lr",), chosen={"backprop": 3, "linear": 1},
                               controls={"linear": "linear"})
    assert [ax.get_ylabel().split("\n")[0] for ax in fig.axes] == ["backprop", "linear"]
    for ax in fig.axes:
        points, star = [c for c in ax.collections if isinstance(c, PathCollection)]
        assert len(points.get_offsets()) == 4 and len(star.get_offsets()) == 1
        assert ax.get_xscale() == "log"
    linear_points = fig.axes[1].collections[0]
    assert linear_points.get_linewidths()[0] > 0  # the linear control's x is unfilled: it shows only as an edge
    plt.close(fig)


def test_no_single_chance_line_where_the_runs_chance_levels_differ():
    from experiments.report.data_sizes import chance_level, data_sentence

    def run(chance, seed=0):
        return {"spec": {"data": {"name": "teacher"}, "seed": seed},
                "data_sizes": {"train": 80, "test": 20, "classes": 4, "chance": chance}}

    same = {"a": run(0.25), "b": run(0.252, 1)}
    assert chance_level(same) in (0.25, 0.252)
    differ = {"a": run(0.285), "b": run(0.39, 1), "c": run(0.39, 2)}
    assert chance_level(differ) is None  # not the most common value drawn as if it held for all
    assert "28.50% to 39.00% over its runs" in data_sentence(differ)


def test_swept_hidden_widths_are_short_labels_ordered_by_depth():
    from experiments.report.figures.sweeps import _category_order
    from experiments.report.tables import widths_text

    values = ["[64, 64, 64, 64, 64, 64, 64, 64]", "[64]", "[64, 64, 64, 64]", "[256, 128]", "[]"]
    assert [widths_text(v) for v in sorted(values, key=_category_order)] == \
        ["none", "64", "256-128", "4 x 64", "8 x 64"]
