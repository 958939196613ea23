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
    #: train the seeds of one rule and configuration together (experiments/runs/stacked.py)
    "stack_seeds": (False, None),
}
DIAGNOSTICS_SCHEMA = {"every": (1, "int"), "representation_samples": (0, "int")}
#: the most test samples a run may store its block outputs on (memory: N x width floats per epoch)
MAX_REPRESENTATION_SAMPLES = 4096
#: experiment keys a [[rules]] entry may override for that rule alone
RULE_EXPERIMENT_KEYS = ("seeds", "epochs", "batch_size")
#: sections a [[rules]] entry may override (merged key by key into the shared section)
RULE_SECTION_KEYS = ("data", "model", "optimizer", "diagnostics")
LOSSES_ALLOWED = ("auto", "cross_entropy", "mse")


def section_of_key(key: str, sections=("experiment", "data", "model", "optimizer", "diagnostics")) -> str | None:
    """The first of ``sections`` that has a key ``key`` (the rate network's and mnist1d's keys
    stand for [model] and [data]), or None: for suggestions in error messages."""
    from ..datasets import dataset_params

    keys = {
        "experiment": EXPERIMENT_SCHEMA,
        "data": {"name": None, "cache_dir": None, **dataset_params("mnist1d")},
        "model": {"kind": None, "hidden": None, "loss": None,
                  **signature_schema(network_class("rate").__init__, skip=("self", "sizes", "rng"))},
        "optimizer": {f.name: None for f in dataclasses.fields(Optimizer)},
        "diagnostics": DIAGNOSTICS_SCHEMA,
    }
    return next((s for s in sections if key in keys.get(s, {})), None)


def check_experiment(raw: dict, own: tuple[str, ...] = (), where: str = "experiment") -> dict:
    """The [experiment] table with defaults filled in. The keys in ``own`` came from a [[rules]]
    entry (``where``, e.g. rules.backprop): their errors name that entry's key, not the shared one."""
    if own:  # a rule's own seeds/epochs/batch_size: checked, and blamed, under its own name
        check_table(where, {k: raw[k] for k in own}, {k: EXPERIMENT_SCHEMA[k] for k in own})
    exp = check_table("experiment", raw, EXPERIMENT_SCHEMA)
    name = {k: f"{where}.{k}" if k in own else f"experiment.{k}" for k in EXPERIMENT_SCHEMA}
    if not exp["seeds"] or not all(isinstance(s, int) and not isinstance(s, bool) and s >= 0
                                   for s in exp["seeds"]):
        raise ConfigError(f"{name['seeds']}: expected a non-empty list of integers >= 0, got {exp['seeds']!r}")
    if len(set(exp["seeds"])) != len(exp["seeds"]):
        raise ConfigError(f"{name['seeds']}: repeated seed in {exp['seeds']!r}")
    for key in ("epochs", "batch_size"):
        if exp[key] < 1:
            raise ConfigError(f"{name[key]}: {exp[key]} not allowed; must be >= 1")
    if not exp["name"] or any(c in exp["name"] for c in "/\\") or exp["name"].startswith("."):
        raise ConfigError(f"experiment.name: {exp['name']!r} is not a usable folder name")
    if exp["stack_seeds"] not in (True, False, "auto") or isinstance(exp["stack_seeds"], (int, float)) and \
            not isinstance(exp["stack_seeds"], bool):
        raise ConfigError(f"experiment.stack_seeds: {exp['stack_seeds']!r} not allowed; must be true, false or \"auto\"")
    target = exp["target_accuracy"]
    if target is not None and not 0 < target <= 1:  # nan fails too
        raise ConfigError(f"experiment.target_accuracy: {target!r} not allowed; must be a fraction in (0, 1], "
                          "e.g. 0.6 for 60%")
    return exp


def check_data(raw: dict, section: str = "data") -> dict:
    """The data table with defaults filled in; its parameters are checked by the dataset's own
    check, which loads and downloads nothing."""
    from ..datasets import DATASETS, DatasetError, check_dataset_params, dataset_params

    name = raw.get("name", "mnist1d")
    if not isinstance(name, str) or name not in DATASETS:
        from learning_rules.suggest import did_you_mean

        raise ConfigError(f"{section}.name: unknown dataset {name!r}{did_you_mean(name, DATASETS)}; "
                          f"allowed: {', '.join(sorted(DATASETS))}")
    try:
        params = dataset_params(name)
    except DatasetError as err:
        raise ConfigError(str(err)) from None
    schema = {k: (v, None if v is None else _kind_of(v)) for k, v in params.items()}
    schema["name"] = (REQUIRED, "str")
    schema["cache_dir"] = (None, "str")
    data = check_table(section, {"name": name, **raw}, schema)
    try:
        check_dataset_params(name, {k: v for k, v in data.items() if k not in ("name", "cache_dir")})
    except DatasetError as err:
        raise ConfigError(str(err).replace("data:", f"{section}:", 1)) from None
    return data


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
    check_fits_in_memory(hidden, model.get("dtype", "float32"), f"{section}.hidden")
    _try_build_network(model, section)
    return model


def check_fits_in_memory(hidden: list[int], dtype: str, key: str) -> None:
    """Refuse hidden widths whose weights alone cannot fit in this machine's memory, by arithmetic
    (a lower bound: one input and one output, no optimizer state), before anything is allocated."""
    import numpy as np

    memory = physical_memory()
    try:
        itemsize = np.dtype(dtype).itemsize
    except TypeError:
        itemsize = 4  # not a dtype: the trial network names the allowed ones
    sizes = [1, *hidden, 1]
    n_params = sum(a * b + b for a, b in zip(sizes[:-1], sizes[1:]))
    if memory is not None and n_params * itemsize > memory:
        raise ConfigError(f"{key}: {hidden} needs at least {_bytes(n_params * itemsize)} for its weights "
                          f"({n_params:.3g} parameters of {itemsize} bytes); this machine has {_bytes(memory)} of memory")


def physical_memory() -> int | None:
    """Bytes of memory of this machine, or None where the system does not say."""
    import os

    try:
        return os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES")
    except (AttributeError, ValueError, OSError):
        return None


def _bytes(n: float) -> str:
    for unit in ("B", "KiB", "MiB", "GiB", "TiB"):
        if n < 1024 or unit == "TiB":
            return f"{n:.3g} {unit}"
        n /= 1024
    return f"{n:.3g} TiB"


def _try_build_network(model: dict, section: str) -> None:
    """Build a network of the same depth but tiny widths with these options, so bad option values
    fail now, not in a run (the widths themselves were checked by arithmetic)."""
    import numpy as np

    options = {k: v for k, v in model.items() if k not in ("kind", "hidden", "loss")}
    try:
        network_class(model["kind"])([1, *(min(h, 2) for h in model["hidden"]), 1], np.random.default_rng(0),
                                     **options)
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
    n = diag["representation_samples"]
    if n != 0 and not 4 <= n <= MAX_REPRESENTATION_SAMPLES:  # the debiased CKA needs 4 samples
        raise ConfigError(f"{section}.representation_samples: {n} not allowed; must be 0 (none) or between 4 and "
                          f"{MAX_REPRESENTATION_SAMPLES} (test samples whose block outputs are stored)")
    if n and not diag["every"]:
        raise ConfigError(f"{section}.representation_samples: {n} needs {section}.every >= 1 "
                          "(representations are stored at the diagnostic epochs)")
    return diag
