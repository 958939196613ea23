"""Validation of ``[tune]``: every rule searched with the same budget, selected on validation.

    [tune]
    trials = 16                 # per rule: the same budget for every rule
    validation_fraction = 0.2   # held out of the training split, stratified; the test split is never read
    select = "final"            # final | best (the epoch of best validation accuracy, then trained that long)
    seeds = [1000]              # search seeds, distinct from the experiment's seeds
    sampler = "sobol"           # sobol | random | grid
    sampler_seed = 0            # which draw of the sampler

    [tune.space]                # dotted keys, as in [sweep]; rules.<label>.<key> applies to that rule only
    "optimizer.lr" = { log_uniform = [1e-4, 3e-2] }

What the section means for the runs is in experiments/tuning/expand.py; docs/tuning.md documents it.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from ..errors import ConfigError
from ..tuning.space import SAMPLERS, Distribution, parse_space
from .types import REQUIRED, check_table

TUNE_SCHEMA = {
    "trials": (REQUIRED, "int"),
    "validation_fraction": (0.2, "number"),
    "select": ("final", "str"),
    "seeds": ([1000], "list"),
    "sampler": ("sobol", "str"),
    "sampler_seed": (0, "int"),
    "space": (REQUIRED, "table"),
}
SELECT = ("final", "best")
#: trials per rule; every trial's runs are planned and checked before any run starts, so a number
#: far beyond what a search can use would stall the up-front checks for hours
MAX_TRIALS = 1000
#: keys that say which runs exist, not how one run learns: never searched
NOT_SEARCHABLE = ("seeds", "name", "description", "target_accuracy")


@dataclass(frozen=True)
class TuneSettings:
    """The checked ``[tune]`` section."""

    trials: int
    validation_fraction: float
    select: str
    seeds: tuple[int, ...]
    sampler: str
    sampler_seed: int
    space: tuple[Distribution, ...]


def check_tune(raw: Any, experiment_seeds: list, rule_seeds: dict[str, list]) -> TuneSettings:
    """The ``[tune]`` table checked; ``experiment_seeds`` and ``rule_seeds`` (label -> a rule's own
    seeds) are the seeds of the final runs, which the search seeds must avoid."""
    if not isinstance(raw, dict):
        raise ConfigError("tune: expected a table ([tune] with trials and a [tune.space] table)")
    tune = check_table("tune", raw, TUNE_SCHEMA)
    if not 1 <= tune["trials"] <= MAX_TRIALS:
        raise ConfigError(f"tune.trials: {tune['trials']} not allowed; must be an integer in [1, {MAX_TRIALS}] "
                          "(trials per rule)")
    fraction = tune["validation_fraction"]
    if not 0 < fraction < 1:  # nan fails too
        raise ConfigError(f"tune.validation_fraction: {fraction!r} not allowed; must be a fraction in (0, 1), e.g. 0.2")
    if tune["select"] not in SELECT:
        raise ConfigError(f"tune.select: {tune['select']!r} not allowed; allowed: {', '.join(SELECT)}")
    if tune["sampler"] not in SAMPLERS:
        raise ConfigError(f"tune.sampler: {tune['sampler']!r} not allowed; allowed: {', '.join(SAMPLERS)}")
    if tune["sampler_seed"] < 0:
        raise ConfigError(f"tune.sampler_seed: {tune['sampler_seed']} not allowed; must be >= 0")
    seeds = tune["seeds"]
    if not seeds or not all(isinstance(s, int) and not isinstance(s, bool) and s >= 0 for s in seeds):
        raise ConfigError(f"tune.seeds: expected a non-empty list of integers >= 0, got {seeds!r}")
    if len(set(seeds)) != len(seeds):
        raise ConfigError(f"tune.seeds: repeated seed in {seeds!r}")
    for where, final in [("experiment.seeds", experiment_seeds), *((f"rules.{k}.seeds", v) for k, v in rule_seeds.items())]:
        shared = sorted(set(seeds) & set(final if isinstance(final, list) else []))
        if shared:
            raise ConfigError(f"tune.seeds: seed {shared[0]} is also in {where}; the search seeds must differ from "
                              "the seeds of the final runs, so that those are fresh draws")
    space = parse_space(tune["space"])
    for d in space:
        _check_key(d.key)
    return TuneSettings(tune["trials"], float(fraction), tune["select"], tuple(seeds), tune["sampler"],
                        tune["sampler_seed"], space)


def _check_key(key: str) -> None:
    parts = key.split(".")
    if len(parts) < 2 or parts[0] in ("tune", "sweep", "phases"):
        raise ConfigError(f'tune.space "{key}": expected a dotted key of a section, such as optimizer.lr, '
                          "model.init_gain or rules.<label>.<key>")
    if parts[-1] in NOT_SEARCHABLE and (parts[0] == "experiment" or (parts[0] == "rules" and len(parts) == 3)):
        raise ConfigError(f'tune.space "{key}": {parts[-1]} says which runs exist, not how a run learns; '
                          "it cannot be searched")


def check_combinations(raw: dict) -> None:
    """[tune] searches instead of a grid, and over one task: no [sweep], no [[phases]]."""
    if raw.get("sweep"):
        raise ConfigError("tune: [tune] and [sweep] do not combine; search the keys in [tune.space], or run "
                          "the grid without [tune]")
    if raw.get("phases") is not None:
        raise ConfigError("tune: [tune] does not combine with [[phases]] (a search needs one training split "
                          "to hold its validation part out of)")
