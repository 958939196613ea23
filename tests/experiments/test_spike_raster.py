"""A spiking run stores the spikes of one fixed test sample (spikes.csv), and the report draws them."""

import numpy as np
import pandas as pd

from experiments import load_results
from experiments.cli import main
from experiments.runs.raster import sample_spikes
from learning_rules.spiking.network import SpikingNetwork

EXPERIMENT = """
[experiment]
name = "sp"
seeds = [0]
epochs = 1
batch_size = 32

[data]
name = "digits"

[model]
hidden = [16, 12]

[[rules]]
name = "spiking_surrogate"
model = { steps = 8 }

[[rules]]
name = "backprop"
"""


def test_sample_spikes_are_the_forward_pass_spikes_of_the_first_test_sample():
    rng = np.random.default_rng(0)
    net = SpikingNetwork([5, 7, 3], np.random.default_rng(1), steps=6, init_gain=3.0)
    x = rng.standard_normal((4, 5)).astype(np.float32)
    got = sample_spikes(net, x)
    want = net.forward(x[:1], train=False)[1].extra["spikes"][0][:, 0, :]  # (T, n) of the one LIF layer
    raster = np.zeros((6, 7), dtype=bool)
    for layer, neuron, step in got["events"]:
        assert layer == 0
        raster[step, neuron] = True
    np.testing.assert_array_equal(raster, want > 0)
    assert got["steps"] == 6 and got["neurons"] == [7] and got["sample"] == 0 and want.any()


def test_a_spiking_run_writes_spikes_csv_and_the_report_draws_its_raster(tmp_path):
    (tmp_path / "sp.toml").write_text(EXPERIMENT)
    assert main(["run", str(tmp_path / "sp.toml"), "--out", str(tmp_path), "--quiet", "--workers", "1"]) == 0
    res = load_results(tmp_path / "sp")
    runs = {r["spec"]["label"]: (tmp_path / "sp" / "runs" / run_id) for run_id, r in res.runs.items()}
    assert not (runs["backprop"] / "spikes.csv").exists()
    spikes = pd.read_csv(runs["spiking_surrogate"] / "spikes.csv")
    meta = res.runs[runs["spiking_surrogate"].name]
    assert list(spikes.columns) == ["layer", "neuron", "step"] and len(spikes) > 0
    assert meta["spikes"]["steps"] == 8 and meta["spikes"]["neurons"] == [16, 12]
    assert spikes["step"].between(0, 7).all() and set(spikes["layer"]) <= {0, 1}
    assert "spikes.csv" in meta["files"]  # verified like metrics.csv
    assert (tmp_path / "sp" / "figures" / "spike_raster.png").is_file()
