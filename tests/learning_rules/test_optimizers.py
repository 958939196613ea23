import numpy as np
import pytest

from learning_rules import Optimizer, apply_updates


def run(opt, grads_seq, p0):
    params = [p0.copy()]
    state = opt.init(params)
    for g in grads_seq:
        updates, state = opt.update([g], state, params)
        apply_updates(params, updates)
    return params[0]


def test_sgd():
    p = run(Optimizer("sgd", lr=0.1), [np.array([1.0, -2.0])], np.zeros(2))
    np.testing.assert_allclose(p, [-0.1, 0.2])


def test_momentum_and_nesterov_by_hand():
    g = [np.array([1.0]), np.array([1.0])]
    # v1 = 1, v2 = 0.9 + 1 = 1.9 -> p = -0.1 * (1 + 1.9)
    np.testing.assert_allclose(run(Optimizer("momentum", lr=0.1), g, np.zeros(1)), [-0.29])
    # nesterov: u = -lr (g + mu v): -0.1 (1 + 0.9) + -0.1 (1 + 0.9 * 1.9)
    np.testing.assert_allclose(run(Optimizer("momentum", lr=0.1, nesterov=True), g, np.zeros(1)),
                               [-0.1 * 1.9 - 0.1 * (1 + 0.9 * 1.9)])


def test_adam_matches_textbook_formula():
    rng = np.random.default_rng(0)
    grads = [rng.normal(size=3) for _ in range(5)]
    b1, b2, eps, lr = 0.9, 0.999, 1e-8, 0.01
    p, m, s = np.zeros(3), np.zeros(3), np.zeros(3)
    for t, g in enumerate(grads, 1):
        m = b1 * m + (1 - b1) * g
        s = b2 * s + (1 - b2) * g * g
        p = p - lr * (m / (1 - b1**t)) / (np.sqrt(s / (1 - b2**t)) + eps)
    np.testing.assert_allclose(run(Optimizer("adam", lr=lr), grads, np.zeros(3)), p, rtol=1e-10)


def test_weight_decay_and_clipping():
    p = run(Optimizer("sgd", lr=1.0, weight_decay=0.5), [np.zeros(1)], np.array([2.0]))
    np.testing.assert_allclose(p, [1.0])
    opt = Optimizer("sgd", lr=1.0, clip_norm=1.0)
    params = [np.zeros(2), np.zeros(1)]
    updates, _ = opt.update([np.array([3.0, 0.0]), np.array([4.0])], opt.init(params), params)
    assert np.sqrt(sum((u**2).sum() for u in updates)) == pytest.approx(1.0)


def test_none_gradients_freeze_parameters():
    opt = Optimizer("adam")
    params = [np.ones(2), np.ones(2)]
    updates, _ = opt.update([None, np.ones(2)], opt.init(params), params)
    apply_updates(params, updates)
    np.testing.assert_array_equal(params[0], 1.0)
    assert np.all(params[1] < 1.0)


@pytest.mark.parametrize("kwargs, key", [({"lr": -1}, "optimizer.lr"), ({"name": "rmsprop"}, "optimizer.name"),
                                          ({"momentum": 1.0}, "optimizer.momentum")])
def test_bad_hyperparameters_name_the_key(kwargs, key):
    with pytest.raises(ValueError, match=key):
        Optimizer(**kwargs)


@pytest.mark.parametrize("key", ["lr", "momentum", "beta1", "beta2", "eps", "weight_decay", "clip_norm"])
@pytest.mark.parametrize("value", [float("inf"), float("-inf"), float("nan"), "0.1"])
def test_every_number_must_be_finite_and_a_number(key, value):
    with pytest.raises(ValueError, match=f"^optimizer.{key}: .* not allowed; must be a finite number"):
        Optimizer(**{key: value})
