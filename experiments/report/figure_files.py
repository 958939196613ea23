"""Save the report's figures: each drawn at most once per input key, in parallel where cores are free.

A figure whose key matches the manifest (``figure_cache``) is reused as it is on disk; the others
are drawn and saved as PNG and SVG, by forked worker processes when more than one core is idle
(each figure is independent: its drawing function and the results it closes over are inherited
by the fork, nothing is pickled), else one after the other in this process.
"""

from __future__ import annotations

import multiprocessing
import os
import sys
from concurrent.futures import ProcessPoolExecutor, as_completed
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

import matplotlib

if "matplotlib.pyplot" not in sys.modules:  # headless: files only (see figures/common.py)
    matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402

from .figure_cache import cached_figure, figure_key  # noqa: E402

PNG_DPI = 130
#: progress(done, total, name): called once per figure, drawn or reused
Progress = Callable[[int, int, str], None]


@dataclass
class FigureFile:
    name: str
    title: str
    caption: str
    png: Path
    svg: Path


def free_cores() -> int:
    """Cores this process may use that the machine's load leaves idle (at least 1). The 1-minute
    load average counts this busy process too, hence the one added back."""
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else (os.cpu_count() or 1)
    try:
        load = os.getloadavg()[0]
    except OSError:  # not available on this platform: assume the machine is ours
        load = 0.0
    return max(1, min(cores, round(cores - max(load - 1.0, 0.0))))


def draw_and_save(out_dir: Path, name: str, make) -> bool:
    """Draw one figure and save it as PNG and SVG; False (and no files left over) when it has no data."""
    fig = make()
    png, svg = out_dir / f"{name}.png", out_dir / f"{name}.svg"
    if fig is None:
        png.unlink(missing_ok=True)
        svg.unlink(missing_ok=True)
        return False
    try:
        fig.savefig(png, dpi=PNG_DPI, metadata={"Software": None})
        fig.set_layout_engine("none")  # keep the layout just computed: the SVG need not redo it
        fig.savefig(svg, metadata={"Date": None})
    finally:
        plt.close(fig)
    return True


#: the figures a forked worker draws (set in the parent just before the fork)
_JOBS: list[tuple[Path, str, object]] = []


def _draw_job(i: int) -> tuple[int, bool]:
    out_dir, name, make = _JOBS[i]
    return i, draw_and_save(out_dir, name, make)


def _draw_all(jobs: list[tuple[Path, str, object]], workers: int, done) -> list[bool]:
    """Draw every job; ``done(i, drawn)`` as each finishes. Returns whether each was drawn."""
    drawn = [False] * len(jobs)
    if workers <= 1 or len(jobs) <= 1 or "fork" not in multiprocessing.get_all_start_methods():
        for i, (out_dir, name, make) in enumerate(jobs):
            drawn[i] = draw_and_save(out_dir, name, make)
            done(i, drawn[i])
        return drawn
    _JOBS[:] = jobs
    try:
        with ProcessPoolExecutor(min(workers, len(jobs)), mp_context=multiprocessing.get_context("fork")) as pool:
            for future in as_completed([pool.submit(_draw_job, i) for i in range(len(jobs))]):
                i, drawn[i] = future.result()
                done(i, drawn[i])
    finally:
        _JOBS.clear()
    return drawn


def save_figures(out_dir: Path, specs: list[tuple], *, report_key: str, manifest: dict, force: bool = False,
                 progress: Progress | None = None, workers: int | None = None
                 ) -> tuple[list[FigureFile], list[str], dict]:
    """Save every figure of ``specs`` ((name, title, draw, caption, why missing)) that has data.

    Returns the saved figures, one line per figure without data, and the manifest's new figure
    entries. ``force`` draws every figure again; ``workers`` (default: the idle cores) bounds the
    processes drawing at once."""
    out_dir.mkdir(exist_ok=True)
    total, count = len(specs), 0
    entries: dict[str, dict] = {}
    todo: list[int] = []

    def tick(name: str) -> None:
        nonlocal count
        count += 1
        if progress is not None:
            progress(count, total, name)

    for i, (name, _, _, _, missing) in enumerate(specs):
        key = figure_key(report_key, name)
        hit = None if force else cached_figure(manifest, name, key, out_dir / f"{name}.png", out_dir / f"{name}.svg")
        if hit is None:
            todo.append(i)
        else:
            entries[name] = {"key": key, "drawn": bool(hit["drawn"])}
            tick(name)
    jobs = [(out_dir, specs[i][0], specs[i][2]) for i in todo]

    def done(j: int, drawn: bool) -> None:
        name = specs[todo[j]][0]
        entries[name] = {"key": figure_key(report_key, name), "drawn": drawn}
        tick(name)

    _draw_all(jobs, free_cores() if workers is None else workers, done)
    files, skipped = [], []
    for name, title, _, caption, missing in specs:
        if entries[name]["drawn"]:
            files.append(FigureFile(name, title, caption, out_dir / f"{name}.png", out_dir / f"{name}.svg"))
        else:
            skipped.append(f"{title}: {missing}.")
    return files, skipped, entries
