"""The conformance kit run over every registered rule (each later rule is checked for free), and a
table of deliberately broken rules, at least one per clause of the contract, each of which the
kit must reject."""

import random

import numpy as np
import pytest

from learning_rules import available_rules, get_rule
from learning_rules.hyperparameters import Real
from learning_rules.rules import CreditAssignmentRule, PlausibilityCard, register, unregister
from learning_rules.rules.backprop import Backprop
from learning_rules.testing import check_rule, rule_checks

CARD = PlausibilityCard(True, True, True, False, True, True)


@pytest.mark.parametrize("check", rule_checks(), ids=lambda c: c.__name__)
@pytest.mark.parametrize("name", available_rules())
def test_registered_rule_conforms(name, check):
    check(get_rule(name)())


# -- broken rules, one per clause ------------------------------------------------------------

class _Lazy(CreditAssignmentRule):
    """Never learns anything: its updates are never applied (loss falls)."""
    name, card = "lazy", CARD

    def apply_gradients(self, net, grads, before_apply=None):
        return [None] * len(grads)


class _GlobalRandom(Backprop):
    """Draws noise from numpy's global generator (global random state)."""
    name = "global_random"

    def block_error(self, net, trace, k, e, incoming):
        return incoming * (1.0 + 1e-3 * np.random.random())


class _ReseedsInInit(Backprop):
    """Calls np.random.seed in init: restores a fixed state the earlier checks also used."""
    name = "reseeds"

    def init_state(self, net, rng):
        np.random.seed(0)


class _PythonRandom(Backprop):
    """Uses Python's random module."""
    name = "python_random"

    def init_state(self, net, rng):
        random.random()


class _HoldsRandomState(Backprop):
    """Its constructor creates a legacy RandomState (randomness belongs to init's rng)."""
    name = "holds_random_state"

    def __init__(self, optimizer=None, loss="cross_entropy"):
        super().__init__(optimizer, loss)
        self.noise = np.random.RandomState(0)


class _ArraysInAList(Backprop):
    """Its constructor makes arrays, hidden inside a list and a dict (state belongs in init)."""
    name = "arrays_in_a_list"

    def __init__(self, optimizer=None, loss="cross_entropy"):
        super().__init__(optimizer, loss)
        self.buffers = [np.zeros(3)]
        self.by_name = {"b": np.ones(2)}


class _DoublesScale(Backprop):
    """Stores 2 * scale as scale: get_params no longer round-trips the value."""
    name = "doubles_scale"

    def __init__(self, scale=1.0, optimizer=None, loss="cross_entropy"):
        super().__init__(optimizer, loss)
        self.scale = 2 * scale


class _ForgetsArgument(Backprop):
    """Takes an argument it never stores."""
    name = "forgets"

    def __init__(self, width=3, optimizer=None, loss="cross_entropy"):
        super().__init__(optimizer, loss)


class _SkipsValidation(Backprop):
    """Declares a constraint but stores the value itself, unchecked."""
    name = "skips_validation"
    hyperparameters = {"scale": Real(0, None, low_open=True)}

    def __init__(self, scale=1.0, optimizer=None, loss="cross_entropy"):
        super().__init__(optimizer, loss)
        self.scale = scale


class _NoCard(Backprop):
    """Its card is not a PlausibilityCard of booleans."""
    name = "no_card"
    card = PlausibilityCard("yes", True, True, False, True, True)


class _NoFlops(Backprop):
    """Reports no FLOPs."""
    name = "no_flops"

    def step(self, net, x, y):
        info = super().step(net, x, y)
        info.pop("flops")
        return info


class _ChangesDtype(Backprop):
    """Turns the float32 parameters into float64."""
    name = "changes_dtype"

    def step(self, net, x, y):
        info = super().step(net, x, y)
        net.layers[0].params["W"] = net.layers[0].params["W"].astype(np.float64)
        return info


class _MutatesLater(Backprop):
    """Writes into its input batch, but only from its second step on."""
    name = "mutates_later"

    def init_state(self, net, rng):
        self.calls = 0

    def step(self, net, x, y):
        self.calls += 1
        if self.calls >= 2:
            x *= 1.0001
        return super().step(net, x, y)


class _Nondeterministic(Backprop):
    """Draws its noise from an unseeded generator."""
    name = "nondeterministic"

    def block_error(self, net, trace, k, e, incoming):
        return incoming * (1.0 + 0.1 * np.random.default_rng().random())


class _DenseOnly(Backprop):
    """Writes dense algebra itself (x^T delta on 2-D arrays): breaks on convolutional layers."""
    name = "dense_only"

    def cross(self, net, k, cache, delta):
        return delta @ net.weight_layer(k).params["W"].T


BROKEN = [  # (broken rule, the check that must catch it, what its message says)
    (_Lazy, "check_loss_falls", "loss did not fall"),
    (_GlobalRandom, "check_global_random_state_untouched", "numpy's global random state"),
    (_ReseedsInInit, "check_global_random_state_untouched", "numpy's global random state"),
    (_PythonRandom, "check_global_random_state_untouched", "Python's global random state"),
    (_HoldsRandomState, "check_constructor_stores_hyperparameters", "random generator"),
    (_ArraysInAList, "check_constructor_stores_hyperparameters", r"buffers\[0\] \(an array\)"),
    (_DoublesScale, "check_constructor_stores_hyperparameters", "changes the values it is given"),
    (_ForgetsArgument, "check_constructor_stores_hyperparameters", "not stored as attributes"),
    (_SkipsValidation, "check_bad_hyperparameters_refused", "was accepted"),
    (_NoCard, "check_plausibility_card", "must be True or False"),
    (_NoFlops, "check_step_contract", "lacks 'flops'"),
    (_ChangesDtype, "check_step_contract", "changed shape or dtype"),
    (_MutatesLater, "check_inputs_not_mutated", "step 2 mutated its input x"),
    (_Nondeterministic, "check_deterministic", "differ for one seed"),
    (_DenseOnly, "check_step_contract", "conv network: step raised"),
]
CHECKS = {c.__name__: c for c in rule_checks()}


@pytest.mark.parametrize("broken, check, message", BROKEN, ids=[b.__name__ for b, _, _ in BROKEN])
def test_kit_rejects_broken_rule(broken, check, message):
    with pytest.raises(AssertionError, match=message):
        CHECKS[check](broken())
    with pytest.raises(AssertionError):
        check_rule(broken())


def test_registry_register_and_unknown_name():
    register("lazy", _Lazy)
    try:
        assert "lazy" in available_rules() and get_rule("lazy") is _Lazy
    finally:
        unregister("lazy")
    with pytest.raises(ValueError, match="unknown rule 'nope'; allowed: .*backprop"):
        get_rule("nope")
