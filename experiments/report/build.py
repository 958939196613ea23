"""Assemble a report from a results folder: statistics, tables, figures (saved), provenance."""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import sys

import matplotlib

if "matplotlib.pyplot" not in sys.modules:  # headless: files only (see figures/common.py)
    matplotlib.use("Agg")
import pandas as pd  # noqa: E402

from learning_rules.divergence import GRADIENT_BOUND  # noqa: E402

from ..results import Results  # noqa: E402
from ..runs.train import LOSS_BOUND, PARAMETER_BOUND, UNSTABLE_FRACTION, UNSTABLE_RATIO  # noqa: E402
from .budgets import budget_differences  # noqa: E402
from .figure_files import FigureDrawing, FigureFile, Progress  # noqa: E402
from .figure_specs import figure_inputs, figure_specs  # noqa: E402
from .hyperparameters import hyperparameter_table  # noqa: E402
from .provenance import load_note, provenance  # noqa: E402
from .equal_compute import equal_compute_table  # noqa: E402
from .statistics import FEW_SEEDS, at_points, reference_label, rule_statistics, sweep_columns  # noqa: E402
from .tables import failures_table, pct, plausibility_table, summary_table, sweep_value  # noqa: E402
from .tuning import TuningSection, main_results, tuning_figures, tuning_section  # noqa: E402

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
    #: every rule at one budget (report/equal_compute.py); empty when all budgets were equal
    equal_compute: pd.DataFrame = field(default_factory=pd.DataFrame)
    equal_compute_note: str = ""
    #: name -> the figure cache's entry ({key, drawn}) of every figure of this report
    figure_entries: dict = field(default_factory=dict)
    #: the data's sizes and chance level in one sentence ('' when the runs did not record them)
    data: str = ""
    #: one row per rule: optimizer, hyperparameters other than the default, defaults (hyperparameters.py)
    hyperparameters: pd.DataFrame = field(default_factory=pd.DataFrame)


def build(res: Results, target_accuracy: float | None = None, *, force: bool = False,
          progress: Progress | None = None, report_key: str = "", manifest: dict | None = None,
          workers: int | None = None) -> ReportContent:
    """Compute the statistics and tables and save every figure with data into ``<root>/figures/``.

    Figures drawn under ``report_key`` before (``manifest``: see figure_cache) are reused unless
    ``force``; ``progress(done, total, name)`` is called once per figure; ``workers`` bounds the
    processes that draw (default: the idle cores)."""
    tuning = tuning_section(res)
    res = main_results(res)  # a tuned experiment: its tuned runs
    inputs = figure_inputs(res)
    summary, controls, points = inputs.summary, inputs.controls, inputs.points
    if target_accuracy is None:
        target_accuracy = res.config.get("experiment", {}).get("target_accuracy")
    # the figures start first: forked workers draw them while this process computes the tables
    drawing = FigureDrawing(res.root / "figures", figure_specs(res, inputs) + tuning_figures(tuning, inputs.chance),
                            report_key=report_key, manifest=manifest or {}, force=force, progress=progress,
                            workers=workers)
    try:
        reference = reference_label(summary, controls)
        stats = rule_statistics(summary, res.metrics, controls=controls, reference=reference,
                                target_accuracy=target_accuracy)
        exp = res.config.get("experiment", {})
        curves_summary = at_points(summary, points)
        complete_ids = set(curves_summary["run_id"])
        equal, equal_note = equal_compute_table(curves_summary, res.metrics[res.metrics["run_id"].isin(complete_ids)])
        notes = _notes(stats, reference, target_accuracy, points) + [load_note(res.runs)]
        parts = dict(
            title=exp.get("name", res.root.name), description=exp.get("description", ""),
            summary=summary_table(stats, reference), notes=notes,
            plausibility=plausibility_table(stats, _path_counts(inputs.paths)),
            failures=failures_table(summary), n_runs=len(summary), provenance=provenance(res.root, res.runs),
            stats=stats, budgets=budget_differences(summary, res.runs), number_format=_number_format(summary),
            tuning=tuning, equal_compute=equal, equal_compute_note=equal_note, data=inputs.data,
            hyperparameters=hyperparameter_table(res.runs))
    except BaseException:
        drawing.close()
        raise
    figures, skipped, entries = drawing.finish()
    return ReportContent(**parts, figures=figures, skipped=skipped, figure_entries=entries)


def draw_figures(res: Results) -> dict:
    """name -> every report figure as a matplotlib Figure (None where there is no data), drawn as
    the report draws them but not saved (the caller closes them)."""
    tuning = tuning_section(res)
    res = main_results(res)
    inputs = figure_inputs(res)
    return {spec[0]: spec[2]() for spec in figure_specs(res, inputs) + tuning_figures(tuning, inputs.chance)}


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
        "Like for like: gains, p-values and effect sizes compare runs of the same data, network and budget "
        "only; a rule whose network or budget has no readout_only run (or no reference run) says so in place "
        "of the number. The equal-compute table compares every rule at one budget.",
        "Train acc.: accuracy on the whole training split at the end; gap: train minus test, in points (a large "
        "gap is overfitting). The headline has no 'best epoch' column: an epoch picked on the test split would "
        "overstate every rule (a tuned experiment selects on its validation split).",
        "Effect sizes: Hedges' g with its 95% interval (large-sample standard error); * marks a comparison with "
        f"fewer than {FEW_SEEDS} seeds on a side, where g is imprecise and |g| of 10 or more says only that the "
        "seeds barely vary, not that the difference is large in points.",
        f"Unstable: a complete run whose training loss ended more than {UNSTABLE_RATIO:g} times its lowest value "
        f"and more than {UNSTABLE_FRACTION:.0%} of the way back up to its start (docs/report.md); its accuracy is "
        "counted but marked, and the run is listed under Failures with the loss it climbed from and to. Diverged "
        f"runs (a non-finite or exploding loss, gradient or parameter: more than {LOSS_BOUND:g}, {GRADIENT_BOUND:g} "
        f"and {PARAMETER_BOUND:g} times its start) are left out of every mean.",
        f"Target accuracy: {target}. Epochs and FLOPs to target: mean over the complete runs that reach "
        "it (how many, in brackets); FLOPs are cumulative training FLOPs.",
    ]
    if points:
        notes.append("Figures other than the sweep figure show each rule at its best sweep point ("
                     + "; ".join(f"{k}: " + ", ".join(f"{c}={sweep_value(v, c)}" for c, v in p.items())
                                 for k, p in sorted(points.items())) + "; any: the key does not apply to "
                     "that rule).")
    return notes


def keep_columns(stats: pd.DataFrame) -> pd.DataFrame:
    """The statistics table as written to statistics.csv (raw numbers, for other tools)."""
    front = ["label", *sweep_columns(stats), "rule", "control"]
    return stats[front + [c for c in stats.columns if c not in front]]
