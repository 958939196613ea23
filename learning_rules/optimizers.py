"""Optimizers as explicit-state gradient transformations, in the spirit of optax.

``state = opt.init(params)`` then ``updates, state = opt.update(grads, state, params)`` and the
caller adds ``updates`` to ``params``. Rules produce (pseudo-)gradients; the optimizer alone turns
them into steps, so changing the rule never touches the optimizer. A ``None`` gradient means
"this parameter does not learn" (a frozen layer): its update is ``None`` and its state is left alone.

Order of operations on the gradient g of each parameter p:
1. global-norm clipping: g <- g * min(1, clip_norm / ||g||_all)  (``clip_norm`` > 0);
2. L2 weight decay folded into the gradient: g <- g + weight_decay * p;
3. the step:
   - ``sgd``:      u = -lr g
   - ``momentum``: v <- mu v + g; u = -lr v, or u = -lr (g + mu v) with ``nesterov`` (Sutskever et al. 2013)
   - ``adam``:     m <- b1 m + (1-b1) g; s <- b2 s + (1-b2) g^2;
                   u = -lr (m / (1-b1^t)) / (sqrt(s / (1-b2^t)) + eps)   (Kingma & Ba 2015)
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np

Grads = list[np.ndarray | None]


@dataclass(frozen=True)
class Optimizer:
    """Hyperparameters of one optimizer; state lives outside, created by ``init``."""

    name: str = "adam"
    lr: float = 1e-3
    momentum: float = 0.9
    nesterov: bool = False
    beta1: float = 0.9
    beta2: float = 0.999
    eps: float = 1e-8
    weight_decay: float = 0.0
    clip_norm: float | None = None

    def __post_init__(self) -> None:
        if self.name not in OPTIMIZER_NAMES:
            raise ValueError(
                f"optimizer.name: unknown optimizer {self.name!r}; allowed: {', '.join(OPTIMIZER_NAMES)}"
            )
        if not isinstance(self.nesterov, bool):
            raise ValueError(f"optimizer.nesterov: {self.nesterov!r} not allowed; must be true or false")
        for key, (ok, allowed) in _RANGES.items():
            value = getattr(self, key)
            if key == "clip_norm" and value is None:
                continue
            if not _is_real(value) or not math.isfinite(value) or not ok(value):
                raise ValueError(f"optimizer.{key}: {value!r} not allowed; must be a finite number {allowed}")

    def init(self, params: list[np.ndarray]) -> "OptimizerState":
        """Zeroed moment buffers shaped like ``params``."""
        first = [np.zeros_like(p) for p in params] if self.name != "sgd" else []
        second = [np.zeros_like(p) for p in params] if self.name == "adam" else []
        return OptimizerState(step=0, first=first, second=second)

    def update(
        self, grads: Grads, state: "OptimizerState", params: list[np.ndarray]
    ) -> tuple[Grads, "OptimizerState"]:
        """Gradients -> additive updates (same shapes, ``None`` where the gradient is ``None``).

        The state's buffers are updated in place (they are owned by the state) and its step count
        advanced; the returned state is the same object, returned for optax-like chaining.
        """
        grads = self._clip(grads)
        if self.weight_decay:
            grads = [None if g is None else g + self.weight_decay * p for g, p in zip(grads, params)]
        state.step += 1
        lr = self.lr
        updates: Grads = []
        if self.name == "adam":
            c1 = 1.0 - self.beta1**state.step
            c2 = 1.0 - self.beta2**state.step
            step_size = lr * math.sqrt(c2) / c1
            # eps scaled so the formula equals the textbook one: m_hat / (sqrt(s_hat) + eps)
            eps = self.eps * math.sqrt(c2)
        for i, g in enumerate(grads):
            if g is None:
                updates.append(None)
                continue
            if self.name == "sgd":
                updates.append(-lr * g)
            elif self.name == "momentum":
                v = state.first[i]
                v *= self.momentum
                v += g
                updates.append(-lr * (g + self.momentum * v) if self.nesterov else -lr * v)
            else:
                m, s = state.first[i], state.second[i]
                if g.dtype != m.dtype:  # mixed dtypes: the plain formulas, numpy's promotion
                    m *= self.beta1
                    m += (1.0 - self.beta1) * g
                    s *= self.beta2
                    s += (1.0 - self.beta2) * (g * g)
                    updates.append(-step_size * m / (np.sqrt(s) + eps))
                    continue
                # the same arithmetic, bit for bit, through one scratch array instead of seven
                # temporaries: fresh megabyte temporaries cost page faults every step
                t = np.multiply(g, 1.0 - self.beta1)         # (1-b1) g
                m *= self.beta1
                m += t
                np.multiply(g, g, out=t)
                t *= 1.0 - self.beta2                        # (1-b2) g^2
                s *= self.beta2
                s += t
                u = np.sqrt(s)
                u += eps                                     # sqrt(s) + eps
                np.multiply(m, -step_size, out=t)
                updates.append(np.divide(t, u, out=u))       # -step_size m / (sqrt(s) + eps)
        return updates, state

    def _clip(self, grads: Grads) -> Grads:
        if self.clip_norm is None:
            return grads
        norm = math.sqrt(sum(float(np.vdot(g, g)) for g in grads if g is not None))
        if norm <= self.clip_norm or norm == 0.0:
            return grads
        scale = self.clip_norm / norm
        return [None if g is None else g * scale for g in grads]


OPTIMIZER_NAMES = ("sgd", "momentum", "adam")


def _is_real(value) -> bool:
    return isinstance(value, (int, float, np.integer, np.floating)) and not isinstance(value, (bool, np.bool_))


#: each number's allowed range: (test, the words for it)
_RANGES = {
    "lr": (lambda v: v > 0, "> 0"),
    "momentum": (lambda v: 0 <= v < 1, "in [0, 1)"),
    "beta1": (lambda v: 0 <= v < 1, "in [0, 1)"),
    "beta2": (lambda v: 0 <= v < 1, "in [0, 1)"),
    "eps": (lambda v: v > 0, "> 0"),
    "weight_decay": (lambda v: v >= 0, ">= 0"),
    "clip_norm": (lambda v: v > 0, "> 0 (or absent)"),
}


@dataclass
class OptimizerState:
    """Step count and moment buffers (first: momentum / Adam's m; second: Adam's s)."""

    step: int
    first: list[np.ndarray] = field(default_factory=list)
    second: list[np.ndarray] = field(default_factory=list)


def apply_updates(params: list[np.ndarray], updates: Grads) -> None:
    """params[i] += updates[i] in place (skipping ``None``), keeping each array's dtype."""
    for p, u in zip(params, updates):
        if u is not None:
            p += u.astype(p.dtype, copy=False)
