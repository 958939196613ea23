"""The update-locking study's table: each rule's critical path beside its accuracy."""

from __future__ import annotations

import pandas as pd

from learning_rules.critical_path import critical_path
from learning_rules.rules.registry import get_rule


def spec_time_steps(spec: dict) -> int:
    """Time steps of a stored run's network from its spec: a spiking network's ``steps``; a
    recurrent network's T, from the sequence data's shape (or ``steps`` for data held in time);
    1 otherwise."""
    model = spec["model"]
    if model.get("kind") == "spiking":
        return int(model.get("steps", 1))
    if model.get("kind") == "recurrent":
        if model.get("encoding", "sequence") != "sequence":
            return int(model.get("steps", 1))
        from ..datasets import dataset_input_shape

        params = {k: v for k, v in spec["data"].items() if k not in ("name", "cache_dir")}
        return int(dataset_input_shape(spec["data"]["name"], params)[0])
    return 1


def spec_inner_steps(spec: dict, depth: int) -> int:
    """The inner steps of a stored run's rule at its hyperparameters on a network of ``depth``
    weight layers (iterations inside a step)."""
    return get_rule(spec["rule"])(**spec.get("hyperparameters", {})).inner_steps(depth)


def depth_and_steps(meta: dict) -> tuple[int, int]:
    """Weight layers and time steps of a stored run's network: as the run recorded them (any
    network, layer stacks included), else from a dense spec (runs stored before they did)."""
    facts = meta.get("network") or {}
    if "depth" in facts:
        return int(facts["depth"]), int(facts.get("time_steps", 1))
    model = meta["spec"]["model"]
    if model.get("hidden") is None:
        raise ValueError("the run records no network depth, and its spec has no dense `hidden`")
    return len(model["hidden"]) + 1, spec_time_steps(meta["spec"])


def spec_critical_path(meta: dict):
    """The critical path of a stored run's rule on its network: recorded by the run, else
    computed from its depth, time steps, truncated BPTT's window and the rule's inner steps."""
    recorded = (meta.get("network") or {}).get("critical_path")
    if recorded:
        from learning_rules.critical_path import CriticalPath

        return CriticalPath(int(recorded["length"]), int(recorded["first_layer_latency"]))
    depth, steps = depth_and_steps(meta)
    spec = meta["spec"]
    window = spec.get("hyperparameters", {}).get("truncation") or None
    return critical_path(get_rule(spec["rule"]).update_dependency, depth, steps, window,
                         spec_inner_steps(spec, depth))


def critical_path_table(results) -> pd.DataFrame:
    """Per rule label: update dependency, weight layers, time steps, inner steps, critical path,
    first-layer latency, and final test accuracy (mean over complete runs)."""
    rows = {}
    for run_id, meta in results.runs.items():
        spec = meta["spec"]
        if spec["label"] in rows:
            continue
        try:
            path = spec_critical_path(meta)
            depth, steps = depth_and_steps(meta)
        except (ValueError, KeyError):
            continue  # a failed run of a layer stack records no network
        rows[spec["label"]] = {
            "label": spec["label"], "rule": spec["rule"],
            "update dependency": get_rule(spec["rule"]).update_dependency,
            "weight layers": depth, "time steps": steps, "inner steps": spec_inner_steps(spec, depth),
            "critical path": path.length, "first-layer latency": path.first_layer_latency,
        }
    table = pd.DataFrame(rows.values())
    done = results.summary[results.summary["status"] == "complete"]
    accuracy = done.groupby("label")["test_accuracy"].mean()
    table["test accuracy"] = table["label"].map(accuracy)
    return table.sort_values(["critical path", "test accuracy"], ascending=[True, False]).reset_index(drop=True)
