"""Surrogate BPTT against central finite differences (float64): with the spike replaced by the
surrogate's smooth step in the forward pass too, BPTT is the exact gradient."""

import numpy as np
import pytest

from learning_rules.losses import cross_entropy
from learning_rules.optimizers import Optimizer
from learning_rules.params import aligned_leaves, leaves
from learning_rules.rules.spiking_surrogate import SpikingSurrogate
from learning_rules.spiking.network import SpikingNetwork
from learning_rules.spiking.surrogates import Surrogate

CASES = [
    dict(reset="subtract"),
    dict(reset="zero"),
    dict(reset="subtract", tau_syn=5.0),
    dict(reset="zero", readout="count"),
    dict(reset="subtract", encoding="latency", tau_syn=3.0),
    dict(reset="subtract", encoding="rate", readout="count"),
]


def _loss(net, x, y, surrogate):
    return cross_entropy(net.forward(x, spike_fn=surrogate.primitive)[0], y)[0]


@pytest.mark.parametrize("surrogate", ["fast_sigmoid", "arctan", "sigmoid"])
@pytest.mark.parametrize("options", CASES, ids=lambda o: "-".join(f"{k}={v}" for k, v in o.items()))
def test_bptt_equals_finite_differences_with_smooth_forward(options, surrogate):
    rng = np.random.default_rng(7)
    net = SpikingNetwork([5, 6, 4, 3], rng, steps=8, dtype="float64", init_gain=2.0, tau_mem=5.0, **options)
    x = rng.uniform(-1, 2, size=(4, 5))
    y = np.array([0, 1, 2, 1])
    sur = Surrogate(surrogate, 2.0)  # slope 2: a smooth step of order 1
    rule = SpikingSurrogate(Optimizer(), surrogate=surrogate, slope=2.0, detach_reset=False, smooth_forward=True)
    rule.init(net, np.random.default_rng(0))
    loss, grads, _, _ = rule.compute_gradients(net, x, y, train=False)
    assert loss == pytest.approx(_loss(net, x, y, sur), rel=1e-12)
    h = 1e-6
    for p, g in zip(leaves(net.params), aligned_leaves(net.params, grads)):
        fd = np.zeros_like(p)
        for i in np.ndindex(p.shape):
            old = p[i]
            p[i] = old + h
            up = _loss(net, x, y, sur)
            p[i] = old - h
            down = _loss(net, x, y, sur)
            p[i] = old
            fd[i] = (up - down) / (2 * h)
        assert np.linalg.norm(fd) > 1e-6, "degenerate case: no gradient reaches this parameter"
        rel = np.linalg.norm(g - fd) / (np.linalg.norm(g) + np.linalg.norm(fd))
        assert rel < 1e-5, f"{p.shape}: relative error {rel:.2e}"


def test_detached_reset_changes_the_gradient():
    """Detaching the reset is a real approximation: the two gradients differ (and the exact one
    is what finite differences see, above)."""
    rng = np.random.default_rng(1)
    net = SpikingNetwork([5, 6, 3], rng, steps=10, dtype="float64", init_gain=3.0)
    x, y = rng.normal(size=(4, 5)), np.array([0, 1, 2, 0])
    grads = []
    for detach in (True, False):
        rule = SpikingSurrogate(detach_reset=detach)
        rule.init(net, np.random.default_rng(0))
        grads.append(rule.compute_gradients(net, x, y, train=False)[1][0]["W"])
    assert not np.allclose(grads[0], grads[1])
