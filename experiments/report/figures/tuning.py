"""A tuned experiment's search: validation accuracy against each searched key, per rule."""

from __future__ import annotations

import matplotlib.ticker
from matplotlib.markers import MarkerStyle
import numpy as np
import pandas as pd

from .common import chance_line, new_figure, percent_axis, resolve


def validation_vs_keys(trials: pd.DataFrame, keys: dict[str, tuple[str, ...]], log_keys=(), chosen=None, *,
                       controls=None, styles=None, chance: float | None = None):
    """One row per rule, one panel per key searched for it: each trial's score (validation accuracy,
    mean over search seeds; ``trials`` has label, trial, score and a column per key) against the
    key's value, the chosen trial (``chosen``: label -> trial) as a star. Keys in ``log_keys`` get a
    log axis, keys of other values (choices of names, lists) category positions. None without trials."""
    labels = [label for label in keys if keys[label] and label in set(trials["label"])]
    if not labels:
        return None
    controls, styles = resolve(trials, controls, styles)
    chosen = chosen or {}
    ncols = max(len(keys[label]) for label in labels)
    fig, axes = new_figure(len(labels), ncols, width=3.0 * ncols + 1.4, height=1.9 * len(labels) + 0.9,
                           sharey="row")
    for row, label in zip(axes, labels):
        rows = trials[trials["label"] == label]
        finite = rows[np.isfinite(rows["score"].to_numpy(float))]
        st = styles[label]
        for ax, key in zip(row, keys[label]):
            numeric = pd.api.types.is_numeric_dtype(rows[key]) and not pd.api.types.is_bool_dtype(rows[key])
            categories = sorted(rows[key].map(str).unique())
            x = finite[key].to_numpy(float) if numeric else finite[key].map(str).map(categories.index).to_numpy(float)
            edge = 0 if MarkerStyle(st.marker).is_filled() else 1.0  # an unfilled marker (x) is its edge
            ax.scatter(x, finite["score"], s=18, color=st.color, marker=st.marker, alpha=0.8, lw=edge)
            best = finite[finite["trial"] == chosen.get(label)]
            if len(best):
                bx = x[finite.index.get_indexer(best.index)]
                ax.scatter(bx, best["score"], s=120, marker="*", color=st.color, edgecolor="black", lw=0.7,
                           zorder=3)
            if not numeric:
                ax.set_xticks(range(len(categories)), categories)
            elif key in log_keys:
                ax.set_xscale("log")
                ax.xaxis.set_major_locator(matplotlib.ticker.LogLocator(subs=(1.0, 3.0)))
                ax.xaxis.set_major_formatter(matplotlib.ticker.FuncFormatter(lambda v, _: f"{v:g}"))
                ax.xaxis.set_minor_formatter(matplotlib.ticker.NullFormatter())
            ax.set_xlabel(key.removeprefix(f"rules.{label}."))
        for ax in row[:len(keys[label])]:
            chance_line(ax, chance)
        percent_axis(row[0])  # once the row's data are drawn: its panels share the axis
        row[0].set_ylabel(f"{label}\nvalidation acc.", fontsize=9)
        for ax in row[len(keys[label]):]:
            ax.set_visible(False)
    return fig
