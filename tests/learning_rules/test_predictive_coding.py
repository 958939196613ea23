"""Predictive coding: fixed predictions reproduce backprop; the standard variant tends to it as the
output precision goes to 0; inference steps cost FLOPs and critical path."""

import numpy as np
import pytest
from gradcheck import randomise_offsets

from learning_rules import Network, Optimizer
from learning_rules.critical_path import rule_critical_path
from learning_rules.diagnostics.alignment import angle_degrees
from learning_rules.rules.backprop import Backprop
from learning_rules.rules.predictive_coding import PredictiveCoding

CONV = [{"type": "conv1d", "channels": 4, "kernel": 3, "padding": 1, "activation": "tanh"},
        {"type": "maxpool1d", "kernel": 2},
        {"type": "conv1d", "channels": 5, "kernel": 3, "stride": 2, "padding": 1, "activation": "tanh"},
        {"type": "dense", "units": 6, "activation": "tanh"}]


def trained(kind: str, seed: int = 0):
    """A float64 network with non-zero biases after 20 backprop steps, and a batch."""
    rng = np.random.default_rng(seed)
    if kind == "dense":
        net = Network([5, 7, 6, 6, 3], rng, dtype="float64")
        x = rng.normal(size=(12, 5))
    else:
        net = Network([20, 3], rng, layers=CONV, input_shape=(2, 10), dtype="float64")
        x = rng.normal(size=(12, 20))
    randomise_offsets(net, np.random.default_rng(seed + 7))
    y = rng.integers(0, 3, 12)
    bp = Backprop(Optimizer("sgd", lr=0.1))
    bp.init(net, np.random.default_rng(1))
    for _ in range(20):
        bp.step(net, x, y)
    return net, x, y


def relative_errors(rule, net, x, y):
    rule.init(net, np.random.default_rng(0))
    truth = Backprop().compute_gradients(net, x, y, train=False)[1]
    grads = rule.compute_gradients(net, x, y, train=False)[1]
    return [max(np.linalg.norm(grads[i][n] - truth[i][n]) / np.linalg.norm(truth[i][n]) for n in truth[i])
            for i in net.weight_layers]


@pytest.mark.parametrize("kind", ["dense", "conv"])
def test_fixed_prediction_at_convergence_is_backprop(kind):
    """Converged inference (200 steps of 0.5) gives backprop's update to relative error < 1e-6 in
    every weight layer (measured: at most 5e-15)."""
    net, x, y = trained(kind)
    errors = relative_errors(PredictiveCoding(200, 0.5, "fixed_prediction", output_precision=0.3), net, x, y)
    assert max(errors) < 1e-6, errors


def test_fixed_prediction_with_unit_steps_is_exact_after_depth_minus_one_steps():
    """With gamma = 1 the error moves one block per step: L - 1 steps reach every block exactly;
    one step fewer leaves the lowest block without an error (no update at all)."""
    net, x, y = trained("dense")
    L = net.depth
    assert max(relative_errors(PredictiveCoding(L - 1, 1.0, "fixed_prediction"), net, x, y)) < 1e-12
    short = PredictiveCoding(L - 2, 1.0, "fixed_prediction")
    short.init(net, np.random.default_rng(0))
    grads = short.compute_gradients(net, x, y, train=False)[1]
    assert not np.any(grads[net.weight_layers[0]]["W"])
    assert max(relative_errors(short, net, x, y)[1:]) < 1e-12


def test_standard_variant_tends_to_backprop_as_the_output_precision_vanishes():
    """Whittington & Bogacz: with a weak output term the equilibrium errors are backprop's. The
    largest update angle over the layers falls about tenfold per tenfold smaller pi (measured on
    this trained net: 55, 20, 3.0, 0.32 degrees at pi = 1, 0.1, 0.01, 0.001)."""
    net, x, y = trained("dense")
    truth = Backprop().compute_gradients(net, x, y, train=False)[1]
    angles = []
    for pi in (1.0, 1e-1, 1e-2, 1e-3):
        rule = PredictiveCoding(300, 0.2, output_precision=pi)
        rule.init(net, np.random.default_rng(0))
        grads = rule.compute_gradients(net, x, y, train=False)[1]
        angles.append(max(angle_degrees(grads[i]["W"], truth[i]["W"]) for i in net.weight_layers))
    assert angles[0] > 30.0
    assert all(a > 2.5 * b for a, b in zip(angles, angles[1:])), angles
    assert angles[-1] < 0.5


def test_inference_moves_the_values_and_settles():
    """The standard variant's residual (largest move of the last step) falls as inference runs."""
    net, x, y = trained("dense")
    residuals = []
    for steps in (2, 50):
        rule = PredictiveCoding(steps, 0.2)
        rule.init(net, np.random.default_rng(0))
        residuals.append(rule.compute_gradients(net, x, y, train=False)[2].extra["inference_residual"])
    assert residuals[0] > 10 * residuals[1] > 0


def test_iterations_cost_flops_and_critical_path():
    net, x, y = trained("dense")
    flops, paths = [], []
    for variant in ("standard", "fixed_prediction"):
        for steps in (0, 5, 10):
            rule = PredictiveCoding(steps, variant=variant)
            rule.init(net, np.random.default_rng(0))
            flops.append(rule.step(net, x, y)["flops"])
            paths.append(rule_critical_path(rule, net).length)
    assert flops[0] < flops[1] < flops[2] and flops[2] - flops[1] == pytest.approx(flops[1] - flops[0])
    assert flops[4] < flops[1]                      # fixed predictions re-run no forward pass
    L = net.depth
    assert paths == [L, L + 10, L + 20, L, L + 5, L + 10]


def test_standard_variant_refuses_dropout():
    net = Network([5, 6, 3], np.random.default_rng(0), dropout=0.2)
    with pytest.raises(ValueError, match=r"^predictive_coding: not defined for layer 2 \(dropout") as err:
        PredictiveCoding().init(net, np.random.default_rng(0))
    assert "\n" not in str(err.value)
    PredictiveCoding(variant="fixed_prediction").init(net, np.random.default_rng(0))


def deeper():
    """A float64 tanh net of five weight layers, gain 1.5, and a batch of 16."""
    rng = np.random.default_rng(0)
    net = Network([6, 16, 16, 16, 16, 3], rng, dtype="float64", init_gain=1.5)
    return net, rng.normal(size=(16, 6)), rng.integers(0, 3, 16)


def angles_to_backprop(rule, net, x, y):
    rule.init(net, np.random.default_rng(0))
    truth = Backprop().compute_gradients(net, x, y, train=False)[1]
    _, grads, trace, _ = rule.compute_gradients(net, x, y, train=False)
    return [angle_degrees(grads[i]["W"], truth[i]["W"]) for i in net.weight_layers], trace


def test_standard_inference_cannot_diverge_at_the_largest_allowed_step():
    """step_size 1.0 on the deeper net: a plain gradient step oscillated (residual 8.6 after 400
    steps, 60-88 degrees from the settled update); backtracking halves the step of each sample
    whose F would rise, so inference settles where small steps settle."""
    net, x, y = deeper()
    big, trace = angles_to_backprop(PredictiveCoding(400, 1.0, "standard", output_precision=0.1), net, x, y)
    small, _ = angles_to_backprop(PredictiveCoding(400, 0.2, "standard", output_precision=0.1), net, x, y)
    assert trace.extra["inference_residual"] < 1e-3
    assert trace.extra["inference_step"] < 1.0  # it did backtrack
    assert max(abs(a - b) for a, b in zip(big, small)) < 1.0, (big, small)


class Recording(PredictiveCoding):
    """Records each sample's free energy after every inference step."""

    def backtracked_step(self, *args):
        out = super().backtracked_step(*args)
        self.energies.append(out[5].copy())
        return out


def test_free_energy_never_rises_during_standard_inference():
    """At a large step and a strong output term (a plain step's residual stayed ~23 here), each
    sample's F is non-increasing step after step, and inference settles."""
    net, x, y = deeper()
    rule = Recording(100, 1.0, "standard", output_precision=10.0)
    rule.energies = []
    rule.init(net, np.random.default_rng(0))
    _, _, trace, _ = rule.compute_gradients(net, x, y, train=False)
    F = np.array(rule.energies)                                         # (iterations, B)
    assert np.all(np.diff(F, axis=0) <= 1e-12 * np.abs(F[:-1]).max()), np.diff(F, axis=0).max()
    assert F[-1].sum() < 0.5 * F[0].sum() and trace.extra["inference_residual"] < 1e-1


def test_standard_variant_at_convergence_tends_to_backprop_on_a_deeper_net():
    """With a weak output term (pi = 0.001) and inference run to convergence (2000 steps of 0.2,
    residual ~1e-9) every layer's update is within 2 degrees of backprop's (measured: <= 0.6)."""
    net, x, y = deeper()
    angles, trace = angles_to_backprop(PredictiveCoding(2000, 0.2, "standard", output_precision=0.001), net, x, y)
    assert trace.extra["inference_residual"] < 1e-6
    assert max(angles) < 2.0, angles


def test_fixed_prediction_at_convergence_is_backprop_on_a_deeper_net():
    net, x, y = deeper()
    errors = relative_errors(PredictiveCoding(200, 0.5, "fixed_prediction", output_precision=0.3), net, x, y)
    assert max(errors) < 1e-6, errors
