import numpy as np
import pytest
from hypothesis import given, strategies as st
from hypothesis.extra.numpy import arrays

from learning_rules import ACTIVATIONS, get_activation, get_loss
from learning_rules.losses import cross_entropy, log_softmax, mse, one_hot, sample_losses

finite = arrays(np.float64, st.integers(1, 20), elements=st.floats(-1e4, 1e4))


@pytest.mark.parametrize("name", sorted(ACTIVATIONS))
@given(a=finite)
def test_activations_finite_everywhere(name, a):
    act = get_activation(name)
    h = act.f(a)
    assert np.all(np.isfinite(h)) and np.all(np.isfinite(act.df(a, h)))


@pytest.mark.parametrize("name", sorted(ACTIVATIONS))
def test_activation_derivative_matches_finite_difference(name):
    act = get_activation(name)
    a = np.array([-3.0, -0.7, -0.01, 0.02, 0.5, 2.5])
    eps = 1e-6
    numeric = (act.f(a + eps) - act.f(a - eps)) / (2 * eps)
    np.testing.assert_allclose(act.df(a, act.f(a)), numeric, rtol=1e-6, atol=1e-9)


def test_sigmoid_stable_at_extremes():
    s = get_activation("sigmoid").f(np.array([-1e4, 0.0, 1e4]))
    np.testing.assert_allclose(s, [0.0, 0.5, 1.0])


def test_unknown_names_list_allowed_values():
    with pytest.raises(ValueError, match="allowed: leaky_relu, linear, relu, sigmoid, tanh"):
        get_activation("softplus")
    with pytest.raises(ValueError, match="allowed: cross_entropy, mse"):
        get_loss("hinge")


@given(z=arrays(np.float64, (4, 3), elements=st.floats(-1e3, 1e3)))
def test_cross_entropy_stable_and_error_rows_sum_to_zero(z):
    y = np.array([0, 1, 2, 1])
    loss, e = cross_entropy(z, y)
    assert np.isfinite(loss) and loss >= 0
    np.testing.assert_allclose(e.sum(axis=1), 0.0, atol=1e-12)
    np.testing.assert_allclose(np.exp(log_softmax(z)).sum(axis=1), 1.0)


def test_cross_entropy_value():
    z = np.array([[0.0, np.log(3.0)]])
    loss, e = cross_entropy(z, np.array([1]))
    assert loss == pytest.approx(-np.log(0.75))
    np.testing.assert_allclose(e, [[0.25, -0.25]])


def test_mse_value_and_one_hot_targets():
    z = np.array([[1.0, 0.0], [0.0, 0.0]])
    loss, e = mse(z, np.array([0, 1]))
    assert loss == pytest.approx(0.5 * (0 + 1) / 2)
    np.testing.assert_allclose(e, (z - one_hot(np.array([0, 1]), 2, np.float64)) / 2)


@pytest.mark.parametrize("name", ["cross_entropy", "mse"])
def test_sample_losses_average_to_the_batch_loss(name):
    z, y = np.random.default_rng(0).normal(size=(7, 4)), np.random.default_rng(1).integers(0, 4, 7)
    per = sample_losses(name, z, y)
    assert per.shape == (7,) and per.mean() == pytest.approx(get_loss(name)(z, y)[0], rel=1e-12)
    assert sample_losses(name, z[2:3], y[2:3])[0] == pytest.approx(per[2], rel=1e-12)  # a sample's own
