"""RFLO and e-prop against their documented equations computed naively from the batch forward's
records, and the online pass against the batch forward; memory that does not grow with T."""

import tracemalloc

import numpy as np
import pytest
from helpers import batch, temporal_net

from learning_rules.credit.online import OnlinePass
from learning_rules.losses import cross_entropy
from learning_rules.networks.temporal import TemporalNetwork
from learning_rules.optimizers import Optimizer
from learning_rules.params import leaves
from learning_rules.rules.bptt import BPTT
from learning_rules.rules.eprop import EProp
from learning_rules.rules.rflo import RFLO


@pytest.mark.parametrize("cell, readout, options", [("elman", "mean", {"leak": 0.4}), ("gru", "last", {}),
                                                    ("lif", "leaky", {}), ("elman", "flatten", {})], ids=str)
def test_online_pass_reproduces_the_forward(cell, readout, options):
    net = temporal_net(cell, readout, **options)
    x, _ = batch()
    pas = OnlinePass(net, x, None, None if cell != "lif" else __import__(
        "learning_rules.spiking.surrogates", fromlist=["Surrogate"]).Surrogate())
    for t in range(net.steps):
        pas.step(t)
    np.testing.assert_allclose(pas.score.scores(net.steps - 1), net.forward(x)[0], rtol=1e-12, atol=1e-12)


def _naive_rflo(rule, net, x, y):
    """The module's equations, sample by sample: p_t = (1 - a) p_{t-1} + a f'(a_t) x~_t and
    dW = sum_t (E_t B_t^T) p_t, with E_t the error of the mean readout so far."""
    cell, dense = net.cells[0], net.layers[-1]
    alpha, T = cell.leak, net.steps
    out, trace = net.forward(x)
    H, cache = trace.outputs[0], trace.layers[0]
    F = rule.signals[0]
    grads = {k: np.zeros_like(v) for k, v in cell.params.items()}
    for b in range(x.shape[0]):
        p = {k: np.zeros(v.shape) for k, v in cell.params.items()}
        for t in range(T):
            d = cache.D_in[t, b] / alpha  # f'(a_t)
            p["W"] = (1 - alpha) * p["W"] + alpha * np.outer(cache.X[t, b], d)
            p["U"] = (1 - alpha) * p["U"] + alpha * np.outer(cache.Hprev[t, b], d)
            p["b"] = (1 - alpha) * p["b"] + alpha * d
            running = H[: t + 1, b].mean(axis=0) @ dense.W + dense.b
            E = cross_entropy(running[None], y[b:b + 1])[1][0] / x.shape[0]  # the batch mean's share
            L = E @ (F / (t + 1)).T
            for k in grads:
                grads[k] += L * p[k]
    return grads


def test_rflo_update_is_the_documented_rule():
    net = temporal_net("elman", "mean", leak=0.4)
    x, y = batch()
    rule = RFLO(Optimizer(name="sgd", lr=1.0), error_window=1.0)  # every step: the whole sum
    rule.init(net, np.random.default_rng(4))
    expected = _naive_rflo(rule, net, x, y)
    got = rule.compute_gradients(net, x, y, train=False)[1][0]
    for k in expected:
        np.testing.assert_allclose(got[k], expected[k], rtol=1e-10, atol=1e-14)


def test_rflo_readout_learns_by_its_exact_delta_rule():
    net = temporal_net("gru", "last")
    x, y = batch()
    rflo, bptt = RFLO(), BPTT()
    for r in (rflo, bptt):
        r.init(net, np.random.default_rng(0))
    a, b = rflo.compute_gradients(net, x, y, False)[1][-1], bptt.compute_gradients(net, x, y, False)[1][-1]
    np.testing.assert_allclose(a["W"], b["W"], rtol=1e-12)


def _peak_bytes(rule, steps, cell="elman"):
    net = TemporalNetwork([steps * 4, 32, 5], np.random.default_rng(0), cell=cell, readout="mean",
                          input_shape=(steps, 4), leak=0.5 if cell == "elman" else 1.0)
    x = np.random.default_rng(1).normal(size=(16, steps * 4)).astype(np.float32)
    y = np.arange(16) % 5
    rule.init(net, np.random.default_rng(2))
    rule.step(net, x, y)  # warm up (optimizer state)
    tracemalloc.start()
    rule.step(net, x, y)
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    return peak - x.nbytes  # the batch's time-major copy is the data, not the rule


@pytest.mark.parametrize("make", [EProp, RFLO], ids=["eprop", "rflo"])
def test_online_memory_does_not_grow_with_T_while_bptt_does(make):
    online = [_peak_bytes(make(), T) for T in (10, 100)]
    bptt = [_peak_bytes(BPTT(), T) for T in (10, 100)]
    assert online[1] < 1.3 * online[0], online
    assert bptt[1] > 5 * bptt[0], bptt


def test_online_rules_learn_nothing_they_do_not_own():
    """Parameters keep shape and dtype after an e-prop step on float32 (no float64 leaking in)."""
    net = TemporalNetwork([20, 8, 3], np.random.default_rng(0), cell="gru", input_shape=(5, 4))
    x = np.random.default_rng(1).normal(size=(8, 20)).astype(np.float32)
    for rule in (EProp(), RFLO()):
        rule.init(net, np.random.default_rng(0))
        rule.step(net, x, np.arange(8) % 3)
        assert all(p.dtype == np.float32 for p in leaves(net.params))


@pytest.mark.parametrize("name", ["bptt", "eprop", "rflo", "random_recurrence", "readout_only"])
def test_epoch_diagnostics_run_on_a_temporal_network(name):
    """The diagnostics of every epoch (angles to BPTT, norms) run on a network in time; the
    representation diagnostics, defined per block of a layer stack, are left out there."""
    from learning_rules import get_rule
    from learning_rules.diagnostics import epoch_diagnostics

    net = temporal_net("elman")
    x, y = batch()
    rule = get_rule(name)()
    rule.init(net, np.random.default_rng(0))
    values = epoch_diagnostics(rule, net, x, y)
    assert values and all(np.isfinite(v) for v in values.values())
    assert not any(k.startswith(("effective_rank", "linear_probe")) for k in values)
