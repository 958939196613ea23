"""The temporal network: the GRU is torch's formulation, bidirectional levels concatenate the two
directions per step, readouts read what they say, inputs are read as (T, D), and bad options are
one-line errors."""

import numpy as np
import pytest

from learning_rules.networks import make_network
from learning_rules.networks.temporal import TemporalNetwork
from learning_rules.params import leaves


def _sigmoid(a):
    return 1 / (1 + np.exp(-a))


def _naive_gru(x, W, U, b, bu, reverse=False):
    """torch.nn.GRU's equations, one sample and one step at a time. x (B, T, D) -> (B, T, n)."""
    B, T, _ = x.shape
    n = U.shape[0]
    out = np.zeros((B, T, n))
    for s in range(B):
        h = np.zeros(n)
        for t in (range(T - 1, -1, -1) if reverse else range(T)):
            a, m = x[s, t] @ W + b, h @ U + bu
            r, z = _sigmoid(a[:n] + m[:n]), _sigmoid(a[n:2 * n] + m[n:2 * n])
            cand = np.tanh(a[2 * n:] + r * m[2 * n:])
            h = (1 - z) * cand + z * h
            out[s, t] = h
    return out


def test_bidirectional_gru_with_flatten_readout_is_the_papers_model():
    """The MNIST-1D paper's GRU: two directions of 6 units, every step's output flattened
    (2 x 6 x 40 = 480) into a dense layer to 10 classes."""
    rng = np.random.default_rng(0)
    net = TemporalNetwork([40, 6, 10], rng, cell="gru", bidirectional=True, readout="flatten", input_shape=(40, 1),
                          dtype="float64")
    for p in leaves(net.params):
        p[...] = rng.normal(0, 0.5, p.shape)
    assert net.layers[-1].params["W"].shape == (480, 10)
    assert sum(p.size for p in leaves(net.params)) == 2 * 3 * (6 * 1 + 6 * 6 + 6 + 6) + 480 * 10 + 10
    x = rng.normal(size=(3, 40))
    fwd, bwd = net.layers[0].params, net.layers[1].params
    seq = x.reshape(3, 40, 1)
    h = np.concatenate([_naive_gru(seq, fwd["W"], fwd["U"], fwd["b"], fwd["bu"]),
                        _naive_gru(seq, bwd["W"], bwd["U"], bwd["b"], bwd["bu"], reverse=True)], axis=2)
    expected = h.reshape(3, 480) @ net.layers[-1].params["W"] + net.layers[-1].params["b"]
    np.testing.assert_allclose(net.predict(x), expected, rtol=1e-10)


@pytest.mark.parametrize("readout", ["last", "mean", "leaky", "flatten"])
def test_readouts_read_what_they_say(readout):
    rng = np.random.default_rng(1)
    net = TemporalNetwork([12, 5, 2], rng, cell="elman", readout=readout, input_shape=(4, 3), dtype="float64",
                          tau_out=3.0)
    x = rng.normal(size=(2, 12))
    out, trace = net.forward(x)
    H = trace.outputs[0]  # (T, B, n)
    r = {"last": H[-1], "mean": H.mean(axis=0), "flatten": H.transpose(1, 0, 2).reshape(2, -1),
         "leaky": np.tensordot(net.reduction.weights(), H, axes=(0, 0))}[readout]
    np.testing.assert_allclose(out, r @ net.layers[-1].W + net.layers[-1].b, rtol=1e-12)
    if readout == "leaky":  # the time-averaged integrator m_t = beta m_{t-1} + h_t, over its own gain
        m, one, total, total_one = 0, 0, 0, 0
        for t in range(4):
            m, one = net.beta_out * m + H[t], net.beta_out * one + 1
            total, total_one = total + m, total_one + one
        np.testing.assert_allclose(r, total / total_one, rtol=1e-12)


def test_sequences_are_read_one_step_at_a_time():
    """Flat rows (B, T D) are read as T steps of D: changing step 2 changes nothing before it."""
    net = TemporalNetwork([12, 5, 2], np.random.default_rng(0), cell="gru", readout="flatten", input_shape=(4, 3))
    x = np.random.default_rng(1).normal(size=(2, 12)).astype(np.float32)
    h0 = net.forward(x)[1].outputs[0]
    x2 = x.copy()
    x2[:, 2 * 3:3 * 3] += 1.0
    h1 = net.forward(x2)[1].outputs[0]
    assert np.array_equal(h0[:2], h1[:2]) and not np.allclose(h0[2], h1[2])


def test_static_data_are_held_in_time_by_an_encoding():
    net = make_network("recurrent", [6, 5, 2], np.random.default_rng(0), cell="lif", encoding="rate", steps=7)
    x = np.random.default_rng(1).uniform(size=(3, 6)).astype(np.float32)
    out, trace = net.forward(x, train=True, rng=np.random.default_rng(2))
    assert trace.extra["encoded"].shape == (7, 3, 6) and out.shape == (3, 2)
    assert net.capabilities.supports("spiking") and net.capabilities.time_steps == 7
    np.testing.assert_array_equal(net.predict(x), net.predict(x))  # evaluation noise is fixed


def test_copy_is_independent_and_flops_scale_with_batch_and_time():
    net = TemporalNetwork([20, 8, 3], np.random.default_rng(0), cell="elman", input_shape=(5, 4))
    twin = net.copy()
    twin.params[0]["U"][:] = 0
    assert np.any(net.params[0]["U"] != 0)
    longer = TemporalNetwork([40, 8, 3], np.random.default_rng(0), cell="elman", input_shape=(10, 4))
    assert net.flops(20) == 2 * net.flops(10) and longer.flops(10) > 1.9 * net.flops(10)


@pytest.mark.parametrize("options, message", [
    ({"cell": "lstm"}, "recurrent network: cell 'lstm' not allowed; allowed: elman, gru, lif"),
    ({"readout": "max"}, "recurrent network: readout 'max' not allowed"),
    ({"readout": "count"}, "readout 'count' counts spikes: it needs cell = 'lif'"),
    ({"cell": "lif", "bidirectional": True}, "bidirectional needs cell 'elman' or 'gru'"),
    ({"leak": 0.0}, "elman: leak 0.0 not allowed; must be a number in \\(0, 1\\]"),
    ({"neuron": {"tau_mem": 5.0}}, "neuron parameters are for cell = 'lif'"),
    ({"cell": "lif", "neuron": {"tau": 5.0}}, "neuron: unknown key 'tau'"),
    ({"input_shape": (1, 40)}, "give 1 time step of 40 features; a sequence dataset such as sequential_mnist1d"),
    ({"input_shape": (1, 8, 5)}, "the sequence encoding reads data of shape \\(T, D\\)"),
])
def test_bad_options_are_one_line_errors(options, message):
    with pytest.raises(ValueError, match=message) as err:
        TemporalNetwork([40, 4, 3], np.random.default_rng(0), **{"input_shape": (8, 5), **options})
    assert "\n" not in str(err.value)
