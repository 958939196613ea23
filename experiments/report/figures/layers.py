"""Per-layer diagnostics over training: alignment angles and spiking activity.

Only the rules that log a metric appear in its figure; a figure with no data is not drawn
(the functions return None), so the report never shows empty axes.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from matplotlib.ticker import MaxNLocator

from ..statistics import epoch_curves
from .common import BAND_ALPHA, chance_line, epoch_axis, fraction_axis, legend_outside, new_figure, percent_axis, resolve

#: neurons of a layer a spike raster shows: a few dozen, so each spike is a visible dot
RASTER_NEURONS = 40
ANGLE_METRICS = {"update_angle": "update vs backprop\ngradient (degrees)",
                 "feedback_angle": "feedback B vs\nforward Wᵀ (degrees)"}


def layer_panels(metrics: pd.DataFrame, names: dict[str, str], ylabel: str, *, controls=None, styles=None,
                 ylim=None, bounded: dict[str, str] | None = None, chance: float | None = None):
    """One row per metric of ``names`` that is present, one panel per layer that logs it (layers
    numbered from 1, the first weight layer; a layer no rule logs a metric for gets no panel, so
    no panel is empty); a line (mean, 95% band) per label that logs it. ``bounded``: metric ->
    'accuracy' (a percent axis, with ``chance`` as a dashed line) or 'fraction' (an axis on [0, 1]);
    their bands are clipped to [0, 1]. None when none of the metrics is present."""
    m = metrics[metrics["metric"].isin(list(names)) & metrics["layer"].notna()]
    if m.empty:
        return None
    bounded = bounded or {}
    controls, styles = resolve(metrics, controls, styles)
    present = [n for n in names if (m["metric"] == n).any()]
    rows = {n: sorted(m.loc[m["metric"] == n, "layer"].unique()) for n in present}
    ncols = max(len(v) for v in rows.values())
    fig, axes = new_figure(len(present), ncols, width=max(6.5, 3.0 * ncols + 1.5),
                           height=2.9 * len(present), sharex=True)
    for r, name in enumerate(present):
        for c in range(len(rows[name]), ncols):
            axes[r, c].set_visible(False)
        for c, layer in enumerate(rows[name]):
            ax = axes[r, c]
            sub = m[(m["metric"] == name) & (m["layer"] == layer)]
            for label in sorted(sub["label"].unique()):
                curve = epoch_curves(sub[sub["label"] == label], name, layer)
                lo, hi = curve["lo"], curve["hi"]
                if name in bounded:  # a fraction's band stops at the ends of its range
                    lo, hi = lo.clip(0.0, 1.0), hi.clip(0.0, 1.0)
                st = styles[label]
                ax.plot(curve["epoch"], curve["mean"], label=label, **st.line())
                ax.fill_between(curve["epoch"], lo, hi, color=st.color, alpha=BAND_ALPHA, lw=0)
            ax.set_title(f"layer {int(layer) + 1}")
            epoch_axis(ax)
            if ylim is not None:
                ax.set_ylim(*ylim)
            if bounded.get(name) == "fraction":
                fraction_axis(ax)
            elif bounded.get(name) == "accuracy":
                chance_line(ax, chance)
                percent_axis(ax)
            if c == 0:
                ax.set_ylabel(names[name] or ylabel)
            below = present[r + 1:]
            if not any(len(rows[b]) > c for b in below):  # the lowest drawn panel of its column
                ax.set_xlabel("epoch")
                ax.xaxis.set_tick_params(labelbottom=True)
    legend_outside(fig, axes)
    return fig


def alignment(metrics: pd.DataFrame, *, controls=None, styles=None):
    """Angle (degrees) between each rule's update and the backprop gradient, per layer, over training;
    and, for rules with feedback matrices, the angle between B and the forward weights' transpose."""
    angles = metrics.loc[metrics["metric"].isin(list(ANGLE_METRICS)), "value"]
    top = min(180.0, max(95.0, 1.05 * float(angles.max()))) if len(angles) else 95.0  # never clip data
    fig = layer_panels(metrics, ANGLE_METRICS, "angle (degrees)", controls=controls, styles=styles, ylim=(0, top))
    if fig is not None:
        for ax in fig.axes:
            if ax.get_visible():
                ax.axhline(90, color="#777777", lw=0.9, ls=":", label="_90")
    return fig


def spiking_activity(metrics: pd.DataFrame, *, controls=None, styles=None):
    """Mean spikes per neuron per sample, per layer, over training (rules that log ``spikes_per_neuron``)."""
    return layer_panels(metrics, {"spikes_per_neuron": ""}, "spikes per neuron per sample",
                        controls=controls, styles=styles, ylim=(0, None))


def shown_neurons(n: int, most: int = RASTER_NEURONS) -> np.ndarray:
    """Which of ``n`` neurons a raster shows: all of them up to ``most``, else ``most`` evenly spaced."""
    return np.arange(n) if n <= most else np.unique(np.linspace(0, n - 1, most).round().astype(int))


def spike_raster(spikes: dict[str, np.ndarray], title: str | None = None):
    """A raster per layer: ``spikes[name]`` is a (T time steps, N neurons) array, non-zero = spike;
    each spike a dot at (time step, neuron), for at most ``RASTER_NEURONS`` neurons of a layer
    (evenly spaced, numbered as in the layer). ``title`` names nothing in the figure (the report's
    caption says which sample); it is kept for callers. None when there is nothing to draw."""
    layers = {k: np.asarray(v) for k, v in spikes.items() if np.asarray(v).ndim == 2 and np.asarray(v).size}
    if not layers:
        return None
    fig, axes = new_figure(1, len(layers), width=max(5.0, 3.2 * len(layers)), height=3.8)
    for ax, (name, s) in zip(axes[0], sorted(layers.items())):
        keep = shown_neurons(s.shape[1])
        t, row = np.nonzero(s[:, keep])  # (spikes,) time step and row of the shown neuron of every spike
        ax.scatter(t, row, marker="o", s=10, color="#332288", linewidths=0)
        shown = f"{len(keep)} of {s.shape[1]}" if len(keep) < s.shape[1] else f"all {s.shape[1]}"
        ax.set(xlabel="time step", ylabel=f"neuron ({shown}, by index)", title=name, xlim=(-0.5, s.shape[0] - 0.5),
               ylim=(-0.8, len(keep) - 0.2))
        ticks = np.arange(0, len(keep), max(1, len(keep) // 8))
        ax.set_yticks(ticks, [str(keep[i]) for i in ticks])  # one row per shown neuron, named by its index
        ax.xaxis.set_major_locator(MaxNLocator(integer=True))
        ax.grid(False)
    return fig
