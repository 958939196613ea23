"""Pattern generation (Bellec et al. 2020, Fig. 2; NEST's e-prop sine-wave tutorial after it): a
recurrent spiking network learns to produce a fixed target signal, a sum of sinusoids, from
frozen Poisson input.

One input spike train of T = ``steps`` steps from ``n_inputs`` neurons (spikes with probability
``spike_prob`` per step) is drawn once and is the same in every sample: the network must turn
this frozen "clock" into the target. Each of the ``n_outputs`` targets is a sum of 4 sinusoids
with 1, 2, 3 and 5 periods over the T steps (the paper's 1, 2, 3 and 5 Hz over 1 s), amplitudes
uniform in [0.5, 2] and phases uniform in [0, 2 pi) (the tutorial's draw). Every sample is the
same pattern, so the test split is the same pattern again: the task measures how well a rule
learns to generate it, not generalisation. Read it with ``readout = "every_step"``.

Targets y (N, T K) are time-major per sample (y[:, t K + k]), each channel centred and scaled to
unit variance over time, so the paper's normalised MSE (mean squared error / target variance)
is the mean squared error, and the lab's mse loss (0.5 x the squared error summed over steps and
channels, averaged over samples) is T K / 2 times it: nMSE = test_loss / (T K / 2)
(``nmse``; 0: perfect, 1: no better than a constant at the mean). Unit-variance targets keep
the readout's weights at the scale Adam's steps suit (targets shrunk to make the loss the nMSE
itself trained far slower).

The inputs stay spikes (not standardised: identical samples would be centred to zero). Drawn
offline from the run seed (or ``data_seed``): each seed gets its own input and target.
"""

from __future__ import annotations

from typing import Any, Mapping

import numpy as np

from .base import Dataset, DatasetError
from .evidence import check_in
from .params import check_int
from .preprocessing import make_rng, split_indices
from .synthetic import check_sample, data_seed_or

PARAMS = {"n_samples": 10, "steps": 200, "n_inputs": 100, "spike_prob": 0.05, "n_outputs": 1,
          "test_fraction": 0.2, "data_seed": None}
PERIODS = (1, 2, 3, 5)  # periods over the T steps (the paper's 1, 2, 3 and 5 Hz over 1 s)
MAX_ELEMENTS = 200_000_000


def check_params(*, n_samples: int, steps: int, n_inputs: int, spike_prob: float, n_outputs: int,
                 test_fraction: float, data_seed: int | None) -> dict[str, Any]:
    """The parameters, checked without drawing anything (one-line DatasetError naming the key)."""
    name = "pattern"
    out = {**check_sample(name, n_samples, test_fraction, data_seed),
           "steps": check_int(name, "steps", steps, minimum=2 * max(PERIODS)),
           "n_inputs": check_int(name, "n_inputs", n_inputs, minimum=1),
           "spike_prob": check_in(name, "spike_prob", spike_prob, 0.0, 1.0, low_open=True),
           "n_outputs": check_int(name, "n_outputs", n_outputs, minimum=1)}
    size = out["n_samples"] * out["steps"] * (out["n_inputs"] + out["n_outputs"])
    if size > MAX_ELEMENTS:
        raise DatasetError(f"data: dataset 'pattern' with these parameters holds {size} values, "
                           f"more than {MAX_ELEMENTS}")
    return out


def input_shape(params: Mapping[str, Any]) -> tuple[int, int]:
    """(T, n_inputs), the parameters checked."""
    p = check_params(**params)
    return p["steps"], p["n_inputs"]


def target(rng: np.random.Generator, steps: int, n_outputs: int) -> np.ndarray:
    """(T, K): per channel a sum of sinusoids of PERIODS periods over T steps, random amplitudes and
    phases, centred and of unit variance over time."""
    t = np.arange(steps) / steps
    amplitudes = rng.uniform(0.5, 2.0, (n_outputs, len(PERIODS)))
    phases = rng.uniform(0.0, 2 * np.pi, (n_outputs, len(PERIODS)))
    waves = np.sin(2 * np.pi * np.asarray(PERIODS)[None, :, None] * t + phases[..., None])  # (K, 4, T)
    y = (amplitudes[..., None] * waves).sum(axis=1).T                                          # (T, K)
    return (y - y.mean(axis=0)) / y.std(axis=0)


def nmse(loss: float, steps: int, n_outputs: int = 1) -> float:
    """The normalised MSE from the lab's mse loss on this dataset: loss / (T K / 2)."""
    return float(loss) / (steps * n_outputs / 2)


def load_pattern(*, seed: int, cache_dir: str | None, n_samples: int, steps: int, n_inputs: int,
                 spike_prob: float, n_outputs: int, test_fraction: float, data_seed: int | None) -> Dataset:
    """x (N, T n_inputs) the frozen spikes, y (N, T K) the target, the same in every row."""
    del cache_dir
    data_seed = data_seed_or(seed, data_seed)
    rng = make_rng(data_seed, "pattern", "data")
    spikes = (rng.random((steps, n_inputs)) < spike_prob).astype(np.float32)   # (T, n_inputs), frozen
    y = target(rng, steps, n_outputs)                                          # (T, K)
    x = np.broadcast_to(spikes.reshape(1, -1), (n_samples, steps * n_inputs))
    Y = np.broadcast_to(y.reshape(1, -1), (n_samples, steps * n_outputs))
    train, test = split_indices(n_samples, test_fraction, make_rng(data_seed, "pattern", "split"))
    return Dataset("pattern", x[train], Y[train], x[test], Y[test], n_classes=None)
