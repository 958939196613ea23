"""The final numbers of each run, as rows of summary.csv."""

from __future__ import annotations

import csv
import json
import math


#: columns of a search run (a run with a validation split), in summary.csv
VALIDATION_COLUMNS = ("validation_accuracy", "best_validation_accuracy", "best_validation_epoch", "validation_loss")


def _final_metrics(path) -> dict[str, float]:
    """Last value of each layer-less metric, the best test accuracy (its epoch picked on the test
    split), and the best validation accuracy with its (first) epoch, from a metrics.csv."""
    last: dict[str, float] = {}
    best = {"test_accuracy": (-math.inf, -1), "validation_accuracy": (-math.inf, -1)}
    with open(path, newline="") as f:
        for row in csv.DictReader(f):
            if row["layer"]:
                continue
            value = float(row["value"])
            last[row["metric"]] = value
            if row["metric"] in best and value > best[row["metric"]][0]:
                best[row["metric"]] = (value, int(row["epoch"]))
    if best["test_accuracy"][1] >= 0:
        last["best_test_accuracy"] = best["test_accuracy"][0]
    if best["validation_accuracy"][1] >= 0:
        last["best_validation_accuracy"], last["best_validation_epoch"] = best["validation_accuracy"]
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
        if spec.get("stage"):  # a tuned experiment: untuned, search or tuned
            row["tune.stage"] = spec["stage"]
        for key, value in spec.get("sweep_point", {}).items():
            # a list value (model.hidden) is kept as its JSON text: CSV-safe and hashable
            row[key] = json.dumps(value) if isinstance(value, (list, dict)) else value
        metrics = _final_metrics(store.runs_dir / run_id / "metrics.csv") if meta["status"] != "failed" else {}
        row["test_accuracy"] = metrics.get("test_accuracy", math.nan)
        row["best_test_accuracy"] = metrics.get("best_test_accuracy", math.nan)
        row["test_loss"] = metrics.get("test_loss", math.nan)
        row["train_accuracy"] = metrics.get("train_accuracy", math.nan)
        row["train_loss"] = metrics.get("train_loss", math.nan)
        if spec.get("validation_fraction") is not None:
            row.update({c: metrics.get(c, math.nan) for c in VALIDATION_COLUMNS})
        row["epochs"], row["batch_size"] = spec.get("epochs"), spec.get("batch_size")  # the run's budget
        row["epochs_completed"] = meta.get("epochs_completed", 0)
        row["flops"] = meta.get("flops", math.nan)
        row["train_time"] = meta.get("train_time", math.nan)
        row["wall_time"] = meta.get("wall_time", math.nan)
        row["reason"] = meta.get("reason", "")
        row["flag"] = meta.get("flag", "")  # "unstable": complete, but its training loss climbed back
        row["flag_reason"] = meta.get("flag_reason", "")
        rows.append(row)
    return rows
