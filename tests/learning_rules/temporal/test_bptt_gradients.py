"""BPTT against central finite differences (float64, relative error < 1e-6) for the Elman, GRU
and smooth-surrogate LIF cells, with and without recurrence, over every readout, bidirectional
and stacked levels; truncation cuts exactly where it says."""

import numpy as np
import pytest
from helpers import B, T, batch, finite_differences, relative, rule_gradients, temporal_net

from learning_rules.layers.elman import ElmanCell
from learning_rules.rules.bptt import BPTT
from learning_rules.rules.spiking_surrogate import SpikingSurrogate
from learning_rules.spiking.surrogates import Surrogate

RATE_CASES = [
    ("elman", "mean", {}), ("elman", "last", {"recurrent": False}), ("elman", "flatten", {"leak": 0.4}),
    ("elman", "leaky", {"leak": 0.7, "recurrent": False}), ("elman", "mean", {"activation": "sigmoid"}),
    ("gru", "last", {}), ("gru", "flatten", {"recurrent": False}), ("gru", "mean", {"bidirectional": True}),
    ("elman", "last", {"bidirectional": True, "hidden": (3, 4)}), ("gru", "leaky", {"hidden": (3, 2)}),
]


@pytest.mark.parametrize("cell, readout, options", RATE_CASES, ids=lambda c: str(c))
def test_bptt_equals_finite_differences_for_rate_cells(cell, readout, options):
    net = temporal_net(cell, readout, **options)
    x, y = batch()
    assert relative(rule_gradients(BPTT(), net, x, y), finite_differences(net, x, y)) < 1e-6


@pytest.mark.parametrize("recurrent", [True, False])
@pytest.mark.parametrize("readout, neuron", [("mean", {"tau_mem": 5.0}), ("last", {"tau_mem": 4.0, "tau_syn": 3.0}),
                                             ("leaky", {"tau_mem": 5.0, "reset": "zero"})])
def test_bptt_equals_finite_differences_for_smooth_lif_cells(recurrent, readout, neuron):
    net = temporal_net("lif", readout, recurrent=recurrent, neuron=neuron)
    x, y = batch()
    rule = SpikingSurrogate(surrogate="fast_sigmoid", slope=2.0, detach_reset=False, smooth_forward=True)
    fd = finite_differences(net, x, y, spike_fn=Surrogate("fast_sigmoid", 2.0).primitive)
    assert all(np.linalg.norm(g) > 1e-6 for g in fd), "degenerate case: a parameter gets no gradient"
    assert relative(rule_gradients(rule, net, x, y), fd) < 1e-6


def test_truncation_longer_than_the_sequence_is_full_bptt():
    net = temporal_net("gru", "flatten")
    x, y = batch()
    full, cut = rule_gradients(BPTT(), net, x, y), rule_gradients(BPTT(truncation=T), net, x, y)
    assert all(np.array_equal(a, b) for a, b in zip(full, cut))
    assert relative(rule_gradients(BPTT(truncation=2), net, x, y), full) > 1e-3


@pytest.mark.parametrize("k", [1, 2, 3])
def test_truncated_error_reaches_back_exactly_k_steps(k):
    """An error at the last step reaches the inputs of the last k steps and no earlier one."""
    rng = np.random.default_rng(0)
    cell = ElmanCell(2, 4, rng, steps=T, dtype=np.float64)
    H, cache = cell.forward(rng.normal(size=(T, B, 2)))
    dH = np.zeros_like(H)
    dH[-1] = rng.normal(size=(B, 4))
    dX, _ = cell.backward(cache, dH, truncation=k)
    reached = [t for t in range(T) if np.any(dX[t] != 0)]
    assert reached == list(range(T - k, T))


def test_feedback_of_u_shape_carries_the_recurrent_error():
    """A feedback tensor equal to U gives BPTT's gradient; another one changes only what flowed
    through the recurrent pathway."""
    rng = np.random.default_rng(1)
    cell = ElmanCell(2, 4, rng, steps=T, dtype=np.float64)
    H, cache = cell.forward(rng.normal(size=(T, B, 2)))
    dH = rng.normal(size=H.shape)
    exact = cell.backward(cache, dH)[1]
    same = cell.backward(cache, dH, feedback={"U": cell.params["U"].copy()})[1]
    other = cell.backward(cache, dH, feedback={"U": rng.normal(size=(4, 4))})[1]
    assert all(np.array_equal(exact[k], same[k]) for k in exact)
    assert not np.allclose(exact["W"], other["W"])
