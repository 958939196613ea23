"""The update-locking study's figure: accuracy against the critical path of a training step."""

from __future__ import annotations

import numpy as np
import pandas as pd
from matplotlib.ticker import FixedLocator, NullLocator

from ...studies.critical_paths import critical_path_table
from .common import chance_line, label_points, legend_outside, new_figure, percent_axis, resolve


def accuracy_vs_critical_path(res, *, controls=None, styles=None, table: pd.DataFrame | None = None,
                              chance: float | None = None):
    """Each rule as a point: final test accuracy (mean) against its critical path in sequential layer
    operations (circle) and its first layer's wait (cross), each rule named beside its circle.
    ``table`` is ``critical_path_table(res)`` if the caller has it. None with fewer than three rules
    that completed a run."""
    table = critical_path_table(res) if table is None else table
    table = table[np.isfinite(table["test accuracy"].to_numpy(dtype=float))]
    if table["rule"].nunique() < 3:
        return None
    controls, styles = resolve(res.summary, controls, styles)
    fig, axes = new_figure(1, 1, width=7.5, height=max(4.0, 0.28 * len(table) + 2.0))  # room for every name
    ax = axes[0, 0]
    for _, row in table.iterrows():
        st, acc = styles[row["label"]], row["test accuracy"]
        ax.scatter([row["critical path"]], [acc], color=st.color, marker="o", s=40, zorder=3,
                   label=f"_{row['label']}: critical path")
        ax.scatter([row["first-layer latency"]], [acc], color=st.color, marker="x", s=30, zorder=3,
                   label=f"_{row['label']}: first layer's wait")
        if row["first-layer latency"] != row["critical path"]:
            ax.plot([row["first-layer latency"], row["critical path"]], [acc] * 2, color=st.color, lw=0.8,
                    alpha=0.6, label="_wait")
    ax.set(xlabel="sequential layer operations per step (o: critical path, x: first layer's wait; log scale)",
           ylabel="final test accuracy (mean over seeds)")
    ax.set_xscale("log")
    counts = sorted({int(v) for v in (*table["critical path"], *table["first-layer latency"])})
    ax.xaxis.set_major_locator(FixedLocator(counts))  # integer counts, written as integers
    ax.xaxis.set_major_formatter(lambda v, _: f"{v:.0f}")
    ax.xaxis.set_minor_locator(NullLocator())
    ax.set_xlim(min(counts) / 1.25, max(counts) * 1.6)  # room for the names right of the last points
    chance_line(ax, chance)
    percent_axis(ax)
    legend_outside(fig, axes, where="lower center")  # the chance line: every rule is named at its point
    label_points(ax, [(row["critical path"], row["test accuracy"], row["label"], styles[row["label"]].color)
                      for _, row in table.iterrows()],
                 avoid=[(row["first-layer latency"], row["test accuracy"], row["critical path"], row["test accuracy"])
                        for _, row in table.iterrows()])  # the crosses and the lines to them
    return fig
