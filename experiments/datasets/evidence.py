"""Evidence accumulation (Bellec et al. 2020, Fig. 3; NEST's e-prop tutorial after it): cues on
the left and right, a delay, then a decision: which side showed more cues?

Each sample is a spike train of T steps from 4 populations of ``population`` input neurons:
left cues, right cues, the recall signal and background noise. ``n_cues`` (odd) cues of
``cue_steps`` steps come one after another, each after a pause of ``gap_steps``; each is shown by
the left or the right population (spikes with probability ``spike_prob`` per step). One side is
favoured at random per sample and each cue shows it with probability ``cue_bias`` (the paper's
0.7). After the cues, ``delay`` steps of background noise alone; then, in the last ``recall``
steps, the recall population fires: the decision window. The noise population fires with
probability spike_prob / 4 at every step. The label is the side that showed more cues (0 left,
1 right), so a network must count cues and hold the count across the delay: what the paper's
adaptive (ALIF) neurons are for. Read it with ``readout = "window"`` and ``window = recall``.

    T = n_cues (gap_steps + cue_steps) + delay + recall      cue k: steps [k (gap + cue) + gap, ... + cue)

The inputs stay spikes (0 or 1): this dataset is not standardised. The paper's task in ms (cue
100, gap 50, delay 1050, recall 150; 40 Hz) is time-compressed here by default to keep numpy
runs short (docs/reproductions.md). Drawn offline from the run seed (or ``data_seed``).
"""

from __future__ import annotations

from typing import Any, Mapping

import numpy as np

from .base import Dataset, DatasetError
from .params import check_float, check_int
from .preprocessing import make_rng, split_indices
from .synthetic import check_sample, data_seed_or

PARAMS = {"n_samples": 2000, "n_cues": 7, "cue_steps": 6, "gap_steps": 3, "delay": 40, "recall": 10,
          "population": 10, "spike_prob": 0.2, "cue_bias": 0.7, "test_fraction": 0.2, "data_seed": None}
MAX_ELEMENTS = 200_000_000  # samples x steps x channels


def check_params(*, n_samples: int, n_cues: int, cue_steps: int, gap_steps: int, delay: int, recall: int,
                 population: int, spike_prob: float, cue_bias: float, test_fraction: float,
                 data_seed: int | None) -> dict[str, Any]:
    """The parameters, checked without drawing anything (one-line DatasetError naming the key)."""
    name = "evidence"
    out = {**check_sample(name, n_samples, test_fraction, data_seed),
           "n_cues": check_int(name, "n_cues", n_cues, minimum=1),
           "cue_steps": check_int(name, "cue_steps", cue_steps, minimum=1),
           "gap_steps": check_int(name, "gap_steps", gap_steps, minimum=0),
           "delay": check_int(name, "delay", delay, minimum=0),
           "recall": check_int(name, "recall", recall, minimum=1),
           "population": check_int(name, "population", population, minimum=1),
           "spike_prob": check_in(name, "spike_prob", spike_prob, 0.0, 1.0, low_open=True),
           "cue_bias": check_in(name, "cue_bias", cue_bias, 0.5, 1.0)}
    if out["n_cues"] % 2 == 0:
        raise DatasetError(f"data: n_cues {n_cues} for dataset 'evidence' not allowed; must be odd (no ties)")
    size = out["n_samples"] * steps_of(out) * 4 * out["population"]
    if size > MAX_ELEMENTS:
        raise DatasetError(f"data: dataset 'evidence' with these parameters holds {size} values, more than "
                           f"{MAX_ELEMENTS}")
    return out


def check_in(dataset: str, key: str, value: Any, low: float, high: float, low_open: bool = False) -> float:
    """``value`` as a float in [low, high] ((low, high] with ``low_open``)."""
    v = check_float(dataset, key, value, minimum=-float("inf"))
    if v > high or v < low or (low_open and v == low):
        interval = f"{'(' if low_open else '['}{low}, {high}]"
        raise DatasetError(f"data: {key!r} for dataset {dataset!r} must be a number in {interval}, got {value!r}")
    return v


def steps_of(p: Mapping[str, Any]) -> int:
    """T = n_cues (gap_steps + cue_steps) + delay + recall."""
    return p["n_cues"] * (p["gap_steps"] + p["cue_steps"]) + p["delay"] + p["recall"]


def input_shape(params: Mapping[str, Any]) -> tuple[int, int]:
    """(T, 4 population), the parameters checked."""
    p = check_params(**params)
    return steps_of(p), 4 * p["population"]


def draw(rng: np.random.Generator, n: int, *, n_cues: int, cue_steps: int, gap_steps: int, delay: int, recall: int,
         population: int, spike_prob: float, cue_bias: float) -> tuple[np.ndarray, np.ndarray]:
    """x (n, T, 4 population) spikes in {0, 1}, y (n,) the side with more cues."""
    T, P = steps_of(locals()), population
    favoured = rng.integers(0, 2, n)                                        # (n,)
    shows_favoured = rng.random((n, n_cues)) < cue_bias
    cues = np.where(shows_favoured, favoured[:, None], 1 - favoured[:, None])  # (n, n_cues): 0 left, 1 right
    prob = np.zeros((n, T, 4 * P))
    for k in range(n_cues):
        start = k * (gap_steps + cue_steps) + gap_steps
        for side in (0, 1):
            rows = cues[:, k] == side
            prob[rows, start:start + cue_steps, side * P:(side + 1) * P] = spike_prob
    prob[:, T - recall:, 2 * P:3 * P] = spike_prob                         # the recall signal
    prob[:, :, 3 * P:] = spike_prob / 4                                     # background noise
    x = (rng.random(prob.shape) < prob).astype(np.float32)
    y = (cues.sum(axis=1) > n_cues // 2).astype(np.int64)
    return x, y


def load_evidence(*, seed: int, cache_dir: str | None, n_samples: int, test_fraction: float,
                  data_seed: int | None, **task: Any) -> Dataset:
    """x (N, T 4 population): flat rows of the (T, D) spike trains; y (N,) 0 left, 1 right.
    Parameters arrive checked (``check_params``)."""
    del cache_dir
    data_seed = data_seed_or(seed, data_seed)
    x, y = draw(make_rng(data_seed, "evidence", "data"), n_samples, **task)
    train, test = split_indices(n_samples, test_fraction, make_rng(data_seed, "evidence", "split"), y)
    x = x.reshape(n_samples, -1)
    return Dataset("evidence", x[train], y[train], x[test], y[test], n_classes=2)
