"""Diagnostics: correct values, and they never change what a rule learns."""

import numpy as np
import pytest

from learning_rules import Network, available_rules, get_rule
from learning_rules.diagnostics import epoch_diagnostics
from learning_rules.diagnostics.alignment import angle_degrees, feedback_alignment, update_angles
from learning_rules.params import leaves
from learning_rules.rules.backprop import Backprop
from learning_rules.testing import separable_problem


def test_angle_degrees():
    assert angle_degrees(np.array([1.0, 0.0]), np.array([0.0, 2.0])) == pytest.approx(90.0)
    assert angle_degrees(np.array([1.0, 1.0]), np.array([2.0, 2.0])) == pytest.approx(0.0, abs=1e-6)
    assert angle_degrees(np.array([1.0, 0.0]), np.array([-1.0, 0.0])) == pytest.approx(180.0)


def test_backprop_update_angle_is_zero():
    net = Network([8, 16, 16, 3], np.random.default_rng(0), dtype="float64")
    rule = Backprop()
    rule.init(net, np.random.default_rng(1))
    x, y = separable_problem()
    assert all(v < 1e-5 for v in update_angles(rule, net, x, y).values())


@pytest.mark.parametrize("kind", ["dense", "conv"])
@pytest.mark.parametrize("name", available_rules())
def test_diagnostics_do_not_change_learning(name, kind):
    """Training with diagnostics after every step gives bit-identical parameters, on dense and
    convolutional networks; every value is a float, and per-layer keys name existing blocks."""
    cls = get_rule(name)
    if kind not in cls.example_networks(8, 3, 0):
        pytest.skip(f"{name} trains no {kind} network")
    x, y = separable_problem()
    params = []
    for diagnose in (False, True):
        rule = cls()
        net = cls.example_networks(8, 3, 0)[kind]
        rule.init(net, np.random.default_rng(1))
        for t in range(3):
            if diagnose:
                values = epoch_diagnostics(rule, net, x[:32], y[:32])
                assert all(isinstance(v, float) for v in values.values())
                assert {int(k.split("/")[1]) for k in values if "/" in k} <= set(range(net.depth))
                assert f"update_norm/{net.depth - 1}" in values
            rule.step(net, x[32 * t:32 * (t + 1)], y[32 * t:32 * (t + 1)])
        params.append([p.copy() for p in leaves(net.params)])
    for p, q in zip(*params):
        np.testing.assert_array_equal(p, q)


@pytest.mark.parametrize("name", ["feedback_alignment", "direct_feedback_alignment", "sign_symmetry",
                                  "kolen_pollack", "local_random_classifier"])
def test_alignment_diagnostics_on_convolutional_blocks(name):
    """Update angles for every hidden block of a CNN (convolution kernels included), and feedback
    angles for every block with feedback; values are angles in [0, 180]."""
    cls = get_rule(name)
    net = cls.example_networks(8, 3, 0)["conv"]
    rule = cls()
    rule.init(net, np.random.default_rng(1))
    x, y = separable_problem()
    values = epoch_diagnostics(rule, net, x[:32], y[:32])
    for k in range(net.depth - 1):
        assert 0.0 <= values[f"update_angle/{k}"] <= 180.0
    if cls.has_feedback:
        fb = feedback_alignment(rule, net)
        assert fb and all(0.0 <= v <= 180.0 for k, v in fb.items() if "angle" in k)
