"""The results folder of one experiment (docs/results.md), written by the driver alone.

    <out>/<experiment>/
      config.toml               the resolved experiment (an earlier, different one is kept as config.<hash>.toml)
      summary.csv               one row per run of this config
      runs/<run_id>/metrics.csv tidy rows: epoch, metric, value, layer
      runs/<run_id>/spikes.csv  spiking runs: the spikes of one test sample (layer, neuron, step)
      runs/<run_id>/representations.npz  with [diagnostics] representation_samples: block outputs
                                on fixed test samples and the first layer's weights (runs/representations.py)
      runs/<run_id>/run.json    spec, status, reason/traceback, timings, environment, and the
                                SHA-256 and row count of each file above (see verify.py)

A run's metrics.csv is written before its run.json, both atomically: run.json is the mark of a
finished run, so a run killed half-way leaves nothing that the next attempt trusts; and it records
the digest of each file, so a file damaged later is noticed and the run recomputed. Temporary files
(``.<name>.*.tmp``) are never read; the next driver on the folder deletes them. One driver at a time
writes a folder: it holds an advisory lock on ``.lock``, which the system drops when it dies.
"""

from __future__ import annotations

import csv
import io
import json
import os
import tempfile
from pathlib import Path

try:
    import fcntl
except ImportError:  # Windows: no advisory locks; one driver per folder is then up to the user
    fcntl = None

import tomli_w

from .atomic import write_atomic
from .errors import UserError
from .runs.representations import FILE as REPRESENTATIONS, npz_bytes
from .runs.spec import stable_hash
from .verify import DONE, METRIC_COLUMNS, damage, file_record, read_meta

SPIKE_COLUMNS = ("layer", "neuron", "step")


class ResultsStore:
    """Reads and writes one experiment's results folder."""

    def __init__(self, root: str | Path) -> None:
        self.root = Path(root)
        self._lock_file = None
        self._rows: dict[str, dict] = {}  # summary rows already read, by run_id

    @property
    def runs_dir(self) -> Path:
        return self.root / "runs"

    def check_writable(self) -> None:
        """Create the folder if needed and prove a file can be written there (UserError if not)."""
        try:
            self.runs_dir.mkdir(parents=True, exist_ok=True)
            with tempfile.NamedTemporaryFile(dir=self.root, prefix=".write-test-", suffix=".tmp"):
                pass
        except OSError as err:
            raise UserError(f"output directory {self.root} is not writable: {err.strerror or err}") from None

    def lock(self) -> None:
        """Take the folder's writer lock (UserError when another driver holds it)."""
        if fcntl is None or self._lock_file is not None:
            return
        f = open(self.root / ".lock", "a+")
        try:
            fcntl.flock(f.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            f.seek(0)
            holder = f.read().strip() or "?"
            f.close()
            raise UserError(f"{self.root} is being written by another learning-rules run (pid {holder}); "
                            "wait for it to finish, or give another --out") from None
        f.seek(0)
        f.truncate()
        f.write(f"{os.getpid()}\n")
        f.flush()
        self._lock_file = f

    def unlock(self) -> None:
        if self._lock_file is not None:
            self._lock_file.close()  # closing drops the flock
            self._lock_file = None

    def remove_temporaries(self) -> int:
        """Delete the temporary files a killed writer left behind; returns how many."""
        removed = 0
        for path in leftover_temporaries(self.root):
            try:
                path.unlink()
                removed += 1
            except OSError:
                pass
        return removed

    def write_config(self, raw: dict) -> None:
        """Write config.toml; a different earlier config.toml is kept under its hash, not lost."""
        text = tomli_w.dumps(raw)
        path = self.root / "config.toml"
        if path.exists():
            old = path.read_text(encoding="utf-8")
            if old == text:
                return
            keep = self.root / f"config.{stable_hash(old, 8)}.toml"
            if not keep.exists():
                write_atomic(keep, old)
        write_atomic(path, text)

    def run_status(self, run_id: str) -> str | None:
        """The stored status of a run, or None when it has no readable run.json."""
        meta = read_meta(self.runs_dir / run_id)
        return None if meta is None else meta.get("status")

    def damage(self, run_id: str) -> str | None:
        """Why a run whose run.json says done cannot be believed (names the file), else None."""
        meta = read_meta(self.runs_dir / run_id)
        if meta is None or meta.get("status") not in DONE:
            return None
        return damage(self.runs_dir / run_id, meta)

    def write_run(self, result: dict) -> None:
        """Store one run's result (as returned by ``execute_run``): metrics first, then run.json."""
        folder = self.runs_dir / result["run_id"]
        # a rerun (--force, or a failed run redone) first withdraws the old completion mark, so
        # run.json never vouches for a metrics.csv from another attempt
        try:
            (folder / "run.json").unlink()
        except FileNotFoundError:
            pass
        self._rows.pop(result["run_id"], None)
        files = {"metrics.csv": _csv_text(METRIC_COLUMNS, result["records"])}
        if result.get("spikes"):
            files["spikes.csv"] = _csv_text(SPIKE_COLUMNS, result["spikes"]["events"])
        else:
            (folder / "spikes.csv").unlink(missing_ok=True)  # an earlier attempt's
        if result.get("representations"):
            files[REPRESENTATIONS] = npz_bytes(result["representations"]["arrays"])
        else:
            (folder / REPRESENTATIONS).unlink(missing_ok=True)
        for name, text in files.items():
            write_atomic(folder / name, text)
        meta = {k: v for k, v in result.items() if k != "records"}
        if meta.get("spikes"):
            meta["spikes"] = {k: v for k, v in meta["spikes"].items() if k != "events"}
        if meta.get("representations"):
            meta["representations"] = {**{k: v for k, v in meta["representations"].items() if k != "arrays"},
                                       "bytes": len(files[REPRESENTATIONS])}
        meta["files"] = {name: file_record(text) for name, text in files.items()}
        write_atomic(folder / "run.json", json.dumps(meta, indent=2, default=str) + "\n")

    def read_run(self, run_id: str) -> dict:
        return json.loads((self.runs_dir / run_id / "run.json").read_text())

    def write_summary(self, run_ids: list[str]) -> list[dict]:
        """summary.csv: one row per run of ``run_ids`` that has a run.json (final metrics).

        Rows are read once per run and kept, so refreshing the summary after every run of a
        long sweep costs one new run's files, not all of them."""
        from .summary import summary_rows

        missing = [r for r in run_ids if r not in self._rows]
        self._rows.update((row["run_id"], row) for row in summary_rows(self, missing))
        rows = [self._rows[r] for r in run_ids if r in self._rows]
        if rows:
            columns = list(dict.fromkeys(k for row in rows for k in row))
            buf = io.StringIO()
            writer = csv.DictWriter(buf, fieldnames=columns, lineterminator="\n")
            writer.writeheader()
            writer.writerows(rows)
            write_atomic(self.root / "summary.csv", buf.getvalue())
        return rows


def _csv_text(columns: tuple[str, ...], rows) -> str:
    """CSV text of ``rows`` (dicts, or sequences in column order); None is written as empty."""
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\n")
    writer.writerow(columns)
    for row in rows:
        values = [row.get(k) for k in columns] if isinstance(row, dict) else row
        writer.writerow(["" if v is None else v for v in values])
    return buf.getvalue()


def leftover_temporaries(root: Path) -> list[Path]:
    """Temporary files a killed writer left behind (never read; safe to delete under the lock)."""
    return [Path(dirpath) / f for dirpath, _, files in os.walk(root)
            for f in files if f.startswith(".") and f.endswith(".tmp")]
