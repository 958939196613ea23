"""Locality, as a test: in a local-error rule the update of layer l does not depend on any layer
above it. Perturb the weights above l, take the same step on both networks (same rule state,
same generator) and compare layer l's update; backprop, whose errors cross layers, must fail it."""

import copy

import numpy as np
import pytest

from learning_rules import get_rule
from learning_rules.testing import separable_problem

LOCAL_RULES = ["local_random_classifier", "local_learned_classifier", "forward_forward"]


def _layer_updates(rule, net, x, y):
    """Per block, (dW, db) of one step taken on deep copies of ``rule`` and ``net``."""
    twin_rule, twin_net = copy.deepcopy(rule), copy.deepcopy(net)
    twin_rule.step(twin_net, x, y)
    pairs = [(twin_net.weight_layer(k).params, net.weight_layer(k).params) for k in range(net.depth)]
    return [(a["W"] - b["W"], a["b"] - b["b"]) for a, b in pairs]


def _setup(name, seed=0, kind="dense"):
    cls = get_rule(name)
    x, y = separable_problem(seed)
    if kind == "dense":
        net = cls.example_network([8, 12, 10, 9, 3], np.random.default_rng(seed))
    else:
        net = cls.example_networks(8, 3, seed)[kind]
    rule = cls()
    rule.init(net, np.random.default_rng(seed + 1))
    for i in range(3):  # a few steps first, so optimizer moments and trainable readouts are non-trivial
        rule.step(net, x[32 * i: 32 * i + 32], y[32 * i: 32 * i + 32])
    return rule, net, x[:32], y[:32]


def _perturbed_above(net, layer, seed=7):
    other = copy.deepcopy(net)
    rng = np.random.default_rng(seed)
    for k in range(layer + 1, other.depth):
        for p in other.weight_layer(k).params.values():
            p += rng.normal(0.0, 0.5, size=p.shape).astype(p.dtype)
    return other


@pytest.mark.parametrize("name, kind", [(n, "dense") for n in LOCAL_RULES]
                         + [(n, "conv") for n in LOCAL_RULES if n != "forward_forward"])
def test_hidden_layer_update_ignores_layers_above(name, kind):
    rule, net, x, y = _setup(name, kind=kind)
    base = _layer_updates(rule, net, x, y)
    for layer in range(net.depth - 1):
        moved = _layer_updates(rule, _perturbed_above(net, layer), x, y)
        for l in range(layer + 1):
            assert np.any(base[l][0] != 0), f"layer {l} did not learn at all"
            np.testing.assert_array_equal(moved[l][0], base[l][0], err_msg=f"{name}: W_{l} update moved")
            np.testing.assert_array_equal(moved[l][1], base[l][1], err_msg=f"{name}: b_{l} update moved")
        # the layers that were perturbed are not expected to match: check the test can see a change
        assert not np.array_equal(moved[-1][0], base[-1][0])


def test_backprop_fails_the_locality_check():
    """The control: with errors carried down, layer 0's update changes when the top layers change."""
    rule, net, x, y = _setup("backprop")
    base = _layer_updates(rule, net, x, y)
    moved = _layer_updates(rule, _perturbed_above(net, 0), x, y)
    assert not np.allclose(moved[0][0], base[0][0])


@pytest.mark.parametrize("name", LOCAL_RULES)
def test_card_claims_locality(name):
    card = get_rule(name).card
    assert card.no_weight_transport and card.local_errors and card.no_update_locking
    assert get_rule(name).update_dependency == "local"


def test_forward_forward_with_predicted_negatives_is_not_local():
    """Hard negatives come from the whole network's prediction, so the layers above reach layer
    0 through the choice of negative label (documented: the card describes the default)."""
    cls = get_rule("forward_forward")
    x, y = separable_problem(0)
    net = cls.example_network([8, 12, 10, 9, 3], np.random.default_rng(0))
    rule = cls(negatives="predicted")
    rule.init(net, np.random.default_rng(1))
    base = _layer_updates(rule, net, x[:32], y[:32])
    moved = _layer_updates(rule, _perturbed_above(net, 0, seed=3), x[:32], y[:32])
    assert not np.array_equal(moved[0][0], base[0][0])
