"""Population rules: best and mean fitness (minimised: a loss) against generation."""

from __future__ import annotations

import pandas as pd

from ..statistics import epoch_curves
from .common import BAND_ALPHA, epoch_axis, legend_outside, new_figure, resolve


def evolution(metrics: pd.DataFrame, *, controls=None, styles=None):
    """Per label that logs ``best_fitness``: best fitness (solid) and population mean fitness
    (dashed), each the epoch mean of the per-generation values, with 95% bands over seeds.
    None when no run logs fitness."""
    m = metrics[metrics["metric"].isin(["best_fitness", "mean_fitness"]) & metrics["layer"].isna()]
    if m.empty:
        return None
    controls, styles = resolve(metrics, controls, styles)
    fig, axes = new_figure(1, 1, width=7.5, height=3.6)
    ax = axes[0, 0]
    for label in sorted(m["label"].unique()):
        st = styles[label]
        for name, ls, text in (("best_fitness", "-", "best"), ("mean_fitness", "--", "population mean")):
            c = epoch_curves(m[m["label"] == label], name)
            if c.empty:
                continue
            ax.plot(c["epoch"], c["mean"], color=st.color, linestyle=ls, label=f"{label}: {text}")
            ax.fill_between(c["epoch"], c["lo"], c["hi"], color=st.color, alpha=BAND_ALPHA, lw=0)
    ax.set(xlabel="epoch (mean over its generations)", ylabel="fitness (batch loss, lower = better)")
    epoch_axis(ax)
    legend_outside(fig, axes)
    return fig
