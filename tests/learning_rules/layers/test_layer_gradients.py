"""Every layer's own backward against central finite differences (float64), with non-zero biases,
strides and padding; a feedback tensor of W's shape is carried exactly like W; and mixed stacks
(conv, pool, norm, dense) through backprop."""

import numpy as np
import pytest
from gradcheck import central_differences as _numeric
from gradcheck import numeric_gradient, randomise_offsets, relative_error

from learning_rules import Network
from learning_rules.layers import (Activation, AvgPool1d, AvgPool2d, BatchNorm, Conv1d, Conv2d, Dense, Dropout,
                                   Flatten, LayerNorm, MaxPool1d, MaxPool2d)
from learning_rules.rules.backprop import Backprop

F64 = np.float64


def _rng(seed=0):
    return np.random.default_rng(seed)


def make(kind):
    """(layer, input batch) for one layer type, with awkward sizes, strides and padding."""
    r = _rng(1)
    if kind == "dense":
        return Dense(5, 4, r, dtype=F64), r.normal(size=(6, 5))
    if kind == "conv1d":
        return Conv1d((11, 3), 4, 3, r, stride=2, padding=1, dtype=F64), r.normal(size=(5, 11, 3))
    if kind == "conv1d_wide":
        return Conv1d((9, 2), 3, 5, r, stride=1, padding=2, dtype=F64), r.normal(size=(4, 9, 2))
    if kind == "conv2d":
        return Conv2d((7, 6, 2), 3, (3, 2), r, stride=(2, 1), padding=1, dtype=F64), r.normal(size=(3, 7, 6, 2))
    if kind == "maxpool1d":
        return MaxPool1d((9, 3), 3, 2), r.normal(size=(4, 9, 3))
    if kind == "maxpool2d":
        return MaxPool2d((6, 6, 2), 2), r.normal(size=(3, 6, 6, 2))
    if kind == "avgpool1d":
        return AvgPool1d((8, 2), 3, 2), r.normal(size=(4, 8, 2))
    if kind == "avgpool2d":
        return AvgPool2d((5, 5, 2), 2, 1), r.normal(size=(3, 5, 5, 2))
    if kind == "batchnorm":
        return BatchNorm((6, 3), dtype=F64), r.normal(size=(5, 6, 3))
    if kind == "batchnorm_dense":
        return BatchNorm((4,), dtype=F64), r.normal(size=(7, 4))
    if kind == "layernorm":
        return LayerNorm((5, 3), dtype=F64), r.normal(size=(4, 5, 3))
    if kind == "tanh":
        return Activation("tanh", (6,)), r.normal(size=(4, 6))
    if kind == "sigmoid":
        return Activation("sigmoid", (3, 2)), r.normal(size=(4, 3, 2))
    if kind == "dropout":
        return Dropout(0.4, (6,)), r.normal(size=(5, 6))
    if kind == "flatten":
        return Flatten((3, 4)), r.normal(size=(2, 3, 4))
    raise KeyError(kind)


KINDS = ["dense", "conv1d", "conv1d_wide", "conv2d", "maxpool1d", "maxpool2d", "avgpool1d", "avgpool2d",
         "batchnorm", "batchnorm_dense", "layernorm", "tanh", "sigmoid", "dropout", "flatten"]


def _scalar(layer, x, R, train):
    out, _ = layer.forward(x, train, _rng(7))
    return float((out * R).sum())


def _rel(a, b):
    return np.linalg.norm(a - b) / max(np.linalg.norm(b), 1e-300)


@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize("train", [False, True])
def test_layer_backward_equals_finite_differences(kind, train):
    layer, x = make(kind)
    for name, p in layer.params.items():  # non-zero offsets
        if name in ("b", "beta"):
            p[...] = _rng(3).normal(0, 0.5, p.shape)
        if name == "gamma":
            p[...] = 1.0 + _rng(4).normal(0, 0.3, p.shape)
    out, cache = layer.forward(x, train, _rng(7))
    assert out.shape == (x.shape[0], *layer.output_shape)
    R = _rng(5).normal(size=out.shape)
    dx = layer.backward_input(cache, R)
    grads = layer.backward_params(cache, R)
    assert set(grads) == set(layer.params)
    assert _rel(dx, _numeric(lambda: _scalar(layer, x, R, train), x)) < 1e-7
    for name, p in layer.params.items():
        assert grads[name].shape == p.shape
        assert _rel(grads[name], _numeric(lambda: _scalar(layer, x, R, train), p)) < 1e-7, name


@pytest.mark.parametrize("kind", ["dense", "conv1d", "conv2d"])
def test_feedback_of_w_shape_is_carried_like_w(kind):
    """backward_input with weight=F equals the exact backward of the same layer whose W is F."""
    layer, x = make(kind)
    out, cache = layer.forward(x)
    R = _rng(5).normal(size=out.shape)
    F = _rng(9).normal(size=layer.params["W"].shape)
    twin = layer.copy()
    twin.params["W"][...] = F
    _, twin_cache = twin.forward(x)
    np.testing.assert_allclose(layer.backward_input(cache, R, weight=F), twin.backward_input(twin_cache, R),
                               rtol=1e-13, atol=1e-14)
    with pytest.raises(ValueError, match="feedback of shape"):
        layer.backward_input(cache, R, weight=F[..., :1])


STACKS = {
    "conv1d-pool-bn-dense": ((2, 12), [{"type": "conv1d", "channels": 3, "kernel": 3, "padding": 1},
                                       {"type": "batchnorm"}, "tanh", {"type": "maxpool1d", "kernel": 2},
                                       {"type": "conv1d", "channels": 4, "kernel": 3, "stride": 2, "activation": "sigmoid"},
                                       {"type": "dense", "units": 5, "activation": "tanh"}]),
    "conv2d-avgpool-layernorm": ((1, 7, 6), [{"type": "conv2d", "channels": 3, "kernel": 3, "padding": 1,
                                              "activation": "tanh"},
                                             {"type": "avgpool2d", "kernel": 2}, {"type": "layernorm"},
                                             {"type": "conv2d", "channels": 2, "kernel": [2, 1]}, "flatten",
                                             {"type": "dense", "units": 4, "activation": "sigmoid"}]),
    "conv2d-maxpool-dense": ((2, 6, 6), [{"type": "conv2d", "channels": 4, "kernel": 3, "stride": 1, "padding": 1,
                                          "activation": "tanh"}, {"type": "maxpool2d", "kernel": 2},
                                         {"type": "dense", "units": 5, "activation": "tanh"}]),
}


@pytest.mark.parametrize("name", list(STACKS))
@pytest.mark.parametrize("loss", ["cross_entropy", "mse"])
def test_mixed_stack_backprop_equals_finite_differences(name, loss):
    shape, layers = STACKS[name]
    n = int(np.prod(shape))
    net = Network([n, 3], _rng(0), layers=layers, input_shape=shape, dtype="float64")
    randomise_offsets(net, _rng(1))
    x = _rng(2).normal(size=(6, n))
    y = _rng(3).integers(0, 3, 6)
    rule = Backprop(loss=loss)
    rule.init(net, _rng(0))
    _, grads, _, _ = rule.compute_gradients(net, x, y, train=False)
    assert relative_error(net, grads, numeric_gradient(net, x, y, loss)) < 1e-6


def test_channels_first_data_reach_the_layers_channels_last():
    """A (C, L) row is read as C channels of length L: a 1x1 convolution that picks channel c
    returns row[c * L:(c + 1) * L]."""
    net = Network([6, 2], _rng(0), layers=[{"type": "conv1d", "channels": 2, "kernel": 1}],
                  input_shape=(2, 3), dtype="float64")
    conv = net.layers[0]
    conv.params["W"][...] = np.eye(2)[:, :, None]
    conv.params["b"][...] = 0.0
    x = np.arange(6.0)[None, :]
    out, trace = net.forward(x)
    np.testing.assert_array_equal(trace.outputs[0][0], np.array([[0.0, 3.0], [1.0, 4.0], [2.0, 5.0]]))
