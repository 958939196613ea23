"""The data stream of a run, as a sequence of phases.

A plain run is one phase: train on the training split for ``epochs``, evaluating on the
training and test splits. Each phase gives the training loop its arrays, its number of epochs
and the evaluation sets to log (metric names ``<set>_loss``, ``<set>_accuracy``).
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


def phase_streams(spec: RunSpec, data, classification: bool) -> Iterator[Phase]:
    """The phases of a run: here, the whole training split for ``spec.epochs``."""
    yield Phase(
        data.x_train, data.y_train, spec.epochs,
        {"train": EvalSet(data.x_train, data.y_train, classification),
         "test": EvalSet(data.x_test, data.y_test, classification)},
    )
