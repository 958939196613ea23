"""Graphs in ``[model] layers``: residual and attention blocks as one spec, named nodes with
``from``, and the one-line errors (a cycle, a merge shape mismatch, a dangling node, an unknown
node) before any run."""

import pytest

from experiments.config import load_config
from experiments.errors import ConfigError

BASE = """
[experiment]
name = "graph"
seeds = [0]
epochs = 1
batch_size = 32

[data]
name = "mnist1d"

[model]
layers = {layers}

[[rules]]
name = "{rule}"
"""


def config(tmp_path, layers, rule="backprop"):
    path = tmp_path / "graph.toml"
    path.write_text(BASE.format(layers=layers, rule=rule))
    return load_config(path)


def test_a_residual_mlp_and_a_transformer_are_graphs(tmp_path):
    from learning_rules.networks import make_network

    for layers in ('[{ type = "dense", units = 16, activation = "relu" }, '
                   '{ type = "residual", layers = [{ type = "dense", units = 16, activation = "relu" }] }]',
                   '[{ type = "dense", units = 8, per_token = true }, { type = "attention_block", heads = 2, mlp = 16 },'
                   ' { type = "avgpool1d", kernel = 40 }]'):
        spec = config(tmp_path, layers).specs[0]
        options = {k: v for k, v in spec.model.items() if k not in ("kind", "hidden", "loss")}
        import numpy as np

        net = make_network("rate", [40, 10], np.random.default_rng(0), input_shape=(1, 40), **options)
        assert net.capabilities.supports("graph")


@pytest.mark.parametrize("layers, message", [
    ('[{ type = "dense", units = 8, name = "a", from = "b" }, { type = "dense", units = 8, name = "b", from = "a" }]',
     "model.layers[0]: a cycle through 'a' -> 'b'"),
    ('[{ type = "dense", units = 8, name = "a" }, { type = "dense", units = 6, name = "b" }, { type = "add", from = ["a", "b"] }]',
     "model.layers[2] (add) from a, b: inputs of shapes (8,) and (6,) cannot be added"),
    ('[{ type = "dense", units = 8, name = "a" }, { type = "dense", units = 6, name = "side", from = "input" }, '
     '{ type = "dense", units = 4, from = "a" }]',
     "model.layers[1] ('side'): its output is read by no node (dangling)"),
    ('[{ type = "dense", units = 8, from = "nope" }]', "model.layers[0].from: no node named 'nope'"),
    ('[{ type = "dense", units = 16, per_token = true }, { type = "attention_block", heads = 3, mlp = 32 }]',
     "model.layers[1] (attention): heads = 3 not allowed; must be an integer >= 1 dividing the width 16"),
    ('[{ type = "residual", layers = [{ type = "dense", units = 7 }] }]',
     "model.layers[0] (add) from input, layers[0].layers[0]: inputs of shapes (40, 1) and (7,) cannot be added"),
])
def test_bad_graphs_are_one_line_errors_before_any_run(tmp_path, layers, message):
    with pytest.raises(ConfigError) as err:
        config(tmp_path, layers)
    assert str(err.value).startswith(message) and "\n" not in str(err.value)


def test_a_rule_that_needs_a_chain_refuses_a_graph_before_any_run(tmp_path):
    layers = ('[{ type = "dense", units = 16, activation = "relu" }, '
              '{ type = "residual", layers = [{ type = "dense", units = 16, activation = "relu" }] }]')
    with pytest.raises(ConfigError, match="node_perturbation: needs a network that supports 'chain' rules"):
        config(tmp_path, layers, rule="node_perturbation")
