"""experiments/configs/spiking.toml: valid, mixes network kinds per rule, and runs end to end
with the activity metrics reaching metrics.csv."""

from pathlib import Path

import numpy as np

import tomllib

from experiments import load_config, load_results, run_experiment
from experiments.config.load import parse_config

CONFIG = Path(__file__).resolve().parents[3] / "experiments" / "configs" / "spiking.toml"


def test_spiking_experiment_file_mixes_rate_and_spiking_networks():
    config = load_config(CONFIG)
    kinds = {(s.label, s.model["kind"]) for s in config.specs}
    assert ("rate_backprop", "rate") in kinds
    assert ("spiking_surrogate", "spiking") in kinds and ("spiking_local", "spiking") in kinds
    assert all(s.model["steps"] <= 25 for s in config.specs if s.model["kind"] == "spiking")
    assert {s.data["name"] for s in config.specs} == {"digits", "mnist1d"}


def test_spiking_rules_run_under_the_runner_and_log_activity(tmp_path):
    raw = tomllib.loads(CONFIG.read_text())
    raw["experiment"].update(epochs=3, seeds=[0])
    raw["sweep"] = {"data.name": ["digits"]}
    raw["model"]["hidden"] = [64]  # small and quick
    run_experiment(parse_config(raw), tmp_path, quiet=True)
    results = load_results(tmp_path / "spiking")
    assert set(results.summary["status"]) == {"complete"}
    acc = results.summary.set_index("label")["test_accuracy"]
    assert acc["spiking_surrogate"] > 0.8 and acc["spiking_local"] > 0.7  # 3 epochs on digits, chance 0.1
    m = results.metrics
    local = m[(m["label"] == "spiking_local") & (m["epoch"] == 3)].set_index("metric")["value"]
    assert 0 < local["spikes_per_neuron"] < 20 and 0 <= local["silent_fraction"] <= 1
    assert local["synaptic_events"] > 0 and np.isfinite(local["flops"])
