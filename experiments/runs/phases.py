"""The data stream of a run, as a sequence of phases (tasks trained one after another).

A plain run is one phase: train on the training split for ``epochs``, evaluating on the
training and test splits. An experiment file with ``[[phases]]`` makes a sequence of tasks, each
a view of the run's dataset: a subset of its classes (split digits: 0-4, then 5-9) and/or a fixed
permutation of its input features (permuted digits)::

    [[phases]]
    name = "first_half"       # its test set is logged as first_half_accuracy / first_half_loss
    epochs = 10
    classes = [0, 1, 2, 3, 4] # optional: keep only these classes (train and test)
    permutation_seed = 1      # optional: permute the features by a fixed permutation from this seed
                              # (or `permutation = [...]`, an explicit permutation of all features)

Every phase evaluates on every task's test set, so forgetting shows as the fall of an earlier
task's accuracy while later tasks train; ``test_accuracy`` is the mean over all tasks.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Iterator

import numpy as np

from .spec import RunSpec
from .train import EvalSet


@dataclass
class Phase:
    """One stretch of training: x (N, D), y (N,) for ``epochs``, and what to evaluate on."""

    x: np.ndarray
    y: np.ndarray
    epochs: int
    eval_sets: dict[str, EvalSet]


class PhaseError(ValueError):
    """A phase definition that cannot be applied to the dataset (one line)."""


def permutation_of(phase: dict, n_features: int) -> np.ndarray | None:
    """The phase's feature permutation (n_features,), or None for the identity."""
    if "permutation" in phase:
        perm = np.asarray(phase["permutation"])
        if perm.shape != (n_features,) or not np.array_equal(np.sort(perm), np.arange(n_features)):
            raise PhaseError(f"phases.{phase['name']}.permutation: expected a permutation of 0..{n_features - 1} "
                             f"({n_features} entries), got {perm.size} entries")
        return perm
    if "permutation_seed" in phase:
        rng = np.random.default_rng(np.random.SeedSequence(phase["permutation_seed"], spawn_key=(7,)))
        return rng.permutation(n_features)
    return None


def task_view(phase: dict, x: np.ndarray, y: np.ndarray, n_classes: int | None) -> tuple[np.ndarray, np.ndarray]:
    """The task's slice of (x, y): its classes, its permuted features."""
    classes = phase.get("classes")
    if classes is not None:
        bad = [c for c in classes if n_classes is None or not 0 <= c < n_classes]
        if bad:
            allowed = f"0..{n_classes - 1}" if n_classes else "none (a regression dataset has no classes)"
            raise PhaseError(f"phases.{phase['name']}.classes: unknown class {bad[0]}; allowed: {allowed}")
        keep = np.isin(y, classes)
        x, y = x[keep], y[keep]
    perm = permutation_of(phase, x.shape[1])
    if perm is not None:
        x = np.ascontiguousarray(x[:, perm])
    return x, y


def phase_streams(spec: RunSpec, data, classification: bool) -> Iterator[Phase]:
    """The phases of a run: the whole training split for ``spec.epochs``, or ``spec.phases``.
    A search run's held-out split is its validation part (logged as ``validation_*``)."""
    if not spec.phases:
        held_out = "test" if spec.validation_fraction is None else "validation"  # see dataset_for
        yield Phase(
            data.x_train, data.y_train, spec.epochs,
            {"train": EvalSet(data.x_train, data.y_train, classification),
             held_out: EvalSet(data.x_test, data.y_test, classification)},
        )
        return
    tasks = {p["name"]: task_view(p, data.x_test, data.y_test, data.n_classes) for p in spec.phases}
    eval_sets = {name: EvalSet(x, y, classification) for name, (x, y) in tasks.items()}
    for phase in spec.phases:
        x, y = task_view(phase, data.x_train, data.y_train, data.n_classes)
        yield Phase(x, y, phase["epochs"], {"train": EvalSet(x, y, classification), **eval_sets})
