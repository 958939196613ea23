"""The update-locking study's table: each rule's critical path beside its accuracy."""

from __future__ import annotations

import pandas as pd

from learning_rules.critical_path import critical_path
from learning_rules.rules.registry import get_rule


def spec_inner_steps(spec: dict) -> int:
    """The inner steps of a stored run's rule at its hyperparameters (iterations inside a step)."""
    rule = get_rule(spec["rule"])(**spec.get("hyperparameters", {}))
    return rule.inner_steps(len(spec["model"]["hidden"]) + 1)


def spec_critical_path(spec: dict):
    """The critical path of a stored run's rule on its network (depth from the spec, time steps
    from a spiking network's ``steps``, inner steps from the rule's hyperparameters)."""
    n_layers = len(spec["model"]["hidden"]) + 1
    steps = int(spec["model"].get("steps", 1)) if spec["model"].get("kind") == "spiking" else 1
    return critical_path(get_rule(spec["rule"]).update_dependency, n_layers, steps, spec_inner_steps(spec))


def critical_path_table(results) -> pd.DataFrame:
    """Per rule label: update dependency, weight layers, time steps, inner steps, critical path,
    first-layer latency, and final test accuracy (mean over complete runs)."""
    rows = {}
    for run_id, meta in results.runs.items():
        spec = meta["spec"]
        if spec["label"] in rows:
            continue
        path = spec_critical_path(spec)
        rows[spec["label"]] = {
            "label": spec["label"], "rule": spec["rule"],
            "update dependency": get_rule(spec["rule"]).update_dependency,
            "weight layers": len(spec["model"]["hidden"]) + 1,
            "time steps": int(spec["model"].get("steps", 1)) if spec["model"].get("kind") == "spiking" else 1,
            "inner steps": spec_inner_steps(spec),
            "critical path": path.length, "first-layer latency": path.first_layer_latency,
        }
    table = pd.DataFrame(rows.values())
    done = results.summary[results.summary["status"] == "complete"]
    accuracy = done.groupby("label")["test_accuracy"].mean()
    table["test accuracy"] = table["label"].map(accuracy)
    return table.sort_values(["critical path", "test accuracy"], ascending=[True, False]).reset_index(drop=True)
