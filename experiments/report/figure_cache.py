"""Figures drawn once: every report output keyed by a hash of what it is drawn from.

The key of a results folder is a SHA-256 over the report's own source code and that of
``learning_rules`` (so a changed figure function or rule card redraws), the versions of
matplotlib, pandas, numpy and scipy, the report's options (the target accuracy) and the bytes of every stored file
the report reads: ``config.toml``, ``summary.csv`` and everything under ``runs/``. Figures,
``report.md``, ``report.html`` and ``statistics.csv`` are outputs, never inputs. Each figure's key
is the folder's key and the figure's name; the manifest ``<results>/.report_cache/manifest.json``
records the key each figure was drawn under and the key of the whole report:

- a report whose key matches the manifest, with every file it listed still there, is not rewritten
  at all (``report.md`` and ``report.html`` keep their bytes and their modification times);
- a figure whose key matches (and whose PNG and SVG are there) is not drawn again.

A folder changes as a whole (a resumed experiment adds runs that most figures read), so every
figure shares the folder's key; the per-figure entries keep the cache right when the set of
figures changes (a new figure, one that found data this time).
"""

from __future__ import annotations

import hashlib
import json
from functools import lru_cache
from pathlib import Path

from ..atomic import write_atomic

CACHE_DIR = ".report_cache"
MANIFEST = "manifest.json"
#: the code a report is drawn by (relative to the project's root): this package, the studies and
#: loaders it reads results through, and learning_rules (the rules' cards, defaults and structure)
CODE_ROOTS = ("experiments/report", "experiments/studies", "learning_rules")
CODE_FILES = ("experiments/results.py", "experiments/verify.py")
#: packages whose version changes what a figure looks like
DRAWN_BY = ("matplotlib", "pandas", "numpy", "scipy")


@lru_cache(maxsize=1)
def code_version() -> str:
    """A hash of the report's source files and its drawing packages' versions (once per process)."""
    from importlib.metadata import PackageNotFoundError, version

    root = Path(__file__).resolve().parents[2]
    h = hashlib.sha256()
    files = [p for sub in CODE_ROOTS for p in sorted((root / sub).rglob("*.py"))]
    for path in files + [root / name for name in CODE_FILES]:
        if path.is_file():
            h.update(path.relative_to(root).as_posix().encode())
            h.update(path.read_bytes())
    for package in DRAWN_BY:
        try:
            h.update(f"{package}=={version(package)}".encode())
        except PackageNotFoundError:
            h.update(f"{package} missing".encode())
    return h.hexdigest()


def _input_files(root: Path) -> list[Path]:
    """Every stored file the report reads, in a fixed order."""
    files = [root / name for name in ("config.toml", "summary.csv") if (root / name).is_file()]
    runs = root / "runs"
    if runs.is_dir():
        files += sorted(p for p in runs.rglob("*") if p.is_file() and not p.name.endswith(".tmp"))
    return files


def inputs_key(root: Path, options: dict | None = None) -> str:
    """The key of a results folder's report: code, options and every input file's path and bytes."""
    h = hashlib.sha256(code_version().encode())
    h.update(json.dumps(options or {}, sort_keys=True, default=str).encode())
    for path in _input_files(root):
        h.update(path.relative_to(root).as_posix().encode() + b"\0")
        h.update(hashlib.sha256(path.read_bytes()).digest())
    return h.hexdigest()


def figure_key(report_key: str, name: str) -> str:
    return hashlib.sha256(f"{report_key}:{name}".encode()).hexdigest()


def load_manifest(root: Path) -> dict:
    """The manifest of the last report written (empty when there is none or it is unreadable)."""
    path = root / CACHE_DIR / MANIFEST
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return data if isinstance(data, dict) else {}


def save_manifest(root: Path, manifest: dict) -> None:
    write_atomic(root / CACHE_DIR / MANIFEST, json.dumps(manifest, indent=1, sort_keys=True))


def unchanged_report(root: Path, key: str) -> list[Path] | None:
    """The paths the report wrote (report.md, report.html, statistics.csv, figure files) when the
    manifest says they were written under ``key`` and all of them are still there; else None."""
    manifest = load_manifest(root)
    if manifest.get("report") != key:
        return None
    paths = [root / p for p in manifest.get("outputs", [])]
    if not paths or not all(p.is_file() for p in paths):
        return None
    return paths


def cached_figure(manifest: dict, name: str, key: str, png: Path, svg: Path) -> dict | None:
    """The manifest's entry of figure ``name`` ({'drawn': bool, 'missing': str}) if it was drawn
    under ``key`` and its files are still there (or it had no data); else None."""
    entry = manifest.get("figures", {}).get(name)
    if not isinstance(entry, dict) or entry.get("key") != key:
        return None
    if entry.get("drawn") and not (png.is_file() and svg.is_file()):
        return None
    return entry
