"""experiments/configs/reproduce_rflo.toml: Murray (2019)'s network and task, and it runs end
to end under the runner (shrunk)."""

from pathlib import Path

import tomllib

from experiments import load_config, load_results, run_experiment
from experiments.config.load import parse_config

CONFIG = Path(__file__).resolve().parents[3] / "experiments" / "configs" / "reproduce_rflo.toml"


def test_file_holds_the_papers_network_and_every_step_readout():
    config = load_config(CONFIG)
    by_label = {s.label: s for s in config.specs if s.seed == 0}
    assert set(by_label) == {"rflo", "eprop", "bptt", "readout_only", "readout_only_adam"} and len({s.seed for s in config.specs}) == 3
    model, data = by_label["rflo"].model, by_label["rflo"].data
    assert (model["cell"], model["hidden"], model["leak"], model["readout"]) == ("elman", [30], 0.1, "every_step")
    assert data["name"] == "trajectory" and data["steps"] == 200  # T = 20 tau, tau = 1 / leak
    assert by_label["rflo"].hyperparameters["error_window"] == 1.0 and by_label["rflo"].batch_size == 1


def test_file_runs_under_the_runner(tmp_path):
    raw = tomllib.loads(CONFIG.read_text())
    raw["experiment"].update(epochs=2, seeds=[0])
    raw["data"].update(n_samples=5, steps=20, pulse_steps=2)
    raw["model"]["hidden"] = [6]
    run_experiment(parse_config(raw), tmp_path, quiet=True)
    summary = load_results(tmp_path / raw["experiment"]["name"]).summary
    assert set(summary["status"]) == {"complete"}, summary[["label", "reason"]]
    assert set(summary["label"]) == {"rflo", "eprop", "bptt", "readout_only", "readout_only_adam"} and summary["test_loss"].notna().all()
