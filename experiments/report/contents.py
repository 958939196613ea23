"""The report's table of contents: its sections in page order, each figure under Figures."""

from __future__ import annotations

import re


def md_anchor(title: str) -> str:
    """The anchor GitHub (and most Markdown renderers) give a heading: lower case, punctuation
    dropped, spaces as hyphens ('Plausibility and cost' -> 'plausibility-and-cost')."""
    return re.sub(r"[^\w\- ]", "", title.lower()).replace(" ", "-")


def sections(c) -> list[tuple[str, str, list[tuple[str, str]]]]:
    """(title, html id, [(figure title, html id)]) of every section the page holds, in order."""
    out = [("Summary", "summary", [])]
    if not c.equal_compute.empty:
        out.append(("Equal compute", "equal-compute", []))
    if c.tuning is not None:
        out.append(("Tuning", "tuning", []))
    out.append(("Plausibility and cost", "plausibility-and-cost", []))
    if c.figures or c.skipped:
        out.append(("Figures", "figures", [(f.title, f.name) for f in c.figures]))
    out.append(("Failures", "failures", []))
    if not c.hyperparameters.empty:
        out.append(("Hyperparameters", "hyperparameters", []))
    out.append(("Provenance", "provenance", []))
    return out


def markdown_toc(c) -> list[str]:
    """The contents as a nested Markdown list of links to the headings."""
    lines = []
    for title, _, figures in sections(c):
        lines.append(f"- [{title}](#{md_anchor(title)})")
        lines += [f"  - [{t}](#{md_anchor(t)})" for t, _ in figures]
    return lines


def html_toc(c, escape) -> str:
    """The contents as a nested HTML list of links to the sections' and figures' ids."""
    items = []
    for title, anchor, figures in sections(c):
        sub = "".join(f'<li><a href="#{escape(i)}">{escape(t)}</a></li>' for t, i in figures)
        items.append(f'<li><a href="#{anchor}">{escape(title)}</a>' + (f"<ul>{sub}</ul>" if sub else "") + "</li>")
    return '<nav class="toc"><h2>Contents</h2><ul>' + "".join(items) + "</ul></nav>"
