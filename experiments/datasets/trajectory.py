"""The periodic output task of Murray (2019, "Local online learning in recurrent networks with
random feedback", eLife 8:e43299, Fig. 2): a leaky rate RNN must produce a fixed target signal
over one period of T steps.

In the paper the 30-unit network has no external input and a time constant tau = 10 steps, and
the period is T = 20 tau = 200 steps (also 40 tau to 160 tau in Fig. 2b). A lab network starts at
h = 0, where a network with no input would stay, so a brief pulse starts each trial: one input
channel is 1 for the first ``pulse_steps`` steps and 0 after (the "brief input pulse" of the
trajectory tasks), the same in every sample. Each of the ``n_outputs`` targets is a sum of
sinusoids with 1, 2, 3 and 5 periods over the T steps, random amplitudes and phases, centred
and of unit variance over time (experiments/datasets/pattern.py's ``target``; the paper does
not tabulate its target's coefficients). Every sample is the same trial, so the test split is
the same trial again: the task measures how well a rule learns to generate the signal. Read it
with ``readout = "every_step"``.

Targets y (N, T K) are time-major per sample (y[:, t K + k]); the lab's mse loss (0.5 x the
squared error summed over steps and channels, averaged over samples) is T K / 2 times the
normalised MSE (mean squared error / target variance): nMSE = test_loss / (T K / 2)
(``pattern.nmse``). Inputs are not standardised (identical samples would be centred to zero).
Drawn offline from the run seed (or ``data_seed``): each seed gets its own target.
"""

from __future__ import annotations

from typing import Any, Mapping

import numpy as np

from .base import Dataset, DatasetError
from .params import check_int
from .pattern import PERIODS, target
from .preprocessing import make_rng, split_indices
from .synthetic import check_sample, data_seed_or

PARAMS = {"n_samples": 10, "steps": 200, "pulse_steps": 10, "n_outputs": 1, "test_fraction": 0.2,
          "data_seed": None}
MAX_OUTPUTS = 16


def check_params(*, n_samples: int, steps: int, pulse_steps: int, n_outputs: int, test_fraction: float,
                 data_seed: int | None) -> dict[str, Any]:
    """The parameters, checked without drawing anything (one-line DatasetError naming the key)."""
    name = "trajectory"
    out = {**check_sample(name, n_samples, test_fraction, data_seed),
           "steps": check_int(name, "steps", steps, minimum=2 * max(PERIODS)),
           "n_outputs": check_int(name, "n_outputs", n_outputs, minimum=1)}
    out["pulse_steps"] = check_int(name, "pulse_steps", pulse_steps, minimum=1)
    if out["pulse_steps"] >= out["steps"]:
        raise DatasetError(f"data: 'pulse_steps' for dataset 'trajectory' must be below 'steps' "
                           f"({out['steps']}), got {out['pulse_steps']}")
    if out["n_outputs"] > MAX_OUTPUTS:
        raise DatasetError(f"data: 'n_outputs' for dataset 'trajectory' must be at most {MAX_OUTPUTS}, "
                           f"got {out['n_outputs']}")
    return out


def input_shape(params: Mapping[str, Any]) -> tuple[int, int]:
    """(T, 1): one pulse channel, the parameters checked."""
    return check_params(**params)["steps"], 1


def load_trajectory(*, seed: int, cache_dir: str | None, n_samples: int, steps: int, pulse_steps: int,
                    n_outputs: int, test_fraction: float, data_seed: int | None) -> Dataset:
    """x (N, T) the pulse, y (N, T K) the target, the same in every row."""
    del cache_dir
    data_seed = data_seed_or(seed, data_seed)
    rng = make_rng(data_seed, "trajectory", "data")
    pulse = np.zeros(steps, np.float32)
    pulse[:pulse_steps] = 1.0                                              # (T,): the trial's start
    y = target(rng, steps, n_outputs)                                      # (T, K)
    x = np.broadcast_to(pulse.reshape(1, -1), (n_samples, steps))
    Y = np.broadcast_to(y.reshape(1, -1), (n_samples, steps * n_outputs))
    train, test = split_indices(n_samples, test_fraction, make_rng(data_seed, "trajectory", "split"))
    return Dataset("trajectory", x[train], Y[train], x[test], Y[test], n_classes=None)
