"""Both population rules train the spiking network: no derivative needed, scored by the loop."""

import numpy as np
import pytest

from learning_rules.losses import get_loss
from learning_rules.population_forward import supports_vectorised
from learning_rules.rules.evolution_strategy import EvolutionStrategy
from learning_rules.rules.genetic import Genetic
from learning_rules.spiking.network import SpikingNetwork
from learning_rules.testing import separable_problem


@pytest.mark.parametrize("rule", [Genetic(population_size=16, mutation_scale=0.05),
                                  EvolutionStrategy(population_size=16, sigma=0.05)])
def test_population_rules_lower_the_loss_of_a_spiking_network(rule):
    x, y = separable_problem(seed=5)
    net = SpikingNetwork([8, 16, 3], np.random.default_rng(0))
    assert not supports_vectorised(net)
    rule.init(net, np.random.default_rng(1))
    start = get_loss("cross_entropy")(net.predict(x), y)[0]
    for t in range(25):
        i = (t * 32) % 96
        info = rule.step(net, x[i:i + 32], y[i:i + 32])
    assert info["flops"] >= 17 * net.flops(32)
    assert get_loss("cross_entropy")(net.predict(x), y)[0] < 0.6 * start
