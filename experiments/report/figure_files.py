"""Save the report's figures: each drawn at most once per input key, in parallel where cores are free.

A figure whose key matches the manifest (``figure_cache``) is reused as it is on disk; the others
are drawn and saved as PNG and SVG, by forked worker processes when more than one core is idle and
this process runs no other thread (each figure is independent: its drawing function and the
results it closes over are inherited by the fork, nothing is pickled), else one after the other
in this process.
"""

from __future__ import annotations

import multiprocessing
import os
import sys
import threading
import time
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
#: the quickstart's costliest figures, drawn first when no earlier report timed them (the longest
#: figure bounds a parallel report's time, so it should not start last)
COSTLY_FIRST = ("unit_health", "alignment", "accuracy_vs_compute", "learning_curves", "update_locking",
                "final_accuracy", "layer_signals")
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


def _draw_job(i: int) -> tuple[int, bool, float]:
    out_dir, name, make = _JOBS[i]
    t0 = time.perf_counter()
    drawn = draw_and_save(out_dir, name, make)
    return i, drawn, time.perf_counter() - t0


def _expected_seconds(manifest: dict, name: str) -> float:
    """How long a figure took last time (from the manifest), else a rank from ``COSTLY_FIRST``."""
    entry = manifest.get("figures", {}).get(name)
    if isinstance(entry, dict) and isinstance(entry.get("seconds"), (int, float)):
        return float(entry["seconds"])
    return (len(COSTLY_FIRST) - COSTLY_FIRST.index(name)) / 100 if name in COSTLY_FIRST else 0.0


class FigureDrawing:
    """The report's figures being saved. The constructor reuses what the cache holds and starts
    the forked workers on the rest at once, so the caller can compute its tables meanwhile;
    ``finish()`` draws whatever is left to this process and returns (saved figures, one line per
    figure without data, the manifest's new figure entries)."""

    def __init__(self, out_dir: Path, specs: list[tuple], *, report_key: str, manifest: dict,
                 force: bool = False, progress: Progress | None = None, workers: int | None = None) -> None:
        out_dir.mkdir(exist_ok=True)
        self.out_dir, self.specs, self.report_key, self.progress = out_dir, specs, report_key, progress
        self.entries: dict[str, dict] = {}
        self.count = 0
        todo: list[int] = []
        for i, (name, *_) in enumerate(specs):
            key = figure_key(report_key, name)
            hit = None if force else cached_figure(manifest, name, key, out_dir / f"{name}.png", out_dir / f"{name}.svg")
            if hit is None:
                todo.append(i)
            else:
                self.entries[name] = {**hit, "key": key}
                self._tick(name)
        todo.sort(key=lambda i: -_expected_seconds(manifest, specs[i][0]))  # the longest first
        self.todo = todo
        self.jobs = [(out_dir, specs[i][0], specs[i][2]) for i in todo]
        n = free_cores() if workers is None else workers
        self.pool, self.futures = None, []
        # forked only from a single-threaded process: a fork copies locks other threads may hold
        # (a Dask client's, a logger's) into a child that would then wait on them forever
        if n > 1 and len(self.jobs) > 1 and "fork" in multiprocessing.get_all_start_methods() \
                and threading.active_count() == 1:
            _JOBS[:] = self.jobs  # before the fork: the workers inherit it
            self.pool = ProcessPoolExecutor(min(n, len(self.jobs)), mp_context=multiprocessing.get_context("fork"))
            self.futures = [self.pool.submit(_draw_job, i) for i in range(len(self.jobs))]

    def _tick(self, name: str) -> None:
        self.count += 1
        if self.progress is not None:
            self.progress(self.count, len(self.specs), name)

    def _done(self, j: int, drawn: bool, seconds: float) -> None:
        name = self.specs[self.todo[j]][0]
        self.entries[name] = {"key": figure_key(self.report_key, name), "drawn": drawn, "seconds": round(seconds, 3)}
        self._tick(name)

    def close(self) -> None:
        """Stop the workers (after an error elsewhere: nothing is collected)."""
        if self.pool is not None:
            self.pool.shutdown(cancel_futures=True)
            self.pool = None
        _JOBS.clear()

    def finish(self) -> tuple[list[FigureFile], list[str], dict]:
        try:
            if self.pool is None:
                _JOBS[:] = self.jobs
                for i in range(len(self.jobs)):
                    self._done(*_draw_job(i))
            else:
                for future in as_completed(self.futures):
                    self._done(*future.result())
        finally:
            self.close()
        files, skipped = [], []
        for name, title, _, caption, missing in self.specs:
            if self.entries[name]["drawn"]:
                files.append(FigureFile(name, title, caption, self.out_dir / f"{name}.png", self.out_dir / f"{name}.svg"))
            else:
                skipped.append(f"{title}: {missing}.")
        return files, skipped, self.entries


def save_figures(out_dir: Path, specs: list[tuple], *, report_key: str, manifest: dict, force: bool = False,
                 progress: Progress | None = None, workers: int | None = None
                 ) -> tuple[list[FigureFile], list[str], dict]:
    """Save every figure of ``specs`` ((name, title, draw, caption, why missing)) that has data:
    ``FigureDrawing(...).finish()``. ``force`` draws every figure again; ``workers`` (default: the
    idle cores) bounds the processes drawing at once."""
    return FigureDrawing(out_dir, specs, report_key=report_key, manifest=manifest, force=force,
                         progress=progress, workers=workers).finish()
