"""What every figure shares: the look, the label styles, the control reference bands, the legend."""

from __future__ import annotations

import math
import sys

import matplotlib

if "matplotlib.pyplot" not in sys.modules:
    # files only: the report never opens a window; a session that already chose a backend
    # (a notebook's inline one) keeps it
    matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import pandas as pd  # noqa: E402

from ..palette import Style, palette  # noqa: E402
from ..statistics import find_controls, mean_ci  # noqa: E402

#: sizes chosen to stay legible at the ~800 px width the HTML report shows a figure at
RC = {"font.size": 10, "axes.titlesize": 11, "axes.labelsize": 10, "legend.fontsize": 9,
      "xtick.labelsize": 9, "ytick.labelsize": 9, "axes.spines.top": False,
      "axes.spines.right": False, "axes.grid": True, "grid.alpha": 0.3, "lines.linewidth": 1.6}
BAND_ALPHA = 0.18
CONTROL_NAMES = {"readout": "control: hidden frozen", "linear": "control: linear model"}


def new_figure(nrows: int = 1, ncols: int = 1, width: float = 7.5, height: float = 3.6, **kw):
    """A constrained-layout figure and its axes array (always 2-D)."""
    with plt.rc_context(RC):
        fig, axes = plt.subplots(nrows, ncols, figsize=(width, height), layout="constrained",
                                 squeeze=False, **kw)
    return fig, axes


def resolve(frame: pd.DataFrame, controls: dict[str, str] | None,
            styles: dict[str, Style] | None) -> tuple[dict[str, str], dict[str, Style]]:
    """Controls and styles for ``frame``: the given ones, else inferred from the frame's labels."""
    if controls is None:
        controls = find_controls(frame.drop_duplicates("label")) if "rule" in frame else {}
    if styles is None:
        styles = palette(frame["label"].unique(), controls)
    return controls, styles


def final_values(frame: pd.DataFrame, label: str, column: str = "test_accuracy") -> pd.Series:
    """Each run's final ``column``: from a summary frame, or the last epoch of a metrics frame."""
    rows = frame[frame["label"] == label]
    if "metric" not in rows:
        return rows.loc[rows["status"] == "complete", column] if "status" in rows else rows[column]
    m = rows[(rows["metric"] == column) & rows["layer"].isna()]
    return m.sort_values("epoch").groupby("run_id")["value"].last()


def control_bands(ax, frame: pd.DataFrame, controls: dict[str, str], styles: dict[str, Style],
                  horizontal: bool = True) -> int:
    """Draw each control's final accuracy (mean line, 95% band) across ``ax``; returns how many."""
    drawn = 0
    for label in sorted(controls):
        mean, half, n = mean_ci(final_values(frame, label))
        if n == 0:
            continue
        st = styles[label]
        span, line = (ax.axhspan, ax.axhline) if horizontal else (ax.axvspan, ax.axvline)
        if math.isfinite(half):
            span(mean - half, mean + half, color=st.color, alpha=0.10, lw=0, zorder=0)
        line(mean, color=st.color, linestyle=st.linestyle, lw=1.3,
             label=f"{label} ({CONTROL_NAMES[controls[label]]}, final)")
        drawn += 1
    return drawn


def ordered_labels(labels, controls: dict[str, str]) -> list[str]:
    """Non-control labels, sorted (the palette's order)."""
    return sorted(set(labels) - set(controls))


def legend_outside(fig, axes, where: str = "right upper", ncols: int = 1) -> None:
    """One legend for the figure, outside the plots (right, or e.g. 'lower center'), so it never
    covers data."""
    handles, labels, seen = [], [], set()
    for ax in axes.flat:
        for h, lab in zip(*ax.get_legend_handles_labels()):
            if lab not in seen and not lab.startswith("_"):
                seen.add(lab)
                handles.append(h)
                labels.append(lab)
    if handles:
        with plt.rc_context(RC):
            fig.legend(handles, labels, loc=f"outside {where}", ncols=ncols, frameon=False)


def percent_axis(ax, axis: str = "y") -> None:
    """Show accuracies (fractions) as percentages, the axis kept inside [0, 100%] (a t interval
    of a few seeds can reach past 100%; the data cannot)."""
    fmt = matplotlib.ticker.PercentFormatter(xmax=1.0, decimals=0)
    (ax.yaxis if axis == "y" else ax.xaxis).set_major_formatter(fmt)
    get, set_ = (ax.get_ylim, ax.set_ylim) if axis == "y" else (ax.get_xlim, ax.set_xlim)
    lo, hi = get()
    set_(max(lo, -0.01), min(hi, 1.01))


def epoch_axis(ax) -> None:
    """Whole epochs only on the x axis."""
    ax.xaxis.set_major_locator(matplotlib.ticker.MaxNLocator(integer=True))
