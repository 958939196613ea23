"""The report's hyperparameter table: one row per rule label, what it was set to and what it left
at its default, read from each run's run.json (instead of the raw config.toml).

A rule that is installed here names every constructor argument (``get_params``: the values the runs
stored, the rest at their defaults); one that is not lists only what its runs stored.
A value that differs between a label's runs (a sweep) lists every value.
"""

from __future__ import annotations

import pandas as pd

#: optimizer keys worth a word beside its name and learning rate, with the value that says nothing
OPTIMIZER_DEFAULTS = {"momentum": None, "weight_decay": 0.0, "clip_norm": None, "nesterov": False}
MOMENTUM_OPTIMIZERS = {"sgd", "momentum"}


def _value(v) -> str:
    return f"{v:g}" if isinstance(v, float) else str(v)


def _joined(values: list) -> str:
    distinct = list(dict.fromkeys(_value(v) for v in values))
    return distinct[0] if len(distinct) == 1 else "{" + ", ".join(distinct) + "}"


def _optimizer(opt: dict) -> str:
    parts = [str(opt.get("name", "?")), f"lr {_value(opt.get('lr'))}"]
    for key, quiet in OPTIMIZER_DEFAULTS.items():
        value = opt.get(key, quiet)
        if key == "momentum" and str(opt.get("name")) not in MOMENTUM_OPTIMIZERS:
            continue
        if value != quiet:
            parts.append(f"{key} {_value(value)}")
    return ", ".join(parts)


def _all_params(rule: str, written: dict) -> dict | None:
    """Every constructor argument of ``rule`` with ``written`` applied; None if it is not installed here."""
    try:
        from learning_rules.rules import get_rule

        params = get_rule(rule)(**written).get_params()
    except Exception:  # a plugin rule not installed here, or a value it no longer accepts
        return None
    # the optimizer has its own column; anything else that is not a plain value is the rule's plumbing
    return {k: v for k, v in params.items() if k != "optimizer" and isinstance(v, (bool, int, float, str, type(None)))}


def hyperparameter_table(runs: dict[str, dict]) -> pd.DataFrame:
    """rule (the label), learning rule, optimizer, the values other than the default (as the runs
    stored them: a value written equal to its default is a default) and the defaults, one row
    per label, sorted."""
    by_label: dict[str, list[dict]] = {}
    for meta in runs.values():
        spec = meta.get("spec", {})
        by_label.setdefault(str(spec.get("label", spec.get("rule", "?"))), []).append(spec)
    rows = []
    for label, specs in sorted(by_label.items()):
        rule = str(specs[0].get("rule", "?"))
        written = [s.get("hyperparameters") or {} for s in specs]
        keys = list(dict.fromkeys(k for w in written for k in w))
        full = _all_params(rule, written[0])
        defaults = {k: v for k, v in (full or {}).items() if k not in keys}
        rows.append({
            "rule": label, "learning rule": rule,
            "optimizer": _joined([_optimizer(s.get("optimizer") or {}) for s in specs]),
            "other than the default": "; ".join(f"{k} = {_joined([w.get(k) for w in written])}" for k in keys) or "—",
            "defaults": "; ".join(f"{k} = {_value(v)}" for k, v in defaults.items())
            or ("—" if full is not None else "not installed here: only the values set are known"),
        })
    return pd.DataFrame(rows, columns=["rule", "learning rule", "optimizer", "other than the default", "defaults"])
