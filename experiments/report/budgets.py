"""What each run was given: its training budget and the network it trained, read from run.json.

A reader comparing final accuracies must see that one rule trained 50 epochs and another 5, or
that a spiking network ran 10 time steps per sample; the report prints these beside every number.

- budget: ``"50 epochs"``, ``"5 epochs, T = 10 steps"``, ``"3 epochs, batch 256, population 32"``
  (a population rule makes one generation per batch); the batch size only where it differs from the
  experiment's usual one;
- network: kind (and cell) and layer widths, ``"rate 40-256-256-10"``, ``"recurrent gru 40x1-64-10"``;
  two networks that this text would not tell apart get the keys that differ in brackets; a layer stack in words,
  ``"rate 1x40-conv25k5s2-conv25k3s2-conv25k3s2-10"`` (input shape, then channels, kernel, stride).
"""

from __future__ import annotations

import inspect
import json
import math
from collections import Counter

import pandas as pd

#: output widths of datasets whose outputs are parameters (the others have 10 classes, xor 2);
#: a run.json that records its layer sizes is read instead
OUTPUT_WIDTHS = {"blobs": ("n_classes", 3), "teacher": ("n_outputs", 10), "xor": (None, 2), "delay": ("n_cues", 4)}


def _input_shape(data: dict) -> tuple[int, ...] | None:
    """What one input row of the run's dataset is, as the dataset declares it (without loading it)."""
    from ..datasets import dataset_input_shape

    try:
        return dataset_input_shape(data.get("name"), {k: v for k, v in data.items() if k not in ("name", "cache_dir")})
    except Exception:  # an unknown or foreign dataset: its shape is simply not known here
        return None


def _outputs(data: dict) -> int:
    key, default = OUTPUT_WIDTHS.get(data.get("name"), (None, 10))
    return int(data.get(key, default)) if key else default


def layer_text(spec) -> str | None:
    """One layer of a ``[model] layers`` stack in a word: '100' (dense), 'conv25k5s2' (channels,
    kernel, stride), 'maxpool2'; None for layers without weights or shape of their own
    (activations, flatten, dropout, normalisation)."""
    kind, keys = (spec, {}) if isinstance(spec, str) else (spec.get("type"), spec)
    if kind == "dense":
        return str(keys.get("units"))
    if kind in ("conv1d", "conv2d"):
        stride = keys.get("stride", 1)
        return f"conv{keys.get('channels')}k{keys.get('kernel')}" + (f"s{stride}" if stride != 1 else "")
    if isinstance(kind, str) and "pool" in kind:
        return f"{kind[:3]}pool{keys.get('kernel')}"
    return None


def layers_text(layers) -> str:
    """A layer stack in words, '-'-joined ('conv25k5s2-conv25k3s2'); a JSON string (a summary.csv
    cell) is read first."""
    if isinstance(layers, str):
        try:
            layers = json.loads(layers)
        except ValueError:
            return layers
    words = [w for w in map(layer_text, layers or []) if w]
    return "-".join(words) if words else "no hidden layer"


def network_text(meta: dict) -> str:
    """'rate 40-256-256-10', 'rate 1x40-conv25k5s2-...-10': the network kind, the input, the
    hidden layers and the outputs."""
    spec = meta.get("spec", {})
    model, data = spec.get("model", {}), spec.get("data", {})
    kind = model.get("kind", "rate")
    if model.get("cell"):  # GRU and Elman networks of one width are different networks
        kind = f"{kind} {model['cell']}"
    for holder in (meta, spec, model):  # recorded sizes win
        if isinstance(holder.get("layer_sizes"), list):
            return f"{kind} {'-'.join(str(s) for s in holder['layer_sizes'])}"
    shape = _input_shape(data)
    if model.get("layers") is not None:
        inputs = "x".join(map(str, shape)) if shape else "?"
        hidden = [w for w in map(layer_text, model["layers"]) if w]
    elif model.get("hidden") is not None:
        if not shape:
            inputs = "?"
        else:  # a recurrent network reads (T, D) one step at a time: T steps of D
            inputs = "x".join(map(str, shape)) if model.get("kind") == "recurrent" else str(math.prod(shape))
        hidden = [str(h) for h in model["hidden"]]
    else:
        return f"{kind} (layers unknown)"
    return f"{kind} {'-'.join([inputs, *hidden, str(_outputs(data))])}"


def _population_size(spec: dict) -> int | None:
    """The population size of a population rule's run: its hyperparameter, else the rule's default."""
    from learning_rules.rules import get_rule

    size = spec.get("hyperparameters", {}).get("population_size")
    if size is not None:
        return size
    try:
        param = inspect.signature(get_rule(spec["rule"])).parameters.get("population_size")
    except (ValueError, ImportError, KeyError, TypeError):
        return None
    return None if param is None or param.default is inspect.Parameter.empty else param.default


def _is_population_rule(name: str) -> bool:
    from learning_rules.rules import get_rule

    try:
        return not get_rule(name).card.single_network
    except (ValueError, ImportError, AttributeError):
        return False


def total_epochs(spec: dict) -> int:
    """Epochs of training: the sum over the run's phases, if it has them."""
    phases = spec.get("phases") or []
    return sum(int(p.get("epochs", 0)) for p in phases) if phases else int(spec.get("epochs") or 0)


def time_steps(spec: dict) -> int | None:
    """Time steps per sample of a spiking network; None for a network without time."""
    model = spec.get("model", {})
    return model.get("steps") if model.get("kind") == "spiking" else None


def budget_text(spec: dict, usual_batch: int | None) -> str:
    """The run's training budget in words (see the module docstring)."""
    epochs, phases = total_epochs(spec), spec.get("phases") or []
    parts = [f"{epochs} epoch{'' if epochs == 1 else 's'}" + (f" in {len(phases)} phases" if len(phases) > 1 else "")]
    if time_steps(spec) is not None:
        parts.append(f"T = {time_steps(spec)} steps")
    if spec.get("batch_size") is not None and spec.get("batch_size") != usual_batch:
        parts.append(f"batch {spec['batch_size']}")
    if _is_population_rule(spec.get("rule", "")):
        size = _population_size(spec)
        parts.append(f"population {size}" if size is not None else "population")
    return ", ".join(parts)


COLUMNS = ["run_id", "budget", "network", "epochs", "batch_size", "steps", "comparison"]


def describe_runs(runs: dict[str, dict]) -> pd.DataFrame:
    """Per run with a run.json: budget and network in words, and the numbers they come from
    (epochs, batch_size, steps: NaN without time)."""
    batches = Counter(m.get("spec", {}).get("batch_size") for m in runs.values())
    usual = batches.most_common(1)[0][0] if batches else None
    rows, models = [], {}
    for run_id, meta in runs.items():
        spec = meta.get("spec", {})
        network = network_text(meta)
        models.setdefault(network, {})[_canonical(spec.get("model", {}))] = spec.get("model", {})
        rows.append({"run_id": run_id, "budget": budget_text(spec, usual), "network": network,
                     "epochs": total_epochs(spec), "batch_size": spec.get("batch_size"), "steps": time_steps(spec),
                     "_model": _canonical(spec.get("model", {})), "_data": _canonical(spec.get("data", {}))})
    for row in rows:  # two networks under one text: the text names what differs
        if len(models.get(row["network"], {})) > 1:
            row["network"] += " (" + _differences(models[row["network"]], row["_model"]) + ")"
        row["comparison"] = comparison_key(row)
    return pd.DataFrame(rows, columns=[*COLUMNS, "_model", "_data"]).drop(columns=["_model", "_data"])


def comparison_key(row: dict) -> str:
    """The runs a gain, p-value or effect size may compare: the same data, network and budget
    (epochs, batch size, time steps); one string per comparison group."""
    return " | ".join(str(row[k]) for k in ("_data", "_model", "epochs", "batch_size", "steps"))


def _canonical(obj) -> str:
    return json.dumps(obj, sort_keys=True, default=str)


def _differences(models: dict[str, dict], mine: str) -> str:
    """'activation=relu' : the model keys whose values differ among ``models``, at ``mine``'s values."""
    own = models[mine]
    keys = sorted({k for m in models.values() for k in m}
                  - {k for k in own if all(m.get(k) == own.get(k) for m in models.values())})
    return ", ".join(f"{k}={own.get(k, 'default')}" for k in keys) or "another network"


def with_descriptions(summary: pd.DataFrame, runs: dict[str, dict]) -> pd.DataFrame:
    """``summary`` with each run's budget and network (``unknown`` where its run.json is missing)."""
    described = describe_runs(runs).set_index("run_id")
    out = summary.copy()
    for col in ("budget", "network", "comparison"):
        out[col] = out["run_id"].map(described[col]).fillna("unknown")
    return out


def _span(values, unit: str) -> str:
    values = sorted({int(v) for v in values if pd.notna(v)})
    if not values:
        return ""
    return f"{values[0]} {unit}" if len(values) == 1 else (
        f"{values[0]} or {values[1]} {unit}" if len(values) == 2 else f"{values[0]} to {values[-1]} {unit}")


def budget_differences(summary: pd.DataFrame, runs: dict[str, dict]) -> str:
    """How budgets differ within one comparison (the runs at one point of the sweep keys that apply
    to every run), e.g. '2 to 50 epochs, batch 32 or 256, T = 10 steps for the spiking rules';
    empty when every comparison gave all its rules the same budget."""
    described = describe_runs(runs)
    frame = summary.drop(columns=["epochs", "batch_size", "steps"], errors="ignore").merge(
        described[["run_id", "epochs", "batch_size", "steps"]], on="run_id")
    keys = [c for c in summary.columns if "." in c and summary[c].notna().all()]
    groups = frame.groupby(keys, dropna=False) if keys else [((), frame)]
    for _, part in groups:
        per_label = part.drop_duplicates("label")
        budget = per_label[["epochs", "batch_size", "steps"]].astype(float).fillna(-1.0)
        if len(budget.drop_duplicates()) > 1:
            parts = [_span(per_label["epochs"], "epochs"), _span(per_label["batch_size"], "samples per batch")]
            parts = [p for p, col in zip(parts, ("epochs", "batch_size")) if per_label[col].nunique() > 1]
            if per_label["steps"].notna().any():
                parts.append(_span(per_label["steps"], "time steps") + " for the spiking networks")
            return ", ".join(parts)
    return ""
