"""Forward-forward: the goodness loss against finite differences, the network kind's label
embedding, normalisation and prediction, negative data, learning, and bad values."""

import numpy as np
import pytest

from learning_rules import Network, Optimizer
from learning_rules.networks.forward_forward import ForwardForwardNetwork, goodness, normalise
from learning_rules.networks import make_network
from learning_rules.rules.forward_forward import ForwardForward, goodness_loss
from learning_rules.testing import separable_problem
from learning_rules.streams import child_stream


def test_goodness_loss_matches_finite_differences():
    rng = np.random.default_rng(0)
    u = rng.normal(size=(8, 5))                 # 4 positive rows, then 4 negative rows
    W = rng.normal(size=(5, 6))
    sign = np.repeat([1.0, -1.0], 4)

    def loss(W):
        a = u @ W
        return goodness_loss(np.tanh(a), sign, 0.7)

    value, dh = loss(W)
    grad = u.T @ (dh * (1 - np.tanh(u @ W) ** 2))  # dL/dh carried through f' to W
    numeric = np.zeros_like(W)
    for idx in np.ndindex(W.shape):
        d = np.zeros_like(W)
        d[idx] = 1e-6
        numeric[idx] = (loss(W + d)[0] - loss(W - d)[0]) / 2e-6
    np.testing.assert_allclose(grad, numeric, rtol=1e-5, atol=1e-9)
    g = goodness(np.tanh(u @ W))
    expected = np.mean(np.log1p(np.exp(0.7 - g[:4]))) + np.mean(np.log1p(np.exp(g[4:] - 0.7)))
    assert value == pytest.approx(expected)


def test_goodness_loss_is_finite_for_huge_goodness():
    h = np.full((2, 3), 1e4)
    loss, delta = goodness_loss(h, np.array([1.0, -1.0]), 2.0)
    assert np.isfinite(loss) and np.all(np.isfinite(delta)) and loss > 1e7


def _net(seed=0, **kw):
    return ForwardForwardNetwork([8, 12, 10, 3], np.random.default_rng(seed), dtype="float64", **kw)


def test_label_is_appended_and_hidden_inputs_are_normalised():
    net = _net(label_scale=2.0)
    x = np.random.default_rng(1).normal(size=(5, 8))
    assert net.layers[0].W.shape == (11, 12) and net.n_features == 8
    _, trace = net.forward(x, codes=net.one_hot(np.array([0, 1, 2, 0, 1])))
    first_input = trace.layers[0]             # a dense layer's cache is its input
    np.testing.assert_array_equal(first_input[:, :8], x)
    np.testing.assert_array_equal(first_input[:, 8:], 2.0 * net.one_hot(np.array([0, 1, 2, 0, 1])))
    rms = np.sqrt((trace.layers[net.blocks[1].weight] ** 2).mean(axis=1))
    np.testing.assert_allclose(rms, 1.0, rtol=1e-5)  # the goodness of block 0 is not passed on
    _, neutral = net.forward(x)
    np.testing.assert_allclose(neutral.layers[0][:, 8:], 2.0 / 3)


def test_convolutional_blocks_get_the_label_as_channels_and_learn():
    """With a layer stack the code rides along as K constant input channels; each hidden block
    (convolution, relu, pooling) learns by its own goodness."""
    layers = [{"type": "conv1d", "channels": 6, "kernel": 3, "padding": 1, "activation": "relu"},
              {"type": "maxpool1d", "kernel": 2},
              {"type": "conv1d", "channels": 6, "kernel": 3, "padding": 1, "activation": "relu"}]
    net = ForwardForwardNetwork([8, 3], np.random.default_rng(0), layers=layers, input_shape=(2, 4), dtype="float64")
    x = np.random.default_rng(1).normal(size=(5, 8))
    _, trace = net.forward(x, codes=net.one_hot(np.array([0, 1, 2, 0, 1])))
    cols_input = trace.outputs[0]
    assert net.layers[0].input_shape == (4, 2 + 3) and net.depth == 3
    # the (C, L) = (2, 4) row, channels last, then the label's one-hot at every position
    np.testing.assert_array_equal(net.embed(x, net.one_hot(np.array([0, 1, 2, 0, 1])))[1, :, 2:],
                                  np.tile([0.0, 1.0, 0.0], (4, 1)))
    np.testing.assert_array_equal(net.embed(x, net.neutral(5))[0, :, :2], x[0].reshape(2, 4).T)
    assert cols_input.shape == (5, 4, 6)
    rule = ForwardForward(optimizer=Optimizer(lr=0.01))
    rule.init(net, np.random.default_rng(2))
    xs, ys = separable_problem(0, dtype=np.float64)
    gaps = [rule.step(net, xs[:32], ys[:32])["goodness_gap/0"] for _ in range(60)]
    assert gaps[-1] > gaps[0] + 0.5  # positive data's goodness pulls away from negative data's


def test_predict_is_goodness_accumulated_per_label():
    net = _net()
    x = np.random.default_rng(2).normal(size=(7, 8))
    scores = net.predict(x)
    assert scores.shape == (7, 3)
    for k in range(3):  # oracle: one forward pass per label, goodness summed over hidden layers
        _, trace = net.forward(x, codes=net.one_hot(np.full(7, k)))
        expected = sum(goodness(net.block_output(trace, b)) for b in range(net.depth - 1))
        np.testing.assert_allclose(scores[:, k], expected, rtol=1e-10)


def test_normalise_keeps_zero_rows_finite():
    out = normalise(np.zeros((2, 4)))
    assert np.all(out == 0)


def test_negative_labels_are_wrong_and_drawn_from_the_rules_generator():
    net = _net()
    rule = ForwardForward(optimizer=Optimizer(lr=0.01))
    rule.init(net, np.random.default_rng(3))
    x, y = separable_problem(0, dtype=np.float64)
    seen = []
    original = net.forward

    def spy(xx, train=False, rng=None, codes=None):
        seen.append(codes)
        return original(xx, train, rng, codes)

    net.forward = spy
    rule.step(net, x[:32], y[:32])
    codes = seen[0]
    pos, neg, neutral = codes[:32].argmax(1), codes[32:64].argmax(1), codes[64:]
    np.testing.assert_array_equal(pos, y[:32])
    assert np.all(neg != y[:32]) and len(set(neg.tolist())) > 1
    np.testing.assert_allclose(neutral, 1 / 3)
    step_stream = child_stream(np.random.default_rng(3), "step")  # the rule's per-step draws
    expected = (y[:32] + step_stream.integers(1, 3, size=32)) % 3
    np.testing.assert_array_equal(neg, expected)


def test_learns_to_separate_positive_from_negative_and_classify():
    x, y = separable_problem(4, dtype=np.float64)
    net = _net(4)
    rule = ForwardForward(optimizer=Optimizer(lr=0.01))
    rule.init(net, np.random.default_rng(5))
    first = rule.step(net, x[:32], y[:32])
    for t in range(150):
        info = rule.step(net, x[(32 * t) % 96:][:32], y[(32 * t) % 96:][:32])
    assert info["loss"] < 0.5 * first["loss"]
    for l in (0, 1):  # positive rows now have clearly higher goodness than negative ones
        assert abs(first[f"goodness_gap/{l}"]) < 0.1 and info[f"goodness_gap/{l}"] > 0.3
    assert np.mean(net.predict(x).argmax(1) == y) > 0.95
    diag = rule.layer_diagnostics(net, x, y)
    assert set(diag) == {"readout_accuracy/0", "readout_accuracy/1", "readout_accuracy/2"}
    assert diag["readout_accuracy/0"] == np.mean(net.label_goodness(x)[0].argmax(1) == y) > 0.9
    assert diag["readout_accuracy/2"] > 0.9  # the neutral-label softmax readout learned too


def test_step_flops_cover_three_passes():
    net = _net()
    rule = ForwardForward()
    rule.init(net, np.random.default_rng(0))
    x, y = separable_problem(0, dtype=np.float64)
    forward = sum(2 * l.n_in * l.n_out for l in net.layers) * 32
    assert rule.step(net, x[:32], y[:32])["flops"] > 3 * forward


def test_rejects_a_rate_network_and_bad_values():
    with pytest.raises(ValueError, match="forward_forward: needs a network that supports 'goodness' rules; Network supports"):
        ForwardForward().init(Network([8, 4, 3], np.random.default_rng(0)), np.random.default_rng(0))
    for bad in (0.0, -2.0, float("inf"), "x"):
        with pytest.raises(ValueError, match=r"forward_forward: threshold .* not allowed; must be a finite number > 0"):
            ForwardForward(threshold=bad)
    with pytest.raises(ValueError, match="label_scale 0 not allowed"):
        _net(label_scale=0)
    with pytest.raises(ValueError, match="at least one hidden layer"):
        make_network("forward_forward", [8, 3], np.random.default_rng(0))
    assert isinstance(make_network("forward_forward", [8, 5, 3], np.random.default_rng(0)), ForwardForwardNetwork)


def test_predicted_negatives_follow_the_networks_confusions_and_are_never_true():
    net = _net()
    rule = ForwardForward(negatives="predicted")
    rule.init(net, np.random.default_rng(0))
    y = np.array([0, 1, 2, 2] * 250)
    scores = np.tile([[0.0, 0.0, 3.0]], (1000, 1))          # label 2 looks best, then a tie
    net.predict = lambda x: scores
    wrong = rule.negative_labels(net, np.zeros((1000, 8)), y)
    assert np.all(wrong != y)
    # true 0 or 1: the wrong label 2 has probability e^3 / (e^3 + 1) = 0.95
    assert 0.9 < np.mean(wrong[y != 2] == 2) < 0.99
    # true 2: the two remaining wrong labels tie
    assert 0.4 < np.mean(wrong[y == 2] == 0) < 0.6
    with pytest.raises(ValueError, match="forward_forward: negatives 'hard' not allowed; must be one of random, predicted"):
        ForwardForward(negatives="hard")
