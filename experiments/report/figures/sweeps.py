"""Final accuracy against a swept hyperparameter, one line per rule."""

from __future__ import annotations

import numpy as np
import pandas as pd

from ..statistics import mean_ci, point_mask, sweep_columns
from ..tables import sweep_value, widths_list, widths_text
from .common import chance_line, legend_outside, new_figure, percent_axis, resolve


def sweeps(summary: pd.DataFrame, *, controls=None, styles=None, chance: float | None = None):
    """One panel per sweep column (summary columns with a dot): final test accuracy (mean over
    complete runs, 95% CI error bars) against the swept value, one line per label (controls in
    their grey styles, as references). Other sweep columns are held at each label's best point.
    A label that a key does not apply to (NaN in its column) has no line in that key's panel.
    None when nothing was swept."""
    columns = [c for c in sweep_columns(summary) if summary[c].nunique(dropna=True) > 1]
    if not columns:
        return None
    controls, styles = resolve(summary, controls, styles)
    ok = summary[summary["status"] == "complete"]
    fig, axes = new_figure(1, len(columns), width=max(7.0, 4.2 * len(columns) + 1.5), sharey=True)
    for ax, col in zip(axes[0], columns):
        numeric = pd.api.types.is_numeric_dtype(summary[col]) and not pd.api.types.is_bool_dtype(summary[col])
        categories = sorted(summary[col].dropna().unique(), key=_category_order)
        for label in [*sorted(set(summary["label"]) - set(controls)), *sorted(controls)]:
            rows = _held_at_best(ok[(ok["label"] == label) & ok[col].notna()], col, sweep_columns(summary))
            if rows.empty:
                continue
            pts = [(v, *mean_ci(g["test_accuracy"])) for v, g in rows.groupby(col)]
            # numbers on a numeric axis; anything else (names, lists) at category positions
            x = np.array([p[0] if numeric else categories.index(p[0]) for p in pts], dtype=float)
            mean, half = (np.array([p[i] for p in pts], dtype=float) for i in (1, 2))
            st = styles[label]
            ax.errorbar(x, mean, yerr=np.nan_to_num(half), marker=st.marker, markersize=4, capsize=3,
                        label=label, lw=1.2 if label in controls else 1.6, **st.line())
        if not numeric:
            # a layer stack in words; hidden widths short ('8 x 64'), so the ticks do not collide
            names = [widths_text(c) if col.endswith(".hidden") else sweep_value(c, col) for c in categories]
            ax.set_xticks(range(len(categories)), [n.replace("-", "-\n") if len(n) > 16 else n for n in names])
        elif (summary[col].dropna() > 0).all() and summary[col].max() / summary[col].min() >= 3:
            ax.set_xscale("log")
        ax.set(xlabel=f"{col} (swept)")
        chance_line(ax, chance)
        percent_axis(ax)
    axes[0, 0].set(ylabel="final test accuracy (mean, 95% CI)")
    legend_outside(fig, axes)
    return fig


def _held_at_best(rows: pd.DataFrame, col: str, all_cols: list[str]) -> pd.DataFrame:
    """The rows whose other sweep columns equal the combination with the best mean accuracy."""
    others = [c for c in all_cols if c != col]
    if not others or rows.empty:
        return rows
    means = rows.groupby(others, dropna=False)["test_accuracy"].mean()  # NaN: a key that does not apply
    best = means.idxmax()
    best = best if isinstance(best, tuple) else (best,)
    return rows[point_mask(rows, dict(zip(others, best)))]


def _category_order(value) -> tuple:
    """Layer widths by depth, then size (1 x 64 before 8 x 64); anything else by its text."""
    widths = widths_list(value)
    return (0, len(widths), widths, "") if widths is not None else (1, 0, [], str(value))
