"""The online oracles: RTRL equals BPTT to float64 round-off; symmetric e-prop equals BPTT where
theory says it must (no recurrent weights, one level) and not otherwise; BPTT truncated to one
step is e-prop on the plain Elman cell (whose traces are instantaneous)."""

import numpy as np
import pytest
from helpers import batch, relative, rule_gradients, temporal_net

from learning_rules.rules.bptt import BPTT
from learning_rules.rules.eprop import EProp
from learning_rules.rules.rtrl import RTRL

READOUTS = ["last", "mean", "leaky", "flatten"]


@pytest.mark.parametrize("readout", READOUTS)
@pytest.mark.parametrize("cell, options", [("elman", {}), ("elman", {"leak": 0.3}), ("gru", {}),
                                           ("gru", {"recurrent": False})], ids=str)
def test_rtrl_equals_bptt(cell, options, readout):
    net = temporal_net(cell, readout, **options)
    x, y = batch()
    assert relative(rule_gradients(RTRL(), net, x, y), rule_gradients(BPTT(), net, x, y)) < 1e-12


@pytest.mark.parametrize("readout", READOUTS)
@pytest.mark.parametrize("cell, options", [("elman", {}), ("elman", {"leak": 0.3}), ("gru", {}), ("lif", {})],
                         ids=str)
def test_symmetric_eprop_equals_bptt_without_recurrent_weights(cell, options, readout):
    if cell == "lif" and readout == "flatten":
        readout = "last"
    net = temporal_net(cell, readout, recurrent=False, **options)
    x, y = batch()
    # a LIF cell's traces ignore the reset: the BPTT they match detaches it (its default)
    assert relative(rule_gradients(EProp(), net, x, y), rule_gradients(BPTT(), net, x, y)) < 1e-12


@pytest.mark.parametrize("cell, options", [("elman", {"leak": 0.3}), ("gru", {}), ("lif", {})], ids=str)
def test_eprop_with_recurrent_weights_is_an_approximation(cell, options):
    net = temporal_net(cell, "mean", **options)
    x, y = batch()
    assert relative(rule_gradients(EProp(), net, x, y), rule_gradients(BPTT(), net, x, y)) > 1e-3


def test_bptt_truncated_to_one_step_is_eprop_on_the_plain_elman_cell():
    net = temporal_net("elman", "flatten")
    x, y = batch()
    assert relative(rule_gradients(BPTT(truncation=1), net, x, y), rule_gradients(EProp(), net, x, y)) < 1e-12


def test_random_eprop_differs_from_symmetric_only_in_the_learning_signal():
    net = temporal_net("elman", "mean", recurrent=False)
    x, y = batch()
    sym, rnd = rule_gradients(EProp(), net, x, y), rule_gradients(EProp(feedback="random"), net, x, y)
    assert np.array_equal(sym[-2], rnd[-2]) and np.array_equal(sym[-1], rnd[-1])  # the readout
    assert relative(rnd[:3], sym[:3]) > 1e-2


@pytest.mark.parametrize("rule, message", [
    (RTRL(), "rtrl: needs one level of cells"), (EProp(), "eprop: symmetric feedback reaches only"),
])
def test_online_rules_refuse_what_they_cannot_compute(rule, message):
    net = temporal_net("gru", "mean", hidden=(3, 3))
    with pytest.raises(ValueError, match=message):
        rule.init(net, np.random.default_rng(0))
    with pytest.raises(ValueError, match="reverse half"):
        EProp(feedback="random").init(temporal_net("gru", "mean", bidirectional=True), np.random.default_rng(0))
    with pytest.raises(ValueError, match="rtrl: cannot train lif cells"):
        RTRL().init(temporal_net("lif", "mean"), np.random.default_rng(0))
