"""[model] layers: a convolutional experiment runs end to end through the CLI, every rule of a
layered network trains it, bad stacks are one-line errors before any run, and experiments
without a stack keep their run ids."""

import textwrap

import pytest

from experiments import load_results
from experiments.cli import main
from experiments.config import load_config

CNN = """
[experiment]
name = "cnn"
seeds = [0]
epochs = 2
batch_size = 32

[data]
name = "digits"

[model]
layers = [
  { type = "conv2d", channels = 4, kernel = 3, padding = 1, activation = "relu" },
  { type = "maxpool2d", kernel = 2 },
  { type = "conv2d", channels = 6, kernel = 3, activation = "relu" },
]

[optimizer]
name = "adam"
lr = 0.01

[diagnostics]
every = 1
"""

RULES = ["backprop", "readout_only", "feedback_alignment", "direct_feedback_alignment", "sign_symmetry",
         "kolen_pollack", "local_random_classifier", "local_learned_classifier"]


def test_every_rule_trains_a_convolutional_network_from_the_experiment_file(tmp_path):
    text = CNN + "".join(f'\n[[rules]]\nname = "{r}"\n' for r in RULES)
    text += '\n[[rules]]\nname = "forward_forward"\nmodel = { kind = "forward_forward" }\nepochs = 1\n'
    text += '\n[[rules]]\nname = "evolution_strategy"\npopulation_size = 8\nepochs = 1\nbatch_size = 256\n'
    path = tmp_path / "cnn.toml"
    path.write_text(text)
    assert main(["run", str(path), "--out", str(tmp_path / "out"), "--quiet", "--no-report", "--workers", "1"]) == 0
    res = load_results(tmp_path / "out" / "cnn")
    assert set(res.summary["status"]) == {"complete"}
    acc = res.summary.set_index("label")["test_accuracy"]
    assert acc["backprop"] > 0.5  # 2 epochs on 8x8 digits, chance 0.1
    m = res.metrics
    angles = m[(m["metric"] == "update_angle") & (m["label"] == "feedback_alignment")]
    assert set(angles["layer"].dropna().astype(int)) == {0, 1}  # both convolutions' kernels


@pytest.mark.parametrize("stack, needle", [
    ('[{ type = "conv3d", channels = 4, kernel = 3 }]', "model.layers[0]: unknown layer type 'conv3d' (did you mean 'conv2d'?); allowed:"),
    ('[{ type = "conv2d", channels = 4, kernel = 9 }]', "model.layers[0] (conv2d) on input 8 x 8 x 1 channels: "
                                                        "kernel 9 is larger than its padded input"),
    ('[{ type = "conv1d", channels = 4, kernel = 3 }]', "model.layers[0] (conv1d) on input 8 x 8 x 1 channels: "
                                                        "needs an input of 1 spatial axes"),
    ('["flatten", { type = "conv2d", channels = 4, kernel = 3 }]', "model.layers[1] (conv2d) on input 64 units"),
    ('[{ type = "conv2d", channels = 4 }]', "model.layers[0] (conv2d): missing key 'kernel'"),
    ('[{ type = "maxpool2d", kernel = 2, size = 3 }]', "model.layers[0] (maxpool2d): unknown key 'size'"),
    ('[{ type = "dense", units = 8, activation = "swish" }]', "unknown activation 'swish'"),
])
def test_bad_layer_stacks_are_one_line_errors_before_any_run(tmp_path, capsys, stack, needle):
    text = CNN.replace(CNN[CNN.index("layers = ["):CNN.index("]\n\n[optimizer]") + 1], f"layers = {stack}")
    path = tmp_path / "bad.toml"
    path.write_text(text + '\n[[rules]]\nname = "backprop"\n')
    out = tmp_path / "out"
    assert main(["run", str(path), "--out", str(out)]) == 2
    err = capsys.readouterr().err.strip()
    assert err.startswith("error: ") and needle in err and "\n" not in err and "Traceback" not in err
    assert not out.exists()


def test_hidden_and_layers_together_is_an_error(tmp_path, capsys):
    path = tmp_path / "both.toml"
    path.write_text(CNN.replace("[model]\n", "[model]\nhidden = [8]\n") + '\n[[rules]]\nname = "backprop"\n')
    assert main(["run", str(path), "--out", str(tmp_path / "out")]) == 2
    assert "give hidden (dense layers) or layers (any stack), not both" in capsys.readouterr().err


def test_runs_without_a_stack_keep_their_spec_and_run_ids(tmp_path):
    """A dense experiment's model table has no `layers` key, so its run ids are what they were
    before layer stacks existed."""
    path = tmp_path / "dense.toml"
    path.write_text(textwrap.dedent("""
        [experiment]
        name = "dense"
        seeds = [0]
        [data]
        name = "mnist1d"
        [model]
        hidden = [256, 256]
        activation = "tanh"
        [[rules]]
        name = "backprop"
    """))
    spec = load_config(path).specs[0]
    assert "layers" not in spec.model and spec.model["hidden"] == [256, 256]
    assert spec.run_id == "backprop-s0-e7b820611d"  # the id this spec had before layers owned their backward


def test_bundled_lenet5_builds_the_classic_network_on_28x28_images():
    """LeNet-5 from its experiment file: 61,706 parameters on MNIST's (1, 28, 28), and one
    step of every rule in the file runs on it (images drawn at random: the
    test does not download MNIST)."""
    import numpy as np

    from experiments.runs.worker import build_network
    from learning_rules import get_rule

    config = load_config("experiments/configs/lenet5.toml")
    spec = config.specs[0]

    class Images:  # what build_network reads of a dataset
        n_features, n_outputs, shape = 784, 10, (1, 28, 28)

    rng = np.random.default_rng(0)
    net = build_network(spec.model, Images, rng)
    assert sum(p.size for layer in net.params for p in layer.values()) == 61_706
    x = rng.standard_normal((8, 784)).astype(np.float32)
    y = rng.integers(0, 10, 8)
    assert net.forward(x, train=False, rng=rng)[0].shape == (8, 10)
    for rule_spec in {s.rule for s in config.specs}:
        rule = get_rule(rule_spec)()
        rule.init(net, np.random.default_rng(1))
        before = [p.copy() for layer in net.params for p in layer.values()]
        rule.step(net, x, y)
        assert any(not np.array_equal(a, p) for a, p in zip(before, (p for layer in net.params for p in layer.values())))
