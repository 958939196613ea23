"""The quick report: an unchanged rerun rewrites nothing, a changed input rebuilds, figures are
reused by their key, ``force`` redraws, ``progress`` is called once per figure."""

from __future__ import annotations

import shutil

import pytest

from experiments.report import write_report
from experiments.report.figure_cache import CACHE_DIR, load_manifest
from experiments.report import figure_files
from experiments.report.figure_files import FigureDrawing
from experiments.report.figures.common import new_figure


@pytest.fixture()
def folder(results_dir, tmp_path):
    """A copy of the tiny experiment's results folder with its report (and the report's cache:
    the copy's inputs are the same bytes, so nothing is drawn again)."""
    root = tmp_path / "results"
    shutil.copytree(results_dir, root)
    assert (root / CACHE_DIR).is_dir()
    return root


def _stamps(paths):
    return {p: (p.stat().st_mtime_ns, p.read_bytes()) for p in paths}


def test_an_unchanged_rerun_rewrites_nothing(folder):
    paths = write_report(folder)
    before = _stamps(paths)
    again = write_report(folder)
    assert again == paths
    assert _stamps(again) == before  # the same bytes, and not even touched (mtimes unchanged)


def test_a_changed_input_rebuilds_the_report_and_force_redraws_in_parallel(folder):
    md, png = folder / "report.md", folder / "figures" / "learning_curves.png"
    first, drawn = md.stat().st_mtime_ns, png.stat().st_mtime_ns
    config = folder / "config.toml"
    config.write_text(config.read_text() + "\n# a comment changes the inputs\n")
    write_report(folder, workers=1)
    assert md.stat().st_mtime_ns != first and png.stat().st_mtime_ns != drawn
    drawn = png.stat().st_mtime_ns
    serial = {p.name: p.read_bytes() for p in (folder / "figures").glob("*.png")}
    calls = []
    write_report(folder, force=True, workers=2,
                 progress=lambda done, total, name: calls.append((done, total, name)))
    assert png.stat().st_mtime_ns != drawn  # forced: drawn again although nothing changed
    # drawn by forked workers: the same files
    assert {p.name: p.read_bytes() for p in (folder / "figures").glob("*.png")} == serial
    total = len(load_manifest(folder)["figures"])
    assert [c[0] for c in calls] == list(range(1, total + 1)) and {c[1] for c in calls} == {total}
    assert "learning_curves" in {c[2] for c in calls}


def test_figures_are_reused_when_only_the_report_key_matches_them(folder):
    """A report rebuilt for another reason (a deleted report.md) reuses every figure as it is."""
    png = folder / "figures" / "final_accuracy.png"
    drawn = png.stat().st_mtime_ns
    (folder / "report.md").unlink()
    write_report(folder)
    assert (folder / "report.md").is_file()
    assert png.stat().st_mtime_ns == drawn


def _line():
    fig, axes = new_figure(1, 1, width=3, height=2)
    axes[0, 0].plot([0, 1], [0, 1])
    return fig


def test_figures_are_drawn_by_forked_workers_and_reused_by_key(tmp_path, monkeypatch):
    # under pytest-xdist a worker runs a second thread (its channel): the report would not fork there
    monkeypatch.setattr(figure_files.threading, "active_count", lambda: 1)
    specs = [("a", "A", _line, "", ""), ("b", "B", _line, "", ""), ("none", "None", lambda: None, "", "no data")]
    drawing = FigureDrawing(tmp_path, specs, report_key="k1", manifest={}, workers=2)
    assert drawing.pool is not None  # two figures to draw, two workers allowed: forked
    files, skipped, entries = drawing.finish()
    assert [f.name for f in files] == ["a", "b"] and skipped == ["None: no data."]
    assert all((tmp_path / f"{n}.{ext}").is_file() for n in "ab" for ext in ("png", "svg"))
    manifest = {"figures": entries}
    again = FigureDrawing(tmp_path, specs, report_key="k1", manifest=manifest, workers=2)
    assert again.jobs == [] and again.pool is None  # every key matches: nothing to draw
    other = FigureDrawing(tmp_path, specs, report_key="k2", manifest=manifest, workers=1)
    assert len(other.jobs) == 3 and other.pool is None  # another key: all drawn again, here (one worker)
    other.finish()
