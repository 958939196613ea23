"""Assemble a report from a results folder: statistics, tables, figures (saved), provenance."""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from pathlib import Path

import sys

import matplotlib

if "matplotlib.pyplot" not in sys.modules:  # headless: files only (see figures/common.py)
    matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402

from ..results import Results  # noqa: E402
from ..studies.critical_paths import critical_path_table  # noqa: E402
from . import figures as F  # noqa: E402
from .palette import palette  # noqa: E402
from .provenance import provenance  # noqa: E402
from .statistics import (at_points, best_sweep_points, find_controls, reference_label,  # noqa: E402
                         rule_statistics, sweep_columns)
from .tables import failures_table, pct, plausibility_table, summary_table  # noqa: E402
from .tuning import TuningSection, figure_specs, main_results, tuning_section  # noqa: E402

PNG_DPI = 130


@dataclass
class FigureFile:
    name: str
    title: str
    caption: str
    png: Path
    svg: Path


@dataclass
class ReportContent:
    """Everything the Markdown and HTML writers print."""

    title: str
    description: str
    summary: pd.DataFrame
    notes: list[str]
    plausibility: pd.DataFrame
    figures: list[FigureFile]
    failures: pd.DataFrame
    n_runs: int
    provenance: dict
    stats: pd.DataFrame = field(repr=False, default=None)
    tuning: TuningSection | None = None  # a tuned experiment's search (report/tuning.py)


def build(res: Results, target_accuracy: float | None = None) -> ReportContent:
    """Compute the statistics and tables and save every figure with data into ``<root>/figures/``."""
    tuning = tuning_section(res)
    res = main_results(res)  # a tuned experiment: its tuned runs
    summary, metrics = res.summary, res.metrics
    if target_accuracy is None:
        target_accuracy = res.config.get("experiment", {}).get("target_accuracy")
    controls = find_controls(summary, res.runs)
    reference = reference_label(summary, controls)
    stats = rule_statistics(summary, metrics, controls=controls, reference=reference,
                            target_accuracy=target_accuracy)
    styles = palette(summary["label"].unique(), controls)
    points = best_sweep_points(summary)
    complete = summary.loc[summary["status"] == "complete", "run_id"]
    curves = at_points(metrics[metrics["run_id"].isin(complete)], points)
    figures = _save_figures(res, curves, summary, controls, styles, bool(points), figure_specs(tuning))
    exp = res.config.get("experiment", {})
    return ReportContent(
        title=exp.get("name", res.root.name), description=exp.get("description", ""),
        summary=summary_table(stats, reference), notes=_notes(stats, reference, target_accuracy, points),
        plausibility=plausibility_table(stats, _critical_paths(res)), figures=figures, failures=failures_table(summary),
        n_runs=len(summary), provenance=provenance(res.root, res.runs), stats=stats, tuning=tuning)


def _critical_paths(res: Results) -> dict[str, tuple[int, int]]:
    """label -> (critical path, first-layer latency) of one training step, in layer operations."""
    try:
        table = critical_path_table(res)
    except (ValueError, KeyError):  # a rule not installed here: its structure is unknown
        return {}
    return {r["label"]: (int(r["critical path"]), int(r["first-layer latency"])) for _, r in table.iterrows()}


def _notes(stats, reference, target_accuracy, points) -> list[str]:
    targets = sorted({t for t in stats["target"] if math.isfinite(t)})
    if target_accuracy is not None:
        target = f"the experiment's target_accuracy, {pct(target_accuracy)}%"
    elif targets:
        target = f"95% of {reference}'s final mean accuracy ({', '.join(pct(t) + '%' for t in targets)})"
    else:
        target = "undefined (no backprop run to take 95% of; set [experiment] target_accuracy)"
    notes = [
        "Accuracies are mean ± half-width of the 95% confidence interval over seeds (Student's t), "
        "over complete runs only; diverged and failed runs are counted in 'runs' and listed under Failures.",
        f"p: Welch's two-sided t-test of final test accuracy against {reference or 'backprop'} at the same "
        "sweep point, Holm-corrected across the rules of that point. Effect size: Hedges' g "
        "(bias-corrected Cohen's d, pooled SD; positive = better than the reference).",
        "Gain over readout_only: difference of final mean accuracies in percentage points; a rule that "
        "does not beat readout_only has not shown that its hidden layers learned.",
        f"Target accuracy: {target}. Epochs and FLOPs to target: mean over the complete runs that reach "
        "it (how many, in brackets); FLOPs are cumulative training FLOPs.",
    ]
    if points:
        notes.append("Figures other than the sweep figure show each rule at its best sweep point ("
                     + "; ".join(f"{k}: " + ", ".join(f"{c}={v}" for c, v in p.items())
                                 for k, p in sorted(points.items())) + ").")
    return notes


def _save_figures(res, curves, summary, controls, styles, swept, extra=()) -> list[FigureFile]:
    kw = {"controls": controls, "styles": styles}
    best = "; each rule at its best sweep point" if swept else ""
    specs = [
        ("final_accuracy", "Final test accuracy per rule", lambda: F.final_accuracy(
            at_points(summary, best_sweep_points(summary)), **kw),
         "Every seed is a point (x: diverged), the bar is the mean with its 95% CI; controls are "
         "vertical reference bands" + best + "."),
        ("learning_curves", "Learning curves", lambda: F.learning_curves(curves, **kw),
         "Test accuracy and training loss per epoch: mean over seeds (complete runs) with 95% band; "
         "controls as reference bands (left) and grey curves (right)" + best + "."),
        ("accuracy_vs_compute", "Accuracy against compute", lambda: F.accuracy_vs_compute(curves, **kw),
         "Mean test accuracy after each epoch against cumulative training FLOPs and wall time" + best + "."),
        ("sweeps", "Sweeps", lambda: F.sweeps(summary, **kw),
         "Final test accuracy against each swept hyperparameter, one line per rule (mean, 95% CI)."),
        ("alignment", "Alignment with the backprop gradient", lambda: F.alignment(curves, **kw),
         "Per layer: angle between each rule's update and the true backprop gradient on a probe batch "
         "(and between feedback and forward weights where logged); below 90° the update descends the loss."),
        ("spiking_activity", "Spiking activity", lambda: F.spiking_activity(curves, **kw),
         "Mean spikes per neuron per sample in each layer over training."),
        ("spike_raster", "Spike raster", lambda: _raster(res, summary),
         "Spikes of one sample (the first complete run that stored a raster)."),
        ("evolution", "Evolution", lambda: F.evolution(curves, **kw),
         "Population rules: best and mean fitness (batch loss) per epoch."),
        ("depth", "Accuracy against depth", lambda: F.accuracy_vs_depth(summary, **kw),
         "Final test accuracy against the number of hidden layers (mean, 95% CI), per activation."),
        ("layer_signals", "Per-layer learning signal", lambda: F.layer_signals(res.metrics, summary, **kw),
         "Norm of each layer's learning signal ||x^T delta|| on a probe batch, at initialisation and after "
         "training, in the experiment's deepest network: do the early layers still learn?"),
        ("forgetting", "Forgetting", lambda: F.forgetting(res, **kw),
         "Test accuracy on each task over the whole run (phase boundaries dotted), and the forgetting "
         "score: best accuracy on a task before the last phase minus its final accuracy (mean, 95% CI)."),
        ("sensitivity", "Sensitivity to learning rate and initial scale", lambda: F.sensitivity(summary, **kw),
         "Final test accuracy (%) per rule over the learning-rate x init-gain grid; hatched: no complete run."),
        ("update_locking", "Update locking", lambda: F.accuracy_vs_critical_path(res, **kw),
         "Final test accuracy against the critical path of one training step in sequential layer "
         "operations (o) and the first layer's wait before it can update (x), from each rule's structure."),
        *extra,
    ]
    out_dir = res.root / "figures"
    out_dir.mkdir(exist_ok=True)
    files = []
    for name, title, make, caption in specs:
        fig = make()
        png, svg = out_dir / f"{name}.png", out_dir / f"{name}.svg"
        if fig is None:  # no data: no figure, and none left over from an earlier report
            png.unlink(missing_ok=True)
            svg.unlink(missing_ok=True)
            continue
        try:
            fig.savefig(png, dpi=PNG_DPI, metadata={"Software": None})
            fig.set_layout_engine("none")  # keep the layout just computed: the SVG need not redo it
            fig.savefig(svg, metadata={"Date": None})
        finally:
            plt.close(fig)
        files.append(FigureFile(name, title, caption, png, svg))
    return files


def _raster(res: Results, summary: pd.DataFrame):
    """The raster of the first complete run that stored ``spikes.csv`` (rows: layer, neuron, step;
    the shape, T steps and n neurons per layer, from run.json's ``spikes``)."""
    for run_id in sorted(summary.loc[summary["status"] == "complete", "run_id"]):
        path, shape = res.root / "runs" / run_id / "spikes.csv", res.runs.get(run_id, {}).get("spikes")
        if path.is_file() and isinstance(shape, dict):
            events = pd.read_csv(path)
            spikes = {f"layer {layer}": np.zeros((shape["steps"], n), dtype=bool)
                      for layer, n in enumerate(shape["neurons"])}
            for layer, rows in events.groupby("layer"):
                spikes[f"layer {layer}"][rows["step"].to_numpy(), rows["neuron"].to_numpy()] = True
            return F.spike_raster(spikes, title=f"Spike raster of test sample {shape.get('sample', 0)} ({run_id})")
    return None


def keep_columns(stats: pd.DataFrame) -> pd.DataFrame:
    """The statistics table as written to statistics.csv (raw numbers, for other tools)."""
    front = ["label", *sweep_columns(stats), "rule", "control"]
    return stats[front + [c for c in stats.columns if c not in front]]
