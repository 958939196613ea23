"""The search space of a tuned experiment, and the trials drawn from it.

``[tune.space]`` maps dotted config keys to one distribution each::

    "optimizer.lr" = { log_uniform = [1e-4, 3e-2] }     # uniform in log(value)
    "model.init_gain" = { uniform = [0.3, 3.0] }
    "model.activation" = { choice = ["tanh", "relu"] }  # any values, one drawn with equal weight

The trials are a pure function of the file: ``sobol`` (scrambled Sobol points, scipy.stats.qmc,
seeded by ``sampler_seed``), ``random`` (independent uniform draws from the same seed) or ``grid``
(the product of the choices; with fewer trials than grid points a seeded subset of them). A trial
is one point of the whole space; each rule takes the keys that change its runs, so every rule gets
the same number of trials and the shared keys take the same values for every rule.
"""

from __future__ import annotations

import inspect
import itertools
import math
import warnings
from dataclasses import dataclass
from typing import Any

import numpy as np

from ..errors import ConfigError

DISTRIBUTIONS = ("log_uniform", "uniform", "choice")
SAMPLERS = ("sobol", "random", "grid")
#: drawn values are rounded to this many significant digits, so that reports and run specs read well
SIGNIFICANT_DIGITS = 4
_ALLOWED = "log_uniform = [lo, hi], uniform = [lo, hi], choice = [a, b, ...]"


@dataclass(frozen=True)
class Distribution:
    """One searched key: ``kind`` in DISTRIBUTIONS, ``values`` (lo, hi) or the choices."""

    key: str
    kind: str
    values: tuple

    @property
    def is_log(self) -> bool:
        return self.kind == "log_uniform"

    def at(self, u: float) -> Any:
        """The value at quantile ``u`` in [0, 1)."""
        if self.kind == "choice":
            return self.values[min(int(u * len(self.values)), len(self.values) - 1)]
        lo, hi = self.values
        value = math.exp(math.log(lo) + u * (math.log(hi) - math.log(lo))) if self.is_log else lo + u * (hi - lo)
        return min(max(float(f"{value:.{SIGNIFICANT_DIGITS}g}"), lo), hi)

    def other(self, value: Any) -> Any:
        """A value of the space other than ``value`` (to find which rules a key changes)."""
        candidates = self.values if self.kind == "choice" else (self.values[1], self.values[0])
        return next(v for v in candidates if v != value)


def parse_space(raw: Any) -> tuple[Distribution, ...]:
    """The ``[tune.space]`` table as distributions, in the file's order (ConfigError naming the key)."""
    if not isinstance(raw, dict) or not raw:
        raise ConfigError('tune.space: expected a table of dotted keys to distributions, e.g. '
                          '"optimizer.lr" = { log_uniform = [1e-4, 3e-2] }')
    return tuple(_distribution(key, value) for key, value in raw.items())


def _distribution(key: str, raw: Any) -> Distribution:
    where = f'tune.space "{key}"'
    if not isinstance(raw, dict) or len(raw) != 1:
        raise ConfigError(f"{where}: expected a table with one distribution ({_ALLOWED}), got {raw!r}")
    (kind, values), = raw.items()
    if kind not in DISTRIBUTIONS:
        raise ConfigError(f"{where}: unknown distribution {kind!r}; allowed: {_ALLOWED}")
    if kind == "choice":
        if not isinstance(values, list) or len(values) < 2 or any(values.count(v) > 1 for v in values):
            raise ConfigError(f"{where}: choice expects a list of at least two distinct values, got {values!r}")
        return Distribution(key, kind, tuple(values))
    numbers = isinstance(values, list) and len(values) == 2 and all(
        isinstance(v, (int, float)) and not isinstance(v, bool) and math.isfinite(v) for v in values)
    if not numbers:
        raise ConfigError(f"{where}: {kind} expects [lo, hi], two finite numbers, got {values!r}")
    lo, hi = (float(v) for v in values)
    if not lo < hi:
        raise ConfigError(f"{where}: {kind} range [{values[0]}, {values[1]}] is empty; expected [lo, hi] with lo < hi")
    if kind == "log_uniform" and lo <= 0:
        raise ConfigError(f"{where}: log_uniform range [{values[0]}, {values[1]}] reaches 0 or below, where "
                          "the log is undefined; expected 0 < lo < hi (or uniform)")
    return Distribution(key, kind, (lo, hi))


def draw_trials(space: tuple[Distribution, ...], n: int, sampler: str, seed: int) -> list[dict[str, Any]]:
    """``n`` trials, each a dict key -> value over the whole space, in a fixed order."""
    rng = np.random.default_rng(np.random.SeedSequence(seed))
    if sampler == "grid":
        return _grid(space, n, rng)
    if sampler == "sobol":
        from scipy.stats import qmc

        seeding = "rng" if "rng" in inspect.signature(qmc.Sobol).parameters else "seed"  # scipy < 1.15: seed
        engine = qmc.Sobol(len(space), scramble=True, **{seeding: rng})
        with warnings.catch_warnings():  # n need not be a power of 2; the points stay well spread
            warnings.simplefilter("ignore", UserWarning)
            units = engine.random(n)
    else:
        units = rng.random((n, len(space)))
    return [{d.key: d.at(float(u)) for d, u in zip(space, row)} for row in units]


def _grid(space: tuple[Distribution, ...], n: int, rng: np.random.Generator) -> list[dict[str, Any]]:
    ranges = [d.key for d in space if d.kind != "choice"]
    if ranges:
        raise ConfigError(f'tune.sampler "grid": every key of [tune.space] must be a choice; "{ranges[0]}" is a '
                          "range (give its values as choice = [...], or use sampler = \"sobol\")")
    points = list(itertools.product(*(d.values for d in space)))
    if n > len(points):
        raise ConfigError(f"tune.trials: {n} not allowed with sampler \"grid\"; its grid has {len(points)} points "
                          "(at most that many trials)")
    keep = range(len(points)) if n == len(points) else np.sort(rng.choice(len(points), n, replace=False))
    return [dict(zip((d.key for d in space), points[int(i)])) for i in keep]
