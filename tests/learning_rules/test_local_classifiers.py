"""The local-classifier rules: their error signals against an exact oracle (backprop through the
layer's own readout), readout state, side-effect freedom, FLOPs, diagnostics and bad values."""

import copy

import numpy as np
import pytest

from learning_rules import Network, Optimizer
from learning_rules.layers import Dense
from learning_rules.params import leaves
from learning_rules.rules.backprop import Backprop
from learning_rules.rules.local_learned_classifier import LocalLearnedClassifier
from learning_rules.rules.local_random_classifier import LocalRandomClassifier
from learning_rules.testing import separable_problem

RULES = [LocalRandomClassifier, LocalLearnedClassifier]


def _setup(cls, steps=0, **kw):
    x, y = separable_problem(0, dtype=np.float64)
    net = Network([8, 12, 10, 3], np.random.default_rng(0), dtype="float64")
    rule = cls(optimizer=Optimizer(lr=0.01), **kw)
    rule.init(net, np.random.default_rng(1))
    for i in range(steps):
        rule.step(net, x[(32 * i) % 96:][:32], y[(32 * i) % 96:][:32])
    return rule, net, x[:32], y[:32]


@pytest.mark.parametrize("cls", RULES)
def test_hidden_gradient_is_exact_gradient_of_own_readout_loss(cls):
    """Oracle: layer l's gradient equals backprop's on the network [layers 0..l, readout l]."""
    rule, net, x, y = _setup(cls, steps=2)
    _, grads, _, _ = rule.compute_gradients(net, x, y, train=False)
    for k in range(net.depth - 1):
        sub = _with_readout(net, rule, k)
        _, exact, _, _ = Backprop().compute_gradients(sub, x, y, train=False)
        i = net.blocks[k].weight
        for name in ("W", "b"):
            np.testing.assert_allclose(grads[i][name], exact[i][name], rtol=1e-10, atol=1e-12)
    _, exact_top, _, _ = Backprop().compute_gradients(net, x, y, train=False)
    np.testing.assert_allclose(grads[-1]["W"], exact_top[-1]["W"], rtol=1e-10)  # output layer: its own error


def _with_readout(net, rule, k):
    """The network [blocks 0..k, block k's own readout]: whose backprop is block k's local rule."""
    readout = Dense(*rule.readout_W[k].shape, np.random.default_rng(0), dtype=net.dtype)
    readout.params["W"][...], readout.params["b"][...] = rule.readout_W[k], rule.readout_b[k]
    layers = [layer.copy() for layer in net.layers[: net.blocks[k].stop]]
    return Network.from_layers(layers + [readout], net.input_shape)


def test_learned_readout_moves_by_its_own_gradient_and_random_readout_stays():
    rule, net, x, y = _setup(LocalLearnedClassifier, steps=1)
    before = [W.copy() for W in rule.readout_W]
    # the oracle: backprop on [layer 0, readout 0] gives the readout's gradient as its last layer
    sub = _with_readout(net, rule, 0)
    _, exact, _, _ = Backprop().compute_gradients(sub, x, y, train=False)
    twin = copy.deepcopy(rule)
    twin.step(copy.deepcopy(net), x, y)
    assert all(not np.array_equal(a, b) for a, b in zip(twin.readout_W, before))
    readout = leaves(rule.readout_tree)
    expected, _ = rule.optimizer.update([exact[-1]["W"], exact[-1]["b"]] + [np.zeros_like(p) for p in readout[2:]],
                                        copy.deepcopy(rule.readout_opt_state), [p.copy() for p in readout])
    np.testing.assert_allclose(twin.readout_W[0] - before[0], expected[0], rtol=1e-6, atol=1e-12)

    fixed, net2, x2, y2 = _setup(LocalRandomClassifier)
    kept = [W.copy() for W in fixed.readout_W]
    for _ in range(3):
        fixed.step(net2, x2, y2)
    assert all(np.array_equal(a, b) for a, b in zip(fixed.readout_W, kept))


@pytest.mark.parametrize("cls", RULES)
def test_compute_gradients_has_no_side_effects(cls):
    rule, net, x, y = _setup(cls, steps=2)
    state = copy.deepcopy({k: v for k, v in vars(rule).items() if k != "rng"})
    params = [p.copy() for p in leaves(net.params)]
    rule.compute_gradients(net, x, y)
    after = {k: v for k, v in vars(rule).items() if k != "rng"}
    for k, v in state.items():
        if isinstance(v, list):
            assert all(np.array_equal(a, b) for a, b in zip(v, after[k])), k
    if hasattr(rule, "readout_opt_state"):
        assert rule.readout_opt_state.step == state["readout_opt_state"].step
    assert all(np.array_equal(a, b) for a, b in zip(params, leaves(net.params)))


def test_flops_count_the_readouts():
    r, net, x, y = _setup(LocalRandomClassifier)
    lrn, net2, _, _ = _setup(LocalLearnedClassifier)
    f_random, f_learned = r.step(net, x, y)["flops"], lrn.step(net2, x, y)["flops"]
    B, K = 32, 3
    assert f_learned - f_random == sum(2 * B * n * K + B * K for n in (12, 10))
    assert f_random > net.flops(B)


@pytest.mark.parametrize("cls", RULES)
def test_layer_diagnostics_report_each_readout(cls):
    rule, net, x, y = _setup(cls, steps=60)
    diag = rule.layer_diagnostics(net, x, y)
    assert set(diag) == {"readout_accuracy/0", "readout_accuracy/1", "readout_accuracy/2"}
    scores = rule.local_scores(net.block_output(net.forward(x)[1], 1), 1)
    assert diag["readout_accuracy/1"] == np.mean(scores.argmax(1) == y)
    assert diag["readout_accuracy/1"] > 0.9  # the blobs are separable: each layer learned them
    assert rule.layer_diagnostics(net, x, np.zeros((32, 3))) == {}


@pytest.mark.parametrize("cls, key", [(LocalRandomClassifier, "scale"), (LocalLearnedClassifier, "readout_gain")])
@pytest.mark.parametrize("bad", [0.0, -1.0, float("nan"), "big"])
def test_bad_hyperparameters_are_one_line_errors(cls, key, bad):
    with pytest.raises(ValueError, match=rf"{cls.name}: {key} .* not allowed; must be a finite number > 0") as err:
        cls(**{key: bad})
    assert "\n" not in str(err.value)


def test_needs_a_hidden_layer():
    net = Network([8, 3], np.random.default_rng(0))
    with pytest.raises(ValueError, match="at least one hidden layer"):
        LocalRandomClassifier().init(net, np.random.default_rng(0))
