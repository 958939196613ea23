"""The conformance kit run over every registered rule: each later rule is checked for free."""

import numpy as np
import pytest

from learning_rules import available_rules, get_rule
from learning_rules.rules import CreditAssignmentRule, PlausibilityCard, register, unregister
from learning_rules.testing import check_rule, rule_checks


@pytest.mark.parametrize("check", rule_checks(), ids=lambda c: c.__name__)
@pytest.mark.parametrize("name", available_rules())
def test_registered_rule_conforms(name, check):
    check(get_rule(name)())


class _Lazy(CreditAssignmentRule):
    """A broken rule: never learns anything (every layer frozen)."""

    name = "lazy"
    card = PlausibilityCard(True, True, True, False, True, True)

    def layer_errors(self, net, trace, e):
        return [None] * len(net.layers)


class _GlobalRandom(CreditAssignmentRule):
    """A broken rule: draws noise from numpy's global generator."""

    name = "global_random"
    card = PlausibilityCard(True, True, True, False, True, True)

    def layer_errors(self, net, trace, e):
        np.random.random()
        return [None] * (len(net.layers) - 1) + [e]


@pytest.mark.parametrize("broken, message", [(_Lazy, "loss did not fall"),
                                             (_GlobalRandom, "global random state")])
def test_kit_catches_broken_rules(broken, message):
    with pytest.raises(AssertionError, match=message):
        check_rule(broken())


def test_registry_register_and_unknown_name():
    register("lazy", _Lazy)
    try:
        assert "lazy" in available_rules() and get_rule("lazy") is _Lazy
    finally:
        unregister("lazy")
    with pytest.raises(ValueError, match="unknown rule 'nope'; allowed: .*backprop"):
        get_rule("nope")
