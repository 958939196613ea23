"""Equilibrium propagation: its estimate tends to the true gradient of the energy-based model,
with a bias linear in beta for one-sided and quadratic for symmetric nudging (fitted slopes);
the dynamics settle at a stationary point of the energy, and the Hopfield network predicts there."""

import numpy as np
import pytest
from gradcheck import randomise_offsets

from learning_rules import Network
from learning_rules.credit import energy
from learning_rules.critical_path import rule_critical_path
from learning_rules.networks.hopfield import HopfieldNetwork
from learning_rules.rules.equilibrium_propagation import EquilibriumPropagation

SETTLE = 100  # sweeps: the small test network's free phase stops moving (residual 0) after 80


def small(seed=0, layers=None):
    rng = np.random.default_rng(seed)
    if layers is None:
        net = HopfieldNetwork([5, 6, 5, 4, 3], rng, dtype="float64", settle_iterations=SETTLE)
        x = rng.normal(size=(7, 5))
    else:
        net = HopfieldNetwork([12, 3], rng, layers=layers, input_shape=(2, 6), dtype="float64",
                              settle_iterations=SETTLE)
        x = rng.normal(size=(7, 12))
    randomise_offsets(net, np.random.default_rng(seed + 7))
    return net, x, rng.integers(0, 3, 7)


def free_cost(net, x, y) -> float:
    """C(s^0(theta)): the loss of the readout at the settled free state."""
    return energy.cost(net, net.settle(x)[0], y, "cross_entropy")[0]


def true_gradients(net, x, y, h=1e-5) -> dict[int, np.ndarray]:
    """Central differences of C(s^0(theta)) in every hidden weight."""
    out = {}
    for i in net.weight_layers[:-1]:
        W = net.layers[i].params["W"]
        G = np.zeros_like(W)
        for idx in np.ndindex(W.shape):
            old = W[idx]
            W[idx] = old + h
            up = free_cost(net, x, y)
            W[idx] = old - h
            down = free_cost(net, x, y)
            W[idx] = old
            G[idx] = (up - down) / (2 * h)
        out[i] = G
    return out


def estimate_error(net, x, y, truth, beta, nudging) -> float:
    rule = EquilibriumPropagation(beta, SETTLE, SETTLE, nudging)
    rule.init(net, np.random.default_rng(0))
    grads = rule.compute_gradients(net, x, y, train=False)[1]
    est = np.concatenate([grads[i]["W"].ravel() for i in truth])
    ref = np.concatenate([truth[i].ravel() for i in truth])
    return float(np.linalg.norm(est - ref) / np.linalg.norm(ref))


BETAS = np.array([0.08, 0.04, 0.02, 0.01])


@pytest.fixture(scope="module")
def oracle():
    net, x, y = small()
    assert net.settle(x)[1] < 1e-14                    # the free phase has settled
    return net, x, y, true_gradients(net, x, y)


@pytest.mark.parametrize("nudging, slope", [("one_sided", 1.0), ("symmetric", 2.0)])
def test_estimate_tends_to_the_true_gradient_with_the_predicted_order(oracle, nudging, slope):
    """Relative error of the hidden-weight estimate against finite differences of C(s^0) for
    beta = 0.08 .. 0.01: the fitted slope of log error on log beta is 1 for one-sided and 2 for
    symmetric nudging (measured: 1.02 and 2.00; errors at beta = 0.08: 8.6e-2 and 9.9e-3, at
    beta = 0.01: 1.0e-2 and 1.6e-4)."""
    net, x, y, truth = oracle
    errors = np.array([estimate_error(net, x, y, truth, b, nudging) for b in BETAS])
    fitted = np.polyfit(np.log(BETAS), np.log(errors), 1)[0]
    assert fitted == pytest.approx(slope, abs=0.1), (fitted, errors)
    assert errors[-1] < (0.05 if nudging == "one_sided" else 1e-3)


def test_readout_gradient_is_exact(oracle):
    net, x, y, _ = oracle
    rule = EquilibriumPropagation(0.01, SETTLE, SETTLE)
    rule.init(net, np.random.default_rng(0))
    grads = rule.compute_gradients(net, x, y, train=False)[1]
    readout = net.weight_layers[-1]
    W = net.layers[readout].params["W"]
    old, h = W[1, 2], 1e-6
    W[1, 2] = old + h
    up = free_cost(net, x, y)
    W[1, 2] = old - h
    down = free_cost(net, x, y)
    W[1, 2] = old
    assert grads[readout]["W"][1, 2] == pytest.approx((up - down) / (2 * h), rel=1e-7)


def tanh_energy(net, state) -> float:
    """E(s) of the module docstring for tanh blocks, summed over the batch."""
    total, below = 0.0, state.inputs
    for b, s in zip(net.energy_blocks, state.s):
        layer = net.layers[b.weight]
        G = s * np.arctanh(s) + 0.5 * np.log1p(-s * s)
        total += G.sum() - (s * layer.forward(below)[0]).sum()
        below = s
    return total


def test_free_dynamics_descend_the_energy_to_a_stationary_point():
    net, x, y = small(1)
    _, trace = net.forward(x)
    state = energy.state_from_trace(net, net.energy_blocks, trace, x)
    energies = [tanh_energy(net, state)]
    for _ in range(30):
        state = energy.relax(net, net.energy_blocks, state, 1)[0]
        energies.append(tanh_energy(net, state))
    assert all(b <= a + 1e-12 for a, b in zip(energies, energies[1:]))
    assert energies[-1] < energies[0]
    state = energy.relax(net, net.energy_blocks, state, SETTLE)[0]
    s0, s1, s2 = state.s
    W = [net.layers[b.weight].params for b in net.energy_blocks]
    # stationarity: s_k = tanh(W_k^T-side drive from below + W_{k+1} s_{k+1} from above)
    np.testing.assert_allclose(s0, np.tanh(x @ W[0]["W"] + W[0]["b"] + s1 @ W[1]["W"].T), atol=1e-13)
    np.testing.assert_allclose(s1, np.tanh(s0 @ W[1]["W"] + W[1]["b"] + s2 @ W[2]["W"].T), atol=1e-13)
    np.testing.assert_allclose(s2, np.tanh(s1 @ W[2]["W"] + W[2]["b"]), atol=1e-13)


def test_hopfield_network_predicts_where_it_settles():
    net, x, y = small(2)
    assert not np.allclose(net.predict(x), net.forward(x)[0])
    one = HopfieldNetwork([5, 6, 3], np.random.default_rng(0), dtype="float64")
    np.testing.assert_allclose(one.predict(x), one.forward(x)[0], atol=1e-14)  # nothing feeds back


def directional_derivative(net, x, y, directions: dict[int, np.ndarray], h=1e-5) -> float:
    """d/dt C(s^0(theta + t v)) at t = 0 by central differences, v = ``directions`` (by layer)."""
    def moved(t):
        for i, v in directions.items():
            net.layers[i].params["W"] += t * v
        value = free_cost(net, x, y)
        for i, v in directions.items():
            net.layers[i].params["W"] -= t * v
        return value
    return (moved(h) - moved(-h)) / (2 * h)


def test_convolutional_energy_estimate_agrees_with_the_true_gradient():
    """Convolutions with average pooling: the symmetric estimate at beta = 0.01 matches finite
    differences of C(s^0) along four random directions of all hidden weights (max pooling would
    make the energy only piecewise smooth). Measured: relative error 4.2e-4 (one-sided: 2.1e-2)."""
    layers = [{"type": "conv1d", "channels": 3, "kernel": 3, "padding": 1, "activation": "tanh"},
              {"type": "avgpool1d", "kernel": 2},
              {"type": "dense", "units": 4, "activation": "tanh"}]
    net, x, y = small(3, layers)
    rule = EquilibriumPropagation(0.01, SETTLE, SETTLE, "symmetric")
    rule.init(net, np.random.default_rng(0))
    grads = rule.compute_gradients(net, x, y, train=False)[1]
    rng = np.random.default_rng(4)
    estimated, true = [], []
    for _ in range(4):
        v = {i: rng.normal(size=net.layers[i].params["W"].shape) for i in net.weight_layers[:-1]}
        estimated.append(sum(np.sum(grads[i]["W"] * d) for i, d in v.items()))
        true.append(directional_derivative(net, x, y, v))
    assert np.linalg.norm(np.subtract(estimated, true)) < 1e-3 * np.linalg.norm(true), (estimated, true)


def test_refuses_layers_without_a_place_in_the_energy():
    with pytest.raises(ValueError, match=r"^hopfield network: not defined for layer 2 \(layernorm\)"):
        HopfieldNetwork([8, 3], np.random.default_rng(0),
                        layers=[{"type": "dense", "units": 4, "activation": "tanh"}, {"type": "layernorm"}])
    with pytest.raises(ValueError, match="equilibrium_propagation: needs a network that supports 'energy'"):
        EquilibriumPropagation().init(Network([8, 4, 3], np.random.default_rng(0)), np.random.default_rng(0))


def test_iterations_cost_flops_and_critical_path():
    net, x, y = small()
    flops, paths = [], []
    for free, nudged, nudging in [(5, 2, "symmetric"), (10, 2, "symmetric"), (10, 4, "symmetric"), (10, 4, "one_sided")]:
        rule = EquilibriumPropagation(0.5, free, nudged, nudging)
        rule.init(net, np.random.default_rng(0))
        flops.append(rule.step(net, x, y)["flops"])
        paths.append(rule_critical_path(rule, net).length)
    assert flops[0] < flops[1] < flops[2] and flops[3] < flops[2]
    L = net.depth                                       # 3 hidden blocks: 2 half-sweeps per sweep
    assert paths == [L + 2 * (5 + 4), L + 2 * (10 + 4), L + 2 * (10 + 8), L + 2 * (10 + 4)]
