"""Backprop's gradients against central finite differences (float64), every activation x loss x depth."""

import numpy as np
import pytest

from learning_rules import Network, get_loss
from learning_rules.rules.backprop import Backprop


def numeric_gradient(net, x, y, loss_name, eps=1e-6):
    loss_fn = get_loss(loss_name)
    grads = []
    for p in net.params:
        g = np.zeros_like(p)
        it = np.nditer(p, flags=["multi_index"])
        for _ in it:
            i = it.multi_index
            old = p[i]
            p[i] = old + eps
            up = loss_fn(net.predict(x), y)[0]
            p[i] = old - eps
            down = loss_fn(net.predict(x), y)[0]
            p[i] = old
            g[i] = (up - down) / (2 * eps)
        grads.append(g)
    return grads


def away_from_kinks(net, x, margin=1e-3):
    """True when no hidden pre-activation is within ``margin`` of relu's kink at 0."""
    _, trace = net.forward(x)
    return all(np.abs(t.pre).min() > margin for t in trace.layers[:-1])


@pytest.mark.parametrize("depth", [1, 2, 3, 4])
@pytest.mark.parametrize("loss", ["cross_entropy", "mse"])
@pytest.mark.parametrize("activation", ["tanh", "sigmoid", "relu", "leaky_relu", "linear"])
def test_backprop_equals_finite_differences(activation, loss, depth):
    rng = np.random.default_rng(depth)
    sizes = [5] + [6] * (depth - 1) + [3]
    for attempt in range(20):
        net = Network(sizes, np.random.default_rng(attempt), activation=activation, dtype="float64")
        x = rng.normal(size=(7, 5))
        if away_from_kinks(net, x):
            break
    y = rng.integers(0, 3, size=7)
    rule = Backprop(loss=loss)
    rule.init(net, np.random.default_rng(0))
    _, grads, _, _ = rule.compute_gradients(net, x, y)
    analytic = np.concatenate([g.ravel() for g in grads])
    numeric = np.concatenate([g.ravel() for g in numeric_gradient(net, x, y, loss)])
    rel = np.linalg.norm(analytic - numeric) / np.linalg.norm(numeric)
    assert rel < 1e-6, rel


def test_sigmoid_output_activation_gradient():
    """A non-linear output layer is differentiated too (output error times f'(a_L))."""
    net = Network([4, 5, 2], np.random.default_rng(0), output_activation="sigmoid", dtype="float64")
    rng = np.random.default_rng(1)
    x, y = rng.normal(size=(6, 4)), rng.random((6, 2))
    rule = Backprop(loss="mse")
    rule.init(net, np.random.default_rng(0))
    _, grads, _, _ = rule.compute_gradients(net, x, y)
    numeric = numeric_gradient(net, x, y, "mse")
    for g, n in zip(grads, numeric):
        np.testing.assert_allclose(g, n, rtol=1e-5, atol=1e-9)
