"""Difference target propagation: with exact inverses its target differences are the
Gauss-Newton direction to first order in the output step (Meulemans et al. 2020); its inverses
learn by their own losses; its update angle to backprop is measured, not assumed."""

import numpy as np
import pytest

from learning_rules import Network
from learning_rules.credit.relax import forward_block
from learning_rules.critical_path import rule_critical_path
from learning_rules.diagnostics import epoch_diagnostics
from learning_rules.rules.target_propagation import TargetPropagation


class ExactInverses(TargetPropagation):
    """g_k = f_k^{-1}, analytically: (artanh(h) - b_k) W_k^{-1} (the readout: (h - b) W^{-1})."""

    def inverse(self, net, k, h):
        layer = net.weight_layer(k)
        pre = np.arctanh(h) if net.blocks[k].stop - net.blocks[k].start == 2 else h
        return (pre - layer.params["b"]) @ np.linalg.inv(layer.params["W"]), []


def invertible(seed=0, width=4, depth=4):
    """Square tanh layers with well-conditioned weights (singular values in [0.6, 1.2], not
    orthogonal: then W^{-1} would be parallel to W^T) and non-zero biases; float64."""
    rng = np.random.default_rng(seed)
    net = Network([width] * (depth + 1), rng, dtype="float64")
    for k in range(depth):
        u, _ = np.linalg.qr(rng.normal(size=(width, width)))
        v, _ = np.linalg.qr(rng.normal(size=(width, width)))
        net.weight_layer(k).params["W"][:] = u @ np.diag(rng.uniform(0.6, 1.2, width)) @ v
        net.weight_layer(k).params["b"][:] = rng.uniform(-0.3, 0.3, width)
    return net, 0.5 * rng.normal(size=(6, width)), rng.integers(0, width, 6)


def jacobian_to_output(net, k, h, eps=1e-6):
    """d out / d h_k for one sample h (n_k,), by central differences: (K, n_k)."""
    def up(v):
        for j in range(k + 1, net.depth):
            v = forward_block(net, j, v)[0]
        return v[0]
    return np.stack([(up(h[None] + eps * e) - up(h[None] - eps * e)) / (2 * eps) for e in np.eye(h.size)], axis=1)


def target_differences(net, x, y, eta):
    rule = ExactInverses(target_step=eta, feedback_iterations=0)
    rule.init(net, np.random.default_rng(0))
    _, e, trace = rule.output_error(net, x, y, train=False)
    h = [net.block_output(trace, k) for k in range(net.depth)]
    step = eta * x.shape[0] * e                       # the output target step, per sample
    targets, _ = rule.targets(net, h, h[-1] - step)
    return h, step, [t - hk for t, hk in zip(targets, h)]


def test_exact_inverse_targets_are_gauss_newton_to_first_order():
    """Hidden target differences against -J_k^{-1} (eta dl/d out): relative error falls linearly
    in eta (measured: slope 1.00, worst block 2.8e-2 at eta = 1e-2, 2.8e-3 at 1e-3, 2.8e-4 at 1e-4;
    the last hidden block, under a linear readout, is exact)."""
    net, x, y = invertible()
    etas = np.array([1e-2, 1e-3, 1e-4])
    errors = []
    for eta in etas:
        h, step, diffs = target_differences(net, x, y, eta)
        worst = 0.0
        for k in range(net.depth - 1):
            gn = np.stack([-np.linalg.solve(jacobian_to_output(net, k, h[k][i]), step[i]) for i in range(x.shape[0])])
            worst = max(worst, np.linalg.norm(diffs[k] - gn) / np.linalg.norm(gn))
        errors.append(worst)
    slope = np.polyfit(np.log(etas), np.log(errors), 1)[0]
    assert slope == pytest.approx(1.0, abs=0.1), errors
    assert errors[1] < 5e-3


def test_update_angle_to_backprop_is_logged():
    """The diagnostics measure DTP's angle to backprop per hidden block (large: it follows
    Gauss-Newton, not the gradient; 80, 48 and 31 degrees on this invertible network)."""
    net, x, y = invertible()
    rule = ExactInverses(feedback_iterations=0)
    rule.init(net, np.random.default_rng(0))
    values = epoch_diagnostics(rule, net, x, y)
    angles = [values[f"update_angle/{k}"] for k in range(net.depth - 1)]
    assert all(10.0 < a < 90.0 for a in angles), angles


def inverse_problem(reconstruction, seed=0):
    rng = np.random.default_rng(seed)
    net = Network([6, 8, 8, 8], rng, dtype="float64")    # an output as wide as the hidden layers:
    x = rng.normal(size=(32, 6))                          # the drl can reconstruct through it
    rule = TargetPropagation(reconstruction=reconstruction)
    rule.init(net, np.random.default_rng(seed + 1))
    _, trace = net.forward(x)
    return net, rule, [net.block_output(trace, k) for k in range(net.depth)]


@pytest.mark.parametrize("reconstruction", ["dtp", "drl"])
def test_reconstruction_gradients_match_finite_differences(reconstruction):
    net, rule, h = inverse_problem(reconstruction)
    noise = [0.1 * np.random.default_rng(k).normal(size=hk.shape) for k, hk in enumerate(h[:-1])]
    _, grads, _ = rule.reconstruction_gradients(net, h, noise)
    for k, g in enumerate(grads, start=1):
        for name in ("W", "b"):
            p = rule.inverses[k - 1][0].params[name]
            idx = (1, 2) if name == "W" else (3,)
            old, eps = p[idx], 1e-6
            p[idx] = old + eps
            up = rule.reconstruction_gradients(net, h, noise)[0][k - 1]
            p[idx] = old - eps
            down = rule.reconstruction_gradients(net, h, noise)[0][k - 1]
            p[idx] = old
            assert g[name][idx] == pytest.approx((up - down) / (2 * eps), rel=1e-6)


@pytest.mark.parametrize("reconstruction", ["dtp", "drl"])
def test_inverses_learn_by_their_reconstruction_loss(reconstruction):
    """600 rounds at fixed forward weights halve the reconstruction loss (measured: dtp 1.7 -> 0.3,
    drl 6.1 -> 2.3 in the means of the first and last 50 rounds)."""
    net, rule, h = inverse_problem(reconstruction)
    losses = [rule.train_inverses(net, h)[0] for _ in range(600)]
    assert np.mean(losses[-50:]) < 0.5 * np.mean(losses[:50])


def test_feedback_rounds_cost_flops_and_critical_path():
    rng = np.random.default_rng(0)
    net = Network([6, 8, 8, 8, 3], rng)
    x, y = rng.normal(size=(16, 6)).astype(np.float32), rng.integers(0, 3, 16)
    L = net.depth
    flops, paths = [], []
    for reconstruction, rounds in [("dtp", 0), ("dtp", 2), ("drl", 2)]:
        rule = TargetPropagation(feedback_iterations=rounds, reconstruction=reconstruction)
        rule.init(net, np.random.default_rng(1))
        flops.append(rule.step(net, x, y)["flops"])
        paths.append(rule_critical_path(rule, net).length)
    assert flops[0] < flops[1] < flops[2]
    assert paths == [2 * L, 2 * L + 2 * 2, 2 * L + 2 * 2 * (L - 1)]


def test_refuses_convolutions():
    net = Network([8, 3], np.random.default_rng(0), input_shape=(1, 8),
                  layers=[{"type": "conv1d", "channels": 2, "kernel": 3, "activation": "tanh"}])
    with pytest.raises(ValueError, match=r"^target_propagation: not defined for layer 0 \(conv1d"):
        TargetPropagation().init(net, np.random.default_rng(0))
