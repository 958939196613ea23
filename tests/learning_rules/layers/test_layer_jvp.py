"""Every layer's forward mode (``jvp``) against central finite differences of its forward pass
(float64, non-zero offsets, strides and padding), for a tangent of the input, of the parameters,
and of both; and forward mode agrees with the layer's own backward (<R, J t> = <J^T R, t>)."""

import numpy as np
import pytest
from test_layer_gradients import KINDS, make

from learning_rules.layers import Conv1d, Dense


def _rng(seed=0):
    return np.random.default_rng(seed)


def _offsets(layer):
    for name, p in layer.params.items():
        if name in ("b", "beta"):
            p[...] = _rng(3).normal(0, 0.5, p.shape)
        if name == "gamma":
            p[...] = 1.0 + _rng(4).normal(0, 0.3, p.shape)


def _tangents(layer, x, which):
    dx = _rng(11).normal(size=x.shape) if which in ("input", "both") else None
    dparams = ({name: _rng(12 + i).normal(size=p.shape) for i, (name, p) in enumerate(layer.params.items())}
               if which in ("params", "both") else None)
    return dx, dparams


def _finite_difference(layer, x, train, dx, dparams, eps=1e-6):
    """(f(x + eps dx, theta + eps dtheta) - f(x - eps dx, theta - eps dtheta)) / (2 eps), with
    the same dropout mask on both sides."""
    saved = {name: p.copy() for name, p in layer.params.items()}
    outs = []
    for sign in (1.0, -1.0):
        for name, p in layer.params.items():
            p[...] = saved[name] + sign * eps * (dparams[name] if dparams else 0.0)
        xs = x + sign * eps * dx if dx is not None else x
        outs.append(layer.forward(xs, train, _rng(7))[0])
    for name, p in layer.params.items():
        p[...] = saved[name]
    return (outs[0] - outs[1]) / (2 * eps)


def _rel(a, b):
    return np.linalg.norm(a - b) / max(np.linalg.norm(b), 1e-300)


CASES = [(kind, which) for kind in KINDS for which in ("input", "params", "both")
         if which == "input" or make(kind)[0].params]


@pytest.mark.parametrize("train", [False, True])
@pytest.mark.parametrize("kind, which", CASES)
def test_layer_jvp_equals_finite_differences(kind, which, train):
    layer, x = make(kind)
    _offsets(layer)
    out, cache = layer.forward(x, train, _rng(7))
    dx, dparams = _tangents(layer, x, which)
    dout = layer.jvp(cache, dx, dparams)
    assert dout.shape == out.shape
    assert _rel(dout, _finite_difference(layer, x, train, dx, dparams)) < 1e-7


@pytest.mark.parametrize("kind", KINDS)
def test_layer_jvp_is_the_transpose_of_its_backward(kind):
    """<R, J (dx, dtheta)> = <J^T R, (dx, dtheta)>: forward and reverse mode of one layer agree
    to rounding (a far tighter check than finite differences)."""
    layer, x = make(kind)
    _offsets(layer)
    out, cache = layer.forward(x, True, _rng(7))
    dx, dparams = _tangents(layer, x, "both" if layer.params else "input")
    R = _rng(5).normal(size=out.shape)
    forward = float((R * layer.jvp(cache, dx, dparams)).sum())
    reverse = float((layer.backward_input(cache, R) * dx).sum())
    for name, g in layer.backward_params(cache, R).items():
        reverse += float((g * dparams[name]).sum())
    assert forward == pytest.approx(reverse, rel=1e-12, abs=1e-12)


@pytest.mark.parametrize("layer, x", [
    (Dense(5, 4, _rng(1), dtype=np.float64), _rng(2).normal(size=(3, 5))),
    (Conv1d((9, 2), 3, 3, _rng(1), stride=2, padding=1, dtype=np.float64), _rng(2).normal(size=(3, 9, 2))),
], ids=["dense", "conv1d"])
def test_jvp_of_one_parameter_alone(layer, x):
    """A tangent of the bias alone shifts every output by it; of W alone, the output's change
    is the forward pass with W replaced by dW and no bias."""
    _offsets(layer)
    _, cache = layer.forward(x)
    db = _rng(6).normal(size=layer.params["b"].shape)
    np.testing.assert_allclose(layer.jvp(cache, None, {"b": db}), np.broadcast_to(db, layer.jvp(cache, None, {"b": db}).shape))
    dW = _rng(8).normal(size=layer.params["W"].shape)
    twin = layer.copy()
    twin.params["W"][...] = dW
    twin.params["b"][...] = 0.0
    np.testing.assert_allclose(layer.jvp(cache, None, {"W": dW}), twin.forward(x)[0], rtol=1e-13, atol=1e-13)
