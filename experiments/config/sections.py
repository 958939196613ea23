"""The schema of each section of an experiment file.

Fixed sections have their keys here; the open ones are read off the code they configure:
``[data]`` off the dataset's parameters, ``[model]`` off the network kind's constructor,
``[optimizer]`` off ``learning_rules.Optimizer``, and a ``[[rules]]`` entry's hyperparameters off
the rule's constructor.
"""

from __future__ import annotations

import dataclasses
from typing import Any

from learning_rules.networks import NETWORK_KINDS, network_class
from learning_rules.optimizers import Optimizer

from ..errors import ConfigError
from .types import REQUIRED, check_table, signature_schema

EXPERIMENT_SCHEMA = {
    "name": (REQUIRED, "str"),
    "description": ("", "str"),
    "seeds": ([0, 1, 2], "list"),
    "epochs": (10, "int"),
    "batch_size": (32, "int"),
    "target_accuracy": (None, "number"),
}
DIAGNOSTICS_SCHEMA = {"every": (1, "int")}
#: experiment keys a [[rules]] entry may override for that rule alone
RULE_EXPERIMENT_KEYS = ("seeds", "epochs", "batch_size")
#: sections a [[rules]] entry may override (merged key by key into the shared section)
RULE_SECTION_KEYS = ("data", "model", "optimizer", "diagnostics")
LOSSES_ALLOWED = ("auto", "cross_entropy", "mse")


def check_experiment(raw: dict) -> dict:
    exp = check_table("experiment", raw, EXPERIMENT_SCHEMA)
    if not exp["seeds"] or not all(isinstance(s, int) and not isinstance(s, bool) and s >= 0
                                   for s in exp["seeds"]):
        raise ConfigError(f"experiment.seeds: expected a non-empty list of integers >= 0, got {exp['seeds']!r}")
    if len(set(exp["seeds"])) != len(exp["seeds"]):
        raise ConfigError(f"experiment.seeds: repeated seed in {exp['seeds']!r}")
    for key in ("epochs", "batch_size"):
        if exp[key] < 1:
            raise ConfigError(f"experiment.{key}: {exp[key]} not allowed; must be >= 1")
    if not exp["name"] or any(c in exp["name"] for c in "/\\") or exp["name"].startswith("."):
        raise ConfigError(f"experiment.name: {exp['name']!r} is not a usable folder name")
    return exp


def check_data(raw: dict, section: str = "data") -> dict:
    from ..datasets import DATASETS, DatasetError, dataset_params

    name = raw.get("name", "mnist1d")
    if not isinstance(name, str) or name not in DATASETS:
        raise ConfigError(f"{section}.name: unknown dataset {name!r}; allowed: {', '.join(sorted(DATASETS))}")
    try:
        params = dataset_params(name)
    except DatasetError as err:
        raise ConfigError(str(err)) from None
    schema = {k: (v, None if v is None else _kind_of(v)) for k, v in params.items()}
    schema["name"] = (REQUIRED, "str")
    schema["cache_dir"] = (None, "str")
    return check_table(section, {"name": name, **raw}, schema)


def _kind_of(value: Any) -> str | None:
    from .types import expected_kind

    return expected_kind(value)


def check_model(raw: dict, section: str = "model") -> dict:
    kind = raw.get("kind", "rate")
    if kind not in NETWORK_KINDS:
        raise ConfigError(f"{section}.kind: unknown network kind {kind!r}; allowed: {', '.join(NETWORK_KINDS)}")
    # input_shape comes from the dataset, not the file
    schema = signature_schema(network_class(kind).__init__, skip=("self", "sizes", "rng", "input_shape"))
    schema.update({"kind": ("rate", "str"), "hidden": ([128], "list"), "loss": ("auto", "str")})
    model = check_table(section, {"kind": kind, **raw}, schema)
    if model["loss"] not in LOSSES_ALLOWED:
        raise ConfigError(f"{section}.loss: unknown loss {model['loss']!r}; allowed: {', '.join(LOSSES_ALLOWED)}")
    if model.get("layers") is not None:  # shapes are checked against the data (config/layers.py)
        if "hidden" in raw:
            raise ConfigError(f"{section}: give hidden (dense layers) or layers (any stack), not both")
        model.pop("hidden")
        return model
    model.pop("layers", None)  # absent, as before layer stacks existed: run ids stay the same
    hidden = model["hidden"]
    if not all(isinstance(h, int) and not isinstance(h, bool) and h >= 1 for h in hidden):
        raise ConfigError(f"{section}.hidden: expected a list of positive integers, got {hidden!r}")
    if model["loss"] not in LOSSES_ALLOWED:
        raise ConfigError(f"{section}.loss: unknown loss {model['loss']!r}; allowed: {', '.join(LOSSES_ALLOWED)}")
    _try_build_network(model, section)
    return model


def _try_build_network(model: dict, section: str) -> None:
    """Build a one-input network with these options, so bad option values fail now, not in a run."""
    import numpy as np

    options = {k: v for k, v in model.items() if k not in ("kind", "hidden", "loss")}
    try:
        network_class(model["kind"])([1, *model["hidden"], 1], np.random.default_rng(0), **options)
    except (ValueError, TypeError) as err:
        message = str(err).splitlines()[0] if str(err) else type(err).__name__
        raise ConfigError(f"{section}: {message}") from None


def check_optimizer(raw: dict, section: str = "optimizer") -> dict:
    schema = {f.name: (f.default, None) for f in dataclasses.fields(Optimizer)}
    schema = {k: (d, _kind_of(d) if d is not None else "number") for k, (d, _) in schema.items()}
    opt = check_table(section, raw, schema)
    try:
        Optimizer(**opt)
    except ValueError as err:
        raise ConfigError(str(err).replace("optimizer.", f"{section}.", 1)) from None
    return opt


def check_diagnostics(raw: dict, section: str = "diagnostics") -> dict:
    diag = check_table(section, raw, DIAGNOSTICS_SCHEMA)
    if diag["every"] < 0:
        raise ConfigError(f"{section}.every: {diag['every']} not allowed; must be >= 0 (0 switches diagnostics off)")
    return diag
