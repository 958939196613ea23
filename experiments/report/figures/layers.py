"""Per-layer diagnostics over training: alignment angles and spiking activity.

Only the rules that log a metric appear in its figure; a figure with no data is not drawn
(the functions return None), so the report never shows empty axes.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from ..statistics import epoch_curves
from .common import BAND_ALPHA, epoch_axis, legend_outside, new_figure, resolve

ANGLE_METRICS = {"update_angle": "update vs backprop\ngradient (degrees)",
                 "feedback_angle": "feedback B vs\nforward Wᵀ (degrees)"}


def layer_panels(metrics: pd.DataFrame, names: dict[str, str], ylabel: str, title: str, *,
                 controls=None, styles=None, ylim=None):
    """One row per metric of ``names`` that is present, one column per layer; a line (mean, 95%
    band) per label that logs it. None when none of the metrics is present."""
    m = metrics[metrics["metric"].isin(list(names)) & metrics["layer"].notna()]
    if m.empty:
        return None
    controls, styles = resolve(metrics, controls, styles)
    present = [n for n in names if (m["metric"] == n).any()]
    layers = sorted(m["layer"].unique())
    fig, axes = new_figure(len(present), len(layers), width=max(6.5, 3.0 * len(layers) + 1.5),
                           height=2.9 * len(present), sharex=True)
    for r, name in enumerate(present):
        for c, layer in enumerate(layers):
            ax = axes[r, c]
            sub = m[(m["metric"] == name) & (m["layer"] == layer)]
            if sub.empty:  # no rule logs this metric for this layer: say so instead of empty axes
                ax.set_axis_off()
                ax.text(0.5, 0.5, f"layer {int(layer)}: not logged", transform=ax.transAxes, ha="center",
                        va="center", color="#888888", fontsize=9)
                continue
            for label in sorted(sub["label"].unique()):
                curve = epoch_curves(sub[sub["label"] == label], name, layer)
                st = styles[label]
                ax.plot(curve["epoch"], curve["mean"], label=label, **st.line())
                ax.fill_between(curve["epoch"], curve["lo"], curve["hi"], color=st.color, alpha=BAND_ALPHA, lw=0)
            ax.set_title(f"layer {int(layer)}")
            epoch_axis(ax)
            if ylim is not None:
                ax.set_ylim(*ylim)
            if c == 0 or not axes[r, c - 1].axison:
                ax.set_ylabel(names[name] or ylabel)
            if r == len(present) - 1 or (m[(m["metric"] == present[r + 1]) & (m["layer"] == layer)]).empty:
                ax.set_xlabel("epoch")  # the lowest drawn panel of its column
                ax.xaxis.set_tick_params(labelbottom=True)
    fig.suptitle(title)
    legend_outside(fig, axes)
    return fig


def alignment(metrics: pd.DataFrame, *, controls=None, styles=None):
    """Angle (degrees) between each rule's update and the backprop gradient, per layer, over training;
    and, for rules with feedback matrices, the angle between B and the forward weights' transpose."""
    angles = metrics.loc[metrics["metric"].isin(list(ANGLE_METRICS)), "value"]
    top = min(180.0, max(95.0, 1.05 * float(angles.max()))) if len(angles) else 95.0  # never clip data
    fig = layer_panels(metrics, ANGLE_METRICS, "angle (degrees)", "Alignment with backprop (dotted: 90°, orthogonal)",
                       controls=controls, styles=styles, ylim=(0, top))
    if fig is not None:
        for ax in fig.axes:
            if ax.axison:  # not on a panel that says "not logged"
                ax.axhline(90, color="#777777", lw=0.9, ls=":", label="_90")
    return fig


def spiking_activity(metrics: pd.DataFrame, *, controls=None, styles=None):
    """Mean spikes per neuron per sample, per layer, over training (rules that log ``spikes_per_neuron``)."""
    return layer_panels(metrics, {"spikes_per_neuron": ""}, "spikes per neuron per sample",
                        "Spiking activity", controls=controls, styles=styles, ylim=(0, None))


def spike_raster(spikes: dict[str, np.ndarray], title: str = "Spike raster of one sample"):
    """A raster per layer: ``spikes[name]`` is a (T time steps, N neurons) array, non-zero = spike.
    None when there is nothing to draw."""
    layers = {k: np.asarray(v) for k, v in spikes.items() if np.asarray(v).ndim == 2 and np.asarray(v).size}
    if not layers:
        return None
    fig, axes = new_figure(1, len(layers), width=max(5.0, 3.2 * len(layers)), height=3.2)
    for ax, (name, s) in zip(axes[0], sorted(layers.items())):
        t, n = np.nonzero(s)  # (spikes,) time step and neuron index of every spike
        ax.scatter(t, n, marker="|", s=12, color="#332288", linewidths=0.8)
        ax.set(xlabel="time step", ylabel="neuron", title=name, xlim=(-0.5, s.shape[0] - 0.5),
               ylim=(-0.5, s.shape[1] - 0.5))
        ax.grid(False)
    fig.suptitle(title)
    return fig
