"""The update-locking study's figure: accuracy against the critical path of a training step."""

from __future__ import annotations


from ...studies.critical_paths import critical_path_table
from .common import new_figure, percent_axis, resolve


def accuracy_vs_critical_path(res, *, controls=None, styles=None):
    """Each rule as a point: final test accuracy (mean) against its critical path in sequential layer
    operations (circle) and its first layer's wait (cross). None with fewer than three rules."""
    table = critical_path_table(res)
    if table["rule"].nunique() < 3:
        return None
    controls, styles = resolve(res.summary, controls, styles)
    fig, axes = new_figure(1, 1, width=7.5, height=4.0)
    ax = axes[0, 0]
    for _, row in table.iterrows():
        st = styles[row["label"]]
        ax.scatter(row["critical path"], row["test accuracy"], color=st.color, marker="o", s=40, zorder=3)
        ax.scatter(row["first-layer latency"], row["test accuracy"], color=st.color, marker="x", s=30, zorder=3)
        if row["first-layer latency"] != row["critical path"]:
            ax.plot([row["first-layer latency"], row["critical path"]], [row["test accuracy"]] * 2,
                    color=st.color, lw=0.8, alpha=0.6)
        ax.annotate(row["label"], (row["critical path"], row["test accuracy"]), fontsize=7,
                    xytext=(4, 2), textcoords="offset points")
    ax.set(xlabel="sequential layer operations per step (o: critical path, x: first layer's wait)",
           ylabel="final test accuracy", title="What update locking buys")
    ax.set_xscale("log")
    ax.xaxis.set_major_formatter(__import__("matplotlib").ticker.ScalarFormatter())
    percent_axis(ax)
    return fig
