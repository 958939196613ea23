"""Alignment diagnostics of the feedback rules: oracle values, and no effect on learning for the
variants that draw random numbers while they learn (brSF) or whose feedback learns (Kolen-Pollack)."""

import numpy as np
import pytest

from learning_rules import Network, Optimizer
from learning_rules.diagnostics import epoch_diagnostics
from learning_rules.diagnostics.alignment import feedback_alignment, update_angles
from learning_rules.params import leaves
from learning_rules.rules.direct_feedback_alignment import DirectFeedbackAlignment
from learning_rules.rules.feedback_alignment import FeedbackAlignment
from learning_rules.rules.kolen_pollack import KolenPollack
from learning_rules.rules.sign_symmetry import SignSymmetry
from learning_rules.testing import separable_problem


def net_and_batch(sizes=(8, 12, 10, 3), dtype="float64"):
    net = Network(list(sizes), np.random.default_rng(0), dtype=dtype)
    x, y = separable_problem()
    return net, x[:32].astype(dtype), y[:32]


def test_transposed_feedback_gives_zero_angles_and_unit_norm_ratio():
    net, x, y = net_and_batch()
    rule = FeedbackAlignment()
    rule.init(net, np.random.default_rng(1))
    random_fb = feedback_alignment(rule, net)
    rule.set_feedback([None] + [net.weight_layer(k).params["W"].copy() for k in range(1, net.depth)])
    fb = feedback_alignment(rule, net)
    assert set(fb) == {"feedback_angle/1", "feedback_norm_ratio/1", "feedback_angle/2", "feedback_norm_ratio/2"}
    for l in (1, 2):
        assert fb[f"feedback_angle/{l}"] < 1e-6 and fb[f"feedback_norm_ratio/{l}"] == pytest.approx(1.0)
        assert random_fb[f"feedback_angle/{l}"] > 45.0  # random feedback is far from W^T
    assert all(v < 1e-6 for v in update_angles(rule, net, x, y).values())


def test_direct_feedback_angle_is_measured_against_the_product_of_the_weights_above():
    net, _, _ = net_and_batch()
    rule = DirectFeedbackAlignment()
    rule.init(net, np.random.default_rng(1))
    W1, W2 = net.weight_layer(1).params["W"], net.weight_layer(2).params["W"]
    rule.set_feedback([(W1 @ W2).T * 3.0, W2.T.copy(), None])  # (K, n_out_0), (K, n_out_1)
    fb = feedback_alignment(rule, net)
    assert fb["feedback_angle/0"] < 1e-6 and fb["feedback_norm_ratio/0"] == pytest.approx(3.0)
    assert fb["feedback_angle/1"] < 1e-6 and fb["feedback_norm_ratio/1"] == pytest.approx(1.0)


def test_direct_feedback_reference_through_a_convolution():
    """Through a convolution (no pooling), direct feedback's reference is the transposed linear
    path, pushed through the convolution's own backward: it equals the dense matrix of that
    convolution times the readout."""
    layers = [{"type": "conv1d", "channels": 3, "kernel": 3, "padding": 1, "activation": "tanh"},
              {"type": "conv1d", "channels": 2, "kernel": 3, "stride": 2, "activation": "tanh"}]
    net = Network([8, 3], np.random.default_rng(0), layers=layers, input_shape=(1, 8), dtype="float64")
    rule = DirectFeedbackAlignment()
    rule.init(net, np.random.default_rng(1))
    conv = net.weight_layer(1)
    n0 = int(np.prod(net.block_output_shape(0)))
    # the convolution as a matrix: its response (without bias) to each unit input
    eye = np.eye(n0).reshape(n0, *conv.input_shape)
    M = (conv.forward(eye)[0] - conv.params["b"]).reshape(n0, -1)  # (n0, n1)
    reference = (M @ net.weight_layer(2).params["W"]).T                # (K, n0)
    rule.set_feedback([reference * 2.0, rule.feedback[1], None])
    fb = feedback_alignment(rule, net)
    assert fb["feedback_angle/0"] < 1e-6 and fb["feedback_norm_ratio/0"] == pytest.approx(2.0)


def test_feedback_alignment_update_angle_is_near_ninety_degrees_at_initialisation():
    """Random feedback carries no information at first: the hidden update is about orthogonal."""
    net = Network([20, 200, 200, 10], np.random.default_rng(0), dtype="float64")
    rng = np.random.default_rng(2)
    x, y = rng.normal(size=(256, 20)), rng.integers(0, 10, 256)
    rule = FeedbackAlignment()
    rule.init(net, np.random.default_rng(1))
    angles = update_angles(rule, net, x, y)
    assert set(angles) == {"update_angle/0", "update_angle/1"}  # hidden layers only
    assert 70.0 < angles["update_angle/0"] < 110.0 and 70.0 < angles["update_angle/1"] < 110.0


@pytest.mark.parametrize("make", [
    lambda: SignSymmetry(variant="brSF"),
    lambda: SignSymmetry(variant="frSF", normalize=True),
    lambda: KolenPollack(decay=0.01),
    lambda: DirectFeedbackAlignment(distribution="normal", scale=0.5),
    lambda: FeedbackAlignment(optimizer=Optimizer("momentum", lr=0.01, momentum=0.9)),
])
def test_diagnostics_do_not_change_what_the_variants_learn(make):
    x, y = separable_problem()
    final = []
    for diagnose in (False, True):
        net = Network([8, 16, 16, 3], np.random.default_rng(0))
        rule = make()
        rule.init(net, np.random.default_rng(1))
        for t in range(3):
            if diagnose:
                assert "update_angle/0" in epoch_diagnostics(rule, net, x[:32], y[:32])
            rule.step(net, x[32 * t:32 * (t + 1)], y[32 * t:32 * (t + 1)])
        final.append([p.copy() for p in leaves(net.params)]
                     + [B.copy() for B in getattr(rule, "feedback", []) if B is not None])
    for p, q in zip(*final):
        np.testing.assert_array_equal(p, q)
