"""The genetic algorithm: elitism, determinism, NaN handling, operators, other networks."""

import numpy as np
import pytest

from learning_rules.networks import Capabilities
from learning_rules.params import leaves

from learning_rules import Network
from learning_rules.rules.genetic import Genetic
from learning_rules.testing import separable_problem


def _run(rule, seed, generations, dtype="float32", fixed=True):
    x, y = separable_problem(seed=0)
    net = Network([8, 6, 3], np.random.default_rng(seed), dtype=dtype)
    rule.init(net, np.random.default_rng(seed + 10))
    infos = []
    for t in range(generations):
        i = 0 if fixed else (t * 32) % 96
        infos.append(rule.step(net, x[i:i + 32], y[i:i + 32]))
    return net, infos


def test_elitism_on_a_fixed_batch_never_lets_the_best_get_worse():
    # float64, so re-scoring an elite in another position of the population is exact to ~1e-15
    _, infos = _run(Genetic(population_size=12, elitism=1, mutation_scale=0.3), 0, 40, "float64")
    best = np.array([i["best_fitness"] for i in infos])
    assert np.all(np.diff(best) <= 1e-12), np.diff(best).max()
    # the control: without elitism the same search does lose its best at some generation
    _, infos = _run(Genetic(population_size=12, elitism=0, mutation_scale=0.3), 0, 40, "float64")
    assert np.diff([i["best_fitness"] for i in infos]).max() > 1e-6


def test_network_holds_the_best_individual_of_the_generation():
    rule = Genetic(population_size=10)
    x, y = separable_problem()
    net = Network([8, 6, 3], np.random.default_rng(0), dtype="float64")
    rule.init(net, np.random.default_rng(1))
    info = rule.step(net, x[:32], y[:32])
    from learning_rules.losses import get_loss

    assert get_loss("cross_entropy")(net.predict(x[:32]), y[:32])[0] == pytest.approx(info["best_fitness"])


@pytest.mark.parametrize("kwargs", [{}, {"selection": "tournament", "crossover": "uniform"},
                                    {"crossover": "layer", "mutation_decay": 0.9}])
def test_same_seed_same_trajectory_different_seed_differs(kwargs):
    net_a, a = _run(Genetic(population_size=8, **kwargs), 1, 6, fixed=False)
    net_b, b = _run(Genetic(population_size=8, **kwargs), 1, 6, fixed=False)
    assert a == b
    assert all(np.array_equal(p, q) for p, q in zip(leaves(net_a.params), leaves(net_b.params)))
    x, y = separable_problem(seed=0)
    net_c = Network([8, 6, 3], np.random.default_rng(1))  # same initial network, other search seed
    rule = Genetic(population_size=8, **kwargs)
    rule.init(net_c, np.random.default_rng(99))
    c = [rule.step(net_c, x[(t * 32) % 96:(t * 32) % 96 + 32], y[(t * 32) % 96:(t * 32) % 96 + 32])
         for t in range(6)]
    assert [i["best_fitness"] for i in c] != [i["best_fitness"] for i in a]


@pytest.mark.parametrize("selection, crossover", [("truncation", "none"), ("tournament", "uniform"),
                                                  ("tournament", "layer"), ("truncation", "uniform")])
def test_nan_fitness_is_never_selected(selection, crossover):
    P = 10
    rule = Genetic(population_size=P, elitism=2, selection=selection, tournament_size=4,
                   truncation=1.0, crossover=crossover, crossover_rate=1.0, mutation_scale=1e-3)
    net = Network([3, 2, 2], np.random.default_rng(0))
    rule.init(net, np.random.default_rng(0))
    pop = rule.ask(net)
    bad = np.array([0, 3, 4, 7, 9])
    pop[bad] = 1e6  # the broken individuals are easy to recognise in any child
    fitness = np.arange(P, dtype=float)
    fitness[bad] = [np.nan, np.inf, -np.inf, np.nan, np.nan]
    from learning_rules.rules.population import sanitize_fitness

    rule.tell(net, pop, sanitize_fitness(fitness))
    assert np.abs(rule.layout.flatten(net.params)).max() < 1e3  # the net took a finite one
    children = rule.ask(net)
    assert np.abs(children).max() < 1e3, "a gene of a non-finite individual was inherited"
    assert np.array_equal(children[0], pop[1]) and np.array_equal(children[1], pop[2])  # elites


def test_truncation_parents_come_from_the_top_fraction():
    P = 20
    rule = Genetic(population_size=P, elitism=0, truncation=0.1, mutation_scale=0.0)
    net = Network([3, 2, 2], np.random.default_rng(0))
    rule.init(net, np.random.default_rng(0))
    pop = np.arange(P, dtype=np.float32)[:, None] * np.ones((P, rule.layout.size), np.float32)
    fitness = np.arange(P, 0, -1, dtype=float)  # the last two rows are the best
    rule.tell(net, pop, fitness)
    rule.population = pop
    children = rule.ask(net)
    assert set(np.unique(children[:, 0])) <= {18.0, 19.0}


def test_layer_crossover_takes_whole_layers_from_one_parent():
    rule = Genetic(population_size=40, elitism=0, crossover="layer", crossover_rate=1.0,
                   mutation_scale=0.0, truncation=1.0)
    net = Network([3, 4, 2], np.random.default_rng(0))
    rule.init(net, np.random.default_rng(0))
    D = rule.layout.size
    pop = np.repeat(np.arange(40, dtype=np.float32)[:, None], D, axis=1)  # row p is all p
    rule.tell(net, pop, np.zeros(40))
    rule.population = pop
    children = rule.ask(net)
    layer0 = slice(0, 3 * 4 + 4)
    mixed = 0
    for child in children:
        assert len(np.unique(child[layer0])) == 1 and len(np.unique(child[layer0.stop:])) == 1
        mixed += child[0] != child[-1]
    assert mixed > 0


def test_mutation_decay_shrinks_the_scale():
    rule = Genetic(mutation_scale=0.1, mutation_decay=0.5)
    rule.generation = 3
    assert rule.sigma() == pytest.approx(0.0125)


class _DuckNet:
    """Not the rate Network: the rule must fall back to scoring individuals one by one."""

    def __init__(self, rng):
        self.W = (0.1 * rng.normal(size=(8, 3))).astype(np.float32)
        self.b = np.zeros(3, np.float32)

    capabilities = Capabilities(frozenset({"population"}))

    @property
    def params(self):
        return [{"W": self.W, "b": self.b}]

    def predict(self, x):
        return x @ self.W + self.b

    def flops(self, batch=1):
        return batch * 51


def test_learns_on_a_network_without_a_vectorised_forward():
    from learning_rules.losses import get_loss

    x, y = separable_problem(seed=2)
    net = _DuckNet(np.random.default_rng(0))
    start = get_loss("cross_entropy")(net.predict(x), y)[0]
    rule = Genetic(population_size=16, mutation_scale=0.05)
    rule.init(net, np.random.default_rng(0))
    for t in range(30):
        rule.step(net, x[(t * 32) % 96:(t * 32) % 96 + 32], y[(t * 32) % 96:(t * 32) % 96 + 32])
    assert get_loss("cross_entropy")(net.predict(x), y)[0] < 0.5 * start
