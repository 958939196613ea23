import numpy as np

from learning_rules import Network, Optimizer
from learning_rules.diagnostics.update_norms import update_norms
from learning_rules.params import leaves
from learning_rules.rules.backprop import Backprop
from learning_rules.rules.readout_only import ReadoutOnly


def setup(rule):
    net = Network([5, 6, 6, 3], np.random.default_rng(0), dtype="float64")
    rule.init(net, np.random.default_rng(1))
    rng = np.random.default_rng(2)
    return net, rng.normal(size=(8, 5)), rng.integers(0, 3, 8)


def test_sgd_update_norm_is_lr_times_gradient_norm_and_run_is_untouched():
    rule = Backprop(optimizer=Optimizer("sgd", lr=0.1))
    net, x, y = setup(rule)
    before = [p.copy() for p in leaves(net.params)]
    norms = update_norms(rule, net, x, y)
    _, grads, _, _ = rule.compute_gradients(net, x, y)
    for k in range(3):
        g = np.linalg.norm(grads[net.blocks[k].weight]["W"])
        assert np.isclose(norms[f"signal_norm/{k}"], g)
        assert np.isclose(norms[f"update_norm/{k}"], 0.1 * g)
    for p, q in zip(before, leaves(net.params)):
        np.testing.assert_array_equal(p, q)
    assert rule.opt_state.step == 0, "the diagnostic must not advance the rule's optimizer"


def test_frozen_layers_have_zero_update():
    rule = ReadoutOnly(optimizer=Optimizer("sgd", lr=0.1))
    net, x, y = setup(rule)
    norms = update_norms(rule, net, x, y)
    assert norms["update_norm/0"] == norms["update_norm/1"] == 0.0 and norms["update_norm/2"] > 0
    assert norms["signal_norm/0"] == 0.0
