"""The forgetting study's figure: accuracy on every task across phases, and the forgetting score."""

from __future__ import annotations

import itertools

import numpy as np

from ...studies.forgetting import forgetting_table
from ..statistics import mean_ci
from .common import chance_line, declare_range, epoch_axis, legend_outside, new_figure, percent_axis, resolve


def forgetting(res, *, controls=None, styles=None, chance: float | None = None):
    """One panel per task: its test accuracy over all epochs (mean over seeds), phase boundaries
    dotted; last panel: the forgetting score per rule (mean, 95% CI). None without phases."""
    phased = [m for m in res.runs.values() if len(m["spec"].get("phases") or []) > 1]
    if not phased:
        return None
    phases = phased[0]["spec"]["phases"]
    controls, styles = resolve(res.summary, controls, styles)
    metrics = res.metrics[res.metrics["layer"].isna()]
    n_labels = res.summary["label"].nunique()
    fig, axes = new_figure(1, len(phases) + 1, width=3.0 * (len(phases) + 1) + 1.5,
                           height=max(3.6, 0.2 * n_labels + 1.4))  # a bar per rule on the last panel
    ends = list(itertools.accumulate(p["epochs"] for p in phases))
    for ax, phase in zip(axes[0], phases):
        rows = metrics[metrics["metric"] == f"{phase['name']}_accuracy"]
        for label in sorted(rows["label"].unique()):
            g = rows[rows["label"] == label].groupby("epoch")["value"].mean()
            ax.plot(g.index, g.values, label=label, marker=styles[label].marker, markersize=3.5, **styles[label].line())
        for end in ends[:-1]:
            ax.axvline(end, color="#555555", linestyle=":", lw=1)
        ax.set(title=f"task {phase['name']}", xlabel="epoch")
        epoch_axis(ax)
        chance_line(ax, chance)
        percent_axis(ax)
    axes[0, 0].set(ylabel="test accuracy on the task")
    table = forgetting_table(res)
    ax = axes[0, -1]
    labels = sorted(table["label"].unique())
    for i, label in enumerate(labels):
        mean, half, _ = mean_ci(table.loc[table["label"] == label, "forgetting"])
        ax.barh(i, mean, xerr=np.nan_to_num(half), color=styles[label].color, capsize=3)
    ax.set_yticks(range(len(labels)), labels)
    ax.invert_yaxis()
    ax.set(title="forgetting", xlabel="best earlier − final accuracy")
    # a difference of accuracies, negative where a task was learned later: percent ticks, not clamped at 0
    ax.xaxis.set_major_formatter(lambda v, _: f"{round(100 * v, 6):g}%")
    declare_range(ax, "x", -1.0, 1.0)
    legend_outside(fig, axes[:, :-1])
    return fig
