"""Compute one run from its spec and return its records; never touches the results folder.

Workers (this process, a local process pool, or a Dask cluster) call ``execute_run`` and send the
returned plain dict to the driver, which alone writes to disk. A run that raises is returned as
``failed`` with its traceback; a run whose loss stops being finite as ``diverged``.
"""

from __future__ import annotations

import functools
import itertools
import time
import traceback
from datetime import datetime, timezone


from learning_rules.networks import make_network, network_class

from ..config.rules import build_rule
from ..datasets import load_dataset
from ..datasets.validation import carve_validation
from .phases import phase_streams
from .provenance import environment
from .raster import sample_spikes
from .representations import stored_representations
from .spec import RunSpec
from .train import EvalSet, TrainOutcome, train

NETWORK_KEYS_NOT_OPTIONS = ("kind", "hidden", "loss")


def _now() -> str:
    return datetime.now(timezone.utc).isoformat(timespec="seconds")


@functools.lru_cache(maxsize=8)
def _cached_dataset(name: str, params_items: tuple, seed: int, dtype: str, cache_dir: str | None):
    # runs of one experiment share datasets; the cache keeps a worker from regenerating them
    return load_dataset(name, seed=seed, dtype=dtype, cache_dir=cache_dir, **dict(params_items))


def dataset_for(spec: RunSpec):
    """The dataset a spec asks for, in the network's dtype; for a search run, its training split
    cut into training and validation parts, without the test split (see datasets/validation.py)."""
    params = {k: v for k, v in spec.data.items() if k not in ("name", "cache_dir")}
    items = tuple(sorted((k, tuple(v) if isinstance(v, list) else v) for k, v in params.items()))
    dtype = spec.model.get("dtype", "float32")
    data = _cached_dataset(spec.data["name"], items, spec.seed, dtype, spec.data.get("cache_dir"))
    if spec.validation_fraction is None:
        return data
    return carve_validation(data, spec.validation_fraction, spec.generator("validation"))


def build_network(model: dict, data, rng):
    """The network a spec's [model] asks for, on ``data``'s input shape and outputs."""
    options = {k: v for k, v in model.items() if k not in NETWORK_KEYS_NOT_OPTIONS}
    if options.get("layers") is None:
        options.pop("layers", None)
        sizes = [data.n_features, *model["hidden"], data.n_outputs]
        if getattr(network_class(model["kind"]), "reads_data_shape", False):  # a temporal network: (T, D)
            options["input_shape"] = data.shape
    else:  # a layer stack reads the data's shape (channels first); the readout is appended
        sizes = [data.n_features, data.n_outputs]
        options["input_shape"] = data.shape
    return make_network(model["kind"], sizes, rng, **options)


def loss_for(spec: RunSpec, classification: bool) -> str:
    loss = spec.model["loss"]
    return ("cross_entropy" if classification else "mse") if loss == "auto" else loss


def execute_run(spec_dict: dict, on_epoch=None) -> dict:
    """Run one spec; returns {run_id, spec, status, reason, traceback, epochs_completed,
    records, started, finished, wall_time, flops, diagnostics_time, environment}, for a complete
    spiking run ``spikes`` (see raster.py), and with ``representation_samples`` set
    ``representations`` (see representations.py)."""
    spec = RunSpec.from_dict(spec_dict)
    result = started_result(spec_dict)
    t0 = time.perf_counter()
    try:
        outcome, net, data = train_spec(spec, on_epoch)
        fill_result(result, spec, outcome, net, data)
    except Exception as err:  # a failing run is a result; the sweep goes on
        result.update(status="failed", reason=f"{type(err).__name__}: {err}",
                      traceback=traceback.format_exc())
    result["wall_time"] = time.perf_counter() - t0
    result["finished"] = _now()
    return result


def started_result(spec_dict: dict) -> dict:
    """A run's result before it trains: failed until ``fill_result`` says otherwise."""
    return {"run_id": RunSpec.from_dict(spec_dict).run_id, "spec": spec_dict, "started": _now(), "status": "failed",
            "reason": "", "traceback": "", "records": [], "epochs_completed": 0, "environment": environment()}


def fill_result(result: dict, spec: RunSpec, outcome: TrainOutcome, net, data) -> None:
    """Write what a run's training produced into its result (also for the seeds of a stack)."""
    result.update(status=outcome.status, reason=outcome.reason, records=outcome.records,
                  epochs_completed=outcome.epochs_completed, flops=outcome.flops,
                  train_time=outcome.wall_time, diagnostics_time=outcome.diagnostics_time,
                  network=network_facts(spec, net), data_sizes=data_sizes(data))
    if outcome.flag and outcome.status == "complete":
        result.update(flag=outcome.flag, flag_reason=outcome.flag_reason)
    if spec.model["kind"] == "spiking" and outcome.status == "complete":
        result["spikes"] = sample_spikes(net, data.x_test)
    if spec.representation_samples:
        result["representations"] = stored_representations(outcome, net, data)


def data_sizes(data) -> dict:
    """What the report says of the data beside its accuracies: the split sizes and, for a
    classification, the number of classes and the chance level (the test split's largest class)."""
    import numpy as np

    sizes = {"train": int(data.x_train.shape[0]), "test": int(data.x_test.shape[0])}
    if data.n_classes is not None:
        counts = np.bincount(np.asarray(data.y_test, dtype=int), minlength=data.n_classes)
        sizes.update(classes=int(data.n_classes), chance=float(counts.max() / max(counts.sum(), 1)))
    return sizes


def network_facts(spec: RunSpec, net) -> dict:
    """What the report needs to know of the network a run trained, from the network itself: its
    description, depth in weight layers, time steps, parameter count, and the critical path of
    one of the rule's steps on it."""
    from learning_rules.critical_path import rule_critical_path
    from learning_rules.params import leaves
    from learning_rules.rules.registry import get_rule

    path = rule_critical_path(get_rule(spec.rule)(**spec.hyperparameters), net,
                              spec.hyperparameters.get("truncation") or None)
    return {"description": net.describe(), "depth": net.depth, "time_steps": net.capabilities.time_steps,
            "parameters": int(sum(p.size for p in leaves(net.params))),
            "critical_path": {"length": path.length, "first_layer_latency": path.first_layer_latency}}


def train_spec(spec: RunSpec, on_epoch=None):
    """Train the run a spec describes: (its TrainOutcome, the trained network, the dataset)."""
    data = dataset_for(spec)
    classification = data.n_classes is not None
    loss = loss_for(spec, classification)
    net = build_network(spec.model, data, spec.generator("network"))
    rule = build_rule(spec.rule, spec.hyperparameters, spec.optimizer, loss)
    rule.init(net, spec.generator("rule"))
    shuffle = spec.generator("shuffle")
    held_out = EvalSet(data.x_test, data.y_test, classification)
    stored = data.x_test[:spec.representation_samples] if spec.representation_samples else None
    total = TrainOutcome()
    for phase in phase_streams(spec, data, classification):
        part = train(
            net, rule, phase.x, phase.y, epochs=phase.epochs, batch_size=spec.batch_size,
            shuffle_rng=shuffle, eval_sets=phase.eval_sets, loss_name=loss,
            diagnostics_every=spec.diagnostics_every, first_epoch=total.epochs_completed + 1,
            flops_so_far=total.flops, wall_so_far=total.wall_time, on_epoch=on_epoch,
            held_out=held_out, stored_probe=stored,
        )
        total.records += part.records
        total.representations += part.representations
        total.diagnostics_time += part.diagnostics_time
        total.flops, total.wall_time = part.flops, part.wall_time
        total.epochs_completed = max(total.epochs_completed, part.epochs_completed)
        total.status, total.reason = part.status, part.reason
        if part.flag:  # unstable in any phase
            total.flag, total.flag_reason = part.flag, part.flag_reason
        if part.status != "complete":
            break
    if spec.phases:
        total.records += task_means(total.records, [p["name"] for p in spec.phases], spec.phases)
    return total, net, data


def task_means(records: list[dict], tasks: list[str], phases: list[dict]) -> list[dict]:
    """Rows of test_loss / test_accuracy as the mean over all tasks' test sets at each epoch, and
    a ``phase`` row (the index of the phase that epoch trained) so curves can mark the phases."""
    by_epoch: dict[int, dict[str, list[float]]] = {}
    for r in records:
        for metric in ("loss", "accuracy"):
            if any(r["metric"] == f"{t}_{metric}" for t in tasks):
                by_epoch.setdefault(r["epoch"], {}).setdefault(metric, []).append(r["value"])
    ends = list(itertools.accumulate(p["epochs"] for p in phases))
    rows = []
    for epoch, values in sorted(by_epoch.items()):
        for metric, vals in values.items():
            rows.append({"epoch": epoch, "metric": f"test_{metric}", "value": sum(vals) / len(vals), "layer": None})
        if epoch > 0:
            phase = next(i for i, end in enumerate(ends) if epoch <= end)
            rows.append({"epoch": epoch, "metric": "phase", "value": float(phase), "layer": None})
    return rows
