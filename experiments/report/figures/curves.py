"""Learning curves: test accuracy and training loss against epoch, mean over seeds with a 95% band."""

from __future__ import annotations

import pandas as pd

from ..palette import Style
from ..statistics import epoch_curves
from .common import BAND_ALPHA, control_bands, epoch_axis, legend_outside, new_figure, ordered_labels, percent_axis, resolve


def learning_curves(metrics: pd.DataFrame, *, controls: dict[str, str] | None = None,
                    styles: dict[str, Style] | None = None):
    """Two panels: test accuracy (controls as reference bands) and training loss (log scale).

    ``metrics`` is ``load_results(dir).metrics`` (one sweep point per label: the report passes each
    label's best one). Returns the Figure (None without data); each rule is one line on each panel."""
    if not (metrics["metric"] == "test_accuracy").any():
        return None
    controls, styles = resolve(metrics, controls, styles)
    fig, axes = new_figure(1, 2, width=9.0)
    acc_ax, loss_ax = axes[0]
    for label in ordered_labels(metrics["label"].unique(), controls):
        _curve(acc_ax, epoch_curves(metrics[metrics["label"] == label], "test_accuracy"), label, styles[label],
               top=1.0)
    control_bands(acc_ax, metrics, controls, styles)
    for label in [*ordered_labels(metrics["label"].unique(), controls), *sorted(controls)]:
        _curve(loss_ax, epoch_curves(metrics[metrics["label"] == label], "train_loss"), label, styles[label],
               legend=label not in controls)
    for ax in (acc_ax, loss_ax):
        for epoch in phase_starts(metrics):
            ax.axvline(epoch, color="#999999", lw=0.8, ls="-.", label="_phase")
    acc_ax.set(xlabel="epoch" + (" (dash-dot: a new phase starts)" if phase_starts(metrics) else ""),
               ylabel="test accuracy", title="Test accuracy (mean, 95% CI)")
    percent_axis(acc_ax)
    loss_ax.set(xlabel="epoch", ylabel="training loss (probe set)", title="Training loss")
    loss_ax.set_ylim(bottom=0)
    epoch_axis(acc_ax)
    epoch_axis(loss_ax)
    legend_outside(fig, axes)
    return fig


def phase_starts(metrics: pd.DataFrame) -> list[float]:
    """Epochs after which a run made of phases (tasks in sequence) switched to its next task."""
    phase = metrics[metrics["metric"] == "phase"].groupby("epoch")["value"].max().sort_index()
    return [float(e) - 0.5 for e, change in phase.diff().items() if change > 0]


def _curve(ax, c: pd.DataFrame, label: str, st: Style, legend: bool = True, top: float | None = None) -> None:
    if c.empty:
        return
    # markers (a few per curve) tell apart rules whose colours are close when many are drawn
    ax.plot(c["epoch"], c["mean"], label=label if legend else f"_{label}", marker=st.marker, markersize=3.5,
            markevery=max(1, len(c) // 6), **st.line())
    # the band is clipped to what the quantity can take (accuracy in [0, 1], loss >= 0)
    ax.fill_between(c["epoch"], c["lo"].clip(lower=0), c["hi"].clip(upper=top), color=st.color,
                    alpha=BAND_ALPHA, lw=0)
