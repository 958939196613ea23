"""The conformance kit: checks any learning rule against the contract of DESIGN.md section 3.

In the spirit of scikit-learn's ``check_estimator``::

    from learning_rules.testing import check_rule
    check_rule(MyRule(lr_scale=0.5))          # raises AssertionError naming the failed check

or, to see each check as its own pytest test::

    @pytest.mark.parametrize("check", rule_checks(), ids=lambda c: c.__name__)
    def test_my_rule(check):
        check(MyRule())

A check receives a *fresh* copy of the rule built from ``type(rule)(**rule.get_params())``, so
the rule must keep every constructor argument as an attribute of the same name.
The network a rule is checked on comes from ``type(rule).example_network(sizes, rng)`` (a rate
network by default; spiking rules return a spiking one), on a small separable problem.
"""

from __future__ import annotations

import copy
import inspect
import math
import random
from dataclasses import fields
from typing import Callable

import numpy as np

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


def _network(rule: LearningRule, seed: int = 0):
    sizes = [N_FEATURES, 16, 16, N_CLASSES]
    return type(rule).example_network(sizes, np.random.default_rng(seed))


def _train(rule: LearningRule, seed: int, steps: int):
    """Train a fresh copy for ``steps`` batches; returns (net, infos, loss trajectory)."""
    rule = _fresh(rule)
    x, y = separable_problem(seed)
    net = _network(rule, seed)
    rule.init(net, np.random.default_rng(seed + 1))
    infos = []
    for t in range(steps):
        i = (t * BATCH) % N_SAMPLES
        infos.append(rule.step(net, x[i : i + BATCH], y[i : i + BATCH]))
    return net, infos


# -- the checks -----------------------------------------------------------------------------


def check_constructor_stores_hyperparameters(rule: LearningRule) -> None:
    """The constructor only stores hyperparameters: get_params round-trips, no arrays, no rng."""
    params = rule.get_params()
    sig = inspect.signature(type(rule).__init__)
    missing = [k for k in sig.parameters if k not in ("self", "args", "kwargs") and k not in params]
    assert not missing, f"constructor arguments not stored as attributes of the same name: {missing}"
    clone = _fresh(rule)
    assert set(clone.get_params()) == set(params), "get_params does not round-trip"
    arrays = [k for k, v in vars(clone).items() if isinstance(v, np.ndarray)]
    assert not arrays, f"constructor created arrays (state belongs in init): {arrays}"
    gens = [k for k, v in vars(clone).items() if isinstance(v, np.random.Generator)]
    assert not gens, f"constructor holds a random generator (pass it to init): {gens}"


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
    """step returns a dict of finite floats with 'loss' and 'flops'; params keep shape and dtype."""
    rule = _fresh(rule)
    x, y = separable_problem()
    net = _network(rule)
    before = [(p.shape, p.dtype) for p in net.params]
    rule.init(net, np.random.default_rng(1))
    for _ in range(3):
        info = rule.step(net, x[:BATCH], y[:BATCH])
        assert isinstance(info, dict), "step must return a dict"
        for key in ("loss", "flops"):
            assert key in info, f"step's dict lacks {key!r}"
        for k, v in info.items():
            assert isinstance(k, str) and isinstance(v, (float, int)) and not isinstance(v, bool), \
                f"step's {k!r} is not a float: {v!r}"
            assert math.isfinite(v), f"step's {k!r} is not finite: {v}"
        assert info["flops"] > 0, "a step must report the FLOPs it spent"
    after = [(p.shape, p.dtype) for p in net.params]
    assert after == before, f"parameters changed shape or dtype: {before} -> {after}"
    for p in net.params:
        assert np.all(np.isfinite(p)), "parameters became non-finite"
    out = net.predict(x)
    assert out.shape == (N_SAMPLES, N_CLASSES) and np.all(np.isfinite(out)), "predict is broken"


def check_inputs_not_mutated(rule: LearningRule) -> None:
    """step leaves the batch arrays it was given untouched."""
    rule = _fresh(rule)
    x, y = separable_problem()
    xb, yb = x[:BATCH].copy(), y[:BATCH].copy()
    net = _network(rule)
    rule.init(net, np.random.default_rng(1))
    rule.step(net, xb, yb)
    assert np.array_equal(xb, x[:BATCH]), "step mutated its input x"
    assert np.array_equal(yb, y[:BATCH]), "step mutated its labels y"


def check_deterministic(rule: LearningRule) -> None:
    """The same seed gives an identical trajectory: losses and final parameters."""
    net_a, infos_a = _train(rule, seed=3, steps=5)
    net_b, infos_b = _train(rule, seed=3, steps=5)
    assert [i["loss"] for i in infos_a] == [i["loss"] for i in infos_b], "losses differ for one seed"
    for p, q in zip(net_a.params, net_b.params):
        assert np.array_equal(p, q), "final parameters differ for one seed"


def check_global_random_state_untouched(rule: LearningRule) -> None:
    """Neither numpy's nor Python's global random state is used."""
    np_state, py_state = np.random.get_state(), random.getstate()
    _train(rule, seed=0, steps=3)
    after = np.random.get_state()
    assert all(np.array_equal(a, b) if isinstance(a, np.ndarray) else a == b
               for a, b in zip(np_state, after)), "the rule used numpy's global random state"
    assert random.getstate() == py_state, "the rule used Python's global random state"


def check_loss_falls(rule: LearningRule, steps: int | None = None) -> None:
    """Training on a small separable problem lowers the loss on the whole set by >= 25%."""
    steps = steps or getattr(type(rule), "conformance_steps", 150)
    fresh = _fresh(rule)
    x, y = separable_problem(seed=5)
    net = _network(fresh, seed=5)
    fresh.init(net, np.random.default_rng(6))
    start = _dataset_loss(fresh, net, x, y)
    for t in range(steps):
        i = (t * BATCH) % N_SAMPLES
        fresh.step(net, x[i : i + BATCH], y[i : i + BATCH])
    end = _dataset_loss(fresh, net, x, y)
    assert end < 0.75 * start, f"loss did not fall on a separable problem: {start:.4f} -> {end:.4f}"


def _dataset_loss(rule: LearningRule, net, x, y) -> float:
    from .losses import get_loss

    return get_loss(getattr(rule, "loss", "cross_entropy"))(net.predict(x), y)[0]


_CHECKS: tuple[Callable[[LearningRule], None], ...] = (
    check_constructor_stores_hyperparameters,
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
