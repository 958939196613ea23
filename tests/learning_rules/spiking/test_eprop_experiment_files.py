"""experiments/configs/eprop_evidence.toml and eprop_pattern.toml: valid, the paper's network
and task structure, and both run end to end under the runner (shrunk)."""

from pathlib import Path

import tomllib

from experiments import load_config, load_results, run_experiment
from experiments.config.load import parse_config

CONFIGS = Path(__file__).resolve().parents[3] / "experiments" / "configs"


def test_evidence_file_holds_half_adaptive_neurons_and_the_decision_window():
    config = load_config(CONFIGS / "eprop_evidence.toml")
    by_label = {s.label: s for s in config.specs if s.seed == 0}
    assert set(by_label) == {"eprop", "eprop_random", "eprop_lif", "bptt", "readout_only"}
    assert len({s.seed for s in config.specs}) == 3 and by_label["eprop_lif"].model["neuron"]["adaptive"] == 0.0
    model, data = by_label["eprop"].model, by_label["eprop"].data
    assert (model["cell"], model["hidden"], model["readout"]) == ("alif", [100], "window")
    assert model["window"] == data["recall"] and model["neuron"]["adaptive"] == 0.5
    assert model["neuron"]["tau_adapt"] > data["n_cues"] * (data["cue_steps"] + data["gap_steps"]) + data["delay"]


def test_pattern_file_holds_lif_neurons_and_a_readout_of_every_step():
    config = load_config(CONFIGS / "eprop_pattern.toml")
    by_label = {s.label: s for s in config.specs if s.seed == 0}
    assert set(by_label) == {"eprop", "eprop_random", "bptt", "readout_only"}
    model = by_label["eprop"].model
    assert (model["cell"], model["readout"], model["neuron"]["adaptive"]) == ("alif", "every_step", 0.0)
    assert by_label["eprop"].data["name"] == "pattern" and by_label["eprop"].batch_size == 1


def test_both_files_run_under_the_runner(tmp_path):
    shrink = {"eprop_evidence.toml": {"n_samples": 40, "n_cues": 3, "delay": 4, "cue_steps": 2, "gap_steps": 1},
              "eprop_pattern.toml": {"n_samples": 5, "steps": 20}}
    for name, data in shrink.items():
        raw = tomllib.loads((CONFIGS / name).read_text())
        raw["experiment"].update(epochs=1, seeds=[0])
        raw["data"].update(data)
        raw["model"]["hidden"] = [8]
        run_experiment(parse_config(raw), tmp_path, quiet=True)
        results = load_results(tmp_path / raw["experiment"]["name"])
        summary = results.summary
        assert set(summary["status"]) == {"complete"}, summary[["label", "reason"]]
        assert {"eprop", "eprop_random", "bptt", "readout_only"} <= set(summary["label"])
        assert summary["test_loss"].notna().all()
