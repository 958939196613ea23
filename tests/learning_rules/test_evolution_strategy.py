"""OpenAI-ES: the search gradient against the true one, antithetic sampling, shaping, optimizer."""

import numpy as np

from learning_rules.params import leaves
import pytest

from learning_rules import Network
from learning_rules.optimizers import Optimizer
from learning_rules.rules.evolution_strategy import EvolutionStrategy, centered_ranks
from learning_rules.rules.population import sanitize_fitness
from learning_rules.testing import separable_problem


def _rule_on(net, seed, **kwargs):
    rule = EvolutionStrategy(**kwargs)
    rule.init(net, np.random.default_rng(seed))
    return rule


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_search_gradient_points_along_the_true_gradient_of_a_quadratic_bowl(seed):
    rng = np.random.default_rng(seed)
    net = Network([8, 8, 3], rng, dtype="float64")  # D = 99 parameters
    rule = _rule_on(net, seed + 100, population_size=200, sigma=0.01)
    theta = rule.layout.flatten(net.params)
    curvature = np.linspace(1.0, 10.0, theta.size)  # an ill-conditioned bowl
    centre = rng.normal(size=theta.size)
    candidates = rule.ask(net)
    fitness = 0.5 * (curvature * (candidates - centre) ** 2).sum(axis=1)
    g = rule.estimate_gradient(sanitize_fitness(fitness))
    true = curvature * (theta - centre)
    assert g @ true / (np.linalg.norm(g) * np.linalg.norm(true)) > 0.5


def test_candidates_are_antithetic_pairs_around_the_network():
    net = Network([4, 3, 2], np.random.default_rng(0), dtype="float64")
    rule = _rule_on(net, 1, population_size=6, sigma=0.1)
    theta = rule.layout.flatten(net.params)
    c = rule.ask(net)
    np.testing.assert_allclose(c[:3] + c[3:], np.tile(2 * theta, (3, 1)), atol=1e-12)
    np.testing.assert_allclose(c[:3] - theta, 0.1 * rule.eps, atol=1e-12)


def test_centered_ranks_put_non_finite_fitness_last():
    u = centered_ranks(sanitize_fitness(np.array([3.0, np.nan, 1.0, 2.0, np.inf])))
    assert u[2] == -0.5 and u[0] == 0.0 and set(u[[1, 4]]) == {0.25, 0.5}


def test_nan_candidate_pushes_the_mean_away_from_itself():
    net = Network([4, 3, 2], np.random.default_rng(0), dtype="float64")
    rule = _rule_on(net, 1, population_size=4, sigma=0.1, optimizer=Optimizer("sgd", lr=1.0))
    theta = rule.layout.flatten(net.params)
    c = rule.ask(net)
    fitness = sanitize_fitness(np.array([np.nan, 1.0, 1.0, 1.0]))  # candidate 0 = theta + sigma eps_0
    rule.tell(net, c, fitness)
    moved = rule.layout.flatten(net.params) - theta
    assert moved @ rule.eps[0] < 0  # away from the broken direction


def test_the_given_optimizer_applies_the_search_gradient():
    net = Network([4, 3, 2], np.random.default_rng(0), dtype="float64")
    rule = _rule_on(net, 1, population_size=8, optimizer=Optimizer("sgd", lr=0.5))
    theta = rule.layout.flatten(net.params)
    c = rule.ask(net)
    fitness = np.arange(8, dtype=float)
    g = rule.estimate_gradient(fitness)
    rule.tell(net, c, fitness)
    np.testing.assert_allclose(rule.layout.flatten(net.params), theta - 0.5 * g, atol=1e-12)


def _trajectory(net_seed, search_seed, steps=5):
    x, y = separable_problem()
    net = Network([8, 6, 3], np.random.default_rng(net_seed))
    rule = _rule_on(net, search_seed, population_size=8)
    losses = [rule.step(net, x[(t * 32) % 96:(t * 32) % 96 + 32], y[(t * 32) % 96:(t * 32) % 96 + 32])["loss"]
              for t in range(steps)]
    return losses, net


def test_same_seed_same_trajectory_different_seed_differs():
    a, net_a = _trajectory(0, 1)
    b, net_b = _trajectory(0, 1)
    assert a == b and all(np.array_equal(p, q) for p, q in zip(leaves(net_a.params), leaves(net_b.params)))
    c, _ = _trajectory(0, 2)
    assert a[0] == c[0] and a[1:] != c[1:]  # same start, other search noise


def test_default_optimizer_is_adam_with_the_larger_step():
    opt = EvolutionStrategy().optimizer
    assert opt.name == "adam" and opt.lr == 0.01
