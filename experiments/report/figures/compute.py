"""Accuracy against compute: cumulative training FLOPs (log axis) and wall-clock seconds."""

from __future__ import annotations

import pandas as pd
from matplotlib.ticker import NullFormatter

from ..palette import Style
from ..statistics import epoch_curves
from .common import chance_line, control_bands, legend_outside, new_figure, ordered_labels, percent_axis, resolve


def accuracy_vs_compute(metrics: pd.DataFrame, *, controls: dict[str, str] | None = None,
                        styles: dict[str, Style] | None = None, chance: float | None = None):
    """Two panels: mean test accuracy per epoch against mean cumulative FLOPs and against mean
    cumulative wall time (both log axes; epoch 0, before any compute, is left out); ``chance``
    as a dashed line."""
    if not (metrics["metric"] == "test_accuracy").any():
        return None
    controls, styles = resolve(metrics, controls, styles)
    fig, axes = new_figure(1, 2, width=9.0, sharey=True)
    for ax, x, xlabel in ((axes[0, 0], "flops", "training compute (FLOPs, log scale)"),
                          (axes[0, 1], "wall_time", "wall time (s, log scale)")):
        for label in ordered_labels(metrics["label"].unique(), controls):
            m = metrics[metrics["label"] == label]
            acc = epoch_curves(m, "test_accuracy").set_index("epoch")["mean"]
            cost = epoch_curves(m, x).set_index("epoch")["mean"]
            both = pd.concat({"acc": acc, "cost": cost}, axis=1).dropna()
            both = both[both["cost"] > 0]
            if len(both):
                ax.plot(both["cost"], both["acc"], marker=styles[label].marker, markersize=3.5,
                        markevery=max(1, len(both) // 8), label=label, **styles[label].line())
        control_bands(ax, metrics, controls, styles)
        chance_line(ax, chance)
        ax.set(xscale="log", xlabel=xlabel)
        ax.xaxis.set_minor_formatter(NullFormatter())  # minor labels of a short log range collide
        percent_axis(ax)
    axes[0, 0].set(ylabel="test accuracy (mean over seeds)")
    legend_outside(fig, axes)
    return fig
