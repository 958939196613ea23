"""The online local rule: same simulation as the batch forward, the documented update, memory
independent of T, and a cost no higher than surrogate BPTT's."""

import copy
import tracemalloc

import numpy as np

from learning_rules.params import leaves
import pytest

from learning_rules.losses import cross_entropy
from learning_rules.optimizers import Optimizer
from learning_rules.rules.spiking_local import SpikingLocal
from learning_rules.rules.spiking_surrogate import SpikingSurrogate
from learning_rules.spiking.network import SpikingNetwork
from learning_rules.spiking.surrogates import Surrogate

OPTIONS = [
    dict(),
    dict(encoding="rate", tau_syn=4.0),
    dict(encoding="latency", refractory=2, reset="zero"),
    dict(readout="count", tau_syn=3.0),
]


def _setup(options, seed=0, steps=10):
    rng = np.random.default_rng(seed)
    net = SpikingNetwork([6, 9, 7, 4], rng, steps=steps, init_gain=2.5, dtype="float64", **options)
    x = rng.uniform(-0.5, 1.5, size=(5, 6))
    y = np.array([0, 1, 2, 3, 1])
    return net, x, y


@pytest.mark.parametrize("options", OPTIONS, ids=str)
def test_online_pass_reproduces_the_batch_forward(options):
    net, x, y = _setup(options)
    rule = SpikingLocal(Optimizer(name="sgd", lr=1e-3))
    rule.init(net, np.random.default_rng(3))
    rng_copy = copy.deepcopy(rule.rng)
    out, trace = net.forward(x, train=True, rng=rng_copy)
    info = rule.step(net, x, y)
    assert info["loss"] == pytest.approx(cross_entropy(out, y)[0], rel=1e-12)
    counts = trace.extra["spike_counts"]
    assert info["spikes_per_neuron/1"] == pytest.approx(counts[1].mean())
    assert info["synaptic_events"] == pytest.approx(net.synaptic_events(trace))


def _reference_update(rule, net, x, y, trace):
    """The docstring's equation computed naively from the batch forward's time-resolved records."""
    T, lif = net.steps, net.lif
    sur = Surrogate(rule.surrogate, rule.slope)
    first = T - rule.window(net)
    ex = trace.extra
    W_out, b_out = net.layers[-1].W, net.layers[-1].b
    shares = net.readout_weights()
    g = np.array([(1 - net.beta_out ** (k + 1)) / (1 - net.beta_out) for k in range(T)])
    grads = []
    for l in range(net.spiking_layers):
        h = ex["inputs"][l]
        H = np.broadcast_to(h, (T, *h.shape)) if h.ndim == 2 else h
        q, xbar, q1, xbar1 = 0, 0, 0, 0
        gW, gb = 0, 0
        for t in range(T):
            q = lif.alpha * q + H[t]
            xbar = lif.beta * xbar + q
            q1 = lif.alpha * q1 + 1
            xbar1 = lif.beta * xbar1 + q1
            if t < first:
                continue
            S = ex["spikes"][-1][: t + 1]
            # running readout: sum_{k<=t} (sum_{j<=k} beta_o^(k-j) s_j) / the same for s = 1
            r = sum(S[j] * g[t - j] for j in range(t + 1)) / g[: t + 1].sum()
            _, E = cross_entropy(r @ W_out + b_out, y)
            psi = sur.grad(ex["potentials"][l][t] - lif.threshold)
            if ex["active"][l] is not None:
                psi = psi * ex["active"][l][t]
            m = shares[t] * (E @ rule.feedback[l]) * psi
            gW = gW + xbar.T @ m
            gb = gb + xbar1 * m.sum(axis=0)
        grads += [gW, gb]
    r = np.tensordot(shares, ex["spikes"][-1], axes=(0, 0))
    _, E = cross_entropy(r @ W_out + b_out, y)
    return grads + [r.T @ E, E.sum(axis=0)]


@pytest.mark.parametrize("options", [dict(), dict(encoding="rate", tau_syn=4.0),
                                     dict(refractory=2, reset="zero")], ids=str)
@pytest.mark.parametrize("window", [1.0, 0.3])
def test_update_is_the_documented_eligibility_rule(options, window):
    net, x, y = _setup(options, seed=1)
    rule = SpikingLocal(Optimizer(name="sgd", lr=1.0), error_window=window)
    rule.init(net, np.random.default_rng(4))
    _, trace = net.forward(x, train=True, rng=copy.deepcopy(rule.rng))
    expected = _reference_update(rule, net, x, y, trace)
    before = [p.copy() for p in leaves(net.params)]
    rule.step(net, x, y)
    for p0, p1, g in zip(before, leaves(net.params), expected):
        np.testing.assert_allclose(p0 - p1, g, rtol=1e-9, atol=1e-12)  # SGD, lr 1: dW = -grad
    assert np.any(expected[0] != 0) and np.any(expected[2] != 0)


def _peak_bytes(rule_cls, steps):
    net = SpikingNetwork([50, 64, 64, 10], np.random.default_rng(0), steps=steps)
    x = np.random.default_rng(1).normal(size=(32, 50)).astype(np.float32)
    y = np.arange(32) % 10
    rule = rule_cls()
    rule.init(net, np.random.default_rng(2))
    rule.step(net, x, y)  # warm up (optimizer state, caches)
    tracemalloc.start()
    rule.step(net, x, y)
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    return peak


def test_local_memory_does_not_grow_with_T_while_bptt_does():
    local = [_peak_bytes(SpikingLocal, T) for T in (10, 80)]
    bptt = [_peak_bytes(SpikingSurrogate, T) for T in (10, 80)]
    assert local[1] < 1.2 * local[0], local
    assert bptt[1] > 4 * bptt[0], bptt
    assert local[1] < bptt[1] / 5


def _bptt_step_flops(net, batch):
    """What a surrogate-BPTT step costs: the forward pass and the backward sweep through time."""
    from learning_rules.spiking.bptt import bptt_flops

    return net.flops(batch) + bptt_flops(net, batch)


@pytest.mark.parametrize("sizes, steps, batch", [([784, 256, 10], 25, 128), ([40, 256, 256, 10], 20, 32),
                                                 ([64, 128, 10], 20, 32)])
def test_local_rule_costs_no_more_flops_than_bptt(sizes, steps, batch):
    net = SpikingNetwork(sizes, np.random.default_rng(0), steps=steps)
    assert SpikingLocal().step_flops(net, batch) <= _bptt_step_flops(net, batch)


def test_whole_window_costs_more_than_bptt_on_a_shallow_net():
    """The price of online errors: with an error at every step, the per-step readout and feedback
    products outweigh BPTT's backward sweep on a one-hidden-layer network (hence the default 0.2)."""
    net = SpikingNetwork([784, 256, 10], np.random.default_rng(0), steps=25)
    assert SpikingLocal(error_window=1.0).step_flops(net, 128) > _bptt_step_flops(net, 128)


@pytest.mark.parametrize("kwargs, message", [
    ({"error_window": 0.0}, r"spiking_local: error_window 0.0 not allowed; must be a finite number in \(0, 1\]"),
    ({"error_window": 1.5}, "spiking_local: error_window 1.5 not allowed"),
    ({"feedback_scale": -1.0}, "spiking_local: feedback_scale -1.0 not allowed"),
    ({"surrogate": "step"}, "spiking_local: surrogate 'step' not allowed"),
])
def test_bad_hyperparameters_are_one_line_errors(kwargs, message):
    with pytest.raises(ValueError, match=message) as err:
        SpikingLocal(**kwargs)
    assert "\n" not in str(err.value)
