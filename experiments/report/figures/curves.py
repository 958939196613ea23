"""Learning curves: test accuracy and training loss against epoch, mean over seeds with a 95% band."""

from __future__ import annotations

import pandas as pd

from ..palette import Style
from ..statistics import epoch_curves
from .common import BAND_ALPHA, chance_line, control_bands, epoch_axis, legend_outside, new_figure, ordered_labels, percent_axis, resolve


def learning_curves(metrics: pd.DataFrame, *, controls: dict[str, str] | None = None,
                    styles: dict[str, Style] | None = None, chance: float | None = None):
    """Two panels: test accuracy (controls as reference bands, ``chance`` as a dashed line) and
    training loss.

    ``metrics`` is ``load_results(dir).metrics`` (one sweep point per label: the report passes each
    label's best one). Returns the Figure (None without data); each rule is one line on each panel.
    When the rules' budgets differ (the quickstart gives 2 to 50 epochs), the x axis is the share
    of each rule's own budget and the legend names each budget: a 5-epoch rule spans the width of
    the plot instead of its first tenth."""
    if not (metrics["metric"] == "test_accuracy").any():
        return None
    controls, styles = resolve(metrics, controls, styles)
    budgets = rule_budgets(metrics)
    shared = len(set(budgets.values())) <= 1
    fig, axes = new_figure(1, 2, width=9.0)
    acc_ax, loss_ax = axes[0]

    def name(label: str) -> str:
        return label if shared else f"{label} ({budgets[label]:g} epochs)"

    def x_of(label: str):
        return (lambda e: e) if shared else (lambda e: e / budgets[label])

    for label in ordered_labels(metrics["label"].unique(), controls):
        _curve(acc_ax, epoch_curves(metrics[metrics["label"] == label], "test_accuracy"), name(label), styles[label],
               top=1.0, x=x_of(label))
    control_bands(acc_ax, metrics, controls, styles)
    chance_line(acc_ax, chance)
    for label in [*ordered_labels(metrics["label"].unique(), controls), *sorted(controls)]:
        _curve(loss_ax, epoch_curves(metrics[metrics["label"] == label], "train_loss"), name(label), styles[label],
               legend=label not in controls, x=x_of(label))
    phases = phase_starts(metrics) if shared else []
    for ax in (acc_ax, loss_ax):
        for epoch in phases:
            ax.axvline(epoch, color="#999999", lw=0.8, ls="-.", label="_phase")
    xlabel = "epoch" if shared else "share of its budget"
    acc_ax.set(xlabel=xlabel + (" (dash-dot: a new phase starts)" if phases else ""), ylabel="test accuracy")
    percent_axis(acc_ax)
    loss_ax.set(xlabel=xlabel, ylabel="training loss (probe set)")
    loss_ax.set_ylim(bottom=0)
    for ax in (acc_ax, loss_ax):
        if shared:
            epoch_axis(ax)
        else:
            ax.xaxis.set_major_formatter(lambda v, _: f"{round(100 * v):g}%")
            ax.set_xlim(-0.02, 1.02)
    legend_outside(fig, axes)
    return fig


def rule_budgets(metrics: pd.DataFrame) -> dict[str, float]:
    """label -> its budget in epochs: the last epoch its test accuracy was measured at."""
    acc = metrics[metrics["metric"] == "test_accuracy"]
    return acc.groupby("label")["epoch"].max().astype(float).to_dict()


def phase_starts(metrics: pd.DataFrame) -> list[float]:
    """Epochs after which a run made of phases (tasks in sequence) switched to its next task."""
    phase = metrics[metrics["metric"] == "phase"].groupby("epoch")["value"].max().sort_index()
    return [float(e) - 0.5 for e, change in phase.diff().items() if change > 0]


def _curve(ax, c: pd.DataFrame, label: str, st: Style, legend: bool = True, top: float | None = None,
           x=lambda e: e) -> None:
    if c.empty:
        return
    c = c.assign(epoch=x(c["epoch"]))
    # markers (a few per curve) tell apart rules whose colours are close when many are drawn
    ax.plot(c["epoch"], c["mean"], label=label if legend else f"_{label}", marker=st.marker, markersize=3.5,
            markevery=max(1, len(c) // 6), **st.line())
    # the band is clipped to what the quantity can take (accuracy in [0, 1], loss >= 0)
    ax.fill_between(c["epoch"], c["lo"].clip(lower=0), c["hi"].clip(upper=top), color=st.color,
                    alpha=BAND_ALPHA, lw=0)
