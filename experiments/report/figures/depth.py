"""The depth study's figures: final accuracy against depth, and per-layer learning signals."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
from matplotlib.ticker import MaxNLocator

from ..statistics import mean_ci
from .common import chance_line, legend_outside, new_figure, percent_axis, resolve

HIDDEN, ACTIVATION = "model.hidden", "model.activation"
LEGEND_COLUMNS = 4


def n_hidden(value) -> int:
    """Number of hidden layers of a ``model.hidden`` value (a list, or its text in a CSV)."""
    return len(json.loads(value) if isinstance(value, str) else value)


def _panels(frame: pd.DataFrame) -> list:
    return sorted(frame[ACTIVATION].dropna().unique()) if ACTIVATION in frame else [None]


def accuracy_vs_depth(summary: pd.DataFrame, *, controls=None, styles=None, chance: float | None = None):
    """Final test accuracy (mean, 95% CI) against the number of hidden layers, one line per rule,
    one panel per activation. None unless ``model.hidden`` was swept over several depths."""
    if HIDDEN not in summary or summary[HIDDEN].map(n_hidden).nunique() < 2:
        return None
    controls, styles = resolve(summary, controls, styles)
    ok = summary[summary["status"] == "complete"].assign(depth=lambda d: d[HIDDEN].map(n_hidden))
    panels = _panels(ok)
    fig, axes = new_figure(1, len(panels), width=3.4 * len(panels) + 2.0, sharey=True)
    for ax, act in zip(axes[0], panels):
        rows = ok if act is None else ok[ok[ACTIVATION] == act]
        for label in sorted(rows["label"].unique()):
            pts = [(d, *mean_ci(g["test_accuracy"])[:2]) for d, g in rows[rows["label"] == label].groupby("depth")]
            d, m, h = (np.array(v, dtype=float) for v in zip(*pts))
            st = styles[label]
            ax.errorbar(d, m, yerr=np.nan_to_num(h), marker=st.marker, markersize=4, capsize=3,
                        label=label, **st.line())
        ax.set(xlabel="hidden layers", title=act or "")
        ax.set_xticks(sorted(ok["depth"].unique()))
        chance_line(ax, chance)
        percent_axis(ax)
    axes[0, 0].set(ylabel="final test accuracy")
    legend_outside(fig, axes)
    return fig


def layer_signals(metrics: pd.DataFrame, summary: pd.DataFrame, *, controls=None, styles=None):
    """Per layer, the norm of each rule's learning signal (``signal_norm``: ||x_l^T delta_l||) at
    initialisation (hollow) and at the end of training (filled), in the deepest network of the
    experiment, one panel per activation. None when no run logged it."""
    sig = metrics[metrics["metric"] == "signal_norm"]
    if sig.empty:
        return None
    controls, styles = resolve(summary, controls, styles)
    if HIDDEN in sig:
        deepest = sig[HIDDEN].map(n_hidden)
        sig = sig[deepest == deepest.max()]
    panels = _panels(sig)
    labels = sorted(set(sig["label"]) - set(controls))
    rows_of_legend = -(-len(labels) // LEGEND_COLUMNS)
    fig, axes = new_figure(1, len(panels), width=max(7.5, 3.4 * len(panels) + 1.0),
                           height=3.6 + 0.2 * rows_of_legend, sharey=True)
    last = sig.groupby("run_id")["epoch"].transform("max")
    for ax, act in zip(axes[0], panels):
        rows = sig if act is None else sig[sig[ACTIVATION] == act]
        for label in sorted(set(rows["label"]) - set(controls)):
            st = styles[label]
            mine = rows[rows["label"] == label]
            for when, fill in ((mine["epoch"] == 0, "none"), (mine["epoch"] == last[mine.index], st.color)):
                g = mine[when].groupby("layer")["value"].mean()
                ax.plot(g.index + 1, g.values, marker=st.marker, markerfacecolor=fill, markersize=5,
                        label=label if fill != "none" else None, **st.line())
        ax.set_yscale("log")
        ax.set(xlabel="layer (1 = first hidden)", title=act or "")
        ax.xaxis.set_major_locator(MaxNLocator(integer=True))  # whole layer numbers
    axes[0, 0].set(ylabel="learning-signal norm ||x^T delta||")
    legend_outside(fig, axes, where="lower center", ncols=min(LEGEND_COLUMNS, len(labels)))
    return fig
