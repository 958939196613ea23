"""Diagnostics: correct values, and they never change what a rule learns."""

import numpy as np
import pytest

from learning_rules import Network, Optimizer, available_rules, get_rule
from learning_rules.diagnostics import epoch_diagnostics
from learning_rules.diagnostics.alignment import angle_degrees, update_angles
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


@pytest.mark.parametrize("name", available_rules())
def test_diagnostics_do_not_change_learning(name):
    """Training with diagnostics after every step gives bit-identical parameters."""
    cls = get_rule(name)
    x, y = separable_problem()
    params = []
    for diagnose in (False, True):
        rule = cls()
        net = cls.example_network([8, 16, 16, 3], np.random.default_rng(0))
        rule.init(net, np.random.default_rng(1))
        for t in range(3):
            if diagnose:
                values = epoch_diagnostics(rule, net, x[:32], y[:32])
                assert all(isinstance(v, float) for v in values.values())
            rule.step(net, x[32 * t:32 * (t + 1)], y[32 * t:32 * (t + 1)])
        params.append([p.copy() for p in net.params])
    for p, q in zip(*params):
        np.testing.assert_array_equal(p, q)
