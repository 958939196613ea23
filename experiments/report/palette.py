"""One colour (and line style) per rule label, the same in every figure.

Colours come from Paul Tol's colour-blind-safe "muted" scheme (Tol 2021, "Colour schemes",
SRON/EPS/TN/09-002), assigned in the order of the sorted list of all labels of the experiment, so a
label's colour depends only on which labels the experiment holds, never on which figure draws it.
Beyond nine labels the colours repeat with a different line style and marker, so no two labels
look alike. The controls get neutral greys: they are references, not competitors.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Iterable

#: Paul Tol's "muted" scheme (colour-blind safe, distinct on screen and in print), reordered so
#: the two light colours (cyan, sand), weakest as thin lines on white, come last
TOL_MUTED = ("#332288", "#117733", "#CC6677", "#44AA99", "#882255",
             "#999933", "#AA4499", "#88CCEE", "#DDCC77")
LINESTYLES = ("-", "--", "-.", ":")
MARKERS = ("o", "s", "^", "D")
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
    n = len(TOL_MUTED)
    for i, label in enumerate(others):
        cycle = (i // n) % len(LINESTYLES)
        styles[label] = Style(TOL_MUTED[i % n], LINESTYLES[cycle], MARKERS[cycle])
    for label, kind in controls.items():
        styles[label] = Style(*CONTROL_STYLES[kind])
    return styles
