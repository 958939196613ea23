"""Unbiasedness oracles of the forward-only estimators (float64, non-zero biases, fixed seeds).

The mean of many weight-perturbation, node-perturbation and forward-gradient estimates must
converge to backprop's gradient on the same batch: the error of the mean of 9 blocks of n
estimates is small (cosine > 0.97, relative error < 0.25) AND at most 0.6 times the error of
the first block's mean (unbiased: the error falls like 1 / sqrt(n), to a third here; a biased
estimator's error stalls at its bias). n is 300 on the dense network (75 parameters: theory
gives a relative error of about sqrt(76 / 2700) = 0.17 for weight perturbation) and 150 on the
convolutional one (34 parameters). Two broken estimators must fail: tangents drawn without their sign
(|N(0, 1)|: a biased direction) and tangents scaled by 2 (an estimate 4 times too large, which
points the right way but fails the relative error).
"""

import numpy as np
import pytest
from gradcheck import randomise_offsets

from learning_rules import Network
from learning_rules.params import aligned_leaves
from learning_rules.rules.backprop import Backprop
from learning_rules.rules.forward_gradient import ForwardGradient
from learning_rules.rules.local_learned_classifier import LocalLearnedClassifier
from learning_rules.rules.node_perturbation import NodePerturbation
from learning_rules.rules.weight_perturbation import WeightPerturbation

BLOCKS = 9
BLOCK = {"dense": 300, "conv": 150}

ESTIMATORS = {
    "weight_perturbation": lambda n: WeightPerturbation(sigma=1e-4, n_perturbations=n),
    "node_perturbation": lambda n: NodePerturbation(sigma=1e-4, n_perturbations=n),
    "forward_gradient/weights": lambda n: ForwardGradient("weights", n_tangents=n),
    "forward_gradient/activities": lambda n: ForwardGradient("activities", n_tangents=n),
}


def _network(kind: str) -> tuple[Network, np.ndarray, np.ndarray]:
    if kind == "dense":
        net = Network([6, 5, 4, 3], np.random.default_rng(0), dtype="float64")
    else:  # convolution, layer norm (a perturbed node too), max pooling
        layers = [{"type": "conv1d", "channels": 2, "kernel": 3, "padding": 1}, {"type": "layernorm"}, "tanh",
                  {"type": "maxpool1d", "kernel": 2}]
        net = Network([6, 3], np.random.default_rng(0), layers=layers, input_shape=(1, 6), dtype="float64")
    randomise_offsets(net, np.random.default_rng(1))
    x = np.random.default_rng(2).normal(size=(8, 6))
    y = np.random.default_rng(3).integers(0, 3, 8)
    return net, x, y


def _flat(net, grads) -> np.ndarray:
    return np.concatenate([g.ravel() for g in aligned_leaves(net.params, grads)])


def _backprop(net, x, y) -> np.ndarray:
    rule = Backprop()
    rule.init(net, np.random.default_rng(0))
    return _flat(net, rule.compute_gradients(net, x, y, train=False)[1])


class _Tangents:
    """A generator whose normal draws are transformed (to break an estimator on purpose)."""

    def __init__(self, rng, transform):
        self.rng, self.transform = rng, transform

    def standard_normal(self, *args, **kwargs):
        return self.transform(self.rng.standard_normal(*args, **kwargs))

    def integers(self, *args, **kwargs):
        return self.rng.integers(*args, **kwargs)


def _errors(rule, net, x, y, truth, transform=None) -> tuple[float, float, float]:
    """(cosine and relative error of the mean of all BLOCKS x BLOCK estimates, relative error of
    the first block's mean)."""
    rule.init(net, np.random.default_rng(5))
    if transform is not None:
        rule.rng = _Tangents(rule.rng, transform)
    means = [_flat(net, rule.estimate(net, x, y).grads) for _ in range(BLOCKS)]
    mean = np.mean(means, axis=0)

    def rel(m):
        return float(np.linalg.norm(m - truth) / np.linalg.norm(truth))

    cosine = float(mean @ truth / (np.linalg.norm(mean) * np.linalg.norm(truth)))
    return cosine, rel(mean), rel(means[0])


def _unbiased(cosine, rel_all, rel_first) -> bool:
    return cosine > 0.97 and rel_all < 0.25 and rel_all < 0.6 * rel_first


@pytest.mark.parametrize("kind", ["dense", "conv"])
@pytest.mark.parametrize("name", list(ESTIMATORS))
def test_mean_estimate_converges_to_backprop(name, kind):
    net, x, y = _network(kind)
    errors = _errors(ESTIMATORS[name](BLOCK[kind]), net, x, y, _backprop(net, x, y))
    assert _unbiased(*errors), f"cosine {errors[0]:.4f}, relative error {errors[1]:.3f} (first block {errors[2]:.3f})"


@pytest.mark.parametrize("name", ["weight_perturbation", "forward_gradient/activities"])
@pytest.mark.parametrize("broken", ["unsigned", "scaled"])
def test_a_broken_estimator_fails_the_oracle(name, broken):
    net, x, y = _network("dense")
    transform = np.abs if broken == "unsigned" else (lambda a: 2 * a)
    errors = _errors(ESTIMATORS[name](BLOCK["dense"]), net, x, y, _backprop(net, x, y), transform)
    assert not _unbiased(*errors)
    if broken == "scaled":  # right direction, wrong size: only the relative error catches it
        assert errors[0] > 0.97 and errors[1] > 2.0


@pytest.mark.parametrize("perturb", ["weights", "activities"])
def test_local_losses_converge_to_the_local_loss_gradients(perturb):
    """With local losses the oracle is each block's own loss: the gradients the local-readout
    rule computes by its (one-block) backward sweep from the same readouts."""
    net, x, y = _network("dense")
    rule = ForwardGradient(perturb, local_losses=True, n_tangents=BLOCK["dense"])
    rule.init(net, np.random.default_rng(5))
    local = LocalLearnedClassifier()
    local.init(net, np.random.default_rng(0))
    local.readout_W = [r["W"] for r in rule.readouts]
    local.readout_b = [r["b"] for r in rule.readouts]
    truth = _flat(net, local.compute_gradients(net, x, y, train=False)[1])
    assert not np.allclose(truth, _backprop(net, x, y), rtol=0.5)  # a different target from the global gradient
    means = [_flat(net, rule.estimate(net, x, y).grads) for _ in range(BLOCKS)]
    mean = np.mean(means, axis=0)
    rel = np.linalg.norm(mean - truth) / np.linalg.norm(truth)
    first = np.linalg.norm(means[0] - truth) / np.linalg.norm(truth)
    assert rel < 0.25 and rel < 0.6 * first, (rel, first)
