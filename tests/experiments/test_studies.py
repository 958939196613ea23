"""The study figures on tiny experiments, and every shipped experiment file validates."""

from pathlib import Path

import matplotlib
import pytest

matplotlib.use("Agg")

from experiments import load_config, load_results, run_experiment
from experiments.report import figures as F

CONFIGS = sorted((Path(__file__).resolve().parents[2] / "experiments" / "configs").glob("*.toml"))

SWEPT = """
[experiment]
name = "tiny_sweep"
seeds = [0]
epochs = 2
batch_size = 16
[data]
name = "blobs"
n_samples = 200
[model]
hidden = [4]
[diagnostics]
every = 1
[[rules]]
name = "backprop"
[[rules]]
name = "direct_feedback_alignment"
[[rules]]
name = "readout_only"
[sweep]
%s
"""


def run_tiny(tmp_path, sweep):
    path = tmp_path / "exp.toml"
    path.write_text(SWEPT % sweep)
    run_experiment(load_config(path), tmp_path, quiet=True)
    return load_results(tmp_path / "tiny_sweep")


@pytest.mark.parametrize("path", CONFIGS, ids=lambda p: p.name)
def test_every_shipped_config_validates(path):
    config = load_config(path)
    assert config.specs and len({s.run_id for s in config.specs}) == len(config.specs)


def test_depth_figures(tmp_path):
    res = run_tiny(tmp_path, '"model.hidden" = [[4], [4, 4], [4, 4, 4]]\n"model.activation" = ["tanh", "relu"]')
    fig = F.accuracy_vs_depth(res.summary)
    axes = [ax for ax in fig.axes if ax.get_title() in ("relu", "tanh")]
    assert len(axes) == 2
    for ax in axes:
        assert len(ax.containers) == 3  # one error-bar line per rule
        assert all(len(c.lines[0].get_xdata()) == 3 for c in ax.containers)  # three depths
    signals = F.layer_signals(res.metrics, res.summary)
    ax = [a for a in signals.axes if a.get_title() == "tanh"][0]
    # backprop and DFA (the control is left out): init and final lines, 4 layers each (3 hidden + output)
    assert len(ax.lines) == 4 and all(len(line.get_xdata()) == 4 for line in ax.lines)
    assert F.accuracy_vs_depth(res.summary.assign(**{"model.hidden": "[4]"})) is None


def test_sensitivity_figure(tmp_path):
    res = run_tiny(tmp_path, '"optimizer.lr" = [0.001, 0.01]\n"model.init_gain" = [0.5, 1.0, 2.0]')
    fig = F.sensitivity(res.summary)
    images = [ax.images[0] for ax in fig.axes if ax.images]
    assert len(images) == 3 and all(im.get_array().shape == (3, 2) for im in images)
    backprop = [ax for ax in fig.axes if ax.get_title() == "backprop"][0]
    grid = backprop.images[0].get_array()
    s = res.summary[res.summary["label"] == "backprop"]
    expected = s[(s["optimizer.lr"] == 0.01) & (s["model.init_gain"] == 2.0)]["test_accuracy"].item()
    assert grid[2, 1] == pytest.approx(expected)


def test_update_locking_figure(tmp_path):
    res = run_tiny(tmp_path, '"optimizer.lr" = [0.01]')
    fig = F.accuracy_vs_critical_path(res)
    ax = fig.axes[0]
    assert len(ax.collections) == 2 * 3  # a circle and a cross per rule


CONVOLUTION = """
[experiment]
name = "tiny_convolution"
seeds = [0, 1]
epochs = 1
batch_size = 64
[data]
name = "mnist1d"
num_samples = 400
[model]
layers = [{ type = "dense", units = 8, activation = "relu" }]
[diagnostics]
every = 1
[sweep]
"data.shuffle_seq" = [false, true]
"model.layers" = [[{ type = "dense", units = 8, activation = "relu" }],
                  [{ type = "conv1d", channels = 3, kernel = 5, stride = 2, activation = "relu" }]]
[[rules]]
name = "backprop"
[[rules]]
name = "feedback_alignment"
[[rules]]
name = "backprop"
label = "linear"
model = { layers = [] }
"""


def test_convolution_table_pairs_architectures_and_orders(tmp_path):
    from experiments.studies.convolution import architecture, convolution_table

    path = tmp_path / "conv.toml"
    path.write_text(CONVOLUTION)
    run_experiment(load_config(path), tmp_path / "out", quiet=True)
    table = convolution_table(load_results(tmp_path / "out" / "tiny_convolution")).set_index("rule")
    assert {"MLP ordered", "MLP shuffled", "CNN ordered", "CNN shuffled", "CNN gain (points)"} <= set(table.columns)
    assert table.loc["linear", "linear ordered"] and not table.loc["linear", "CNN ordered"]
    assert len(table.loc["feedback_alignment", "CNN final angles (°)"].split(" / ")) == 1  # one hidden block
    assert architecture('[{"type": "conv1d"}]') == "CNN" and architecture([]) == "linear"
