"""The comparison report: statistics, figures and a page a scientist would publish from.

    learning-rules report results/quickstart      # or: from experiments.report import write_report

writes into the results folder ``report.md`` (summary table first), a self-contained
``report.html`` (figures embedded), ``statistics.csv`` (the raw numbers of the tables) and
``figures/<name>.png`` + ``.svg``. The figure functions live in ``experiments.report.figures``.
"""

from __future__ import annotations

from pathlib import Path

from ..atomic import write_atomic
from ..results import load_results
from .build import build, keep_columns

__all__ = ["write_report"]


def write_report(results_dir, target_accuracy: float | None = None) -> list[Path]:
    """Write the report of one results folder; returns [report.md, report.html, statistics.csv,
    figure files...]. ``target_accuracy`` (a fraction) overrides the config's and the default
    (95% of backprop's final mean accuracy). A folder that is not a results folder, or holds no
    runs, raises ``experiments.errors.UserError``."""
    from .html import render_html
    from .markdown import render_markdown

    res = load_results(results_dir)
    content = build(res, target_accuracy)
    md, page, csv = res.root / "report.md", res.root / "report.html", res.root / "statistics.csv"
    write_atomic(md, render_markdown(content, res.root))
    write_atomic(page, render_html(content))
    write_atomic(csv, keep_columns(content.stats).to_csv(index=False))
    return [md, page, csv, *(p for f in content.figures for p in (f.png, f.svg))]
