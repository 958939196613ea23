"""A tuned experiment's runs: the untuned runs, the search, and each trial's final runs.

For every rule of the file:

- **untuned**: the file's own values with the experiment's seeds, on the whole training split and
  reported on test (the experiment's protocol, the baseline the tuned runs are read against);
- **search**: ``trials`` trials (the same trials for every rule), each run once per search seed on
  the training split minus its validation part; these runs have no test split;
- **tuned**: the trial chosen on validation (experiments/tuning/select.py), run again like the
  untuned runs. These specs are built here for every trial, so the choice only picks among them.

Every trial is validated here, before any run, as every point of a sweep grid is.
"""

from __future__ import annotations

import copy
import dataclasses
from dataclasses import dataclass

from ..errors import ConfigError
from ..runs.spec import RunSpec
from .space import draw_trials


@dataclass(frozen=True)
class Tuning:
    """What a ``[tune]`` section asks for, expanded. Labels are in the file's order; per label,
    ``search[label][i]`` holds trial i's search runs (one per search seed) and ``final[label][i]``
    its final runs (one per experiment seed). ``keys[label]``: the searched keys that change that
    rule's runs (a key of another rule, or a shared key the rule sets itself, does not)."""

    settings: object  # config.tune.TuneSettings
    trials: tuple[dict, ...]
    labels: tuple[str, ...]
    keys: dict[str, tuple[str, ...]]
    search: dict[str, tuple[tuple[RunSpec, ...], ...]]
    final: dict[str, tuple[tuple[RunSpec, ...], ...]]

    def search_specs(self) -> list[RunSpec]:
        """Every search run once, trial by trial: a trial that repeats an earlier one for a rule
        (a key that does not change that rule's runs) repeats its runs, which run once."""
        out, seen = [], set()
        for i in range(len(self.trials)):
            for label in self.labels:
                for spec in self.search[label][i]:
                    if spec.run_id not in seen:
                        seen.add(spec.run_id)
                        out.append(spec)
        return out


def parse_tuned(raw: dict):
    """The ExperimentConfig of a file with ``[tune]``: its specs are the search and untuned runs;
    the tuned runs follow once the search is stored (``experiments.tuning.select``)."""
    from ..config.load import ExperimentConfig, _specs_of_point, apply_override
    from ..config.sections import check_experiment
    from ..config.tune import check_combinations, check_tune

    check_combinations(raw)
    base = {k: v for k, v in raw.items() if k != "tune"}
    untuned = _specs_of_point(base, {})  # checks every section before [tune] is read
    exp = check_experiment(raw.get("experiment", {}))
    rule_seeds = {e.get("label", e.get("name")): e["seeds"] for e in raw["rules"] if "seeds" in e}
    settings = check_tune(raw["tune"], exp["seeds"], rule_seeds)
    trials = draw_trials(settings.space, settings.trials, settings.sampler, settings.sampler_seed)

    def specs_at(values: dict, where: str) -> dict[str, list[RunSpec]]:
        point = copy.deepcopy(base)
        try:
            for key, value in values.items():
                apply_override(point, key, value, what="tune.space")
            specs = _specs_of_point(point, {})
        except ConfigError as err:
            raise ConfigError(f"{err} ({where})") from None
        by_label: dict[str, list[RunSpec]] = {}
        for spec in specs:
            by_label.setdefault(spec.label, []).append(spec)
        return by_label

    at_trials = [specs_at(values, f"at tune trial {i}: {values}") for i, values in enumerate(trials)]
    labels = tuple(at_trials[0])
    keys = _keys_per_label(settings.space, trials[0], at_trials[0], specs_at)
    search, final = {}, {}
    for label in labels:
        search[label] = tuple(tuple(
            dataclasses.replace(by_label[label][0], seed=seed, stage="search",
                                validation_fraction=settings.validation_fraction,
                                sweep_point={"tune.trial": i, **{k: trials[i][k] for k in keys[label]}})
            for seed in settings.seeds) for i, by_label in enumerate(at_trials))
        final[label] = tuple(tuple(dataclasses.replace(s, stage="tuned") for s in by_label[label])
                             for by_label in at_trials)
    tuning = Tuning(settings, tuple(trials), labels, keys, search, final)
    untuned = [dataclasses.replace(s, stage="untuned") for s in untuned]
    return ExperimentConfig(exp["name"], raw, tuple(tuning.search_specs() + untuned), (), exp["target_accuracy"],
                            tuning=tuning)


def _keys_per_label(space, first: dict, at_first: dict, specs_at) -> dict[str, tuple[str, ...]]:
    """label -> the keys whose value changes that label's runs: each key is moved, alone, away
    from its value in the first trial, and a rule whose run changes is one the key applies to."""
    keys: dict[str, list[str]] = {label: [] for label in at_first}
    for d in space:
        moved = {**first, d.key: d.other(first[d.key])}
        at_moved = specs_at(moved, f'at tune.space "{d.key}" = {moved[d.key]!r}')
        changed = [label for label in at_first if at_moved[label][0].run_id != at_first[label][0].run_id]
        if not changed:
            raise ConfigError(f'tune.space "{d.key}": changes no rule\'s runs (each rule sets its own value, or '
                              "none uses it); search a key the rules share, or rules.<label>.<key>")
        for label in changed:
            keys[label].append(d.key)
    return {label: tuple(k) for label, k in keys.items()}
