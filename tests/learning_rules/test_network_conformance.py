"""The network check of the conformance kit over every registered network kind, and a kind that
composes itself wrongly, which the kit must reject."""

import numpy as np
import pytest

from learning_rules import Network
from learning_rules.networks import NETWORK_KINDS
from learning_rules.networks.conformance import check_network, example_networks
from learning_rules.trace import Trace


@pytest.mark.parametrize("kind", list(NETWORK_KINDS))
def test_registered_kind_conforms(kind, monkeypatch):
    from learning_rules.rules import registry

    # the kit runs every registered rule: leave out the deliberately failing rules other tests
    # register for their session (tests/experiments/report/conftest.py), which share this worker
    monkeypatch.setattr(registry, "_REGISTERED", {})
    check_network(kind)


def test_the_layered_kind_is_checked_on_graphs():
    nets = example_networks("rate")
    assert {"residual_mlp", "residual_cnn", "transformer"} <= set(nets)
    assert all(nets[k].capabilities.supports("graph") for k in ("residual_mlp", "residual_cnn", "transformer"))


class _HandMadeResidual(Network):
    """A residual network written the way a plain stack's docs once suggested: its own forward adds
    block 0's output to block 1's, but its layers are still declared as a chain, so the backward
    sweep never sends the skip's error back (the kit must catch this)."""

    @classmethod
    def conformance_examples(cls, n_features, n_classes, seed):
        net = cls([n_features, 6, 6, n_classes], np.random.default_rng(seed), dtype="float64")
        return {"dense": net}

    def forward(self, x, train=False, rng=None):
        h = self.shaped_inputs(x)
        caches, outputs = [], []
        for i, layer in enumerate(self.layers):
            h, cache = layer.forward(h, train, rng)
            if i == 3:                # after block 1's activation: + block 0's output
                h = h + outputs[1]
            caches.append(cache)
            outputs.append(h)
        return h, Trace(caches, outputs)

    def predict(self, x):
        return self.forward(x)[0]


def test_a_kind_that_composes_itself_wrongly_fails_the_kit():
    with pytest.raises(AssertionError, match="backprop's gradient differs from finite differences"):
        check_network(_HandMadeResidual)


def test_a_rule_that_needs_a_chain_refuses_a_graph_with_the_reason():
    from learning_rules.rules.predictive_coding import PredictiveCoding

    net = example_networks("rate")["residual_mlp"]
    with pytest.raises(ValueError, match=r"predictive_coding: needs a network that supports 'chain' rules \(it walks"):
        PredictiveCoding().check_network(net)
