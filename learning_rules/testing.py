"""The conformance kit: checks any learning rule against the rule contract (docs/architecture.md).

In the spirit of scikit-learn's ``check_estimator``::

    from learning_rules.testing import check_rule
    check_rule(MyRule(lr_scale=0.5))          # raises AssertionError naming the failed check

or, to see each check as its own pytest test::

    @pytest.mark.parametrize("check", rule_checks(), ids=lambda c: c.__name__)
    def test_my_rule(check):
        check(MyRule())

Networks have their check too: ``check_network(kind)`` (networks/conformance.py) proves, for
every example network of a kind, that backprop equals finite differences, that feedback alignment
with feedback = W equals backprop, and that every rule accepting the kind runs on it.

A check receives a *fresh* copy of the rule built from ``type(rule)(**rule.get_params())``, so
the rule must keep every constructor argument, unchanged, as an attribute of the same name.
The networks a rule is checked on come from ``type(rule).example_networks(...)``: a dense one,
and for rules of layered networks a convolutional one too (inputs (1, 8)), on a small separable
problem.
"""

from __future__ import annotations

import copy
import inspect
import math
import os
import random
from dataclasses import fields
from typing import Any, Callable

import numpy as np

from .hyperparameters import Boolean, Integer, Options, Real
from .networks.conformance import check_network  # noqa: F401  (the kit's network check)
from .params import leaves
from .rules.base import LearningRule
from .rules.plausibility import PlausibilityCard

N_FEATURES, N_CLASSES, N_SAMPLES, BATCH = 8, 3, 96, 32


def separable_problem(seed: int = 0, dtype=np.float32) -> tuple[np.ndarray, np.ndarray]:
    """Three well-separated Gaussian blobs in 8 dimensions: x (96, 8), y (96,) int64."""
    rng = np.random.default_rng(seed)
    centres = rng.normal(0.0, 2.0, size=(N_CLASSES, N_FEATURES))
    y = np.arange(N_SAMPLES) % N_CLASSES
    x = centres[y] + 0.3 * rng.normal(size=(N_SAMPLES, N_FEATURES))
    return x.astype(dtype), y.astype(np.int64)


def _fresh(rule: LearningRule) -> LearningRule:
    return type(rule)(**copy.deepcopy(rule.get_params()))


def _networks(rule: LearningRule, seed: int = 0) -> dict[str, Any]:
    return type(rule).example_networks(N_FEATURES, N_CLASSES, seed)


def _train(rule: LearningRule, net, seed: int, steps: int):
    """Train a fresh copy on ``net`` for ``steps`` batches; returns the step infos."""
    rule = _fresh(rule)
    x, y = separable_problem(seed)
    rule.init(net, np.random.default_rng(seed + 1))
    infos = []
    for t in range(steps):
        i = (t * BATCH) % N_SAMPLES
        infos.append(rule.step(net, x[i : i + BATCH], y[i : i + BATCH]))
    return infos


def _same(a: Any, b: Any) -> bool:
    """Equality of hyperparameter values (NaN equals NaN; arrays compared elementwise)."""
    if isinstance(a, float) and isinstance(b, float) and math.isnan(a) and math.isnan(b):
        return True
    try:
        return bool(a == b) and type(a) is type(b)
    except (TypeError, ValueError):
        return False


def _forbidden(value: Any, path: str) -> list[str]:
    """Paths of arrays, generators and random states inside ``value`` (lists, tuples, dicts)."""
    if isinstance(value, np.ndarray):
        return [f"{path} (an array)"]
    if isinstance(value, (np.random.Generator, np.random.RandomState, random.Random)):
        return [f"{path} (a random generator)"]
    if isinstance(value, dict):
        return [p for k, v in value.items() for p in _forbidden(v, f"{path}[{k!r}]")]
    if isinstance(value, (list, tuple)):
        return [p for i, v in enumerate(value) for p in _forbidden(v, f"{path}[{i}]")]
    return []


# -- the checks -----------------------------------------------------------------------------


def check_constructor_stores_hyperparameters(rule: LearningRule) -> None:
    """The constructor only stores hyperparameters: every argument kept unchanged under its own
    name (get_params round-trips keys and values), no arrays or random generators anywhere in
    what it stores (state belongs in init; randomness comes from the rng passed to init)."""
    params = rule.get_params()
    sig = inspect.signature(type(rule).__init__)
    named = [k for k, p in sig.parameters.items() if k != "self" and p.kind not in (p.VAR_POSITIONAL, p.VAR_KEYWORD)]
    missing = [k for k in named if k not in params]
    assert not missing, f"constructor arguments not stored as attributes of the same name: {missing}"
    clone = _fresh(rule)
    again = clone.get_params()
    assert set(again) == set(params), "get_params does not round-trip its keys"
    changed = [k for k in params if not _same(again[k], params[k])]
    assert not changed, (f"the constructor changes the values it is given (stored != passed): "
                         f"{', '.join(f'{k}: {params[k]!r} -> {again[k]!r}' for k in changed)}")
    bad = [p for k, v in vars(clone).items() for p in _forbidden(v, k)]
    assert not bad, f"the constructor holds state that belongs in init: {', '.join(bad)}"


def _bad_value(constraint) -> Any:
    if isinstance(constraint, Real):
        return float("nan")
    if isinstance(constraint, Integer):
        return 1.5
    if isinstance(constraint, (Options, Boolean)):
        return "not-an-option"
    return None


def check_bad_hyperparameters_refused(rule: LearningRule) -> None:
    """Every declared hyperparameter refuses a value its constraint excludes, with a one-line
    ValueError that names the rule and the key."""
    params = rule.get_params()
    for key, constraint in type(rule).constraints().items():
        if key not in params:
            continue
        bad = _bad_value(constraint)
        if bad is None:
            continue
        try:
            type(rule)(**{**copy.deepcopy(params), key: bad})
        except ValueError as err:
            text = str(err)
            assert "\n" not in text and key in text, f"the error for {key}={bad!r} is not one line naming it: {text!r}"
            continue
        raise AssertionError(f"{key}={bad!r} was accepted; declared: {constraint.describe()}")


def check_plausibility_card(rule: LearningRule) -> None:
    """The class declares a name and a complete plausibility card of booleans."""
    assert isinstance(getattr(type(rule), "name", None), str) and type(rule).name, "rule has no name"
    card = getattr(type(rule), "card", None)
    assert isinstance(card, PlausibilityCard), "rule has no PlausibilityCard as `card`"
    for f in fields(card):
        value = getattr(card, f.name)
        if f.name == "notes":
            assert isinstance(value, str), "card.notes must be a string"
        else:
            assert isinstance(value, bool), f"card.{f.name} must be True or False, got {value!r}"


def check_step_contract(rule: LearningRule) -> None:
    """On every example network: step returns a dict of finite floats with 'loss' and 'flops';
    params keep shape and dtype and stay finite; predict still works."""
    x, y = separable_problem()
    for kind, net in _networks(rule).items():
        before = [(p.shape, p.dtype) for p in leaves(net.params)]
        fresh = _fresh(rule)
        fresh.init(net, np.random.default_rng(1))
        for _ in range(3):
            try:
                info = fresh.step(net, x[:BATCH], y[:BATCH])
            except Exception as err:  # a rule that cannot train this network fails the contract
                raise AssertionError(f"{kind} network: step raised {type(err).__name__}: {err}") from err
            assert isinstance(info, dict), "step must return a dict"
            for key in ("loss", "flops"):
                assert key in info, f"step's dict lacks {key!r}"
            for k, v in info.items():
                assert isinstance(k, str) and isinstance(v, (float, int)) and not isinstance(v, bool), \
                    f"{kind} network: step's {k!r} is not a float: {v!r}"
                assert math.isfinite(v), f"{kind} network: step's {k!r} is not finite: {v}"
            assert info["flops"] > 0, "a step must report the FLOPs it spent"
        after = [(p.shape, p.dtype) for p in leaves(net.params)]
        assert after == before, f"{kind} network: parameters changed shape or dtype: {before} -> {after}"
        for p in leaves(net.params):
            assert np.all(np.isfinite(p)), f"{kind} network: parameters became non-finite"
        out = net.predict(x)
        assert out.shape == (N_SAMPLES, N_CLASSES) and np.all(np.isfinite(out)), f"{kind} network: predict is broken"


def check_inputs_not_mutated(rule: LearningRule) -> None:
    """No step leaves the batch arrays it was given changed (checked after every one of 4 steps)."""
    x, y = separable_problem()
    for kind, net in _networks(rule).items():
        fresh = _fresh(rule)
        fresh.init(net, np.random.default_rng(1))
        for t in range(4):
            xb, yb = x[:BATCH].copy(), y[:BATCH].copy()
            fresh.step(net, xb, yb)
            assert np.array_equal(xb, x[:BATCH]), f"{kind} network: step {t + 1} mutated its input x"
            assert np.array_equal(yb, y[:BATCH]), f"{kind} network: step {t + 1} mutated its labels y"


def check_deterministic(rule: LearningRule) -> None:
    """The same seed gives an identical trajectory: losses and final parameters."""
    for kind in _networks(rule):
        net_a, net_b = _networks(rule, 3)[kind], _networks(rule, 3)[kind]
        infos_a, infos_b = _train(rule, net_a, seed=3, steps=5), _train(rule, net_b, seed=3, steps=5)
        assert [i["loss"] for i in infos_a] == [i["loss"] for i in infos_b], f"{kind} network: losses differ for one seed"
        for p, q in zip(leaves(net_a.params), leaves(net_b.params)):
            assert np.array_equal(p, q), f"{kind} network: final parameters differ for one seed"


def check_global_random_state_untouched(rule: LearningRule) -> None:
    """Neither numpy's nor Python's global random state is used or reseeded (the states are set
    to fresh unpredictable values first, so reseeding to a fixed value is seen too)."""
    saved_np, saved_py = np.random.get_state(), random.getstate()
    try:
        np.random.seed(int.from_bytes(os.urandom(4), "little"))
        random.seed(os.urandom(16))
        np_state, py_state = np.random.get_state(), random.getstate()
        fresh = _fresh(rule)
        for kind, net in _networks(rule).items():
            _train(fresh, net, seed=0, steps=3)
        after = np.random.get_state()
        assert all(np.array_equal(a, b) if isinstance(a, np.ndarray) else a == b
                   for a, b in zip(np_state, after)), "the rule used numpy's global random state"
        assert random.getstate() == py_state, "the rule used Python's global random state"
    finally:
        np.random.set_state(saved_np)
        random.setstate(saved_py)


def check_loss_falls(rule: LearningRule, steps: int | None = None) -> None:
    """On every example network, training on a small separable problem lowers the loss on the
    whole set by >= 25%."""
    steps = steps or getattr(type(rule), "conformance_steps", 150)
    x, y = separable_problem(seed=5)
    for kind, net in _networks(rule, seed=5).items():
        fresh = _fresh(rule)
        fresh.init(net, np.random.default_rng(6))
        start = _dataset_loss(fresh, net, x, y)
        for t in range(steps):
            i = (t * BATCH) % N_SAMPLES
            fresh.step(net, x[i : i + BATCH], y[i : i + BATCH])
        end = _dataset_loss(fresh, net, x, y)
        assert end < 0.75 * start, f"{kind} network: loss did not fall on a separable problem: {start:.4f} -> {end:.4f}"


def _dataset_loss(rule: LearningRule, net, x, y) -> float:
    from .losses import get_loss

    return get_loss(getattr(rule, "loss", "cross_entropy"))(net.predict(x), y)[0]


_CHECKS: tuple[Callable[[LearningRule], None], ...] = (
    check_constructor_stores_hyperparameters,
    check_bad_hyperparameters_refused,
    check_plausibility_card,
    check_step_contract,
    check_inputs_not_mutated,
    check_deterministic,
    check_global_random_state_untouched,
    check_loss_falls,
)


def rule_checks() -> tuple[Callable[[LearningRule], None], ...]:
    """Every conformance check, each a function of a rule instance."""
    return _CHECKS


def check_rule(rule: LearningRule) -> None:
    """Run every check on ``rule``; the first failure raises AssertionError naming the check."""
    for check in _CHECKS:
        try:
            check(rule)
        except AssertionError as err:
            raise AssertionError(f"{type(rule).__name__}: {check.__name__}: {err}") from err
