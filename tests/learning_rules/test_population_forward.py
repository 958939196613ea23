"""Vectorised population scoring against the loop over individuals, and the flat layout."""

import numpy as np
import pytest

from learning_rules import population_forward as pf
from learning_rules.losses import get_loss, log_softmax
from learning_rules import Network
from learning_rules.networks import Capabilities
from learning_rules.params import leaves
from learning_rules.population_forward import (ParamLayout, loop_outputs, population_fitness,
                                               population_outputs, supports_vectorised)


def _population(net, P, scale, seed):
    rng = np.random.default_rng(seed)
    layout = ParamLayout.of(net.params)
    theta = layout.flatten(net.params)
    return (theta + scale * rng.standard_normal((P, theta.size))).astype(layout.dtype)


def test_layout_round_trip_and_views():
    net = Network([5, 4, 3], np.random.default_rng(0))
    layout = ParamLayout.of(net.params)
    assert layout.size == 5 * 4 + 4 + 4 * 3 + 3
    flat = layout.flatten(net.params)
    for p, v in zip(leaves(net.params), layout.views(flat)):
        assert np.array_equal(p, v)
    pop = np.stack([flat, 2 * flat])  # (2, D) -> views (2, *shape)
    assert np.array_equal(layout.views(pop)[2][1], 2 * net.layers[2].params["W"])
    assert layout.group_sizes == [5 * 4 + 4, 4 * 3 + 3]  # per layer with parameters
    other = Network([5, 4, 3], np.random.default_rng(1))
    layout.load(flat, other.params)
    for p, q in zip(leaves(net.params), leaves(other.params)):
        assert np.array_equal(p, q)


@pytest.mark.parametrize("activation, sizes", [("tanh", [7, 6, 5, 4]), ("relu", [7, 6, 5, 4]),
                                               ("tanh", [7, 4])])
def test_vectorised_outputs_match_the_loop(activation, sizes):
    net = Network(sizes, np.random.default_rng(0), activation=activation, dtype="float64")
    pop = _population(net, 9, 0.3, 1)
    x = np.random.default_rng(2).normal(size=(11, 7))
    vec = population_outputs(net, pop, x)
    assert vec.shape == (9, 11, 4)
    np.testing.assert_allclose(vec, loop_outputs(net, pop, x), rtol=1e-12, atol=1e-12)


@pytest.mark.parametrize("sizes, batch", [([784, 64, 10], 32), ([784, 64, 10], 1), ([40, 256, 256, 10], 7)])
def test_vectorised_outputs_equal_the_loop_bit_for_bit(sizes, batch):
    # the same BLAS products in the same order, so GA selects the same individuals either way
    net = Network(sizes, np.random.default_rng(0))
    pop = _population(net, 5, 0.05, 1)
    x = np.random.default_rng(2).normal(size=(batch, sizes[0])).astype(np.float32)
    assert np.array_equal(population_outputs(net, pop, x), loop_outputs(net, pop, x))


def test_chunking_gives_the_same_outputs(monkeypatch):
    net = Network([6, 5, 3], np.random.default_rng(0), dtype="float64")
    pop = _population(net, 10, 0.2, 3)
    x = np.random.default_rng(4).normal(size=(8, 6))
    whole = population_outputs(net, pop, x)
    monkeypatch.setattr(pf, "MAX_ELEMENTS", 8 * 5 * 3)  # 3 individuals per chunk
    np.testing.assert_allclose(population_outputs(net, pop, x), whole, rtol=1e-12, atol=1e-12)


class _DuckNet:
    """A network that is not the rate Network: only params, predict and flops."""

    def __init__(self, rng):
        self.W = rng.normal(size=(4, 3)).astype(np.float32)
        self.b = np.zeros(3, np.float32)

    capabilities = Capabilities(frozenset({"population"}))

    @property
    def params(self):
        return [{"W": self.W, "b": self.b}]

    def predict(self, x):
        return np.maximum(x @ self.W + self.b, 0)

    def flops(self, batch=1):
        return batch * (2 * 4 * 3 + 3)


def test_other_networks_fall_back_to_the_loop_and_are_restored():
    net = _DuckNet(np.random.default_rng(0))
    assert not supports_vectorised(net)
    before = [p.copy() for p in leaves(net.params)]
    pop = _population(net, 5, 1.0, 1)
    x = np.random.default_rng(2).normal(size=(6, 4)).astype(np.float32)
    out = population_outputs(net, pop, x)
    W, b = ParamLayout.of(net.params).views(pop[3])
    np.testing.assert_allclose(out[3], np.maximum(x @ W + b, 0), rtol=1e-6)
    for p, q in zip(leaves(net.params), before):
        assert np.array_equal(p, q)


@pytest.mark.parametrize("loss", ["cross_entropy", "mse"])
def test_fitness_matches_the_loss_of_each_individual(loss):
    rng = np.random.default_rng(0)
    outputs = rng.normal(size=(4, 6, 3))
    y = rng.integers(0, 3, size=6)
    losses, errors = population_fitness(outputs, y, loss)
    for p in range(4):
        assert losses[p] == pytest.approx(get_loss(loss)(outputs[p], y)[0], rel=1e-12)
        assert errors[p] == pytest.approx(np.mean(outputs[p].argmax(1) != y))


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_fitness_equals_log_softmax_and_argmax_bit_for_bit(dtype):
    # the column-wise fitness must not change a single bit of what the rules rank
    rng = np.random.default_rng(0)
    P, B, K = 7, 33, 10
    outputs = (3 * rng.normal(size=(P, B, K))).astype(dtype)
    outputs[0, 1] = 2.0  # a row of ties: the first maximum wins
    outputs[1, 2, 4] = -np.inf
    outputs[2, 0, 0] = np.nan
    y = rng.integers(0, K, size=B)
    losses, errors = population_fitness(outputs, y)
    logp = log_softmax(outputs.reshape(P * B, K)).reshape(P, B, K)
    assert np.array_equal(losses, -logp[:, np.arange(B), y].mean(axis=1).astype(np.float64), equal_nan=True)
    expected = (outputs.argmax(axis=2) != y).mean(axis=1)
    assert np.array_equal(errors[[0, 1, 3, 4, 5, 6]], expected[[0, 1, 3, 4, 5, 6]])
    assert errors[2] == np.inf


def test_non_finite_outputs_give_non_finite_fitness():
    outputs = np.zeros((3, 2, 2))
    outputs[1, 0, 0] = np.nan
    outputs[2, 1, 1] = np.inf
    losses, errors = population_fitness(outputs, np.array([0, 1]))
    assert np.isfinite(losses[0]) and not np.isfinite(losses[1:]).any()
    assert np.isfinite(errors[0]) and not np.isfinite(errors[1:]).any()


@pytest.mark.parametrize("sizes", [[7, 6, 5, 4], [7, 6]])
def test_antithetic_outputs_match_the_explicit_pairs(monkeypatch, sizes):
    net = Network(sizes, np.random.default_rng(0), dtype="float64")
    layout = ParamLayout.of(net.params)
    theta = layout.flatten(net.params)
    step = 0.1 * np.random.default_rng(1).normal(size=(5, theta.size))
    x = np.random.default_rng(2).normal(size=(9, 7))
    explicit = population_outputs(net, np.concatenate([theta + step, theta - step]), x)
    np.testing.assert_allclose(pf.antithetic_outputs(net, theta, step, x), explicit, rtol=1e-12, atol=1e-12)
    monkeypatch.setattr(pf, "MAX_ELEMENTS", 2 * 9 * 6 * 2)  # 2 pairs per chunk
    np.testing.assert_allclose(pf.antithetic_outputs(net, theta, step, x), explicit, rtol=1e-12, atol=1e-12)
    # the first layer's product is paid n + 1 times instead of 2n
    first = 2 * 9 * 7 * 6
    assert pf.antithetic_flops(net, 5, 9) == 10 * net.flops(9) - 4 * first


CONV = [{"type": "conv1d", "channels": 4, "kernel": 3, "stride": 2, "padding": 1, "activation": "tanh"},
        {"type": "maxpool1d", "kernel": 2}, {"type": "conv1d", "channels": 3, "kernel": 2, "activation": "relu"},
        {"type": "avgpool1d", "kernel": 2, "stride": 1}]


def test_convolutional_populations_are_vectorised_and_match_the_loop():
    net = Network([24, 3], np.random.default_rng(0), layers=CONV, input_shape=(2, 12), dtype="float64")
    assert supports_vectorised(net)
    pop = _population(net, 6, 0.3, 1)
    x = np.random.default_rng(2).normal(size=(5, 24))
    vec = population_outputs(net, pop, x)
    assert vec.shape == (6, 5, 3)
    np.testing.assert_allclose(vec, loop_outputs(net, pop, x), rtol=1e-12, atol=1e-12)
    theta, step = pop[0], 0.1 * (pop[1:4] - pop[0])
    pairs = pf.antithetic_outputs(net, theta, step, x)
    np.testing.assert_allclose(pairs, loop_outputs(net, np.concatenate([theta + step, theta - step]), x),
                               rtol=1e-10, atol=1e-12)
