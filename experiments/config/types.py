"""Type checking of config values against a default value or a constructor signature.

Values come from TOML (str, int, float, bool, list, table). A key's expected type is read off
its default (or, when the default is None, its annotation), so every section, the network
options, the dataset parameters and the rules' hyperparameters are checked the same way.
"""

from __future__ import annotations

import inspect
from typing import Any

from ..errors import ConfigError

_NUMBER = "a number"


def expected_kind(default: Any, annotation: Any = inspect.Parameter.empty) -> str | None:
    """'bool' | 'int' | 'number' | 'str' | 'list' | 'table' | None (anything) for a default."""
    if isinstance(default, bool):
        return "bool"
    if isinstance(default, int):
        return "int"
    if isinstance(default, float):
        return "number"
    if isinstance(default, str):
        return "str"
    if isinstance(default, (list, tuple)):
        return "list"
    if isinstance(default, dict):
        return "table"
    text = str(annotation)
    for word, kind in (("bool", "bool"), ("float", "number"), ("int", "int"), ("str", "str"),
                       ("list", "list"), ("tuple", "list"), ("dict", "table")):
        if word in text:
            return kind
    return None


_NAMES = {"bool": "true or false", "int": "an integer", "number": _NUMBER, "str": "a string",
          "list": "a list", "table": "a table"}


def check_value(key: str, value: Any, kind: str | None, allow_none: bool = False) -> Any:
    """Return ``value`` (ints widened to float for 'number'), or raise ConfigError naming ``key``."""
    if kind is None or (allow_none and value is None):
        return value
    ok = {
        "bool": isinstance(value, bool),
        "int": isinstance(value, int) and not isinstance(value, bool),
        "number": isinstance(value, (int, float)) and not isinstance(value, bool),
        "str": isinstance(value, str),
        "list": isinstance(value, list),
        "table": isinstance(value, dict),
    }[kind]
    if not ok:
        raise ConfigError(f"{key}: expected {_NAMES[kind]}, got {value!r}")
    return float(value) if kind == "number" else value


def signature_schema(func, skip: tuple[str, ...] = ("self",)) -> dict[str, tuple[Any, str | None]]:
    """Parameter name -> (default or REQUIRED, kind) for a callable's keyword parameters."""
    schema = {}
    for name, p in inspect.signature(func).parameters.items():
        if name in skip or p.kind in (p.VAR_POSITIONAL, p.VAR_KEYWORD):
            continue
        default = REQUIRED if p.default is p.empty else p.default
        schema[name] = (default, expected_kind(p.default, p.annotation))
    return schema


class _Required:
    def __repr__(self) -> str:
        return "REQUIRED"


REQUIRED = _Required()


#: the sections whose keys a misplaced key is looked up in
SECTIONS = ("experiment", "data", "model", "optimizer", "diagnostics")


def unknown_key_message(section: str, key: str, allowed) -> str:
    """One line for an unknown ``key`` of ``section`` (``model`` or ``rules.<label>.model``): the
    section the key belongs to when it is another section's (``lr`` under [model] is
    [optimizer]'s), else the closest allowed key, then every allowed one."""
    from learning_rules.suggest import did_you_mean

    from .sections import section_of_key

    head, _, own = section.rpartition(".")
    home = section_of_key(key, tuple(s for s in SECTIONS if s != own)) if own in SECTIONS else None
    if home is not None:  # in a [[rules]] entry, the experiment's keys sit in the entry itself
        where = head if head and home == "experiment" else f"{head}.{home}" if head else home
        hint = f" (it belongs in [{where}])"
    else:
        hint = did_you_mean(key, allowed)
    names = ", ".join(sorted(allowed)) or "(none)"
    return f"{section}: unknown key {key!r}{hint}; allowed: {names}"


def check_table(section: str, raw: dict, schema: dict[str, tuple[Any, str | None]]) -> dict:
    """Validate a table against a schema: unknown keys, missing required keys, wrong types.

    Returns the table with defaults filled in."""
    unknown = sorted(set(raw) - set(schema))
    if unknown:
        raise ConfigError(unknown_key_message(section, unknown[0], schema))
    out = {}
    for key, (default, kind) in schema.items():
        if key in raw:
            out[key] = check_value(f"{section}.{key}", raw[key], kind, allow_none=default is None)
        elif default is REQUIRED:
            raise ConfigError(f"{section}: missing required key {key!r}")
        else:
            out[key] = list(default) if isinstance(default, tuple) else default
    return out
