"""Layout faults of a drawn matplotlib figure, measured on its rendered text and legend boxes.

A fault: a text (title, axis label, tick label, legend entry, annotation) that reaches past the
figure's edge (clipped in the PNG), two texts that overlap, or a figure legend that covers a plot.
"""

from __future__ import annotations

from matplotlib.text import Text

#: pixels two boxes may share before they count as overlapping (antialiasing, rounding)
SLACK = 1.0


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
    return faults
