"""Graphs of layers against finite differences (float64): the merge, attention, embedding and
token layers one by one (< 1e-7), whole graphs through the one backward sweep (< 1e-6), and feedback
alignment with feedback = W equal to backprop on a residual CNN and a transformer block (1e-12)."""

import numpy as np
import pytest
from gradcheck import central_differences, numeric_gradient, randomise_offsets, relative_error

from learning_rules import Network
from learning_rules.layers.attention import SelfAttention
from learning_rules.layers.dense import Dense
from learning_rules.layers.normalization import LayerNorm
from learning_rules.layers.positions import Positions
from learning_rules.layers.embedding import Embedding
from learning_rules.layers.merge import Add, Concat
from learning_rules.params import aligned_leaves
from learning_rules.rules.backprop import Backprop
from learning_rules.rules.feedback_alignment import FeedbackAlignment


def rel(a, b):
    return float(np.linalg.norm(a - b) / np.linalg.norm(b))


def merge_input_errors(layer, shapes, seed=0):
    """Analytic and numeric dL/dx_j for L = sum(out * R), per input j."""
    rng = np.random.default_rng(seed)
    xs = [rng.normal(size=(3, *s)) for s in shapes]
    out, cache = layer.forward(xs)
    R = rng.normal(size=out.shape)
    analytic = layer.backward_input(cache, R)
    numeric = [central_differences(lambda: float((layer.forward(xs)[0] * R).sum()), x) for x in xs]
    return analytic, numeric


@pytest.mark.parametrize("make, shapes", [
    (lambda s: Add(s), [(4, 3), (4, 3)]),
    (lambda s: Add(s), [(5,), (5,), (5,)]),
    (lambda s: Concat(s), [(4, 3), (4, 2)]),
    (lambda s: SelfAttention(s, heads=2), [(5, 4)] * 3),
    (lambda s: SelfAttention(s, heads=1), [(3, 6)] * 3),
])
def test_merge_layers_input_errors_equal_finite_differences(make, shapes):
    analytic, numeric = merge_input_errors(make(shapes), shapes)
    assert len(analytic) == len(shapes)
    for a, n in zip(analytic, numeric):
        assert a.shape == n.shape and rel(a, n) < 1e-7


def test_attention_jvp_is_the_transpose_of_its_backward():
    rng = np.random.default_rng(1)
    layer = SelfAttention([(5, 4)] * 3, heads=2)
    xs = [rng.normal(size=(3, 5, 4)) for _ in range(3)]
    _, cache = layer.forward(xs)
    ts, g = [rng.normal(size=x.shape) for x in xs], rng.normal(size=(3, 5, 4))
    left = float((layer.jvp(cache, ts) * g).sum())
    right = sum(float((t * e).sum()) for t, e in zip(ts, layer.backward_input(cache, g)))
    assert abs(left - right) < 1e-10 * abs(right)


def test_embedding_gradients_equal_finite_differences():
    rng = np.random.default_rng(2)
    layer = Embedding(6, 5, 4, rng, dtype=np.float64)
    ids = rng.integers(0, 5, size=(7, 6)).astype(np.float64)
    out, cache = layer.forward(ids)
    R = rng.normal(size=out.shape)
    grads = layer.backward_params(cache, R)
    for name, p in layer.params.items():
        numeric = central_differences(lambda: float((layer.forward(ids)[0] * R).sum()), p)
        assert rel(grads[name], numeric) < 1e-7, name
    assert not layer.backward_input(cache, R).any()
    with pytest.raises(ValueError, match=r"token ids must lie in \[0, 5\)"):
        layer.forward(np.full((1, 6), 5.0))


RESIDUAL_MLP = [{"type": "dense", "units": 6, "activation": "tanh"},
                {"type": "residual", "layers": [{"type": "dense", "units": 6, "activation": "tanh"},
                                                {"type": "dense", "units": 6}]},
                "tanh"]
MIXED = [{"type": "dense", "units": 5, "activation": "tanh", "name": "a"},
         {"type": "dense", "units": 4, "activation": "sigmoid", "name": "b", "from": "a"},
         {"type": "dense", "units": 3, "name": "c", "from": "input"},
         {"type": "concat", "from": ["b", "c"], "name": "j"},
         {"type": "dense", "units": 7, "name": "d"},
         {"type": "dense", "units": 7, "activation": "tanh", "name": "e", "from": "a"},
         {"type": "add", "from": ["d", "e"]},
         {"type": "layernorm"}]
RESIDUAL_CNN = [{"type": "conv1d", "channels": 3, "kernel": 3, "padding": 1, "activation": "tanh"},
                {"type": "residual", "layers": [
                    {"type": "conv1d", "channels": 3, "kernel": 3, "padding": 1, "activation": "tanh"},
                    {"type": "conv1d", "channels": 3, "kernel": 3, "padding": 1}]},
                {"type": "maxpool1d", "kernel": 2},
                {"type": "residual", "layers": [
                    {"type": "conv1d", "channels": 3, "kernel": 3, "padding": 1, "activation": "tanh"},
                    {"type": "conv1d", "channels": 3, "kernel": 3, "padding": 1}]},
                "tanh"]
TRANSFORMER = [{"type": "dense", "units": 8, "per_token": True}, {"type": "positions", "scale": 0.5},
               {"type": "attention_block", "heads": 2, "mlp": 12},
               {"type": "avgpool1d", "kernel": 6}]
TOKENS = [{"type": "embedding", "vocab": 5, "dim": 8},
          {"type": "attention_block", "heads": 2, "mlp": 12},
          {"type": "layernorm", "per_token": True}]

GRAPHS = {
    "residual_mlp": (RESIDUAL_MLP, (5,)),
    "mixed": (MIXED, (5,)),
    "residual_cnn": (RESIDUAL_CNN, (1, 8)),
    "transformer": (TRANSFORMER, (1, 6)),
    "tokens": (TOKENS, (6,)),
}


def graph_problem(name, seed=0):
    specs, shape = GRAPHS[name]
    net = Network([int(np.prod(shape)), 3], np.random.default_rng(seed), layers=specs, input_shape=shape,
                  dtype="float64")
    randomise_offsets(net, np.random.default_rng(seed + 1))
    rng = np.random.default_rng(seed + 2)
    x = rng.integers(0, 5, size=(4, 6)).astype(float) if name == "tokens" else rng.normal(size=(4, int(np.prod(shape))))
    return net, x, rng.integers(0, 3, size=4)


@pytest.mark.parametrize("name", list(GRAPHS))
def test_backprop_on_graphs_equals_finite_differences(name):
    net, x, y = graph_problem(name)
    assert not net.is_chain
    rule = Backprop()
    rule.init(net, np.random.default_rng(0))
    grads = rule.compute_gradients(net, x, y)[1]
    assert relative_error(net, grads, numeric_gradient(net, x, y, "cross_entropy")) < 1e-6


def test_the_order_of_an_adds_inputs_does_not_matter():
    """The skip's and the branch's errors are summed at the node both read, whichever comes first."""
    net, x, y = graph_problem("residual_mlp")
    rule = Backprop()
    rule.init(net, np.random.default_rng(0))
    exact = relative_error(net, rule.compute_gradients(net, x, y)[1], numeric_gradient(net, x, y, "cross_entropy"))
    add = next(i for i, layer in enumerate(net.layers) if layer.kind == "add")
    net.inputs[add] = net.inputs[add][1:] + net.inputs[add][:1]  # same forward; the sweep must not care
    assert relative_error(net, rule.compute_gradients(net, x, y)[1],
                          numeric_gradient(net, x, y, "cross_entropy")) < 1e-6 and exact < 1e-6


@pytest.mark.parametrize("name", ["residual_cnn", "transformer", "tokens"])
def test_feedback_alignment_with_feedback_equal_to_the_weights_is_backprop(name):
    net, x, y = graph_problem(name)
    bp, fa = Backprop(), FeedbackAlignment()
    bp.init(net, np.random.default_rng(0))
    fa.init(net, np.random.default_rng(0))
    exact = aligned_leaves(net.params, bp.compute_gradients(net, x, y)[1])
    assert not np.allclose(aligned_leaves(net.params, fa.compute_gradients(net, x, y)[1])[0], exact[0])
    fa.set_feedback([None] + [net.weight_layer(k).params["W"].copy() for k in range(1, net.depth)])
    for g, h in zip(aligned_leaves(net.params, fa.compute_gradients(net, x, y)[1]), exact):
        np.testing.assert_allclose(g, h, rtol=1e-12, atol=1e-14)


@pytest.mark.parametrize("make", [
    lambda rng: Positions((5, 4), rng, np.float64),
    lambda rng: Dense(4, 3, rng, dtype=np.float64, tokens=(5,)),
    lambda rng: LayerNorm((5, 4), np.float64, per_token=True),
], ids=["positions", "dense_per_token", "layernorm_per_token"])
def test_token_layers_equal_finite_differences(make):
    """Input and parameter gradients of the layers that act on (T, D) tokens, < 1e-7 each."""
    rng = np.random.default_rng(4)
    layer = make(rng)
    for p in layer.params.values():
        p[...] = rng.normal(size=p.shape)
    x = rng.normal(size=(3, 5, 4))
    out, cache = layer.forward(x)
    R = rng.normal(size=out.shape)
    f = lambda: float((layer.forward(x)[0] * R).sum())  # noqa: E731
    assert rel(layer.backward_input(cache, R), central_differences(f, x)) < 1e-7
    grads = layer.backward_params(cache, R)
    for name, p in layer.params.items():
        assert rel(grads[name], central_differences(f, p)) < 1e-7, name
