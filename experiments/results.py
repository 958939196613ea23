"""Load a stored experiment into pandas.

    from experiments import load_results
    res = load_results("results/quickstart")
    res.summary    # one row per run (summary.csv)
    res.metrics    # tidy: run_id, rule, label, seed, epoch, metric, value, layer (+ sweep columns)
    res.runs       # run_id -> run.json contents
"""

from __future__ import annotations

import json
import tomllib
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from .errors import UserError


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
    summary = pd.read_csv(root / "summary.csv")
    if summary.empty:
        raise UserError(f"{root} holds no runs yet")
    config = tomllib.loads((root / "config.toml").read_text()) if (root / "config.toml").exists() else {}
    frames, runs = [], {}
    id_columns = [c for c in summary.columns if c in ("rule", "label", "seed") or "." in c]
    for _, row in summary.iterrows():
        run_dir = root / "runs" / row["run_id"]
        runs[row["run_id"]] = json.loads((run_dir / "run.json").read_text())
        if not (run_dir / "metrics.csv").is_file():
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
