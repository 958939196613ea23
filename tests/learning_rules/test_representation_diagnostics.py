"""Representation diagnostics against oracles: linear CKA, effective rank, the linear probe and
unit health (units forced dead or saturated are reported exactly)."""

import numpy as np
import pytest
from scipy.stats import ortho_group

from learning_rules import Network
from learning_rules.diagnostics import linear_cka, representation_diagnostics
from learning_rules.diagnostics.representations import effective_rank, linear_probe_accuracy
from learning_rules.diagnostics.unit_health import unit_health
from learning_rules.rules.base import EXAMPLE_CONV_LAYERS


def _reference_cka(X, Y):
    """The definition, written out: HSIC of linear kernels on centred Gram matrices."""
    n = X.shape[0]
    H = np.eye(n) - np.ones((n, n)) / n
    K, L = H @ X @ X.T @ H, H @ Y @ Y.T @ H
    return np.sum(K * L) / np.sqrt(np.sum(K * K) * np.sum(L * L))


def test_cka_of_a_representation_with_itself_is_one():
    X = np.random.default_rng(0).normal(size=(50, 7))
    assert linear_cka(X, X) == pytest.approx(1.0, abs=1e-12)


def test_cka_invariant_to_orthogonal_transforms_and_isotropic_scaling():
    rng = np.random.default_rng(1)
    X, Y = rng.normal(size=(40, 6)), rng.normal(size=(40, 9))
    Y[:, :6] += X  # related, so the value is far from 0 and 1
    base = linear_cka(X, Y)
    Q, R = ortho_group.rvs(6, random_state=2), ortho_group.rvs(9, random_state=3)
    assert 0.2 < base < 0.9
    assert linear_cka(X @ Q, Y @ R) == pytest.approx(base, rel=1e-12)
    assert linear_cka(3.7 * X, 0.01 * Y) == pytest.approx(base, rel=1e-12)
    assert linear_cka(X + 5.0, Y - 2.0) == pytest.approx(base, rel=1e-12)  # centring
    assert linear_cka(X @ Q, 2.0 * X) == pytest.approx(1.0, rel=1e-12)
    # a non-isotropic scaling is not an invariance
    assert linear_cka(X * np.arange(1, 7), X) < 0.99


def test_cka_hand_computed_example():
    # X = (-1, 0, 1); Y's columns (-1, 0, 1) and (1, -2, 1): Y^T X = (2, 0), ||X^T X|| = 2,
    # ||Y^T Y|| = ||diag(2, 6)|| = sqrt(40), so CKA = 4 / (2 sqrt(40)) = 1 / sqrt(10)
    X = np.array([[-1.0], [0.0], [1.0]])
    Y = np.array([[-1.0, 1.0], [0.0, -2.0], [1.0, 1.0]])
    assert linear_cka(X, Y) == pytest.approx(1 / np.sqrt(10), rel=1e-12)
    assert linear_cka(X, Y[:, 1:]) == pytest.approx(0.0, abs=1e-12)  # uncorrelated features


@pytest.mark.parametrize("p,q", [(5, 8), (60, 70)])  # the feature and the (n, n) Gram form
def test_cka_matches_the_definition(p, q):
    rng = np.random.default_rng(4)
    X, Y = rng.normal(size=(30, p)), rng.normal(size=(30, q))
    Y[:, :5] += 2 * X[:, :5]
    assert linear_cka(X, Y) == pytest.approx(_reference_cka(X, Y), rel=1e-10)


def test_cka_of_independent_representations_of_many_samples_is_near_zero():
    rng = np.random.default_rng(5)
    X, Y = rng.normal(size=(20000, 5)), rng.normal(size=(20000, 5))
    assert linear_cka(X, Y) < 0.01


def test_cka_refuses_different_sample_counts():
    with pytest.raises(ValueError, match="samples"):
        linear_cka(np.zeros((3, 2)), np.zeros((4, 2)))


def test_effective_rank_oracles():
    onehot = np.tile(np.eye(4), (25, 1))  # covariance eigenvalues 1/4, 1/4, 1/4, 0
    assert effective_rank(onehot) == pytest.approx(3.0, rel=1e-12)
    line = np.outer(np.random.default_rng(6).normal(size=100), [1.0, -2.0, 3.0])
    assert effective_rank(line) == pytest.approx(1.0, rel=1e-12)
    assert effective_rank(np.ones((10, 3))) == 0.0


def test_linear_probe_decodes_separable_classes_and_not_noise():
    rng = np.random.default_rng(7)
    y = rng.integers(0, 3, size=600)
    X = np.eye(3)[y] * 4.0 + rng.normal(size=(600, 3)) * 0.3
    assert linear_probe_accuracy(X[:400], y[:400], X[400:], y[400:]) == 1.0
    assert linear_probe_accuracy(1e3 * X[:400], y[:400], 1e3 * X[400:], y[400:]) == 1.0
    noise = rng.normal(size=(600, 3))
    assert linear_probe_accuracy(noise[:400], y[:400], noise[400:], y[400:]) < 0.45


def test_unit_health_counts_flat_units_exactly():
    pre = np.random.default_rng(8).uniform(-1, 1, size=(64, 10))  # every unit in tanh's linear range
    pre[:, 0] = 5.0                 # saturated on every sample: dead and saturated
    pre[:40, 1] = -3.0              # flat on 40 of 64 samples: saturated, not dead
    pre[:20, 2] = 3.0               # flat on 20 of 64: neither
    assert unit_health(pre, "tanh") == {"dead": 0.1, "saturated": 0.2}
    off = pre.copy()
    off[:, 3:5] = -0.5              # relu: never active
    assert unit_health(off, "relu") == {"dead": 0.2}  # being off on many samples is not saturation
    assert unit_health(pre, "linear") == {"dead": 0.0}


def _forced(net, block: int, units: list[int], bias: float) -> None:
    """Push the given units' pre-activations far out with a huge bias."""
    net.params[net.weight_layers[block]]["b"][units] = bias


@pytest.mark.parametrize("activation,bias,metric", [("relu", -1e3, "dead_fraction"),
                                                    ("tanh", 1e3, "saturated_fraction"),
                                                    ("tanh", -1e3, "dead_fraction")])
def test_forced_units_are_reported_exactly(activation, bias, metric):
    net = Network([8, 20, 16, 3], np.random.default_rng(0), activation=activation, dtype="float64")
    _forced(net, 0, [0, 3, 7, 11, 19], bias)   # 5 of 20
    _forced(net, 1, [2, 5], bias)              # 2 of 16 (the inputs of block 1 moved too)
    x = np.random.default_rng(1).normal(size=(128, 8))
    y = np.arange(128) % 3
    d = representation_diagnostics(net, x, y)
    assert d[f"{metric}/0"] == 5 / 20
    assert d[f"{metric}/1"] == 2 / 16
    assert "dead_fraction/2" not in d  # the linear readout has no activation
    assert set(d) >= {"effective_rank/0", "linear_probe_accuracy/2"}


def test_a_dead_convolution_filter_is_reported():
    """A convolution's unit is its channel: a filter off at every position of every sample is dead."""
    layers = [dict(spec, activation="relu") if "activation" in spec else spec for spec in EXAMPLE_CONV_LAYERS]
    net = Network([8, 3], np.random.default_rng(0), layers=layers, input_shape=(1, 8), dtype="float64")
    _forced(net, 0, [1, 6], -1e3)
    x = np.random.default_rng(2).normal(size=(64, 1, 8))
    d = representation_diagnostics(net, x, np.arange(64) % 3)
    assert d["dead_fraction/0"] == 2 / 8
    assert d["dead_fraction/1"] < 2 / 8  # block 1's filters see the live channels


def test_representation_diagnostics_change_no_state():
    net = Network([8, 16, 3], np.random.default_rng(0))
    before = [dict((k, v.copy()) for k, v in p.items()) for p in net.params]
    x = np.random.default_rng(3).normal(size=(64, 8)).astype(np.float32)
    representation_diagnostics(net, x, np.arange(64) % 3, x[:16], np.arange(16) % 3)
    for p, q in zip(before, net.params):
        for k in p:
            np.testing.assert_array_equal(p[k], q[k])


def _reference_debiased_cka(X, Y):
    """The unbiased HSIC estimator (Song et al. 2012) on diagonal-free Gram matrices, written out."""
    n = X.shape[0]
    X, Y = X - X.mean(0), Y - Y.mean(0)

    def hsic(K, L):
        K, L = K - np.diag(np.diag(K)), L - np.diag(np.diag(L))
        one = np.ones(n)
        return (np.trace(K @ L) + one @ K @ one * (one @ L @ one) / ((n - 1) * (n - 2))
                - 2 / (n - 2) * one @ K @ L @ one) / (n * (n - 3))

    K, L = X @ X.T, Y @ Y.T
    return hsic(K, L) / np.sqrt(hsic(K, K) * hsic(L, L))


@pytest.mark.parametrize("p,q", [(5, 8), (60, 70)])
def test_debiased_cka_matches_the_definition_and_keeps_the_invariances(p, q):
    rng = np.random.default_rng(9)
    X, Y = rng.normal(size=(30, p)), rng.normal(size=(30, q))
    Y[:, :5] += 2 * X[:, :5]
    value = linear_cka(X, Y, debiased=True)
    assert value == pytest.approx(_reference_debiased_cka(X, Y), rel=1e-10)
    assert linear_cka(X @ ortho_group.rvs(p, random_state=1), 4.0 * Y, debiased=True) == pytest.approx(value, rel=1e-10)
    assert linear_cka(X, X, debiased=True) == pytest.approx(1.0, rel=1e-12)


def test_debiased_cka_removes_the_small_sample_bias():
    """Independent representations of 100 samples x 100 features: linear CKA near its bias,
    sqrt(pq / ((n + p)(n + q))) = 0.5; the debiased one near 0."""
    rng = np.random.default_rng(10)
    plain, debiased = [], []
    for _ in range(5):
        X, Y = rng.normal(size=(100, 100)), rng.normal(size=(100, 100))
        plain.append(linear_cka(X, Y))
        debiased.append(linear_cka(X, Y, debiased=True))
    assert np.mean(plain) == pytest.approx(0.5, abs=0.05)
    assert abs(np.mean(debiased)) < 0.03
