"""How long the runs left will take, from each run's budget rather than from the first run.

A run's budget is its work in floating-point operations, known before it starts:

    budget = epochs x steps per epoch x (FLOPs of one step + STEP_OVERHEAD)
             + epochs x (train + test samples) x FLOPs of one forward pass     (the evaluation)

The FLOPs of one step are the rule's own count (``info["flops"]``) from one step on one batch of
the run's data, on a throwaway network (one probe per rule, network, data and batch; seeds share
it). STEP_OVERHEAD stands for the fixed cost of a step (Python, small arrays), which dominates
tiny networks: the linear control's 6250 steps of 5e4 FLOPs cost about as much as 3e8 FLOPs of
matrix products would not. Once runs have finished, seconds per budget unit are their wall
time over their budget; a rule with finished runs is predicted from its own runs' times.

The first run finished says nothing about how much longer a population rule's runs are, which
is why the time since the start divided by the runs finished misled (318 s predicted for 104 s).
"""

from __future__ import annotations

import math
from collections.abc import Iterable

#: FLOP-equivalents of one training step's fixed cost; fitted on the quickstart's linear control
#: and backprop runs (0.14 ms per step beside 3e10 FLOP/s on a 2-core machine)
STEP_OVERHEAD = 4e6


def _probe_key(spec) -> str:
    from .runs.spec import canonical_json

    return canonical_json([spec.rule, spec.hyperparameters, spec.model, spec.data, spec.optimizer,
                           spec.batch_size, spec.validation_fraction])


def _probe(spec) -> tuple[float, float, int, int]:
    """(FLOPs of one training step, FLOPs of one sample's forward pass, train samples, test
    samples) for ``spec``, from one step on a throwaway network (the run's own streams are not
    touched: the probe draws from its own generator)."""
    import numpy as np

    from .config.rules import build_rule
    from .runs.worker import build_network, dataset_for, loss_for

    data = dataset_for(spec)
    rng = np.random.default_rng(0)
    net = build_network(spec.model, data, rng)
    rule = build_rule(spec.rule, spec.hyperparameters, spec.optimizer, loss_for(spec, data.n_classes is not None))
    rule.init(net, rng)
    batch = min(spec.batch_size, data.x_train.shape[0])
    info = rule.step(net, data.x_train[:batch], data.y_train[:batch])
    return float(info.get("flops", 0.0)), float(net.flops(1)), data.x_train.shape[0], data.x_test.shape[0]


def budgets(specs: Iterable) -> dict[str, float]:
    """run_id -> budget (FLOP-equivalents) for each spec; a spec whose probe fails (its data not
    loadable here, say, for a remote cluster) gets the mean budget per epoch of the others."""
    probes: dict[str, tuple | None] = {}
    out: dict[str, float] = {}
    unknown = []
    for spec in specs:
        key = _probe_key(spec)
        if key not in probes:
            try:
                probes[key] = _probe(spec)
            except Exception:  # an estimate must never stop a run; this one is guessed below
                probes[key] = None
        probe = probes[key]
        if probe is None:
            unknown.append(spec)
            continue
        step, forward, n_train, n_test = probe
        steps = max(1, n_train // max(spec.batch_size, 1))
        out[spec.run_id] = spec.epochs * (steps * (step + STEP_OVERHEAD) + (n_train + n_test) * forward)
    per_epoch = [out[s.run_id] / max(s.epochs, 1) for s in specs if s.run_id in out]
    guess = sum(per_epoch) / len(per_epoch) if per_epoch else 1.0
    for spec in unknown:
        out[spec.run_id] = guess * max(spec.epochs, 1)
    return out


class Estimate:
    """Seconds left for a set of runs of known budgets, refined as runs finish."""

    def __init__(self, budget: dict[str, float], labels: dict[str, str], workers: int = 1) -> None:
        self.budget, self.labels, self.workers = dict(budget), dict(labels), max(1, int(workers))
        self.left = set(budget)
        self.spent: dict[str, float] = {}  # run_id -> wall time of a finished run

    def finished(self, run_id: str, wall_time: float | None) -> None:
        self.left.discard(run_id)
        if wall_time is not None and run_id in self.budget and math.isfinite(wall_time):
            self.spent[run_id] = float(wall_time)

    def seconds_left(self) -> float | None:
        """Sum over the runs left of their predicted time, over the workers; None before any
        run finished. A run whose label has finished runs takes their mean time per budget unit,
        any other the mean of all finished runs."""
        if not self.spent:
            return None
        if not self.left:
            return 0.0
        rate = sum(self.spent.values()) / max(sum(self.budget[r] for r in self.spent), 1e-300)
        by_label: dict[str, list[str]] = {}
        for r in self.spent:
            by_label.setdefault(self.labels.get(r, ""), []).append(r)
        total = 0.0
        for r in self.left:
            own = by_label.get(self.labels.get(r, ""))
            own_rate = sum(self.spent[o] for o in own) / max(sum(self.budget[o] for o in own), 1e-300) if own else rate
            total += self.budget[r] * own_rate
        return total / min(self.workers, len(self.left))
