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
from .budgets import budget_differences, with_descriptions  # noqa: E402
from .figures.time import time_figures  # noqa: E402
from .palette import palette  # noqa: E402
from .provenance import load_note, provenance  # noqa: E402
from .statistics import (at_points, best_sweep_points, find_controls, reference_label,  # noqa: E402
                         rule_statistics, sweep_columns)
from .tables import failures_table, pct, plausibility_table, summary_table, sweep_value  # noqa: E402
from .tuning import TuningSection, main_results, tuning_figures, tuning_section  # noqa: E402

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
    """Everything the Markdown and HTML writers print.

    ``budgets``: how the rules' budgets differ within a comparison ('' if they do not);
    ``number_format``: the one line that says how accuracies are written; ``skipped``: one line
    per figure not drawn, with the reason."""

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
    budgets: str = ""
    number_format: str = ""
    skipped: list[str] = field(default_factory=list)
    tuning: TuningSection | None = None  # a tuned experiment's search (report/tuning.py)


@dataclass
class FigureInputs:
    """What the figures are drawn from (as ``build`` computes it)."""

    summary: pd.DataFrame       # summary.csv with each run's budget and network
    curves: pd.DataFrame        # metrics of complete runs, each label at its best sweep point
    controls: dict[str, str]
    styles: dict
    points: dict[str, dict]     # label -> its best sweep point ({} without a sweep)
    paths: pd.DataFrame | None  # the critical-path table; None when it cannot be counted,
    why_no_paths: str           # and why


def figure_inputs(res: Results) -> FigureInputs:
    summary = with_descriptions(res.summary, res.runs)
    controls = find_controls(summary, res.runs)
    points = best_sweep_points(summary)
    complete = summary.loc[summary["status"] == "complete", "run_id"]
    curves = at_points(res.metrics[res.metrics["run_id"].isin(complete)], points)
    paths, why_no_paths = _critical_paths(res)
    return FigureInputs(summary, curves, controls, palette(summary["label"].unique(), controls), points,
                        paths, why_no_paths)


def build(res: Results, target_accuracy: float | None = None) -> ReportContent:
    """Compute the statistics and tables and save every figure with data into ``<root>/figures/``."""
    tuning = tuning_section(res)
    res = main_results(res)  # a tuned experiment: its tuned runs
    inputs = figure_inputs(res)
    summary, controls, points = inputs.summary, inputs.controls, inputs.points
    if target_accuracy is None:
        target_accuracy = res.config.get("experiment", {}).get("target_accuracy")
    reference = reference_label(summary, controls)
    stats = rule_statistics(summary, res.metrics, controls=controls, reference=reference,
                            target_accuracy=target_accuracy)
    figures, skipped = _save_figures(res.root / "figures", figure_specs(res, inputs) + tuning_figures(tuning))
    exp = res.config.get("experiment", {})
    notes = _notes(stats, reference, target_accuracy, points) + [load_note(res.runs)]
    return ReportContent(
        title=exp.get("name", res.root.name), description=exp.get("description", ""),
        summary=summary_table(stats, reference), notes=notes,
        plausibility=plausibility_table(stats, _path_counts(inputs.paths)), figures=figures,
        failures=failures_table(summary), n_runs=len(summary), provenance=provenance(res.root, res.runs),
        stats=stats, budgets=budget_differences(summary, res.runs), number_format=_number_format(summary),
        skipped=skipped, tuning=tuning)


def draw_figures(res: Results) -> dict:
    """name -> every report figure as a matplotlib Figure (None where there is no data), drawn as
    the report draws them but not saved (the caller closes them)."""
    tuning = tuning_section(res)
    res = main_results(res)
    return {spec[0]: spec[2]() for spec in figure_specs(res, figure_inputs(res)) + tuning_figures(tuning)}


def budget_sentence(budgets: str, figure_link: str) -> str:
    """The warning above the summary table when rules of one comparison had different budgets;
    ``figure_link`` is how the writer names the accuracy-against-FLOPs figure."""
    if not budgets:
        return ""
    return (f"The rules compared here were given different budgets ({budgets}; see the budget column), so "
            "their final accuracies are not a ranking at equal cost: " + figure_link
            + " compares them per unit of compute.")


def _number_format(summary: pd.DataFrame) -> str:
    seeds = sorted(summary["seed"].dropna().unique())
    n = f"{len(seeds)} seed{'s' if len(seeds) != 1 else ''}"
    return (f"Accuracies: mean ± 95% CI half-width over {n}, % (Student's t, complete runs only; "
            "one number without ± where a single run completed).")


def _critical_paths(res: Results) -> tuple[pd.DataFrame | None, str]:
    """The critical-path table (one row per label), or None and why it cannot be counted."""
    try:
        return critical_path_table(res), ""
    except ValueError as err:  # a rule not installed here, or a stored run without its network's depth
        return None, f"a rule's or a network's structure is unknown here ({str(err).splitlines()[0]})"


def _path_counts(table: pd.DataFrame | None) -> dict[str, tuple[int, int]]:
    """label -> (critical path, first-layer latency) of one training step, in layer operations."""
    if table is None:
        return {}
    return {r["label"]: (int(r["critical path"]), int(r["first-layer latency"])) for _, r in table.iterrows()}


def _notes(stats, reference, target_accuracy, points) -> list[str]:
    targets = sorted({t for t in stats["target"] if math.isfinite(t)})
    if target_accuracy is not None:
        target = f"the experiment's target_accuracy, {pct(target_accuracy)}%"
    elif targets:
        target = f"95% of {reference}'s final mean accuracy ({', '.join(pct(t) + '%' for t in targets)})"
    else:
        target = "undefined (no complete backprop run to take 95% of; set [experiment] target_accuracy)"
    notes = [
        "Accuracies, FLOPs and times are over complete runs only; diverged and failed runs are counted "
        "in 'runs' and listed under Failures. Budget: epochs of training (T: time steps per sample of a "
        "spiking network; batch: samples per step where it differs; population: candidates of a population "
        "rule, which makes one generation per batch); network: kind and layer widths.",
        f"p: Welch's two-sided t-test of final test accuracy against {reference or 'backprop'} at the same "
        "sweep point (the same values of the sweep keys that apply to both), Holm-corrected across the "
        "rules compared with one reference row. Effect size: Hedges' g "
        "(bias-corrected Cohen's d, pooled SD; positive = better than the reference).",
        "Gain over readout_only: difference of final mean accuracies in percentage points; a rule that "
        "does not beat readout_only has not shown that its hidden layers learned.",
        f"Target accuracy: {target}. Epochs and FLOPs to target: mean over the complete runs that reach "
        "it (how many, in brackets); FLOPs are cumulative training FLOPs.",
    ]
    if points:
        notes.append("Figures other than the sweep figure show each rule at its best sweep point ("
                     + "; ".join(f"{k}: " + ", ".join(f"{c}={sweep_value(v, c)}" for c, v in p.items())
                                 for k, p in sorted(points.items())) + "; any: the key does not apply to "
                     "that rule).")
    return notes


def figure_specs(res: Results, inputs: FigureInputs) -> list[tuple]:
    """(name, title, draw: () -> Figure | None, caption, why it can be missing) of every figure."""
    summary, curves, paths = inputs.summary, inputs.curves, inputs.paths
    kw = {"controls": inputs.controls, "styles": inputs.styles}
    best = "; each rule at its best sweep point" if inputs.points else ""
    runs = list(curves["run_id"].unique())
    return [
        ("final_accuracy", "Final test accuracy per rule", lambda: F.final_accuracy(
            at_points(summary, inputs.points), **kw),
         "Every seed is a point (x: diverged), the bar is the mean with its 95% CI; controls are "
         "vertical reference bands; each rule's budget and network under its name" + best + ".",
         "no run completed or diverged"),
        ("learning_curves", "Learning curves", lambda: F.learning_curves(curves, **kw),
         "Test accuracy and training loss per epoch: mean over seeds (complete runs) with 95% band; "
         "controls as reference bands (left) and grey curves (right)" + best + ".", "no run completed"),
        ("accuracy_vs_compute", "Accuracy against compute", lambda: F.accuracy_vs_compute(curves, **kw),
         "Mean test accuracy after each epoch against cumulative training FLOPs and wall time" + best
         + ": rules given different budgets compare here at equal cost.", "no run completed"),
        ("sweeps", "Sweeps", lambda: F.sweeps(summary, **kw),
         "Final test accuracy against each swept hyperparameter, one line per rule (mean, 95% CI); a rule "
         "that a key does not apply to has no line in that key's panel.",
         "nothing was swept over two or more values"),
        ("alignment", "Alignment with the backprop gradient", lambda: F.alignment(curves, **kw),
         "Per layer: angle between each rule's update and the true backprop gradient on a probe batch "
         "(and between feedback and forward weights where logged); below 90° the update descends the loss.",
         "no complete run logged update or feedback angles ([diagnostics] every = 0, or no rule logs them)"),
        ("spiking_activity", "Spiking activity", lambda: F.spiking_activity(curves, **kw),
         "Mean spikes per neuron per sample in each layer over training.", "no spiking run completed"),
        ("spike_raster", "Spike raster", lambda: _raster(res, summary),
         "Spikes of one sample (the first complete run that stored a raster).",
         "no complete run stored a spike raster"),
        ("evolution", "Evolution", lambda: F.evolution(curves, **kw),
         "Population rules: best and mean fitness (batch loss) per epoch.", "no population rule completed"),
        ("depth", "Accuracy against depth", lambda: F.accuracy_vs_depth(summary, **kw),
         "Final test accuracy against the number of hidden layers (mean, 95% CI), per activation.",
         "model.hidden was not swept over several depths"),
        ("layer_signals", "Per-layer learning signal", lambda: F.layer_signals(res.metrics, summary, **kw),
         "Norm of each layer's learning signal ||x^T delta|| on a probe batch, at initialisation (hollow) and "
         "after training (filled), in the experiment's deepest network: do the early layers still learn?",
         "no run logged learning-signal norms ([diagnostics] every = 0)"),
        ("forgetting", "Forgetting", lambda: F.forgetting(res, **kw),
         "Test accuracy on each task over the whole run (phase boundaries dotted), and the forgetting "
         "score: best accuracy on a task before the last phase minus its final accuracy (mean, 95% CI).",
         "no run has two or more phases"),
        ("sensitivity", "Sensitivity to learning rate and initial scale", lambda: F.sensitivity(summary, **kw),
         "Final test accuracy (%) per rule over the learning-rate x init-gain grid; hatched: no complete run.",
         "optimizer.lr and model.init_gain were not both swept"),
        ("cka_to_backprop", "Similarity to backprop's representations", lambda: F.cka_to_backprop(
            _study().cka_to_reference(res, run_ids=runs), **kw),
         "Per block: linear CKA (Kornblith et al. 2019) between each rule's block output and that of backprop "
         "trained from the same initial weights on the same batches (same seed), on fixed test samples; 1 at "
         "epoch 0, since every rule of a seed starts from the same network" + best + ".",
         "no run stored representations ([diagnostics] representation_samples = 0) or no backprop run to compare with"),
        ("similarity_matrix", "Similarity between rules", lambda: F.similarity_matrices(
            _study().similarity_matrices(_study().similarity_pairs(res, run_ids=runs))),
         "Linear CKA between every pair of rules' block outputs at the end of training, on the same test "
         "samples, mean over seeds; one panel per block" + best + ".",
         "no two runs of one seed and network stored representations"),
        ("unit_health", "Decodability, dimension and unit health", lambda: F.unit_health(curves, **kw),
         "Per block, on 1024 training samples: accuracy of a ridge linear readout fitted there and scored on "
         "512 test samples; effective rank of the block output (participation ratio of its covariance "
         "spectrum); fraction of dead units (in the activation's flat region on every sample: relu off, "
         "|a| > 2 for tanh) and of saturated ones (tanh, sigmoid: flat on most samples)" + best + ".",
         "no complete run logged representation diagnostics ([diagnostics] every = 0, or no layered network)"),
        ("receptive_fields", "Receptive fields", lambda: _receptive_fields(res, runs),
         "The first layer's weights after training, the same first units under every rule (they start from "
         "the same weights: readout_only's row is that start) on one colour scale: images for 2-D inputs and "
         "convolution kernels, lines for 1-D signals.", "no run stored representations"),
        ("update_locking", "Update locking", lambda: None if paths is None else F.accuracy_vs_critical_path(
            res, table=paths, **kw),
         "Final test accuracy against the critical path of one training step in sequential layer "
         "operations (o) and the first layer's wait before it can update (x), from each rule's structure.",
         "fewer than three rules completed a run" if paths is not None else inputs.why_no_paths),
    ] + time_figures(res, curves, summary, kw)  # learning in time: delay, critical path in time


def _study():
    """The representations study (imported here: it reads the report's statistics)."""
    from ..studies import representations

    return representations


def _receptive_fields(res: Results, run_ids: list[str]):
    weights, shape, which = _study().first_layer_weights(res, run_ids=run_ids)
    return F.receptive_fields(weights, shape, title=f"Receptive fields: the first layer's weights ({which})")


def _save_figures(out_dir: Path, specs: list[tuple]) -> tuple[list[FigureFile], list[str]]:
    """Save every figure that has data; returns the saved figures and one line per skipped one."""
    out_dir.mkdir(exist_ok=True)
    files, skipped = [], []
    for name, title, make, caption, missing in specs:
        fig = make()
        png, svg = out_dir / f"{name}.png", out_dir / f"{name}.svg"
        if fig is None:  # no data: no figure, and none left over from an earlier report
            png.unlink(missing_ok=True)
            svg.unlink(missing_ok=True)
            skipped.append(f"{title}: {missing}.")
            continue
        try:
            fig.savefig(png, dpi=PNG_DPI, metadata={"Software": None})
            fig.set_layout_engine("none")  # keep the layout just computed: the SVG need not redo it
            fig.savefig(svg, metadata={"Date": None})
        finally:
            plt.close(fig)
        files.append(FigureFile(name, title, caption, png, svg))
    return files, skipped


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
