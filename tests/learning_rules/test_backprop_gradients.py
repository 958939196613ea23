"""Backprop's gradients against central finite differences (float64), every activation x loss x
depth, with non-zero biases; and trained (not only initial) weights."""

import numpy as np
import pytest
from gradcheck import numeric_gradient, randomise_offsets, relative_error

from learning_rules import Network, Optimizer
from learning_rules.rules.backprop import Backprop


def away_from_kinks(net, x, margin=1e-3):
    """True when no hidden pre-activation is within ``margin`` of relu's kink at 0."""
    _, trace = net.forward(x)
    return all(np.abs(trace.outputs[b.weight]).min() > margin for b in net.blocks[:-1])


@pytest.mark.parametrize("depth", [1, 2, 3, 4])
@pytest.mark.parametrize("loss", ["cross_entropy", "mse"])
@pytest.mark.parametrize("activation", ["tanh", "sigmoid", "relu", "leaky_relu", "linear"])
def test_backprop_equals_finite_differences(activation, loss, depth):
    rng = np.random.default_rng(depth)
    sizes = [5] + [6] * (depth - 1) + [3]
    x = rng.normal(size=(7, 5))
    for attempt in range(20):
        net = Network(sizes, np.random.default_rng(attempt), activation=activation, dtype="float64")
        randomise_offsets(net, np.random.default_rng(attempt))
        if away_from_kinks(net, x):
            break
    y = rng.integers(0, 3, size=7)
    rule = Backprop(loss=loss)
    rule.init(net, np.random.default_rng(0))
    _, grads, _, _ = rule.compute_gradients(net, x, y)
    assert relative_error(net, grads, numeric_gradient(net, x, y, loss)) < 1e-6


def test_trained_weights_still_match():
    """After 20 Adam steps (weights and biases far from their initial values) the gradient is exact."""
    rng = np.random.default_rng(3)
    net = Network([5, 7, 6, 3], np.random.default_rng(0), dtype="float64")
    x, y = rng.normal(size=(16, 5)), rng.integers(0, 3, 16)
    rule = Backprop(optimizer=Optimizer(lr=0.05))
    rule.init(net, np.random.default_rng(0))
    for _ in range(20):
        rule.step(net, x, y)
    assert np.abs(net.layers[0].params["b"]).max() > 0.1
    _, grads, _, _ = rule.compute_gradients(net, x[:7], y[:7])
    assert relative_error(net, grads, numeric_gradient(net, x[:7], y[:7], "cross_entropy")) < 1e-6


def test_sigmoid_output_activation_gradient():
    """A non-linear output layer is differentiated too (output error times f'(a_L))."""
    net = Network([4, 5, 2], np.random.default_rng(0), output_activation="sigmoid", dtype="float64")
    randomise_offsets(net, np.random.default_rng(1))
    rng = np.random.default_rng(1)
    x, y = rng.normal(size=(6, 4)), rng.random((6, 2))
    rule = Backprop(loss="mse")
    rule.init(net, np.random.default_rng(0))
    _, grads, _, _ = rule.compute_gradients(net, x, y)
    assert relative_error(net, grads, numeric_gradient(net, x, y, "mse")) < 1e-6


def test_dropping_the_bias_breaks_the_oracle():
    """The oracle sees biases: a forward pass that ignored b would not match (non-zero b)."""
    net = Network([4, 5, 3], np.random.default_rng(0), dtype="float64")
    randomise_offsets(net, np.random.default_rng(2))
    rng = np.random.default_rng(1)
    x, y = rng.normal(size=(6, 4)), rng.integers(0, 3, 6)
    rule = Backprop()
    rule.init(net, np.random.default_rng(0))
    _, grads, _, _ = rule.compute_gradients(net, x, y)
    numeric = numeric_gradient(net, x, y, "cross_entropy")
    zero_b = Network([4, 5, 3], np.random.default_rng(0), dtype="float64")  # the same W, b = 0
    _, wrong, _, _ = rule.compute_gradients(zero_b, x, y)
    assert relative_error(net, grads, numeric) < 1e-6
    assert relative_error(net, wrong, numeric) > 1e-3
