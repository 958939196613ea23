"""Catastrophic forgetting: how much of an earlier task a network loses while later tasks train.

For a run of tasks 1..T trained in sequence, with a_{j,i} the test accuracy on task j at the end
of phase i, the forgetting of task j (Chaudhry et al. 2018, "Riemannian walk for incremental
learning") is its best accuracy at the end of any earlier phase minus its final accuracy,

    f_j = max_{i < T} a_{j,i} - a_{j,T},     forgetting = mean over j < T of f_j,

and the average accuracy is the mean over all tasks of a_{j,T}.
"""

from __future__ import annotations

import itertools

import pandas as pd


def accuracy_matrix(metrics: pd.DataFrame, phases: list[dict]) -> pd.DataFrame:
    """One run's a_{j,i}: rows = task j, columns = phase i (its last epoch)."""
    ends = list(itertools.accumulate(p["epochs"] for p in phases))
    names = [p["name"] for p in phases]
    table = {}
    for i, end in enumerate(ends):
        at_end = metrics[metrics["epoch"] == end].set_index("metric")["value"]
        table[names[i]] = [at_end.get(f"{task}_accuracy", float("nan")) for task in names]
    return pd.DataFrame(table, index=names)


def forgetting_score(matrix: pd.DataFrame) -> float:
    """Mean over all tasks but the last of (best accuracy before the final phase - final accuracy)."""
    if matrix.shape[1] < 2:
        return 0.0
    final = matrix.iloc[:, -1]
    before = matrix.iloc[:, :-1].max(axis=1)
    return float((before - final).iloc[:-1].mean())


def forgetting_table(results) -> pd.DataFrame:
    """Per run of a phased experiment: label, seed, average final accuracy and forgetting."""
    rows = []
    for run_id, meta in results.runs.items():
        phases = meta["spec"].get("phases") or []
        if len(phases) < 2 or meta["status"] != "complete":
            continue
        m = results.metrics[(results.metrics["run_id"] == run_id) & results.metrics["layer"].isna()]
        matrix = accuracy_matrix(m, phases)
        rows.append({"label": meta["spec"]["label"], "seed": meta["spec"]["seed"],
                     "average_accuracy": float(matrix.iloc[:, -1].mean()),
                     "forgetting": forgetting_score(matrix)})
    return pd.DataFrame(rows)
