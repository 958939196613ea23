"""Validation of ``[[rules]]`` entries: the rule's name, label, hyperparameters and overrides."""

from __future__ import annotations

import inspect
import re
from typing import Any

from learning_rules.optimizers import Optimizer
from learning_rules.rules.registry import available_rules, get_rule

from ..errors import ConfigError
from .sections import RULE_EXPERIMENT_KEYS, RULE_SECTION_KEYS
from .types import check_table, signature_schema

#: constructor arguments the runner supplies itself, not hyperparameters from the file
RUNNER_SUPPLIED = ("self", "optimizer", "loss")
LABEL_PATTERN = re.compile(r"^[A-Za-z0-9_.+-]+$")


def split_rule_entry(i: int, entry: Any) -> tuple[str, str, dict, dict, dict]:
    """(name, label, hyperparameters, section overrides, experiment overrides) of entry ``i``."""
    where = f"rules[{i}]"
    if not isinstance(entry, dict):
        raise ConfigError(f"{where}: expected a table with at least a name, got {entry!r}")
    name = entry.get("name")
    if not isinstance(name, str):
        raise ConfigError(f"{where}: missing 'name'; allowed rule names: {', '.join(available_rules())}")
    try:
        get_rule(name)
    except ValueError as err:
        raise ConfigError(f"{where}.name: {err}") from None
    label = entry.get("label", name)
    if not isinstance(label, str) or not LABEL_PATTERN.match(label):
        raise ConfigError(f"{where}.label: {label!r} not allowed; use letters, digits and _ . + -")
    sections = {k: entry[k] for k in RULE_SECTION_KEYS if k in entry}
    for k, v in sections.items():
        if not isinstance(v, dict):
            raise ConfigError(f"rules.{label}.{k}: expected a table, got {v!r}")
    exp = {k: entry[k] for k in RULE_EXPERIMENT_KEYS if k in entry}
    skip = {"name", "label", *RULE_SECTION_KEYS, *RULE_EXPERIMENT_KEYS}
    hyper = {k: v for k, v in entry.items() if k not in skip}
    return name, label, hyper, sections, exp


def check_hyperparameters(label: str, name: str, hyper: dict, optimizer: dict, loss: str) -> dict:
    """Type-check a rule's hyperparameters against its constructor, then build it once so the
    rule's own value checks run before any run starts."""
    cls = get_rule(name)
    schema = signature_schema(cls.__init__, skip=RUNNER_SUPPLIED)
    unknown = sorted(set(hyper) - set(schema))
    if unknown:
        raise ConfigError(_unknown_rule_key(label, name, unknown[0], sorted(schema)))
    checked = check_table(f"rules.{label}", hyper, schema)
    try:
        build_rule(name, checked, optimizer, loss)
    except (ValueError, TypeError) as err:
        raise ConfigError(f"rules.{label}: {err}") from None
    return {k: v for k, v in checked.items() if k in hyper and not _is_default(cls, k, v)}


def _is_default(cls, key: str, value: Any) -> bool:
    """Whether ``value`` is the constructor's default for ``key``: such a value is left out of
    the run spec, so writing a default out gives the same run (and run id) as leaving it out."""
    default = inspect.signature(cls.__init__).parameters[key].default
    return default is not inspect.Parameter.empty and type(default) is type(value) and default == value


def check_rule_on_network(label: str, name: str, hyper: dict, optimizer: dict, loss: str, net,
                          model: dict | None = None) -> None:
    """The rule's own check (``check_network``) of the network it would train, built by
    ``check_layers`` on the data's shape (an online rule on a bidirectional layer, RTRL on two
    levels, target propagation on a convolution), as a one-line ConfigError before any run;
    ``net`` None (dense layers) is checked on a tiny dense network of ``model``'s kind, depth and
    options (forward-forward's threshold against tanh units), or allowed when no model is given."""
    if net is None and model is not None:
        net = _tiny_dense(model)
    if net is None:
        return
    try:
        build_rule(name, hyper, optimizer, loss).check_network(net)
    except ValueError as err:
        raise ConfigError(f"rules.{label}: {str(err).splitlines()[0]}") from None


def _tiny_dense(model: dict):
    """``model``'s dense network at widths of at most 2 (options already checked), or None when
    it cannot be built so (the option checks have then said why, or the kind reads data)."""
    import numpy as np

    from learning_rules.networks import network_class

    options = {k: v for k, v in model.items() if k not in ("kind", "hidden", "loss")}
    try:
        return network_class(model["kind"])([2, *(min(h, 2) for h in model["hidden"]), 2],
                                            np.random.default_rng(0), **options)
    except (ValueError, TypeError):
        return None


def _unknown_rule_key(label: str, name: str, key: str, hyperparameters: list[str]) -> str:
    """One line: what a [[rules]] entry takes, and where ``key`` belongs if it is another section's."""
    from .sections import section_of_key

    from learning_rules.suggest import did_you_mean

    own = f"{name}'s hyperparameters ({', '.join(hyperparameters)})" if hyperparameters else \
        f"{name}'s hyperparameters (it has none)"
    hint = did_you_mean(key, [*hyperparameters, *RULE_SECTION_KEYS, *RULE_EXPERIMENT_KEYS])
    message = (f"rules.{label}: unknown key {key!r}{hint}; allowed: {own}, the tables "
               f"{', '.join(RULE_SECTION_KEYS)}, and {', '.join(RULE_EXPERIMENT_KEYS)}")
    section = section_of_key(key, RULE_SECTION_KEYS)
    if section is not None:
        message += f"; {key} is a key of [{section}]: use rules.{label}.{section}.{key} ({section} = {{ {key} = ... }} in the entry)"
    return message


def build_rule(name: str, hyperparameters: dict, optimizer: dict, loss: str):
    """Construct rule ``name``, passing ``optimizer=`` and ``loss=`` when its constructor takes them."""
    cls = get_rule(name)
    params = signature_schema(cls.__init__)
    kwargs = dict(hyperparameters)
    if "optimizer" in params:
        kwargs["optimizer"] = Optimizer(**optimizer)
    if "loss" in params:
        kwargs["loss"] = loss
    return cls(**kwargs)
