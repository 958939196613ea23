"""Load a stored experiment into pandas.

    from experiments import load_results
    res = load_results("results/quickstart")
    res.summary    # one row per run (summary.csv)
    res.metrics    # tidy: run_id, rule, label, seed, epoch, metric, value, layer (+ sweep columns)
    res.runs       # run_id -> run.json contents

Only what can be believed is loaded: a run listed in summary.csv without a run.json, or whose
files no longer match the digests in its run.json, is left out with a ``ResultsWarning`` naming
it and the file; a summary row cut by a killed writer is rebuilt from its run's files.
"""

from __future__ import annotations

import csv
import io
import tomllib
import warnings
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from .errors import UserError
from .verify import damage, read_meta


class ResultsWarning(UserWarning):
    """A stored run (or summary row) that was left out or rebuilt; the message is one line."""


@dataclass
class Results:
    """One experiment's stored results."""

    root: Path
    config: dict
    summary: pd.DataFrame
    metrics: pd.DataFrame
    runs: dict[str, dict]


def is_results_dir(path: Path) -> bool:
    return (path / "summary.csv").is_file() and (path / "runs").is_dir()


def load_results(path: str | Path) -> Results:
    """Read summary.csv, every listed run's metrics.csv and run.json, and config.toml."""
    root = Path(path)
    if not root.is_dir():
        raise UserError(f"{root} is not a folder")
    if not is_results_dir(root):
        raise UserError(f"{root} is not a results directory (no summary.csv and runs/ inside); "
                        "give the folder `learning-rules run` wrote, e.g. results/quickstart")
    summary, runs, listed = _believed_summary(root)
    if summary.empty:
        raise UserError(f"{root} holds no runs yet" if not listed else
                        f"{root}: none of the {listed} runs listed in summary.csv can be read (see the warnings)")
    try:
        config = tomllib.loads((root / "config.toml").read_text()) if (root / "config.toml").exists() else {}
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as err:
        raise UserError(f"{root / 'config.toml'}: not valid TOML ({err})") from None
    frames = []
    id_columns = [c for c in summary.columns if c in ("rule", "label", "seed") or "." in c]
    for _, row in summary.iterrows():
        run_dir = root / "runs" / row["run_id"]
        if not (run_dir / "metrics.csv").is_file() or runs[row["run_id"]].get("status") == "failed":
            continue
        m = pd.read_csv(run_dir / "metrics.csv")
        if m.empty:
            continue
        m.insert(0, "run_id", row["run_id"])
        for col in id_columns:
            m[col] = row[col]
        frames.append(m)
    columns = ["run_id", "epoch", "metric", "value", "layer", *id_columns]
    metrics = pd.concat(frames, ignore_index=True) if frames else pd.DataFrame(columns=columns)
    return Results(root, config, summary, metrics, runs)


def _believed_summary(root: Path) -> tuple[pd.DataFrame, dict[str, dict], int]:
    """summary.csv's rows of the runs that can be believed, their run.json contents, and how many
    runs summary.csv lists. A row cut
    by a killed writer is rebuilt from its run's files; a run without run.json, or whose files do
    not match their digests, is left out with a ResultsWarning."""
    from .store import ResultsStore
    from .summary import summary_rows

    path = root / "summary.csv"
    try:
        lines = list(csv.reader(io.StringIO(path.read_bytes().decode("utf-8"))))
    except (UnicodeDecodeError, csv.Error) as err:
        raise UserError(f"{path} is not a readable CSV table ({err}); run the experiment again "
                        "(learning-rules run <config>) to rebuild it from the stored runs") from None
    if not lines or not lines[0] or lines[0][0] != "run_id":
        raise UserError(f"{path} has no header starting with run_id; run the experiment again to rebuild it")
    header, rows, runs = lines[0], [], {}
    store = ResultsStore(root)
    for number, fields in enumerate(lines[1:], start=2):
        run_id = fields[0] if fields else ""
        meta = read_meta(root / "runs" / run_id) if run_id else None
        if meta is None:
            _warn(f"{path}: line {number} lists run {run_id!r}, which has no readable runs/{run_id}/run.json; left out")
            continue
        why = damage(root / "runs" / run_id, meta) if meta.get("status") != "failed" else None
        if why is not None:
            _warn(f"run {run_id}: runs/{run_id}/{why}; left out (the next learning-rules run computes it again)")
            continue
        if len(fields) != len(header):
            _warn(f"{path}: line {number} (run {run_id}) is cut; rebuilt from runs/{run_id}")
            fields = [_text(summary_rows(store, [run_id])[0].get(c, "")) for c in header]
        rows.append(fields)
        runs[run_id] = meta
    buf = io.StringIO()
    csv.writer(buf, lineterminator="\n").writerows([header, *rows])
    return pd.read_csv(io.StringIO(buf.getvalue())), runs, len(lines) - 1


def _text(value) -> str:
    return "" if value is None else str(value)


def _warn(message: str) -> None:
    warnings.warn(message, ResultsWarning, stacklevel=3)
