"""A synthetic results folder of 20 rule labels, written in the store's format (no training), so
every figure of the report can be drawn with as many rules as a large comparison holds.
In the grid, one label trains a convolutional layer stack (the longest network name).

Accuracies are drawn from a fixed Generator and packed into a narrow band, so points, lines and
names crowd each other as they do in a real comparison. ``kind="grid"`` sweeps the learning rate
and init gain (the sensitivity study); ``kind="depth"`` sweeps depth and activation and trains
every run in two phases (the depth and forgetting studies); ``kind="quickstart"`` holds the
quickstart's 14 labels with its budgets (2 to 50 epochs), three seeds, no sweep, the unit-health
diagnostics (the dead and saturated fractions not logged for every layer) and a stored spike raster
of 256 neurons x 10 steps, as the quickstart's report draws them. Every run records its data's sizes.
"""

from __future__ import annotations

import csv
import json
from pathlib import Path

import numpy as np

#: (label, rule): the registered rules, both controls, and six more labels of long names
LABELS = [(r, r) for r in ("backprop", "direct_feedback_alignment", "evolution_strategy", "feedback_alignment",
                           "forward_forward", "genetic", "kolen_pollack", "local_learned_classifier",
                           "local_random_classifier", "readout_only", "sign_symmetry", "spiking_local",
                           "spiking_surrogate")] + [
    ("linear", "backprop"), ("feedback_alignment_sgd_momentum", "feedback_alignment"),
    ("backprop_weight_decay_0.001", "backprop"), ("direct_feedback_alignment_relu", "direct_feedback_alignment"),
    ("sign_symmetry_batch_256", "sign_symmetry"), ("kolen_pollack_decay_0.1", "kolen_pollack"),
    ("local_learned_classifier_deep", "local_learned_classifier")]
#: the quickstart's labels, rules and budgets (experiments/configs/quickstart.toml)
QUICKSTART = [("backprop", "backprop", 50), ("readout_only", "readout_only", 50), ("linear", "backprop", 50),
              ("feedback_alignment", "feedback_alignment", 50),
              ("direct_feedback_alignment", "direct_feedback_alignment", 50), ("sign_symmetry", "sign_symmetry", 50),
              ("kolen_pollack", "kolen_pollack", 50), ("local_random_classifier", "local_random_classifier", 20),
              ("local_learned_classifier", "local_learned_classifier", 20), ("forward_forward", "forward_forward", 5),
              ("spiking_surrogate", "spiking_surrogate", 5), ("spiking_local", "spiking_local", 5),
              ("genetic", "genetic", 3), ("evolution_strategy", "evolution_strategy", 2)]
DATA_SIZES = {"train": 4000, "test": 1000, "classes": 10, "chance": 0.106}
RASTER = {"steps": 10, "neurons": [256, 256], "sample": 0}
POPULATION = {"genetic", "evolution_strategy"}
CNN_LABEL = "genetic"  # a population rule: its budget is the longest too
CNN = [{"type": "conv1d", "channels": 25, "kernel": 5, "stride": 2, "padding": 1, "activation": "relu"},
       {"type": "conv1d", "channels": 25, "kernel": 3, "stride": 2, "padding": 1, "activation": "relu"},
       {"type": "conv1d", "channels": 25, "kernel": 3, "stride": 2, "padding": 1, "activation": "relu"}]
SPIKING = {"spiking_local", "spiking_surrogate"}
EPOCHS = 4
ENVIRONMENT = {"python": "3.11.7", "platform": "Linux-x86_64", "machine": "x86_64", "processor": "",
               "packages": {"numpy": "2.4.6"}, "git_commit": "0" * 40,
               "blas": [{"internal_api": "openblas", "version": "0.3.30", "num_threads": 1,
                         "threading_layer": "pthreads", "architecture": "Haswell"}]}


def _points(kind: str) -> list[dict]:
    if kind == "quickstart":
        return [{}]
    if kind == "grid":
        return [{"optimizer.lr": lr, "model.init_gain": g} for lr in (0.001, 0.01) for g in (0.5, 1.0)]
    return [{"model.hidden": h, "model.activation": a} for h in ([8], [8, 8], [8, 8, 8]) for a in ("relu", "tanh")]


def _health(epoch: int, n_layers: int, rng) -> list[tuple]:
    """The unit-health diagnostics: the dead and saturated fractions of the first two layers only."""
    rows = []
    for layer in range(n_layers):
        rows += [(epoch, "linear_probe_accuracy", 0.2 + 0.3 * (1 - np.exp(-epoch / 10)) + rng.uniform(0, 0.05), layer),
                 (epoch, "effective_rank", 10 + rng.uniform(0, 5), layer)]
        if layer < 2:
            rows += [(epoch, "dead_fraction", 0.0, layer), (epoch, "saturated_fraction", 0.01 * epoch * layer, layer)]
    return rows


def _metrics(rule: str, label: str, n_layers: int, final: float, phases: list[dict], rng, epochs: int = EPOCHS,
             health: bool = False) -> list[dict]:
    rows = []
    for epoch in range(epochs + 1):
        acc = 0.1 + (final - 0.1) * (1 - np.exp(-epoch))
        rows += [(epoch, "test_accuracy", acc), (epoch, "train_loss", 2.3 * np.exp(-0.4 * epoch)),
                 (epoch, "flops", 1e9 * epoch * (3 if rule in POPULATION else 1)), (epoch, "wall_time", 0.5 * epoch)]
        if rule in POPULATION and epoch:
            rows += [(epoch, "best_fitness", 2.3 - 0.05 * epoch), (epoch, "mean_fitness", 2.4 - 0.04 * epoch)]
        if rule in SPIKING and epoch:
            rows += [(epoch, "spikes_per_neuron", 2.0 + 0.1 * epoch, layer) for layer in range(n_layers - 1)]
        if rule not in POPULATION | {"readout_only"} and label != "linear":
            logged = range(n_layers - 1) if "local" in rule else range(n_layers)
            rows += [(epoch, "update_angle", 90 - 10 * epoch + rng.uniform(0, 5), layer) for layer in logged]
            if rule in ("feedback_alignment", "kolen_pollack", "sign_symmetry"):
                rows += [(epoch, "feedback_angle", 90 - 12 * epoch, layer) for layer in range(1, n_layers)]
        if health and epoch % 10 == 0:
            rows += _health(epoch, n_layers, rng)
        if epoch in (0, epochs):
            rows += [(epoch, "signal_norm", rng.uniform(0.01, 2.0), layer) for layer in range(n_layers)]
        if phases and epoch:
            first = epoch <= phases[0]["epochs"]
            rows += [(epoch, f"{phases[0]['name']}_accuracy", final if first else final - 0.2 * rng.uniform()),
                     (epoch, f"{phases[1]['name']}_accuracy", 0.1 if first else final), (epoch, "phase", 0 if first else 1)]
    return [{"epoch": r[0], "metric": r[1], "value": float(r[2]), "layer": r[3] if len(r) > 3 else ""} for r in rows]


def write_results(root: Path, kind: str = "grid", seeds=(0, 1)) -> Path:
    """Write the folder ``root`` (summary.csv, config.toml, runs/<id>/run.json + metrics.csv); returns it."""
    rng = np.random.default_rng(0)
    root.mkdir(parents=True)
    (root / "config.toml").write_text(f'[experiment]\nname = "synthetic_{kind}"\nseeds = {list(seeds)}\n'
                                      f"epochs = {EPOCHS}\nbatch_size = 32\n")
    phases = [] if kind in ("grid", "quickstart") else [{"name": "task_a", "epochs": 2}, {"name": "task_b", "epochs": 2}]
    labels = [(label, rule, EPOCHS) for label, rule in LABELS] if kind != "quickstart" else QUICKSTART
    base = {label: rng.uniform(0.55, 0.75) for label, *_ in labels}
    summary = []
    for label, rule, epochs in labels:
        for i, point in enumerate(_points(kind)):
            for seed in seeds:
                run_id = f"{label}-s{seed}-{i:04d}"
                hidden = [] if label == "linear" else point.get("model.hidden", [256, 256] if kind == "quickstart"
                                                                else [16, 16])
                final = float(np.clip(base[label] - 0.03 * i + rng.normal(0, 0.02), 0.05, 0.95))
                model = {"kind": "spiking" if rule in SPIKING else "rate", "hidden": hidden,
                         **({"steps": 10} if rule in SPIKING else {})}
                if label == CNN_LABEL and kind == "grid":  # a layer stack: the longest network name
                    model = {"kind": "rate", "layers": CNN}
                spec = {"experiment": f"synthetic_{kind}", "rule": rule, "label": label, "seed": seed,
                        "epochs": epochs, "batch_size": 256 if rule in POPULATION else 32,
                        "data": {"name": "mnist1d"}, "model": model, "optimizer": {"name": "adam", "lr": 0.001},
                        "hyperparameters": {"population_size": 16} if rule in POPULATION else {},
                        "sweep_point": point, "phases": phases}
                meta = {"run_id": run_id, "spec": spec, "status": "complete", "reason": "", "traceback": "",
                        "epochs_completed": epochs, "environment": ENVIRONMENT, "data_sizes": DATA_SIZES, "started": "2026-01-01T00:00:00+00:00",
                        "finished": "2026-01-01T00:00:02+00:00", "flops": 4e9, "train_time": 2.0, "wall_time": 2.0}
                folder = root / "runs" / run_id
                folder.mkdir(parents=True)
                if rule in SPIKING and kind == "quickstart":  # a raster: 256 neurons x 10 steps per layer
                    meta["spikes"] = RASTER
                    spikes = [(layer, n, t) for layer in range(2) for n in range(256) for t in range(10)
                              if rng.uniform() < 0.08]
                    (folder / "spikes.csv").write_text("layer,neuron,step\n" + "".join(f"{a},{b},{c}\n" for a, b, c in spikes))
                (folder / "run.json").write_text(json.dumps(meta))
                with open(folder / "metrics.csv", "w", newline="") as f:
                    writer = csv.DictWriter(f, fieldnames=["epoch", "metric", "value", "layer"])
                    writer.writeheader()
                    writer.writerows(_metrics(rule, label, len(hidden) + 1, final, phases, rng, epochs,
                                              health=kind == "quickstart"))
                summary.append({"run_id": run_id, "rule": rule, "label": label, "seed": seed, "status": "complete",
                                "dataset": "mnist1d", **{k: json.dumps(v) if isinstance(v, list) else v
                                                         for k, v in point.items()},
                                "test_accuracy": final, "best_test_accuracy": final + 0.01, "test_loss": 1.0,
                                "train_accuracy": final, "train_loss": 0.5, "epochs_completed": epochs,
                                "flops": 4e9, "train_time": 2.0, "wall_time": 2.0 + 0.1 * seed, "reason": ""})
    with open(root / "summary.csv", "w", newline="") as f:
        writer = csv.DictWriter(f, fieldnames=list(summary[0]))
        writer.writeheader()
        writer.writerows(summary)
    return root
