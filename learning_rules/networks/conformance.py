"""The conformance kit's network check: no network kind can be silently wrong.

For every example network of a kind (``network_class(kind).conformance_examples``, or one small
dense instance), in float64:

1. where it offers "backward": backprop's gradient equals central finite differences of
   ``net.predict``'s loss (relative error < 1e-6), so the sweep and the network's own forward
   compose the layers the same way;
2. where feedback alignment accepts it: feedback alignment with feedback = W equals backprop
   (1e-9), so the cross at every weight layer goes through the tensor the rule chose;
3. every registered rule whose ``requires`` the network offers passes its own check, initialises,
   takes two finite steps and has its epoch diagnostics computed (the angles, norms and
   representation measures a run records); every other rule refuses it in ``check_network``.

A kind that composes itself wrongly (a forward the sweep does not mirror) fails 1.
"""

from __future__ import annotations

import inspect
import math
from typing import Any

import numpy as np

from ..params import aligned_leaves, leaves
from .capabilities import requirements

N_FEATURES, N_CLASSES, BATCH = 8, 3, 6


def example_networks(kind_or_class, seed: int = 0) -> dict[str, Any]:
    """The kind's example networks by name, float64, on inputs of N_FEATURES."""
    from . import network_class

    cls = network_class(kind_or_class) if isinstance(kind_or_class, str) else kind_or_class
    if hasattr(cls, "conformance_examples"):
        return cls.conformance_examples(N_FEATURES, N_CLASSES, seed)
    options = {"dtype": "float64"} if "dtype" in inspect.signature(cls.__init__).parameters else {}
    return {"dense": cls([N_FEATURES, 6, N_CLASSES], np.random.default_rng(seed), **options)}


def _problem(net, seed: int) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    dtype = leaves(net.params)[0].dtype
    vocab = getattr(net, "conformance_vocab", None)  # integer-token networks read ids
    x = rng.integers(0, vocab, (BATCH, N_FEATURES)) if vocab else rng.normal(size=(BATCH, N_FEATURES))
    return x.astype(dtype), rng.integers(0, N_CLASSES, BATCH)


def _finite_differences(net, x, y, eps: float = 1e-6) -> list[np.ndarray]:
    from ..losses import get_loss

    loss = get_loss("cross_entropy")
    out = []
    for p in leaves(net.params):
        g = np.zeros_like(p)
        flat, grad = p.reshape(-1), g.reshape(-1)
        for i in range(flat.size):
            old = flat[i]
            flat[i] = old + eps
            up = loss(net.predict(x), y)[0]
            flat[i] = old - eps
            down = loss(net.predict(x), y)[0]
            flat[i] = old
            grad[i] = (up - down) / (2 * eps)
        out.append(g)
    return out


def _relative(a: list[np.ndarray], b: list[np.ndarray]) -> float:
    a, b = np.concatenate([v.ravel() for v in a]), np.concatenate([v.ravel() for v in b])
    return float(np.linalg.norm(a - b) / max(np.linalg.norm(b), 1e-300))


def check_backprop_is_exact(name: str, net, seed: int = 0) -> None:
    from ..rules.backprop import Backprop

    x, y = _problem(net, seed)
    bp = Backprop()
    bp.init(net, np.random.default_rng(seed))
    grads = aligned_leaves(net.params, bp.compute_gradients(net, x, y, train=False)[1])
    err = _relative(grads, _finite_differences(net, x, y))
    assert err < 1e-6, (f"{name}: backprop's gradient differs from finite differences (relative error "
                        f"{err:.2e}): the backward sweep does not mirror how the network composes its layers")


def check_symmetric_feedback_is_backprop(name: str, net, seed: int = 0) -> None:
    from ..rules.backprop import Backprop
    from ..rules.feedback_alignment import FeedbackAlignment

    x, y = _problem(net, seed)
    bp, fa = Backprop(), FeedbackAlignment()
    bp.init(net, np.random.default_rng(seed))
    fa.init(net, np.random.default_rng(seed))
    fa.set_feedback([None] + [net.weight_layer(k).params["W"].copy() for k in range(1, net.depth)])
    exact = aligned_leaves(net.params, bp.compute_gradients(net, x, y, train=False)[1])
    mine = aligned_leaves(net.params, fa.compute_gradients(net, x, y, train=False)[1])
    err = _relative(mine, exact)
    assert err < 1e-9, f"{name}: feedback alignment with feedback = W differs from backprop ({err:.2e})"


def check_accepting_rules_run(name: str, net, seed: int = 0) -> None:
    from ..rules.registry import available_rules, get_rule

    x, y = _problem(net, seed)
    offered = net.capabilities.families
    for rule_name in available_rules():
        cls = get_rule(rule_name)
        rule = cls()
        if not requirements(cls.requires) <= offered:
            try:
                rule.check_network(net)
            except ValueError:
                continue
            raise AssertionError(f"{name}: {rule_name} requires {sorted(requirements(cls.requires))} but "
                                 "did not refuse a network that lacks it")
        try:
            rule.check_network(net)
        except ValueError as err:  # refusing a layer its method is not defined on is allowed
            assert str(err).startswith(f"{rule_name}:"), f"{name}: {rule_name} refused without naming itself: {err}"
            continue
        twin = net.copy()
        rule.init(twin, np.random.default_rng(seed))
        for _ in range(2):
            info = rule.step(twin, x, y)
            assert math.isfinite(info["loss"]), f"{name}: {rule_name} gave a non-finite loss on it"
        from ..diagnostics import epoch_diagnostics

        epoch_diagnostics(rule, twin, x, y)  # what a run records each epoch must hold on it too


def check_network(kind_or_class, seed: int = 0) -> None:
    """Every network check on every example network of ``kind_or_class`` (a kind name or class)."""
    from ..rules.feedback_alignment import FeedbackAlignment

    for label, net in example_networks(kind_or_class, seed).items():
        name = f"{getattr(kind_or_class, '__name__', kind_or_class)} ({label})"
        if net.capabilities.supports("backward"):
            check_backprop_is_exact(name, net.copy(), seed)
            if requirements(FeedbackAlignment.requires) <= net.capabilities.families:
                check_symmetric_feedback_is_backprop(name, net.copy(), seed)
        check_accepting_rules_run(name, net, seed)
