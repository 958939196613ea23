"""Final test accuracy per rule: every seed a point, the mean and its 95% interval."""

from __future__ import annotations

import numpy as np
import pandas as pd

from ..palette import Style
from ..statistics import mean_ci
from .common import chance_line, control_bands, legend_outside, new_figure, ordered_labels, percent_axis, resolve

LINE = 48  # characters of a tick label's line before the budget and the network go on lines of their own


#: fixed offsets (no random jitter) spread the seeds of one rule vertically
def _offsets(n: int) -> np.ndarray:
    return np.linspace(-0.18, 0.18, n) if n > 1 else np.zeros(n)


def final_accuracy(summary: pd.DataFrame, *, controls: dict[str, str] | None = None,
                   styles: dict[str, Style] | None = None, column: str = "test_accuracy",
                   chance: float | None = None):
    """One row per rule (sorted by mean): complete runs as filled points, diverged runs as crosses,
    the mean as a bar with its 95% t-interval; the controls as vertical reference bands.
    The tick label counts the runs by status, so failed runs (which have no accuracy) show too, and
    where ``summary`` has ``budget`` and ``network`` columns (the report adds them from run.json) it
    names each rule's budget and network; ``chance`` (a fraction) is drawn as a dashed line.
    None when no run completed or diverged."""
    controls, styles = resolve(summary, controls, styles)
    # an experiment of controls alone shows them as rows; otherwise they are the reference bands
    labels = ordered_labels(summary["label"].unique(), controls) or sorted(controls)
    means = {lab: mean_ci(summary.loc[(summary["label"] == lab) & (summary["status"] == "complete"), column])
             for lab in labels}
    labels.sort(key=lambda lab: (-np.nan_to_num(means[lab][0], nan=-1.0), lab))
    if not summary["status"].isin(["complete", "diverged"]).any():
        return None  # no run has an accuracy to show
    described = "budget" in summary and "network" in summary
    fig, axes = new_figure(1, 1, width=9.0 if described else 7.5,
                           height=max(2.6, (0.5 if described else 0.45) * len(labels) + 1.6))
    ax = axes[0, 0]
    ticks = []
    for i, lab in enumerate(labels):
        rows = summary[summary["label"] == lab].sort_values("seed")
        st = styles[lab]
        ok, div = rows[rows["status"] == "complete"], rows[rows["status"] == "diverged"]
        # rules are named on the y axis: the legend only explains the controls' reference lines
        ax.scatter(ok[column], i + _offsets(len(ok)), color=st.color, marker=st.marker, s=28, zorder=3,
                   label=f"_{lab}")
        if len(div):
            ax.scatter(div[column].fillna(0.0), i + _offsets(len(div)), color=st.color, marker="x", s=40,
                       zorder=3, label=f"_{lab} diverged")
        mean, half, n = means[lab]
        if n:
            ax.errorbar(mean, i, xerr=half if np.isfinite(half) else None, fmt="|", markersize=18,
                        color="black", capsize=4, lw=1.4, zorder=4, label="_mean")
        counts = rows["status"].value_counts()
        extra = ", ".join(f"{counts[s]} {s}" for s in ("diverged", "failed") if s in counts)
        tick = f"{lab} ({counts.get('complete', 0)} ok{', ' + extra if extra else ''})"
        if described:  # what the rule was given: its budget and network, under its name
            for budget, network in dict.fromkeys(zip(rows["budget"], rows["network"])):
                both = f"{budget}, {network}"  # on one line if short, else one line each
                tick += f"\n{both}" if len(both) <= LINE else f"\n{budget},\n{network}"
        ticks.append(tick)
    control_bands(ax, summary, controls, styles, horizontal=False)
    chance_line(ax, chance, horizontal=False)
    ax.set_yticks(range(len(labels)), ticks)
    ax.set_ylim(len(labels) - 0.5, -0.5)
    diverged = "; x: diverged, at its last accuracy" if (summary["status"] == "diverged").any() else ""
    ax.set(xlabel=f"final test accuracy\n(points: seeds; bar: mean, 95% CI{diverged})")
    percent_axis(ax, "x")
    ax.grid(axis="y", visible=False)
    legend_outside(fig, axes, where="lower center", ncols=2)  # below: the rule names need the width
    return fig
