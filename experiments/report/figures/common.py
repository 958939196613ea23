"""What every figure shares: the look, the label styles, the control reference bands, the legend."""

from __future__ import annotations

import math
import sys
from weakref import WeakKeyDictionary

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
TITLE_ROOM = 0.45  # inches a figure title and its padding take above the plots
MEASURE_DPI = 200  # resolution at which text is measured to place names (see label_points)
CONTROL_NAMES = {"readout": "control: hidden frozen", "linear": "control: linear model"}
CHANCE_STYLE = {"color": "#555555", "linestyle": (0, (4, 2)), "lw": 1.1}

#: axes -> {"x" | "y": (low, high)}: the range of the quantity an axis shows (an accuracy or a
#: fraction: [0, 1]), which the layout check (report/figure_check.py) holds the axis' limits to
QUANTITY_RANGES: WeakKeyDictionary = WeakKeyDictionary()
#: annotation -> {"points": the data points (x, y) it names, "leader": whether a line joins them}:
#: the layout check wants a name without a leader nearer its points than any other series' point
NAMED_POINTS: WeakKeyDictionary = WeakKeyDictionary()


def declare_range(ax, axis: str, low: float, high: float) -> None:
    """Record that ``ax``'s ``axis`` ('x' or 'y') shows a quantity in [low, high]."""
    QUANTITY_RANGES.setdefault(ax, {})[axis] = (low, high)


def fraction_axis(ax, axis: str = "y") -> None:
    """A fraction (of units, of samples) on [0, 1], whatever the data: a fraction that stays at 0
    is drawn at 0 of 1, not on an autoscaled -0.04..0.04."""
    (ax.set_ylim if axis == "y" else ax.set_xlim)(0.0, 1.0)
    declare_range(ax, axis, 0.0, 1.0)


def chance_line(ax, chance: float | None, horizontal: bool = True) -> None:
    """The accuracy of always guessing the test split's largest class, as a dashed grey line."""
    if chance is None or not math.isfinite(chance):
        return
    line = ax.axhline if horizontal else ax.axvline
    line(chance, label=f"chance ({round(100 * chance, 1):g}%)", zorder=1, **CHANCE_STYLE)


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


def legend_outside(fig, axes, where: str = "right center", ncols: int = 1) -> None:
    """One legend for the figure, outside the plots, so it never covers data: on the right (centred,
    clear of a title above; the figure grows taller if the legend needs it), or below ('lower
    center': fewer columns until it fits the figure's width)."""
    handles, labels, seen = [], [], set()
    for ax in axes.flat:
        for h, lab in zip(*ax.get_legend_handles_labels()):
            if lab not in seen and not lab.startswith("_"):
                seen.add(lab)
                handles.append(h)
                labels.append(lab)
    if not handles:
        return
    renderer = fig.canvas.get_renderer()
    for n in range(min(ncols, len(handles)), 0, -1):
        with plt.rc_context(RC):
            legend = fig.legend(handles, labels, loc=f"outside {where}", ncols=n, frameon=False)
        box = legend.get_window_extent(renderer)
        if where.startswith("right"):
            needed = box.height / fig.dpi + 2 * TITLE_ROOM  # inches, with room for a title above
            if needed > fig.get_figheight():
                fig.set_figheight(needed)
            return
        if n == 1 or box.width <= 0.98 * fig.bbox.width:
            return
        legend.remove()


def percent_axis(ax, axis: str = "y") -> None:
    """Show accuracies (fractions) as percentages, the axis kept inside [0, 100%] (a t interval
    of a few seeds can reach past 100%; the data cannot). Ticks fall on whole multiples of 1, 2
    or 5 (times a power of ten) percent, so no label is a rounded 2.5% step."""
    target = ax.yaxis if axis == "y" else ax.xaxis
    target.set_major_locator(matplotlib.ticker.MaxNLocator(nbins="auto", steps=[1, 2, 5, 10]))
    target.set_major_formatter(lambda v, _: f"{round(100 * v, 6):g}%")  # 55%, not 55.0%; 0.5% stays
    get, set_ = (ax.get_ylim, ax.set_ylim) if axis == "y" else (ax.get_xlim, ax.set_xlim)
    lo, hi = get()
    set_(max(lo, -0.01), min(hi, 1.01))
    declare_range(ax, axis, 0.0, 1.0)


def epoch_axis(ax) -> None:
    """Whole epochs only on the x axis."""
    ax.xaxis.set_major_locator(matplotlib.ticker.MaxNLocator(integer=True))


def _free(box, taken, frame) -> bool:
    """True if ``box`` lies inside ``frame`` and overlaps none of ``taken`` (display bboxes)."""
    inside = box.x0 >= frame.x0 and box.x1 <= frame.x1 and box.y0 >= frame.y0 and box.y1 <= frame.y1
    return inside and not any(box.overlaps(t) for t in taken)


def _gap(box, px: float, py: float) -> float:
    """Display distance from the point (px, py) to the box (0 inside it)."""
    dx = max(box.x0 - px, 0.0, px - box.x1)
    dy = max(box.y0 - py, 0.0, py - box.y1)
    return math.hypot(dx, dy)


def _merge_coincident(points, radius: float, to_display) -> list[tuple[float, float, str, str, list]]:
    """Points whose markers cover each other (centres nearer than a marker's diameter) named once:
    'a, b' at the first of them; each entry keeps the points it names."""
    groups: list[list] = []
    for p in sorted(points, key=lambda p: p[2]):
        px, py = to_display((p[0], p[1]))
        for g in groups:
            gx, gy = to_display((g[0][0], g[0][1]))
            if math.hypot(px - gx, py - gy) < 2 * radius:
                g.append(p)
                break
        else:
            groups.append([p])
    return [(g[0][0], g[0][1], ", ".join(q[2] for q in g), g[0][3], [(q[0], q[1]) for q in g]) for g in groups]


def label_points(ax, points: list[tuple[float, float, str, str]], fontsize: float = 7.5,
                 marker_radius: float = 4.0, avoid: list[tuple[float, float, float, float]] = ()) -> None:
    """Name each point (x, y, text, colour) beside it, no name overlapping another, a marker, a
    box of ``avoid`` ((x0, y0, x1, y1) in data coordinates: other markers, lines) or the axes'
    edge, and each name nearer its own point than any other point (``avoid``'s corners count as
    points): so no name reads as another point's. Each goes right of its point, else left, moved
    up or down by whole lines (then with a leader line to its point) until it fits. Points whose
    markers cover each other get one name listing them all. The figure's layout is computed first
    and then frozen, so the names stay where they were placed."""
    from matplotlib.transforms import Bbox

    fig = ax.figure
    screen_dpi = fig.dpi
    # measured at a high resolution: at 100 dpi hinting narrows small text by up to a tenth, so
    # names that fit there would not fit in the report's PNG
    fig.set_dpi(MEASURE_DPI)
    fig.canvas.draw()  # the layout engine places the axes now; names are fitted to that layout
    fig.set_layout_engine("none")
    renderer = fig.canvas.get_renderer()
    frame = ax.get_window_extent(renderer)
    r = marker_radius * fig.dpi / 72
    to_display = ax.transData.transform
    named = _merge_coincident(points, r, to_display)
    centres = [tuple(to_display((x, y))) for x, y, *_ in points]
    for x0, y0, x1, y1 in avoid:
        centres += [tuple(to_display((x0, y0))), tuple(to_display((x1, y1)))]
    taken = [Bbox.from_extents(px - r, py - r, px + r, py + r) for px, py in centres[:len(points)]]
    for x0, y0, x1, y1 in avoid:
        (a, b), (c, d) = to_display([(x0, y0), (x1, y1)])
        taken.append(Bbox.from_extents(min(a, c) - r, min(b, d) - 1, max(a, c) + r, max(b, d) + 1))
    line = fontsize * 1.25
    shifts = [0.0] + [s * k * line for k in range(1, 17) for s in (-1, 1)]

    def nearest_is_own(box, own: list[tuple[float, float]]) -> bool:
        mine = [tuple(to_display(p)) for p in own]
        d_own = min(_gap(box, px, py) for px, py in mine)
        others = [c for c in centres if all(math.hypot(c[0] - m[0], c[1] - m[1]) > 0.5 for m in mine)]
        # by a clear margin (2 points), so the name reads as its own point's at any resolution
        return all(_gap(box, px, py) > d_own + 2 * fig.dpi / 72 for px, py in others)

    for x, y, text, colour, own in sorted(named, key=lambda p: (-p[1], p[0])):
        placed = None
        for strict in (True, False):  # first a place nearest its own point; else any free one (with a leader)
            for dy in shifts:
                if not strict and dy == 0:
                    continue
                for dx, ha in ((6, "left"), (-6, "right")):
                    t = ax.annotate(text, (x, y), xytext=(dx, dy), textcoords="offset points", ha=ha, va="center",
                                    fontsize=fontsize, color="#222222", annotation_clip=False)
                    box = t.get_window_extent(renderer).expanded(1.04, 1.1)  # a margin around each name
                    if _free(box, taken, frame) and (not strict or nearest_is_own(box, own)):
                        placed = (t, box, dy)
                        break
                    t.remove()
                if placed:
                    break
            if placed:
                break
        if placed is None:  # no free place: the nearest one, so the point is still named
            t = ax.annotate(text, (x, y), xytext=(6, 0), textcoords="offset points", ha="left", va="center",
                            fontsize=fontsize, color="#222222", annotation_clip=False)
            placed = (t, t.get_window_extent(renderer), 0.0)
        t, box, dy = placed
        if dy:  # a leader line from the point to its moved name (in data coordinates: any dpi)
            end = ax.transData.inverted().transform((box.x0 if t.get_ha() == "left" else box.x1,
                                                     (box.y0 + box.y1) / 2))
            ax.plot([x, end[0]], [y, end[1]], color=colour, lw=0.5, label="_leader", zorder=2)
        NAMED_POINTS[t] = {"points": own, "leader": bool(dy)}
        taken.append(box)
    fig.set_dpi(screen_dpi)
