"""The spiking network's interface: shapes, the leaky readout, determinism, events and FLOPs."""

import numpy as np

from learning_rules.params import leaves
import pytest

from learning_rules.networks import make_network
from learning_rules.spiking.network import SpikingNetwork


def _net(**options):
    return SpikingNetwork([6, 8, 3], np.random.default_rng(0), steps=12, init_gain=2.0, **options)


def test_forward_shapes_trace_and_live_params():
    net = make_network("spiking", [6, 8, 5, 3], np.random.default_rng(0), steps=7)
    x = np.random.default_rng(1).normal(size=(4, 6)).astype(np.float32)
    out, trace = net.forward(x)
    assert out.shape == (4, 3) and out.dtype == np.float32
    assert [p.shape for p in leaves(net.params)] == [(6, 8), (8,), (8, 5), (5,), (5, 3), (3,)]
    assert net.capabilities.supports("spiking") and net.capabilities.time_steps == 7 and net.depth == 3
    assert len(trace.extra["spikes"]) == 2 and trace.extra["potentials"][1].shape == (7, 4, 5)
    assert set(np.unique(trace.extra["spikes"][0])) <= {0.0, 1.0}
    # the rate view: spikes per step, derivative of the same shape
    np.testing.assert_allclose(trace.layers[0].output, trace.extra["spikes"][0].mean(axis=0))
    assert trace.layers[0].derivative().shape == (4, 8)
    np.testing.assert_array_equal(net.predict(x), out)
    net.params[-1]["b"][:] += 1.0  # params are the live arrays
    np.testing.assert_allclose(net.predict(x), out + 1.0, rtol=1e-6)


def test_leaky_readout_is_the_time_averaged_leaky_integrator():
    net = _net(tau_out=4.0)
    x = np.random.default_rng(2).normal(size=(5, 6)).astype(np.float32)
    out, trace = net.forward(x)
    S = trace.extra["spikes"][0]
    W, b = net.layers[1].W, net.layers[1].b
    m = np.zeros((5, 3))
    one = 0.0
    total, total_one = np.zeros((5, 3)), 0.0
    for t in range(net.steps):  # m_t = beta_o m_{t-1} + s_t W + b, and the same for a unit input
        m = net.beta_out * m + S[t] @ W + b
        one = net.beta_out * one + 1.0
        total += m
        total_one += one
    np.testing.assert_allclose(out, (total - b * total_one) / total_one + b, rtol=1e-5, atol=1e-6)


def test_count_readout_scores_are_output_spike_counts():
    net = _net(readout="count")
    x = np.random.default_rng(3).normal(size=(5, 6)).astype(np.float32)
    out, trace = net.forward(x)
    np.testing.assert_array_equal(out, trace.extra["spikes"][1].sum(axis=0))


def test_rate_coding_is_random_in_training_and_deterministic_in_evaluation():
    net = _net(encoding="rate")
    x = np.random.default_rng(4).uniform(0, 1, size=(16, 6)).astype(np.float32)
    np.testing.assert_array_equal(net.predict(x), net.predict(x))
    a = net.forward(x, train=True, rng=np.random.default_rng(1))[1].extra["inputs"][0]
    b = net.forward(x, train=True, rng=np.random.default_rng(2))[1].extra["inputs"][0]
    assert not np.array_equal(a, b)
    with pytest.raises(ValueError, match="rate encoding needs an rng"):
        net.forward(x, train=True)


def test_rate_coding_fires_with_the_input_probability():
    net = SpikingNetwork([3, 2, 2], np.random.default_rng(0), steps=4000, encoding="rate")
    x = np.array([[0.1, 0.5, 1.7]], np.float32)  # 1.7 is clipped to 1
    spikes = net.encode(x, train=True, rng=np.random.default_rng(5))
    np.testing.assert_allclose(spikes.mean(axis=(0, 1)), [0.1, 0.5, 1.0], atol=0.025)


def test_latency_coding_one_spike_earlier_for_stronger_input():
    net = SpikingNetwork([4, 2, 2], np.random.default_rng(0), steps=11, encoding="latency")
    h = net.encode(np.array([[1.0, 0.5, 0.1, -2.0]], np.float32), train=False, rng=None)[:, 0]
    np.testing.assert_array_equal(h.sum(axis=0), [1, 1, 1, 0])
    np.testing.assert_array_equal(h.argmax(axis=0)[:3], [0, 5, 9])


def test_synaptic_events_count_input_and_hidden_spikes():
    # a threshold no hidden neuron reaches: only the input spikes drive synapses (8 each)
    net = SpikingNetwork([4, 8, 3], np.random.default_rng(0), steps=6, encoding="latency", threshold=1e6)
    x = np.array([[0.5, 0.0, 1.0, 0.2], [0.0, 0.0, 0.0, 0.9]], np.float32)
    _, trace = net.forward(x)
    assert net.synaptic_events(trace) == pytest.approx((3 * 8 + 1 * 8) / 2)
    # with direct current the events are the hidden spikes times the 3 readout synapses
    net = _net()
    _, trace = net.forward(np.ones((2, 6), np.float32))
    assert net.synaptic_events(trace) == pytest.approx(trace.extra["spikes"][0].sum() * 3 / 2)


def test_flops_count_the_first_product_once_for_direct_current():
    cur, rate = _net(), _net(encoding="rate")
    T, n_in, n_h = 12, 6, 8
    assert rate.flops(10) - cur.flops(10) == (T - 1) * 10 * (2 * n_in * n_h + n_h)
    assert _net().flops(20) == 2 * _net().flops(10)


def test_copy_is_independent():
    net = _net()
    twin = net.copy()
    twin.params[0]["W"][:] = 0
    assert np.any(net.params[0]["W"] != 0)


@pytest.mark.parametrize("encoding", ["current", "latency"])
def test_no_hidden_layer_is_a_linear_readout_of_the_encoded_input(encoding):
    from learning_rules.rules.spiking_local import SpikingLocal
    from learning_rules.rules.spiking_surrogate import SpikingSurrogate

    net = SpikingNetwork([6, 3], np.random.default_rng(0), steps=5, encoding=encoding)
    x = np.random.default_rng(1).uniform(0, 1, size=(4, 6)).astype(np.float32)
    out, _ = net.forward(x)
    if encoding == "current":
        r = x
    else:  # the time-weighted average of the input spikes
        r = np.tensordot(net.readout_weights(), net.encode(x, False, None), axes=(0, 0))
    np.testing.assert_allclose(out, r @ net.layers[0].W + net.layers[0].b, rtol=1e-5)
    for rule in (SpikingSurrogate(), SpikingLocal()):
        rule.init(net, np.random.default_rng(2))
        assert np.isfinite(rule.step(net, x, np.array([0, 1, 2, 0]))["loss"])
