"""The comparison report: statistics, figures and a page a scientist would publish from.

    learning-rules report results/quickstart      # or: from experiments.report import write_report

writes into the results folder ``report.md`` (summary table first), a self-contained
``report.html`` (figures embedded), ``statistics.csv`` (the raw numbers of the tables) and
``figures/<name>.png`` + ``.svg``, and ``.report_cache/manifest.json``, the key each output was
drawn under (``figure_cache``): run again with nothing changed, it rewrites nothing. The figure
functions live in ``experiments.report.figures``; ``figure_check.layout_faults`` checks a drawn one.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from ..atomic import write_atomic
from ..results import is_results_dir, load_results
from .figure_cache import inputs_key, load_manifest, save_manifest, unchanged_report

if TYPE_CHECKING:
    from .figure_files import Progress

__all__ = ["write_report"]


def write_report(results_dir, target_accuracy: float | None = None, *, force: bool = False,
                 progress: "Progress | None" = None, workers: int | None = None) -> list[Path]:
    """Write the report of one results folder; returns [report.md, report.html, statistics.csv,
    figure files...]. ``target_accuracy`` (a fraction) overrides the config's and the default
    (95% of backprop's final mean accuracy). A folder that is not a results folder, or holds no
    runs, raises ``experiments.errors.UserError``.

    Nothing is rewritten when nothing the report reads changed since the last report (see
    ``figure_cache``: its files keep their bytes and modification times), and a figure is drawn
    again only when its inputs changed; ``force=True`` rebuilds everything. ``progress(done,
    total, name)`` is called once per figure; ``workers`` bounds the processes that draw figures
    (default: the cores the machine's load leaves idle)."""
    root = Path(results_dir)
    key = inputs_key(root, {"target_accuracy": target_accuracy}) if is_results_dir(root) else ""
    if key and not force:
        same = unchanged_report(root, key)
        if same is not None:
            return same
    # imported only when there is something to write: matplotlib and the figures cost seconds
    from .build import build, keep_columns
    from .html import render_html
    from .markdown import render_markdown

    res = load_results(results_dir)
    manifest = load_manifest(res.root)
    content = build(res, target_accuracy, force=force, progress=progress, report_key=key,
                    manifest=manifest, workers=workers)
    md, page, csv = res.root / "report.md", res.root / "report.html", res.root / "statistics.csv"
    write_atomic(md, render_markdown(content, res.root))
    write_atomic(page, render_html(content))
    write_atomic(csv, keep_columns(content.stats).to_csv(index=False))
    paths = [md, page, csv, *(p for f in content.figures for p in (f.png, f.svg))]
    if key:  # written last: a report killed half-way is rebuilt next time
        save_manifest(res.root, {"report": key, "figures": content.figure_entries,
                                 "outputs": [p.relative_to(res.root).as_posix() for p in paths]})
    return paths
