"""Delayed cue recall: a task whose memory demand is one parameter, the delay d.

Each sample is a sequence of T = d + 1 steps of ``n_cues`` + ``distractors`` channels. At step
0 one of the cues is shown on the cue channels (a one-hot vector), which stay silent afterwards;
the distractor channels carry N(0, 1) noise at every step, so a state that merely drifts forgets
the cue and a network must learn to hold it and ignore the rest. The label is the cue, to be
given at the last step: a network that reads its last step (``readout = "last"``) must carry it
for d steps. Truncated BPTT with a window shorter than d never sees the cue's step, and online
rules must bridge d steps with their traces alone. Chance is 1 / n_cues.

Drawn offline from the run seed (or ``data_seed``), balanced over cues, split stratified. Like
every dataset the inputs are standardised per feature (per step and channel) with training
statistics: silent cue channels stay exactly 0.
"""

from __future__ import annotations

from typing import Any, Mapping

import numpy as np

from .base import Dataset, DatasetError
from .params import check_int
from .preprocessing import make_rng, split_indices
from .synthetic import balanced_labels, check_sample, data_seed_or

PARAMS = {"n_samples": 2000, "n_cues": 4, "delay": 10, "distractors": 2, "test_fraction": 0.2, "data_seed": None}
MAX_ELEMENTS = 200_000_000  # samples x steps x channels: refuse what would not fit comfortably


def check_params(*, n_samples: int, n_cues: int, delay: int, distractors: int, test_fraction: float,
                 data_seed: int | None) -> dict[str, Any]:
    """The parameters, checked without drawing anything (one-line DatasetError naming the key)."""
    out = {**check_sample("delay", n_samples, test_fraction, data_seed),
           "n_cues": check_int("delay", "n_cues", n_cues, minimum=2),
           "delay": check_int("delay", "delay", delay, minimum=1),
           "distractors": check_int("delay", "distractors", distractors, minimum=0)}
    size = out["n_samples"] * (out["delay"] + 1) * (out["n_cues"] + out["distractors"])
    if size > MAX_ELEMENTS:
        raise DatasetError(f"data: dataset 'delay' with n_samples {out['n_samples']}, delay {out['delay']}, "
                           f"n_cues {out['n_cues']} and distractors {out['distractors']} holds {size} values, "
                           f"more than {MAX_ELEMENTS}")
    return out


def input_shape(params: Mapping[str, Any]) -> tuple[int, int]:
    """(T, D) = (delay + 1, n_cues + distractors), the parameters checked."""
    p = check_params(**params)
    return p["delay"] + 1, p["n_cues"] + p["distractors"]


def load_delay(*, seed: int, cache_dir: str | None, n_samples: int, n_cues: int, delay: int, distractors: int,
               test_fraction: float, data_seed: int | None) -> Dataset:
    """x (N, (d + 1) (n_cues + distractors)): flat rows of the (T, D) sequences; y (N,) the cue.
    Parameters arrive checked (``check_params``)."""
    del cache_dir
    data_seed = data_seed_or(seed, data_seed)
    rng = make_rng(data_seed, "delay", "data")
    N, K, T = n_samples, n_cues, delay + 1
    y = balanced_labels(N, K, rng)                                   # (N,)
    x = np.zeros((N, T, K + distractors))
    x[np.arange(N), 0, y] = 1.0                                      # the cue, at step 0
    x[:, :, K:] = rng.standard_normal((N, T, distractors))          # distractors, at every step
    train, test = split_indices(N, test_fraction, make_rng(data_seed, "delay", "split"), y)
    x = x.reshape(N, -1)
    return Dataset("delay", x[train], y[train], x[test], y[test], n_classes=K)
