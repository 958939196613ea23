"""Validation of ``[[phases]]``: a run made of tasks trained one after another."""

from __future__ import annotations

from ..errors import ConfigError
from .rules import LABEL_PATTERN
from .types import REQUIRED, check_table

PHASE_SCHEMA = {
    "name": (REQUIRED, "str"),
    "epochs": (REQUIRED, "int"),
    "classes": (None, "list"),
    "permutation_seed": (None, "int"),
    "permutation": (None, "list"),
}


def check_phases(raw, data: dict) -> list[dict]:
    """Check each phase's keys, then apply it to the dataset once so that a class it names or a
    permutation it gives that does not fit the data fails now, before any run."""
    if raw is None:
        return []
    if not isinstance(raw, list) or not raw:
        raise ConfigError("phases: expected a non-empty list of [[phases]] tables (name, epochs, ...)")
    phases, names = [], set()
    for i, entry in enumerate(raw):
        if not isinstance(entry, dict):
            raise ConfigError(f"phases[{i}]: expected a table, got {entry!r}")
        phase = check_table(f"phases[{i}]", entry, PHASE_SCHEMA)
        name = phase["name"]
        if not LABEL_PATTERN.match(name) or name in names or name in ("train", "test"):
            raise ConfigError(f"phases[{i}].name: {name!r} not allowed; use a unique name of letters, "
                              "digits and _ . + - other than train and test")
        names.add(name)
        if phase["epochs"] < 1:
            raise ConfigError(f"phases.{name}.epochs: {phase['epochs']} not allowed; must be >= 1")
        if phase["classes"] is not None and (not phase["classes"] or not all(
                isinstance(c, int) and not isinstance(c, bool) for c in phase["classes"])):
            raise ConfigError(f"phases.{name}.classes: expected a non-empty list of class numbers, "
                              f"got {phase['classes']!r}")
        if phase["permutation"] is not None and phase["permutation_seed"] is not None:
            raise ConfigError(f"phases.{name}: give permutation or permutation_seed, not both")
        phases.append({k: v for k, v in phase.items() if v is not None})
    _check_against_data(phases, data)
    return phases


def _check_against_data(phases: list[dict], data: dict) -> None:
    from ..datasets import load_dataset
    from ..runs.phases import PhaseError, task_view

    params = {k: v for k, v in data.items() if k not in ("name", "cache_dir")}
    ds = load_dataset(data["name"], seed=0, cache_dir=data.get("cache_dir"), **params)
    for phase in phases:
        try:
            task_view(phase, ds.x_test, ds.y_test, ds.n_classes)
        except PhaseError as err:
            raise ConfigError(str(err)) from None
