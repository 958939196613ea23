"""LIF neurons against analytic solutions: sub-threshold trajectories, firing rates, refractoriness."""

import math

import numpy as np
import pytest

from learning_rules.spiking.neurons import LIF, simulate
from learning_rules.spiking.network import SpikingNetwork


def test_subthreshold_trajectory_is_the_analytic_solution():
    tau, dt, c, T = 20.0, 0.5, 0.03, 800
    lif = LIF.from_time_constants(tau, dt=dt, threshold=1e9)
    v = simulate(lif, np.full((1, 1), c), T)["v"][:, 0, 0]
    t = np.arange(T)
    beta = math.exp(-dt / tau)
    # exact integration of tau du/dt = -u + tau I: u_t = c (1 - beta^(t+1)) / (1 - beta)
    np.testing.assert_allclose(v, c * (1 - beta ** (t + 1)) / (1 - beta), rtol=1e-12)
    # ... which approaches the continuous steady state c / (1 - beta) ~ c tau / dt
    assert v[-1] == pytest.approx(c / (1 - beta), rel=1e-3)


def test_subthreshold_with_current_synapse_is_double_exponential():
    lif = LIF.from_time_constants(10.0, tau_syn=4.0, threshold=1e9)
    a, b, c, T = lif.alpha, lif.beta, 0.1, 60
    v = simulate(lif, np.full((2, 3), c), T)["v"][:, 0, 0]
    n = np.arange(1, T + 1)  # steps elapsed, counting t = 0
    # I_t = c (1 - a^n) / (1 - a); u = sum of beta^(t-k) I_k in closed form
    expected = c / (1 - a) * ((1 - b**n) / (1 - b) - a * (b**n - a**n) / (b - a))
    np.testing.assert_allclose(v, expected, rtol=1e-12)


@pytest.mark.parametrize("c, refractory", [(0.35, 0), (0.6, 0), (0.35, 3), (2.5, 2)])
def test_firing_rate_with_reset_to_zero_is_analytic(c, refractory):
    beta, theta, T = 0.9, 1.0, 400
    lif = LIF(beta, threshold=theta, reset="zero", refractory=refractory)
    s = simulate(lif, np.full((1, 1), c), T)["s"][:, 0, 0]
    # from u = 0, the membrane reaches theta after n steps: c (1 - beta^n) / (1 - beta) >= theta
    n = math.ceil(math.log(1 - theta * (1 - beta) / c) / math.log(beta))
    period = n + refractory
    spikes = np.flatnonzero(s)
    assert spikes[0] == n - 1
    np.testing.assert_array_equal(np.diff(spikes), period)
    assert s.sum() == (T - n) // period + 1


def test_perfect_integrator_with_subtract_reset_fires_at_rate_input_over_threshold():
    lif = LIF(beta=1.0, threshold=1.0, reset="subtract")
    c = np.array([[0.125, 0.25, 0.375, 0.75, 1.0]])  # exact in binary: no rounding drift
    T = 1000
    counts = simulate(lif, c, T, record=False)["count"][0]
    np.testing.assert_array_equal(counts, np.floor(T * c[0]))


def test_no_input_no_spikes_and_refractory_blocks_firing():
    lif = LIF(0.9, threshold=1.0, refractory=5)
    rec = simulate(lif, np.full((1, 1), 10.0), 12)
    s, active = rec["s"][:, 0, 0], rec["active"][:, 0, 0]
    np.testing.assert_array_equal(np.flatnonzero(s), [0, 6])  # fires, then 5 silent steps
    np.testing.assert_array_equal(active[1:6], 0)
    assert simulate(lif, np.zeros((1, 1)), 10)["s"].sum() == 0


@pytest.mark.parametrize("kwargs, message", [
    ({"beta": 0.0}, "LIF beta .*: 0.0 not allowed; must be in \\(0, 1\\]"),
    ({"beta": 1.5}, "LIF beta .*: 1.5 not allowed"),
    ({"beta": 0.9, "alpha": -0.1}, "LIF alpha .*: -0.1 not allowed"),
    ({"beta": 0.9, "threshold": 0.0}, "LIF threshold: 0.0 not allowed; must be a finite number > 0"),
    ({"beta": 0.9, "threshold": -1.0}, "LIF threshold: -1.0 not allowed"),
    ({"beta": 0.9, "reset": "hold"}, "LIF reset: 'hold' not allowed; allowed: subtract, zero"),
    ({"beta": 0.9, "refractory": -1}, "LIF refractory: -1 not allowed"),
])
def test_bad_neuron_parameters_are_one_line_errors(kwargs, message):
    with pytest.raises(ValueError, match=message) as err:
        LIF(**kwargs)
    assert "\n" not in str(err.value)


@pytest.mark.parametrize("options, message", [
    ({"steps": 0}, "spiking steps \\(T\\): 0 not allowed; must be an integer >= 1"),
    ({"tau_mem": 0.0}, "LIF tau_mem: 0.0 not allowed"),
    ({"tau_mem": -5.0}, "LIF tau_mem: -5.0 not allowed"),
    ({"threshold": 0.0}, "LIF threshold: 0.0 not allowed"),
    ({"dt": 0.0}, "LIF dt: 0.0 not allowed"),
    ({"encoding": "phase"}, "encoding: 'phase' not allowed; allowed: current, rate, latency"),
    ({"readout": "max"}, "spiking readout: 'max' not allowed; allowed: leaky, count"),
])
def test_network_rejects_bad_options_in_one_line(options, message):
    with pytest.raises(ValueError, match=message) as err:
        SpikingNetwork([4, 3, 2], np.random.default_rng(0), **options)
    assert "\n" not in str(err.value)
