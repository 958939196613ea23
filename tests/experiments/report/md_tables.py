"""Read the tables of a report.md back into rows of cells."""

from __future__ import annotations


def md_rows(md: str, section: str) -> list[dict[str, str]]:
    """The first table under ``## <section>``: one dict (column -> cell text) per row."""
    part = md.split(f"## {section}", 1)[1]
    lines = next(b for b in part.split("\n\n") if b.startswith("| ")).splitlines()
    cols = [c.strip() for c in lines[0].strip("|").split(" | ")]
    return [dict(zip(cols, (c.strip() for c in line.strip("|").split(" | ")))) for line in lines[2:]]
