"""One colour (and line style) per rule label, the same in every figure.

Twenty colours, assigned in the order of the sorted list of all labels of the experiment, so a
label's colour depends only on which labels the experiment holds, never on which figure draws it.
The first nine are Paul Tol's colour-blind-safe "muted" scheme (Tol 2021, "Colour schemes",
SRON/EPS/TN/09-002), so a comparison of up to nine rules is colour-blind safe; the other eleven
were picked greedily from Kelly's 22 colours of maximum contrast, matplotlib's tab10 and Tol's
bright and vibrant schemes, each the candidate farthest (CIELAB distance) from those already
chosen and from the two control greys, none lighter than L* = 80 (thin lines on white). Every pair
of the twenty and the greys is at least 22 CIELAB units apart. Each label also gets its own marker
(ten, cycling), and beyond twenty labels the colours repeat with another line style, so no two
labels look alike. The controls get neutral greys: they are references, not competitors.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Iterable

#: Paul Tol's "muted" scheme (colour-blind safe, distinct on screen and in print), reordered so
#: the two light colours (cyan, sand), weakest as thin lines on white, come last
TOL_MUTED = ("#332288", "#117733", "#CC6677", "#44AA99", "#882255",
             "#999933", "#AA4499", "#88CCEE", "#DDCC77")
#: eleven more, most distinct first (see the module docstring)
MORE_COLOURS = ("#FF7F0E", "#0067A5", "#D62728", "#654522", "#EE3377", "#882D17",
                "#8DB600", "#F99379", "#2CA02C", "#604E97", "#F6A600")
COLOURS = TOL_MUTED + MORE_COLOURS
LINESTYLES = ("-", "--", "-.", ":")
#: markers of the rules (the controls' "v" and "x" are not among them)
MARKERS = ("o", "s", "^", "D", "P", "*", "p", "h", "<", ">")
#: neutral styles of the two controls (grey dashed: readout_only; black dotted: linear model)
CONTROL_STYLES = {"readout": ("#777777", "--", "v"), "linear": ("#222222", ":", "x")}


@dataclass(frozen=True)
class Style:
    """How one label is drawn."""

    color: str
    linestyle: str
    marker: str

    def line(self) -> dict:
        """Keyword arguments for ``Axes.plot``."""
        return {"color": self.color, "linestyle": self.linestyle}


def palette(labels: Iterable[str], controls: dict[str, str] | None = None) -> dict[str, Style]:
    """label -> Style for every label; ``controls`` maps a control label to 'readout' or 'linear'."""
    controls = controls or {}
    styles: dict[str, Style] = {}
    others = sorted(set(labels) - set(controls))
    n = len(COLOURS)
    for i, label in enumerate(others):
        styles[label] = Style(COLOURS[i % n], LINESTYLES[(i // n) % len(LINESTYLES)], MARKERS[i % len(MARKERS)])
    for label, kind in controls.items():
        styles[label] = Style(*CONTROL_STYLES[kind])
    return styles
