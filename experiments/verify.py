"""Is a stored run whole? A run.json that says complete is believed only if its files agree.

When the driver stores a run it records in run.json, beside ``epochs_completed``, what each file
of the run must hold: ``"files": {"metrics.csv": {"sha256": ..., "rows": ...}, ...}`` (for a
binary file, representations.npz, ``"bytes"`` instead of ``"rows"``). A file
cut by a killed copy, replaced, emptied or edited no longer matches its digest, and the run is
recomputed. Runs stored before digests were recorded are accepted when their metrics.csv parses
as the tidy table and holds the epochs that run.json says were completed.
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
from pathlib import Path

METRIC_COLUMNS = ("epoch", "metric", "value", "layer")
#: statuses that count as done: a diverged run is a result, not a gap to fill
DONE = ("complete", "diverged")


def file_record(data: str | bytes) -> dict:
    """What run.json records of a file the driver writes: its SHA-256, and the data row count of
    a CSV text or the size in bytes of a binary file (an .npz of arrays)."""
    if isinstance(data, bytes):
        return {"sha256": hashlib.sha256(data).hexdigest(), "bytes": len(data)}
    return {"sha256": hashlib.sha256(data.encode("utf-8")).hexdigest(), "rows": max(data.count("\n") - 1, 0)}


def read_meta(run_dir: Path) -> dict | None:
    """The run's run.json as a dict, or None when there is none or it is unreadable."""
    try:
        meta = json.loads((run_dir / "run.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return meta if isinstance(meta, dict) else None


def damage(run_dir: Path, meta: dict) -> str | None:
    """Why a run whose run.json says done cannot be believed ("metrics.csv: ..."), or None when it
    is whole. ``meta`` is its run.json."""
    files = meta.get("files")
    if not isinstance(files, dict):
        return _legacy_damage(run_dir, meta)
    for name, record in files.items():
        try:
            data = (run_dir / name).read_bytes()
        except OSError:
            return f"{name}: missing"
        if not isinstance(record, dict) or hashlib.sha256(data).hexdigest() != record.get("sha256"):
            return f"{name}: does not match the SHA-256 in run.json (cut, replaced or edited after it was written)"
    return None


def _legacy_damage(run_dir: Path, meta: dict) -> str | None:
    """The check of a run stored without digests: metrics.csv parses and reaches its last epoch."""
    try:
        text = (run_dir / "metrics.csv").read_bytes().decode("utf-8")
    except OSError:
        return "metrics.csv: missing"
    except UnicodeDecodeError:
        return "metrics.csv: not text (garbage?)"
    last = -1
    rows = csv.reader(io.StringIO(text))
    if tuple(next(rows, ())) != METRIC_COLUMNS:
        return f"metrics.csv: no header {','.join(METRIC_COLUMNS)} (empty or garbage?)"
    for i, row in enumerate(rows, start=2):
        try:
            if len(row) != len(METRIC_COLUMNS):
                raise ValueError
            epoch = int(row[0])
            float(row[2])
        except ValueError:
            return f"metrics.csv: line {i} is cut or malformed"
        last = max(last, epoch)
    if not text.endswith("\n"):
        return "metrics.csv: its last line is cut"
    want = meta.get("epochs_completed")
    if last != want:
        return f"metrics.csv: holds epochs up to {last}, run.json says {want} completed"
    return None
