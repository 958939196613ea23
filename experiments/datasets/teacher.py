"""Teacher-student data: a random tanh MLP (the teacher) labels Gaussian inputs.

Inputs x ~ N(0, I) of ``n_features``; the teacher has ``teacher_depth`` hidden layers of
``teacher_width`` tanh units and a linear readout of ``n_outputs``, weights ~ N(0, g^2/fan_in)
with g = ``teacher_gain`` (g = 1: LeCun scaling, each pre-activation of roughly unit variance, a
nearly linear teacher; g > 1: the strongly nonlinear regime of deep tanh networks, Poole et al.
2016) and biases ~ N(0, 0.1^2).
``task = "classification"``: the label is the argmax of the teacher output (n_outputs classes;
class sizes follow the teacher and need not be balanced). ``task = "regression"``: the targets
are the teacher output itself, (N, n_outputs) floats, not standardised. ``noise`` adds
N(0, noise^2) to the teacher output before the argmax or as target noise.
Because a network of the teacher's shape can fit the data exactly, the gap to zero error
measures the learning rule, not the model class (Gardner & Derrida 1989; Saad & Solla 1995).
"""

from __future__ import annotations

import numpy as np

from .base import Dataset, DatasetError
from .params import check_choice, check_float, check_int
from .preprocessing import make_rng, split_indices
from .synthetic import check_sample, data_seed_or

PARAMS = {
    "n_samples": 1000,
    "n_features": 20,
    "n_outputs": 10,
    "teacher_depth": 1,
    "teacher_width": 64,
    "teacher_gain": 1.0,
    "task": "classification",
    "noise": 0.0,
    "test_fraction": 0.2,
    "data_seed": None,
}


def teacher_forward(x: np.ndarray, weights: list[np.ndarray], biases: list[np.ndarray]) -> np.ndarray:
    """x (N, D) -> output (N, K): tanh on every layer but the last, which is linear."""
    h = x
    for i, (w, b) in enumerate(zip(weights, biases)):
        h = h @ w + b
        if i < len(weights) - 1:
            h = np.tanh(h)
    return h


def check_params(*, n_samples: int, n_features: int, n_outputs: int, teacher_depth: int, teacher_width: int,
                 teacher_gain: float, task: str, noise: float, test_fraction: float,
                 data_seed: int | None) -> dict:
    """The parameters, checked without drawing anything."""
    task = check_choice("teacher", "task", task, ("classification", "regression"))
    teacher_gain = check_float("teacher", "teacher_gain", teacher_gain)
    if not teacher_gain > 0:
        raise DatasetError(f"data: teacher_gain {teacher_gain!r} not allowed; must be > 0")
    return {**check_sample("teacher", n_samples, test_fraction, data_seed), "task": task,
            "n_features": check_int("teacher", "n_features", n_features),
            "n_outputs": check_int("teacher", "n_outputs", n_outputs, minimum=2 if task == "classification" else 1),
            "teacher_depth": check_int("teacher", "teacher_depth", teacher_depth, minimum=0),
            "teacher_width": check_int("teacher", "teacher_width", teacher_width),
            "teacher_gain": teacher_gain, "noise": check_float("teacher", "noise", noise)}


def load_teacher(
    *,
    seed: int,
    cache_dir: str | None,
    n_samples: int,
    n_features: int,
    n_outputs: int,
    teacher_depth: int,
    teacher_width: int,
    teacher_gain: float,
    task: str,
    noise: float,
    test_fraction: float,
    data_seed: int | None,
) -> Dataset:
    """Sample a teacher and a dataset from it; see the module docstring. Parameters arrive
    checked (``check_params``)."""
    del cache_dir
    data_seed = data_seed_or(seed, data_seed)

    rng = make_rng(data_seed, "teacher", "data")
    sizes = [n_features] + [teacher_width] * teacher_depth + [n_outputs]
    weights = [teacher_gain * rng.standard_normal((a, b)) / np.sqrt(a)  # (fan_in, fan_out)
               for a, b in zip(sizes[:-1], sizes[1:])]
    biases = [0.1 * rng.standard_normal(b) for b in sizes[1:]]
    x = rng.standard_normal((n_samples, n_features))  # (N, D)
    out = teacher_forward(x, weights, biases) + noise * rng.standard_normal((n_samples, n_outputs))  # (N, K)

    split_rng = make_rng(data_seed, "teacher", "split")
    if task == "regression":
        train, test = split_indices(n_samples, test_fraction, split_rng)
        return Dataset("teacher", x[train], out[train], x[test], out[test], n_classes=None)
    y = out.argmax(axis=1).astype(np.int64)  # (N,)
    train, test = split_indices(n_samples, test_fraction, split_rng, y)
    return Dataset("teacher", x[train], y[train], x[test], y[test], n_classes=n_outputs)
