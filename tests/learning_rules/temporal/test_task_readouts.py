"""The readouts of the e-prop paper's tasks: the decision window (the mean over the last W
steps) and the readout of every step (a leaky readout neuron per output, a target at every
step): BPTT through them against finite differences, e-prop exact without recurrence, the
online score equal to the forward pass."""

import numpy as np
import pytest
from helpers import B, D, T, relative, rule_gradients

from learning_rules.credit.online import OnlinePass
from learning_rules.losses import mse
from learning_rules.networks.temporal import TemporalNetwork
from learning_rules.rules.bptt import BPTT
from learning_rules.rules.eprop import EProp
from learning_rules.rules.spiking_surrogate import SpikingSurrogate
from learning_rules.spiking.alif_eligibility import ALIFEligibility
from learning_rules.spiking.surrogates import Surrogate

K = 2
NEURON = {"tau_mem": 5.0, "tau_adapt": 8.0, "beta_adapt": 0.7, "adaptive": 0.5, "threshold": 0.8}


def net_of(cell="alif", readout="every_step", recurrent=True, **options):
    n_out = T * K if readout == "every_step" else K
    neuron = NEURON if cell == "alif" else None
    return TemporalNetwork([T * D, 4, n_out], np.random.default_rng(1), cell=cell, readout=readout,
                           recurrent=recurrent, input_shape=(T, D), neuron=neuron, init_gain=2.0, dtype="float64",
                           tau_out=3.0, **options)


def data(regression=True, seed=0):
    rng = np.random.default_rng(seed)
    x = rng.normal(size=(B, T * D))
    return x, (rng.normal(size=(B, T * K)) if regression else rng.integers(0, K, B))


def mse_differences(net, x, y, spike_fn, eps=1e-6):
    out = []
    for p in (p for layer in net.params for p in layer.values()):
        g = np.zeros_like(p)
        for i in np.ndindex(p.shape):
            old = p[i]
            p[i] = old + eps
            up = mse(net.forward(x, spike_fn=spike_fn)[0], y)[0]
            p[i] = old - eps
            down = mse(net.forward(x, spike_fn=spike_fn)[0], y)[0]
            p[i] = old
            g[i] = (up - down) / (2 * eps)
        out.append(g)
    return out


def test_every_step_scores_are_the_leaky_readout_at_each_step():
    net = net_of(recurrent=False)
    x, _ = data()
    out, trace = net.forward(x)
    S = trace.extra["spikes"][0]                              # (T, B, n)
    dense = net.layers[-1]
    m = np.zeros_like(S[0])
    for t in range(T):
        m = net.beta_out * m + S[t]
        np.testing.assert_allclose(out[:, t * K:(t + 1) * K], m @ dense.W + dense.b, rtol=1e-12)
    assert net.n_outputs == T * K and dense.n_out == K


@pytest.mark.parametrize("recurrent", [True, False])
def test_bptt_through_the_every_step_readout_equals_finite_differences(recurrent):
    net = net_of(recurrent=recurrent)
    x, y = data()
    smooth = Surrogate("fast_sigmoid", 2.0)
    rule = SpikingSurrogate(loss="mse", surrogate="fast_sigmoid", slope=2.0, detach_reset=False, smooth_forward=True)
    assert relative(rule_gradients(rule, net, x, y), mse_differences(net, x, y, smooth.primitive)) < 1e-6


def test_eprop_on_every_step_equals_bptt_without_recurrence(monkeypatch):
    """The per-step learning signal meets the traces filtered by the readout's leak: exact for
    one feed-forward level; without the filter (kappa = 0) it is not."""
    net = net_of(recurrent=False)
    x, y = data()
    bptt = rule_gradients(BPTT(loss="mse", slope=3.0), net, x, y)
    assert relative(rule_gradients(EProp(loss="mse", slope=3.0), net, x, y), bptt) < 1e-10
    unfiltered = ALIFEligibility.accumulate_filtered
    monkeypatch.setattr(ALIFEligibility, "accumulate_filtered", lambda self, L, kappa: unfiltered(self, L, 0.0))
    assert relative(rule_gradients(EProp(loss="mse", slope=3.0), net, x, y), bptt) > 1e-2


def test_eprop_refuses_every_step_on_cells_without_filtered_traces():
    net = TemporalNetwork([T * D, 4, T * K], np.random.default_rng(1), cell="lif", readout="every_step",
                          input_shape=(T, D))
    with pytest.raises(ValueError, match="every_step"):
        EProp(loss="mse").init(net, np.random.default_rng(0))


@pytest.mark.parametrize("cell", ["alif", "elman"])
def test_window_readout_is_the_mean_over_the_last_steps(cell):
    net = net_of(cell, "window", window=2)
    x, y = data(regression=False)
    out, trace = net.forward(x)
    H = trace.extra["top"]
    np.testing.assert_allclose(out, H[-2:].mean(axis=0) @ net.layers[-1].W + net.layers[-1].b, rtol=1e-12)
    pas = OnlinePass(net, x, None, Surrogate("fast_sigmoid", 3.0))
    for t in range(T):
        pas.step(t)
    np.testing.assert_allclose(pas.score.scores(T - 1), out, rtol=1e-10)


def test_eprop_on_the_window_readout_equals_bptt_without_recurrence():
    net = net_of("alif", "window", recurrent=False, window=3)
    x, y = data(regression=False)
    assert relative(rule_gradients(EProp(slope=3.0), net, x, y), rule_gradients(BPTT(slope=3.0), net, x, y)) < 1e-10


@pytest.mark.parametrize("window", [0, T + 1, 1.5])
def test_a_window_outside_the_sequence_is_a_one_line_error(window):
    with pytest.raises(ValueError, match="window") as err:
        net_of("elman", "window", window=window)
    assert "\n" not in str(err.value)


@pytest.mark.parametrize("cell", ["elman", "gru"])
def test_eprop_on_every_step_equals_bptt_on_rate_cells_without_recurrence(cell):
    """The rate cells' traces filtered by the readout's leak: exact for one feed-forward level."""
    net = net_of(cell, recurrent=False, leak=0.4) if cell == "elman" else net_of(cell, recurrent=False)
    x, y = data()
    assert relative(rule_gradients(EProp(loss="mse"), net, x, y), rule_gradients(BPTT(loss="mse"), net, x, y)) < 1e-10
