"""The population-rule base: fitness sanitising, the step's report, hyperparameter errors."""

import numpy as np
import pytest

from learning_rules.losses import get_loss
from learning_rules import Network
from learning_rules.rules.evolution_strategy import EvolutionStrategy
from learning_rules.rules.genetic import Genetic
from learning_rules.rules.population import sanitize_fitness
from learning_rules.testing import separable_problem


def test_sanitize_makes_every_non_finite_fitness_the_worst():
    f = sanitize_fitness(np.array([1.0, np.nan, -np.inf, np.inf, 2.0]))
    assert f.tolist() == [1.0, np.inf, np.inf, np.inf, 2.0]


@pytest.mark.parametrize("rule", [Genetic(population_size=6), EvolutionStrategy(population_size=6)])
def test_step_reports_loss_before_the_generation_and_all_forward_flops(rule):
    x, y = separable_problem()
    net = Network([8, 5, 3], np.random.default_rng(0))
    rule.init(net, np.random.default_rng(1))
    expected_loss = get_loss("cross_entropy")(net.predict(x[:16]), y[:16])[0]
    info = rule.step(net, x[:16], y[:16])
    assert info["loss"] == pytest.approx(expected_loss)
    # 6 candidates + the network itself, 16 samples each, plus the search's own arithmetic;
    # ES's antithetic pairs share the centre's first-layer product: 4 of them instead of 6
    saved = 2 * 2 * 16 * 8 * 5 if isinstance(rule, EvolutionStrategy) else 0
    assert info["flops"] == 7 * net.flops(16) - saved + rule.search_flops()
    assert info["best_fitness"] <= info["mean_fitness"] <= info["worst_fitness"]


@pytest.mark.parametrize("cls, kwargs, message", [
    (Genetic, {"population_size": 1}, "population_size 1 not allowed"),
    (EvolutionStrategy, {"population_size": 1}, "population_size 1 not allowed"),
    (EvolutionStrategy, {"population_size": 7}, "population_size 7 not allowed; must be an even"),
    (Genetic, {"population_size": 8, "elitism": 8}, "elitism 8 not allowed"),
    (Genetic, {"mutation_scale": -0.1}, "mutation_scale -0.1 not allowed; must be a finite number >= 0"),
    (Genetic, {"selection": "roulette"}, "selection 'roulette' not allowed; must be one of truncation, tournament"),
    (Genetic, {"crossover": "two_point"}, "crossover 'two_point' not allowed"),
    (Genetic, {"fitness": "accuracy"}, "fitness 'accuracy' not allowed; must be one of loss, error"),
    (EvolutionStrategy, {"sigma": 0.0}, "sigma 0.0 not allowed; must be a finite number > 0"),
])
def test_bad_hyperparameters_give_one_line_errors(cls, kwargs, message):
    with pytest.raises(ValueError, match=message) as err:
        cls(**kwargs)
    assert "\n" not in str(err.value)


def test_error_rate_fitness_is_the_batch_error_of_the_best_individual():
    x, y = separable_problem()
    net = Network([8, 5, 3], np.random.default_rng(0))
    rule = Genetic(population_size=8, fitness="error", mutation_scale=0.5)
    rule.init(net, np.random.default_rng(1))
    info = rule.step(net, x[:32], y[:32])
    error = float(np.mean(net.predict(x[:32]).argmax(axis=1) != y[:32]))
    assert info["best_fitness"] == pytest.approx(error)
    assert info["best_fitness"] * 32 == pytest.approx(round(info["best_fitness"] * 32))  # a count / 32


def test_zscore_shaping_treats_non_finite_fitness_as_the_worst_finite():
    from learning_rules.rules.evolution_strategy import zscores

    z = zscores(sanitize_fitness(np.array([1.0, 2.0, np.nan, 3.0])))
    assert z[2] == pytest.approx(z[3]) and z[0] < z[1] < z[3]
    assert np.isfinite(z).all()
