"""The final numbers of each run, as rows of summary.csv."""

from __future__ import annotations

import csv
import json
import math


def _final_metrics(path) -> dict[str, float]:
    """Last value of each layer-less metric, and the best test accuracy, from a metrics.csv."""
    last: dict[str, float] = {}
    best = -math.inf
    with open(path, newline="") as f:
        for row in csv.DictReader(f):
            if row["layer"]:
                continue
            value = float(row["value"])
            last[row["metric"]] = value
            if row["metric"] == "test_accuracy":
                best = max(best, value)
    if best > -math.inf:
        last["best_test_accuracy"] = best
    return last


def summary_rows(store, run_ids: list[str]) -> list[dict]:
    """One dict per stored run: identity, sweep point, status and final metrics."""
    rows = []
    for run_id in run_ids:
        try:
            meta = store.read_run(run_id)
        except (OSError, ValueError):
            continue
        if store.damage(run_id) is not None:  # not believed: left out until it is computed again
            continue
        spec = meta["spec"]
        row = {"run_id": run_id, "rule": spec["rule"], "label": spec["label"], "seed": spec["seed"],
               "status": meta["status"], "dataset": spec["data"]["name"]}
        for key, value in spec.get("sweep_point", {}).items():
            # a list value (model.hidden) is kept as its JSON text: CSV-safe and hashable
            row[key] = json.dumps(value) if isinstance(value, (list, dict)) else value
        metrics = _final_metrics(store.runs_dir / run_id / "metrics.csv") if meta["status"] != "failed" else {}
        row["test_accuracy"] = metrics.get("test_accuracy", math.nan)
        row["best_test_accuracy"] = metrics.get("best_test_accuracy", math.nan)
        row["test_loss"] = metrics.get("test_loss", math.nan)
        row["train_accuracy"] = metrics.get("train_accuracy", math.nan)
        row["train_loss"] = metrics.get("train_loss", math.nan)
        row["epochs_completed"] = meta.get("epochs_completed", 0)
        row["flops"] = meta.get("flops", math.nan)
        row["train_time"] = meta.get("train_time", math.nan)
        row["wall_time"] = meta.get("wall_time", math.nan)
        row["reason"] = meta.get("reason", "")
        rows.append(row)
    return rows
