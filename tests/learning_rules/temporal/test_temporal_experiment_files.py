"""experiments/configs/recurrence.toml and delay.toml: valid, the paper's GRU and protocol, the
delay sweep, and both run end to end under the runner (shrunk)."""

from pathlib import Path

import tomllib

from experiments import load_config, load_results, run_experiment
from experiments.config.load import parse_config

CONFIGS = Path(__file__).resolve().parents[3] / "experiments" / "configs"


def test_recurrence_file_holds_the_papers_gru_and_protocol():
    config = load_config(CONFIGS / "recurrence.toml")
    by_label = {s.label: s for s in config.specs if s.seed == 0}
    gru = by_label["gru_bptt"]
    assert (gru.model["cell"], gru.model["bidirectional"], gru.model["hidden"], gru.model["readout"]) == \
        ("gru", True, [6], "flatten")
    assert (gru.optimizer["name"], gru.optimizer["lr"], gru.batch_size, gru.epochs) == ("adam", 0.01, 100, 200)
    assert gru.data["name"] == "sequential_mnist1d" and len({s.seed for s in config.specs}) == 3
    assert {"elman_bptt", "elman_tbptt_5", "elman_eprop", "elman_rflo", "elman_random_recurrence"} <= set(by_label)
    assert all(not by_label[k].model["bidirectional"] for k in by_label if k.startswith("elman"))


def test_delay_file_sweeps_at_least_four_delays_beyond_the_truncation_window():
    config = load_config(CONFIGS / "delay.toml")
    delays = sorted({s.data["delay"] for s in config.specs})
    windows = {s.hyperparameters["truncation"] for s in config.specs if "truncation" in s.hyperparameters}
    assert len(delays) >= 4 and windows and max(windows) < min(delays)
    assert {s.model["readout"] for s in config.specs} == {"last"}


def test_both_files_run_under_the_runner(tmp_path):
    for name, shrink in (("delay.toml", {"sweep": {"data.delay": [2, 3]}}), ("recurrence.toml", {})):
        raw = tomllib.loads((CONFIGS / name).read_text())
        raw["experiment"].update(epochs=1, seeds=[0])
        raw["rules"] = [{k: v for k, v in r.items() if k != "epochs"} for r in raw["rules"]]
        raw["data"]["n_samples" if name == "delay.toml" else "num_samples"] = 200
        raw["diagnostics"] = {"every": 1}
        raw.update(shrink)
        run_experiment(parse_config(raw), tmp_path, quiet=True)
        results = load_results(tmp_path / raw["experiment"]["name"])
        assert set(results.summary["status"]) == {"complete"}, results.summary[["label", "reason"]]
    m = results.metrics
    angles = m[(m["label"] == "elman_eprop") & (m["metric"] == "recurrent_angle")]
    assert len(angles) and angles["value"].between(0, 180).all()
