"""Layout faults of a drawn matplotlib figure, measured on what it renders.

    from experiments.report.figure_check import layout_faults
    layout_faults(fig)   # [] when the figure reads at a glance; else one line per fault

A fault:

- a text (title, axis label, tick label, legend entry, annotation) that reaches past the figure's
  edge (clipped in the PNG), two texts that overlap, or a figure legend that covers a plot;
- a name placed beside a point (``figures.common.label_points``) that is nearer another point
  than its own and has no leader line to its own, or whose point hides another series' marker;
- an axis whose limits reach outside the range of the quantity it shows (an accuracy or a
  fraction outside [0, 1], by more than a marker's margin: ``figures.common.declare_range``);
- a panel with nothing drawn in it, or a title baked into the figure (a suptitle: the report's
  caption names a figure, a paper's would too).
"""

from __future__ import annotations

import math

import numpy as np
from matplotlib.collections import PathCollection
from matplotlib.colors import to_hex
from matplotlib.text import Annotation, Text

from .figures.common import NAMED_POINTS, QUANTITY_RANGES

#: pixels two boxes may share before they count as overlapping (antialiasing, rounding)
SLACK = 1.0
#: how far past its quantity's range an axis may reach, as a share of the range (room for a marker at 0 or 1)
RANGE_MARGIN = 0.02


def _hidden_tick_labels(fig) -> set[int]:
    """ids of the tick labels matplotlib keeps but does not draw: ticks outside their axis' view
    and ticks of hidden axes."""
    hidden = set()
    for ax in fig.axes:
        for axis in (ax.xaxis, ax.yaxis):
            lo, hi = sorted(axis.get_view_interval())
            eps = 1e-9 * max(abs(hi - lo), 1e-300)
            for tick in axis.get_major_ticks() + axis.get_minor_ticks():
                shown = ax.get_visible() and ax.axison and tick.get_visible() and lo - eps <= tick.get_loc() <= hi + eps
                for label in (tick.label1, tick.label2):
                    if not (shown and label.get_visible()):
                        hidden.add(id(label))
    return hidden


def _visible_texts(fig, renderer) -> list[tuple[str, object]]:
    hidden = _hidden_tick_labels(fig)
    out = []
    for t in fig.findobj(Text):
        if not (t.get_visible() and t.get_text().strip()) or id(t) in hidden:
            continue
        box = t.get_window_extent(renderer)
        if box.width > 0 and box.height > 0:
            out.append((t.get_text(), box))
    return out


def layout_faults(fig, dpi: float = 130) -> list[str]:
    """Every fault of ``fig`` drawn at ``dpi`` (the report's PNG resolution: small text is
    relatively wider there than at the screen's 100 dpi)."""
    fig.set_dpi(dpi)
    fig.canvas.draw()
    renderer = fig.canvas.get_renderer()
    frame = fig.bbox
    texts = _visible_texts(fig, renderer)
    faults = []
    for text, box in texts:
        if box.x0 < frame.x0 - SLACK or box.x1 > frame.x1 + SLACK or box.y0 < frame.y0 - SLACK or box.y1 > frame.y1 + SLACK:
            faults.append(f"clipped: {text!r}")
    for i, (a_text, a) in enumerate(texts):
        for b_text, b in texts[i + 1:]:
            if a.x0 < b.x1 - SLACK and b.x0 < a.x1 - SLACK and a.y0 < b.y1 - SLACK and b.y0 < a.y1 - SLACK:
                faults.append(f"overlap: {a_text!r} and {b_text!r}")
    for legend in fig.legends:
        box = legend.get_window_extent(renderer)
        for ax in fig.axes:
            if ax.get_visible() and ax.axison and box.overlaps(ax.get_window_extent(renderer).shrunk(0.98, 0.98)):
                faults.append(f"legend covers the plot titled {ax.get_title()!r}")
    if fig._suptitle is not None and fig._suptitle.get_text().strip():
        faults.append(f"baked-in title: {fig._suptitle.get_text()!r}")
    for ax in fig.axes:
        if ax.get_visible():
            faults += _empty_panel(ax) + _range_faults(ax) + _label_faults(ax, renderer)
    return faults


def _is_colorbar(ax) -> bool:
    return hasattr(ax, "_colorbar") or ax.get_label() == "<colorbar>"


def _empty_panel(ax) -> list[str]:
    """A visible plot with no data: no line, marker, area, bar or image."""
    if _is_colorbar(ax):
        return []
    drawn = [a for a in (*ax.lines, *ax.collections, *ax.patches, *ax.images) if a.get_visible()]
    return [] if drawn else [f"empty panel: {ax.get_title()!r}"]


#: words of an axis label that name a quantity in [0, 1] when the drawing code declared no range
BOUNDED_WORDS = ("accuracy", "fraction")


def quantity_ranges(ax) -> dict[str, tuple[float, float]]:
    """The declared range of each axis, else [0, 1] for an axis labelled as an accuracy or a fraction."""
    ranges = {}
    for axis, label in (("x", ax.get_xlabel()), ("y", ax.get_ylabel())):
        if any(w in label.lower() for w in BOUNDED_WORDS):
            ranges[axis] = (0.0, 1.0)
    return {**ranges, **QUANTITY_RANGES.get(ax, {})}


def _range_faults(ax) -> list[str]:
    faults = []
    if not ax.axison:
        return faults
    for axis, (low, high) in quantity_ranges(ax).items():
        lo, hi = sorted(ax.get_ylim() if axis == "y" else ax.get_xlim())
        margin = RANGE_MARGIN * (high - low)
        if lo < low - margin or hi > high + margin:
            label = ax.get_ylabel() if axis == "y" else ax.get_xlabel()
            faults.append(f"axis outside its quantity's range: {label!r} shows {lo:.3g}..{hi:.3g}, "
                          f"the quantity lies in [{low:g}, {high:g}]")
    return faults


def _markers(ax) -> tuple[np.ndarray, list[str]]:
    """Display positions of every marker of the plot (scatter points and line markers) and the
    colour of each: a series is what shares a colour."""
    points, colours = [], []
    for c in ax.collections:
        if isinstance(c, PathCollection) and c.get_visible() and len(c.get_offsets()):
            xy = c.get_offset_transform().transform(c.get_offsets())
            face = c.get_facecolors() if len(c.get_facecolors()) else c.get_edgecolors()
            points.append(xy)
            colours += [to_hex(face[i % len(face)]) if len(face) else "none" for i in range(len(xy))]
    for line in ax.lines:
        if line.get_visible() and line.get_marker() not in (None, "", "None", " ") and not line.get_label().startswith("_leader"):
            xy = ax.transData.transform(np.column_stack([line.get_xdata(), line.get_ydata()]).astype(float))
            points.append(xy)
            colours += [to_hex(line.get_color())] * len(xy)
    points = [p for p in points if len(p)]
    return (np.concatenate(points) if points else np.zeros((0, 2))), colours


def _gap(box, p) -> float:
    return math.hypot(max(box.x0 - p[0], 0.0, p[0] - box.x1), max(box.y0 - p[1], 0.0, p[1] - box.y1))


def _label_faults(ax, renderer) -> list[str]:
    """A point's name nearer another series' point than its own (without a leader line to its
    own), or a named point that covers another series' marker."""
    names = [t for t in ax.texts if isinstance(t, Annotation) and t.get_visible() and t.get_text().strip()]
    if not names:
        return []
    markers, colours = _markers(ax)
    faults = []
    for t in names:
        entry = NAMED_POINTS.get(t, {"points": [t.xy], "leader": t.arrow_patch is not None})
        own = np.array([ax.transData.transform(p) for p in entry["points"]], dtype=float)
        named = len(own)
        at_own = [i for i, m in enumerate(markers) if np.hypot(*(own - m).T).min() < 2.0]
        own_colours = {colours[i] for i in at_own}
        if len(own_colours) > named:  # one name, markers of two series on its point: one hides the other
            faults.append(f"label {t.get_text()!r}: its point covers another series' marker")
        others = np.array([m for m, c in zip(markers, colours) if c not in own_colours]).reshape(-1, 2)
        if entry["leader"] or not len(others):
            continue
        box = t.get_window_extent(renderer)
        d_own = min(_gap(box, p) for p in own)
        if min(_gap(box, p) for p in others) < d_own - SLACK:
            faults.append(f"label {t.get_text()!r} is nearer another series' point than its own")
    return faults
