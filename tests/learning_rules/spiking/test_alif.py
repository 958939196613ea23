"""Adaptive LIF neurons: the threshold's dynamics, BPTT through them against finite differences,
and e-prop's eligibility traces against the paper's equations (Bellec et al. 2020, Methods)."""

import os
import sys

import numpy as np
import pytest

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "temporal"))
from helpers import B, D, K, T, batch, finite_differences, relative, rule_gradients  # noqa: E402

from learning_rules.layers.alif import ALIFCell  # noqa: E402
from learning_rules.networks.temporal import TemporalNetwork  # noqa: E402
from learning_rules.optimizers import Optimizer  # noqa: E402
from learning_rules.rules.bptt import BPTT  # noqa: E402
from learning_rules.rules.eprop import EProp  # noqa: E402
from learning_rules.rules.spiking_surrogate import SpikingSurrogate  # noqa: E402
from learning_rules.spiking.adaptive import ALIF, ALIFState, alif_step  # noqa: E402
from learning_rules.spiking.alif_eligibility import ALIFEligibility  # noqa: E402
from learning_rules.spiking.neurons import LIF  # noqa: E402
from learning_rules.spiking.surrogates import Surrogate  # noqa: E402

NEURON = {"tau_mem": 5.0, "tau_adapt": 8.0, "beta_adapt": 0.7, "adaptive": 0.5, "threshold": 0.8}


def alif_net(readout="mean", recurrent=True, neuron=None, seed=0, dtype="float64"):
    return TemporalNetwork([T * D, 4, K], np.random.default_rng(seed), cell="alif", readout=readout,
                           recurrent=recurrent, input_shape=(T, D), neuron={**NEURON, **(neuron or {})},
                           init_gain=2.0, dtype=dtype)


def test_threshold_rises_by_beta_per_spike_and_decays_with_rho():
    model = ALIF(LIF(beta=0.5, threshold=1.0), rho=0.8, beta_adapt=0.3)
    betas = model.betas(1, np.float64)
    state = ALIFState.zeros(1, 1, np.float64)
    drive = np.zeros(8)
    drive[0] = 5.0  # one spike at step 0, silence after (subtract reset: 5 - 1 -> decays below A)
    drive[1] = -4.0
    A, S = [], []
    for c in drive:
        _, a, s = alif_step(model, betas, state, np.array([[c]]))
        A.append(a.item())
        S.append(s.item())
    assert S == [1.0] + [0.0] * 7
    assert A[0] == 1.0  # before the spike the threshold is the base one
    np.testing.assert_allclose(A[1:], 1.0 + 0.3 * 0.8 ** np.arange(7), rtol=1e-12)


def test_two_spikes_add_their_rises():
    model = ALIF(LIF(beta=0.5, threshold=1.0), rho=0.9, beta_adapt=0.2)
    state = ALIFState.zeros(1, 1, np.float64)
    for c in (5.0, 5.0, -20.0):
        _, a, _ = alif_step(model, model.betas(1, np.float64), state, np.array([[c]]))
    assert a.item() == pytest.approx(1.0 + 0.2 * (0.9 + 1.0))


def test_only_the_adaptive_fraction_adapts():
    model = ALIF(LIF(beta=0.9), rho=0.9, beta_adapt=1.5, adaptive=0.25)
    np.testing.assert_array_equal(model.betas(8), [1.5, 1.5, 0, 0, 0, 0, 0, 0])


@pytest.mark.parametrize("bad, message", [({"refractory": 2}, "refractory"), ({"tau_adapt": -1.0}, "tau_adapt"),
                                          ({"adaptive": 1.5}, "adaptive"), ({"beta_adapt": -0.1}, "beta_adapt"),
                                          ({"tau_ada": 3.0}, "unknown key 'tau_ada'")])
def test_bad_neuron_parameters_are_one_line_errors(bad, message):
    with pytest.raises(ValueError, match=message):
        alif_net(neuron=bad)


@pytest.mark.parametrize("recurrent", [True, False])
@pytest.mark.parametrize("readout, neuron", [("mean", {}), ("last", {"tau_syn": 3.0}), ("leaky", {"reset": "zero"})])
def test_bptt_through_alif_equals_finite_differences(recurrent, readout, neuron):
    net = alif_net(readout, recurrent, neuron)
    x, y = batch()
    smooth = Surrogate("fast_sigmoid", 2.0)
    rule = SpikingSurrogate(surrogate="fast_sigmoid", slope=2.0, detach_reset=False, smooth_forward=True)
    fd = finite_differences(net, x, y, spike_fn=smooth.primitive)
    assert all(np.linalg.norm(g) > 1e-6 for g in fd), "degenerate case: a parameter gets no gradient"
    assert relative(rule_gradients(rule, net, x, y), fd) < 1e-6


def test_the_adaptation_path_matters_in_the_gradient():
    """With the adaptation switched off the gradient moves: the test above sees the a-path."""
    net = alif_net("mean", False)
    x, y = batch()
    rule = SpikingSurrogate(surrogate="fast_sigmoid", slope=2.0, detach_reset=False, smooth_forward=True)
    g = rule_gradients(rule, net, x, y)
    net.cells[0].betas = np.zeros_like(net.cells[0].betas)
    assert relative(rule_gradients(rule, net, x, y), g) > 1e-2


def paper_traces(cell: ALIFCell, X: np.ndarray, V: np.ndarray, A: np.ndarray, sur: Surrogate):
    """e_ji^t of a feed-forward ALIF cell by the paper's equations, one sample and synapse at a
    time in plain loops (no synaptic filter): eps^v_t = alpha eps^v_{t-1} + x_t,
    eps^a_{t+1} = psi_t eps^v_t + (rho - psi_t beta) eps^a_t, e_t = psi_t (eps^v_t - beta eps^a_t)."""
    Tn, Bn, n_in = X.shape
    n = cell.n
    alpha, rho = cell.lif.beta, cell.alif.rho  # the paper's alpha is the membrane's decay
    out = np.zeros((Tn, Bn, n_in, n))
    for b in range(Bn):
        for i in range(n_in):
            for j in range(n):
                beta = cell.betas[j]
                ev, ea = 0.0, 0.0
                for t in range(Tn):
                    ev = alpha * ev + X[t, b, i]
                    psi = sur.grad(np.array(V[t, b, j] - A[t, b, j])).item()
                    out[t, b, i, j] = psi * (ev - beta * ea)
                    ea = psi * ev + (rho - psi * beta) * ea  # eps^a for the next step
    return out


def test_eligibility_traces_follow_the_papers_equations():
    rng = np.random.default_rng(3)
    model = ALIF(LIF(beta=0.8, threshold=0.6), rho=0.9, beta_adapt=0.8, adaptive=0.5)
    cell = ALIFCell(3, 4, rng, model, recurrent=False, steps=T, gain=2.0, dtype=np.float64)
    X = rng.normal(size=(T, B, 3))
    S, cache = cell.forward(X)
    assert S.sum() > 0 and (S[:, :, :2].sum() > 0), "degenerate case: the adaptive neurons never spike"
    sur = Surrogate("fast_sigmoid", 3.0)
    oracle = paper_traces(cell, X, cache.V, cache.thresholds, sur)
    runner = cell.online_runner(B, np.float64, None, sur)
    for t in range(T):
        runner.advance(X[t], None)
        np.testing.assert_allclose(runner.trace.trace("W"), oracle[t], rtol=1e-10, atol=1e-12)
    assert np.abs(oracle[..., :2]).max() > 0


@pytest.mark.parametrize("readout", ["mean", "last", "leaky", "flatten"])
def test_symmetric_eprop_equals_bptt_without_recurrence(readout):
    """One feed-forward ALIF level: e-prop's factorisation is exact (BPTT with the reset
    detached), the adaptation's eligibility vector included, for every readout's weighting."""
    net = alif_net(readout, recurrent=False)
    x, y = batch()
    bptt = rule_gradients(BPTT(slope=3.0), net, x, y)
    assert relative(rule_gradients(EProp(slope=3.0), net, x, y), bptt) < 1e-10


def test_eprop_without_the_adaptation_trace_misses_bptt():
    """Dropping eps^a (the LIF trace on ALIF neurons) gives another gradient: the oracle above
    would catch an implementation that forgot it."""
    net = alif_net("mean", recurrent=False)
    x, y = batch()
    bptt = rule_gradients(BPTT(slope=3.0), net, x, y)
    rule = EProp(slope=3.0)
    rule.init(net, np.random.default_rng(0))
    original = ALIFEligibility.advance

    def no_adaptation(self, x, s_prev):
        original(self, x, s_prev)
        for k in self.names:
            self.ea[k][...] = 0.0

    ALIFEligibility.advance = no_adaptation
    try:
        grads = rule_gradients(rule, net, x, y)
    finally:
        ALIFEligibility.advance = original
    assert relative(grads, bptt) > 1e-3


def test_recurrent_alif_networks_train_with_eprop_and_bptt():
    rng = np.random.default_rng(0)
    x = rng.normal(size=(32, T * D)).astype(np.float32)
    y = (x.reshape(32, T, D)[:, :, 0].sum(axis=1) > 0).astype(int)
    for rule in (EProp(optimizer=Optimizer(lr=0.01)), BPTT(optimizer=Optimizer(lr=0.01))):
        net = TemporalNetwork([T * D, 16, 2], np.random.default_rng(1), cell="alif", readout="mean",
                              input_shape=(T, D), neuron=NEURON, init_gain=2.0)
        rule.init(net, np.random.default_rng(2))
        first = rule.step(net, x, y)["loss"]
        for _ in range(30):
            last = rule.step(net, x, y)["loss"]
        assert last < 0.8 * first, type(rule).name


def test_eprop_equals_bptt_on_a_direct_current_input():
    """Data of shape (D,) held for every step (``encoding = "current"``): the first ALIF cell's
    input is static; e-prop's traces read it at every step and stay exact without recurrence."""
    net = TemporalNetwork([D, 4, K], np.random.default_rng(0), cell="alif", readout="mean", recurrent=False,
                          encoding="current", steps=T, neuron=NEURON, init_gain=2.0, dtype="float64")
    x = np.random.default_rng(1).normal(size=(B, D))
    y = np.random.default_rng(2).integers(0, K, B)
    assert net.cells[0].static_input
    bptt = rule_gradients(BPTT(slope=3.0), net, x, y)
    assert relative(rule_gradients(EProp(slope=3.0), net, x, y), bptt) < 1e-10
