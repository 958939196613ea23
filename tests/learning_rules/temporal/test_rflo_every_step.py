"""RFLO on a readout of every step (Murray 2019's tasks: a target at every step): the update
against its equation written out in plain loops on a tiny leaky Elman net, and BPTT through the
same readout against finite differences."""

import numpy as np
import pytest
from helpers import B, D, T, finite_differences, relative, rule_gradients

from learning_rules.credit.eligibility import GatedEligibility
from learning_rules.losses import mse
from learning_rules.networks.temporal import TemporalNetwork
from learning_rules.params import leaves
from learning_rules.rules.bptt import BPTT
from learning_rules.rules.rflo import RFLO

K, N, LEAK = 2, 4, 0.3


def leaky_net(tau_out: float = 3.0, seed: int = 1) -> TemporalNetwork:
    rng = np.random.default_rng(seed)
    net = TemporalNetwork([T * D, N, T * K], rng, cell="elman", readout="every_step", leak=LEAK,
                          input_shape=(T, D), dtype="float64", tau_out=tau_out)
    for p in leaves(net.params):  # non-zero biases, weights away from their initial scale
        p[...] = rng.normal(0.0, 0.6, p.shape)
    return net


def data(seed: int = 0):
    rng = np.random.default_rng(seed)
    return rng.normal(size=(B, T * D)), rng.normal(size=(B, T * K))


def rflo_by_hand(net, F: np.ndarray, x: np.ndarray, y: np.ndarray, first: int = 0) -> list[np.ndarray]:
    """Murray's equations per sample and synapse: p_ji = (1 - a) p_ji + a f'(u_j) xt_i,
    pbar = kappa pbar + p, dW_ji = sum_t (E_t F^T)_j pbar_ji; dW_out = sum_t m_t^T E_t."""
    cell, dense = net.layers[0], net.layers[1]
    W, U, b = cell.params["W"], cell.params["U"], cell.params["b"]
    kappa, X = net.reduction.beta, x.reshape(B, T, D)
    g = {k: np.zeros_like(v) for k, v in cell.params.items()}
    gW, gb = np.zeros_like(dense.W), np.zeros_like(dense.b)
    for s in range(B):
        h, m = np.zeros(N), np.zeros(N)
        p = {"W": np.zeros((D, N)), "U": np.zeros((N, N)), "b": np.zeros(N)}
        pbar = {k: np.zeros_like(v) for k, v in p.items()}
        for t in range(T):
            u = X[s, t] @ W + h @ U + b
            fprime = 1 - np.tanh(u) ** 2
            pre = {"W": X[s, t], "U": h}
            for j in range(N):
                for k in ("W", "U"):
                    for i in range(pre[k].size):
                        p[k][i, j] = (1 - LEAK) * p[k][i, j] + LEAK * fprime[j] * pre[k][i]
                p["b"][j] = (1 - LEAK) * p["b"][j] + LEAK * fprime[j]
            h = (1 - LEAK) * h + LEAK * np.tanh(u)
            m = kappa * m + h
            E = (m @ dense.W + dense.b - y[s, t * K:(t + 1) * K]) / B   # the mean over the batch
            E = E if t >= first else 0.0 * E                             # outside the error window
            signal = F @ E                                                # (N,): E_t through F
            for k in p:
                pbar[k] = kappa * pbar[k] + p[k]
                g[k] += pbar[k] * signal                                  # broadcast over j (last axis)
            gW += np.outer(m, E)
            gb += E
    return [g["W"], g["U"], g["b"], gW, gb]


@pytest.mark.parametrize("tau_out", [3.0, 1e-3])
def test_rflo_on_every_step_follows_its_equation(tau_out):
    """tau_out 1e-3: kappa = 0, Murray's instantaneous readout."""
    net = leaky_net(tau_out)
    x, y = data()
    rule = RFLO(loss="mse", error_window=1.0)
    got = rule_gradients(rule, net, x, y)
    want = rflo_by_hand(net, rule.signals[0], x, y)
    assert relative(got, want) < 1e-10


def test_rflo_on_every_step_learns_from_the_window_with_the_filter_running_before_it():
    net = leaky_net(3.0)
    x, y = data()
    rule = RFLO(loss="mse", error_window=0.4)  # the last 2 of T = 5 steps
    got = rule_gradients(rule, net, x, y)
    assert relative(got, rflo_by_hand(net, rule.signals[0], x, y, first=T - 2)) < 1e-10


def test_rflo_on_every_step_without_the_readout_filter_is_not_its_equation(monkeypatch):
    """The trace must meet the error filtered by the readout's leak: drop the filter and it fails."""
    net = leaky_net(3.0)
    x, y = data()
    rule = RFLO(loss="mse", error_window=1.0)
    plain = GatedEligibility.accumulate_filtered
    monkeypatch.setattr(GatedEligibility, "accumulate_filtered", lambda self, L, kappa: plain(self, L, 0.0))
    got = rule_gradients(rule, net, x, y)
    assert relative(got, rflo_by_hand(net, rule.signals[0], x, y)) > 1e-2


def test_rflo_loss_on_every_step_is_the_network_loss():
    net = leaky_net()
    x, y = data()
    rule = RFLO(loss="mse", error_window=1.0)
    rule.init(net, np.random.default_rng(0))
    loss = rule.compute_gradients(net, x, y, train=False)[0]
    assert loss == pytest.approx(mse(net.forward(x)[0], y)[0], rel=1e-10)


@pytest.mark.parametrize("tau_out", [3.0, 1e-3])
def test_bptt_through_every_step_on_a_leaky_elman_net_equals_finite_differences(tau_out):
    net = leaky_net(tau_out)
    x, y = data()
    assert relative(rule_gradients(BPTT(loss="mse"), net, x, y), finite_differences(net, x, y, loss=mse)) < 1e-6
