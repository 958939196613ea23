"""Experiment files: TOML -> validated config -> one run spec per (sweep point, rule, seed).

Every error is a ``ConfigError`` with one line naming the key, the value and what is allowed,
raised before any run starts (the whole sweep grid is validated up front).
"""

from __future__ import annotations

import copy
import dataclasses
import itertools
import tomllib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from learning_rules.rules.registry import get_rule
from learning_rules.suggest import did_you_mean

from ..errors import ConfigError
from ..runs.spec import RunSpec
from .layers import check_layers
from .phases import check_phases
from .rules import check_hyperparameters, check_rule_on_network, split_rule_entry
from .smoke import smoke as smoke_version
from .sections import check_data, check_diagnostics, check_experiment, check_model, check_optimizer, section_of_key

TOP_LEVEL = ("experiment", "data", "model", "optimizer", "diagnostics", "rules", "sweep", "phases", "tune")


@dataclass(frozen=True)
class ExperimentConfig:
    """A validated experiment: its resolved file contents and the runs it asks for."""

    name: str
    raw: dict[str, Any]
    specs: tuple[RunSpec, ...]
    sweep_keys: tuple[str, ...]
    target_accuracy: float | None = None
    #: a file with [tune]: its search and each trial's final runs (experiments/tuning/expand.py);
    #: ``specs`` are then the search and untuned runs, the tuned ones follow the search
    tuning: Any = None
    #: one line each for the user, before any run: an override that leaves rules on budgets of their own
    warnings: tuple[str, ...] = ()


def bundled_configs_dir() -> Path:
    """experiments/configs/: the experiment files that ship with the package."""
    return Path(__file__).resolve().parents[1] / "configs"


def find_config(path: str | Path) -> Path:
    """The experiment file ``path`` names: a file, or the name of a bundled one (``quickstart``)."""
    path = Path(path)
    if path.is_file():
        return path
    if path.is_dir():
        raise ConfigError(f"config {path} is a directory; give an experiment file (.toml), such as "
                          f"{bundled_configs_dir() / 'quickstart.toml'}")
    bundled = bundled_configs_dir() / (path.name if path.suffix == ".toml" else f"{path.name}.toml")
    if len(path.parts) == 1 and bundled.is_file():
        return bundled
    from learning_rules.suggest import did_you_mean

    stems = sorted(p.stem for p in bundled_configs_dir().glob("*.toml"))
    names = ", ".join(stems)
    hint = did_you_mean(path.stem, stems) if len(path.parts) == 1 else ""
    raise ConfigError(f"config file not found: {path}{hint}; the bundled configs are "
                      f"{bundled_configs_dir()}/*.toml (give a path, or one of their names: {names})")


def load_config(path: str | Path, overrides: list[str] | tuple[str, ...] = (), *,
                smoke: bool = False) -> ExperimentConfig:
    """Read, override (``KEY=VALUE`` strings) and validate an experiment file (a path, or the
    name of a bundled one); ``smoke`` cuts every budget to the minimum (see smoke.py)."""
    path = find_config(path)
    try:
        raw = tomllib.loads(path.read_text(encoding="utf-8"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as err:
        raise ConfigError(f"{path}: not valid TOML: {err}") from None
    notes = []
    for text in overrides:
        key, value = parse_override(text)
        apply_override(raw, key, value, what="--set")
        notes += budget_override_warnings(raw, key)
    if smoke:  # the file's own values are checked first: shrinking must not hide a bad one
        parse_config(copy.deepcopy(raw))
    config = parse_config(smoke_version(raw) if smoke else raw)
    return dataclasses.replace(config, warnings=tuple(notes)) if notes else config


def budget_override_warnings(raw: dict, key: str) -> list[str]:
    """A warning when ``--set experiment.epochs`` (or ``batch_size``) leaves [[rules]] entries on
    values of their own, naming them: the summary then compares different budgets."""
    section, _, field = key.partition(".")
    if section != "experiment" or field not in ("epochs", "batch_size"):
        return []
    own = [f"{e.get('label', e.get('name'))} ({e[field]})" for e in raw.get("rules", [])
           if isinstance(e, dict) and field in e]
    if not own:
        return []
    return [f"--set {key}={raw['experiment'][field]} leaves {len(own)} rule(s) on their own {field}: "
            f"{', '.join(own)}; set rules.<label>.{field} for those too to give every rule one budget"]


def parse_override(text: str) -> tuple[str, Any]:
    """'optimizer.lr=0.01' -> ('optimizer.lr', 0.01); values are TOML, bare words are strings."""
    key, sep, value = text.partition("=")
    if not sep or not key.strip():
        raise ConfigError(f"--set {text!r}: expected KEY=VALUE, e.g. optimizer.lr=0.01")
    try:
        parsed = tomllib.loads(f"v = {value.strip()}")["v"]
    except tomllib.TOMLDecodeError:
        parsed = value.strip()
    return key.strip(), parsed


def apply_override(raw: dict, key: str, value: Any, what: str = "sweep") -> None:
    """Set a dotted ``key`` in the raw config: ``section.key`` or ``rules.<label>.key[.sub]``."""
    parts = key.split(".")
    if len(parts) < 2:
        section = section_of_key(key)
        hint = f"; did you mean {section}.{key}?" if section else ""
        raise ConfigError(f"{what} key {key!r}: expected a dotted path such as optimizer.lr or "
                          f"rules.<label>.<key>{hint}")
    if parts[0] == "rules":
        entries = raw.get("rules", [])
        matches = [e for e in entries if isinstance(e, dict) and e.get("label", e.get("name")) == parts[1]]
        if not matches or len(parts) < 3:
            labels = [e.get("label", e.get("name")) for e in entries if isinstance(e, dict)]
            raise ConfigError(f"{what} key {key!r}: no rule labelled {parts[1]!r}"
                              f"{did_you_mean(parts[1], map(str, labels))}; rules here: {', '.join(map(str, labels))}")
        target, rest = matches[0], parts[2:]
    elif parts[0] in TOP_LEVEL and parts[0] not in ("rules", "sweep", "phases") and (parts[0] != "tune" or what == "--set"):
        target, rest = raw.setdefault(parts[0], {}), parts[1:]
    else:
        raise ConfigError(f"{what} key {key!r}: unknown section {parts[0]!r}; allowed: "
                          "experiment, data, model, optimizer, diagnostics, rules.<label>")
    for p in rest[:-1]:
        nxt = target.setdefault(p, {})
        if not isinstance(nxt, dict):
            raise ConfigError(f"{what} key {key!r}: {p!r} is not a table")
        target = nxt
    target[rest[-1]] = value


def parse_config(raw: dict) -> ExperimentConfig:
    """Validate a raw config (already overridden) and expand it into run specs."""
    unknown = sorted(set(raw) - set(TOP_LEVEL))
    if unknown:
        raise ConfigError(f"unknown section {unknown[0]!r}; allowed: {', '.join(TOP_LEVEL)}")
    if "tune" in raw:
        from ..tuning.expand import parse_tuned

        return parse_tuned(raw)
    sweep = raw.get("sweep", {})
    if not isinstance(sweep, dict):
        raise ConfigError("sweep: expected a table of dotted keys to lists of values")
    for key, values in sweep.items():
        if not isinstance(values, list) or not values:
            raise ConfigError(f'sweep "{key}": expected a non-empty list of values, got {values!r}')
    base = {k: v for k, v in raw.items() if k != "sweep"}
    specs: list[RunSpec] = []
    keys = list(sweep)
    for values in itertools.product(*(sweep[k] for k in keys)):
        point = copy.deepcopy(base)
        for key, value in zip(keys, values):
            apply_override(point, key, value, what="sweep")
        try:
            specs += _specs_of_point(point, dict(zip(keys, values)))
        except ConfigError as err:
            if keys:
                raise ConfigError(f"{err} (at sweep point {dict(zip(keys, values))})") from None
            raise
    specs = _merge_identical(specs)
    exp = check_experiment(raw.get("experiment", {}))
    return ExperimentConfig(exp["name"], raw, tuple(specs), tuple(keys), exp["target_accuracy"])


def _merge_identical(specs: list[RunSpec]) -> list[RunSpec]:
    """One run per run_id: a sweep key that does not change a run (``rules.<label>.*`` for the
    other rules, a shared key that a rule overrides with its own value) repeats that run. The
    kept spec's sweep_point keeps only the keys on which all its copies agree."""
    groups: dict[str, list[RunSpec]] = {}
    for spec in specs:
        groups.setdefault(spec.run_id, []).append(spec)
    merged = []
    for group in groups.values():
        first = group[0]
        if len(group) > 1:
            point = {k: v for k, v in first.sweep_point.items() if all(g.sweep_point.get(k) == v for g in group)}
            first = dataclasses.replace(first, sweep_point=point)
        merged.append(first)
    return merged


def _merged(shared: dict, override: dict) -> dict:
    out = dict(shared)
    out.update(override)
    return out


def _model_of_rule(shared: dict, override: dict, rule: str, kinds: tuple[str, ...], where: str) -> dict:
    """The shared [model] merged with a rule's override, of a network kind the rule can train
    (``kinds``, the rule's ``network_kinds``). Without a chosen kind the rule gets its first one;
    a chosen kind it cannot train is a ConfigError. When the rule's kind is not the shared
    section's, the shared keys that kind does not take (a rate network's activation, say) are left
    out: the shared section describes the experiment's main network, not every kind beside it."""
    from learning_rules.networks import NETWORK_KINDS, network_class

    from .types import signature_schema

    chosen, key = (override.get("kind"), f"{where}.model.kind") if "kind" in override else \
        (shared.get("kind"), "model.kind")
    if chosen is not None and chosen in NETWORK_KINDS and chosen not in kinds:
        raise ConfigError(f"{key}: {chosen!r} not allowed for rule {rule!r}; it trains networks of kind "
                          f"{', '.join(map(repr, kinds))} (leave kind out to build a {kinds[0]!r} network for it)")
    kind = kinds[0] if chosen is None else chosen
    if kind == shared.get("kind", "rate") or kind not in NETWORK_KINDS:  # check_model names the allowed kinds
        return {**_merged(shared, override), "kind": kind}
    accepted = set(signature_schema(network_class(kind).__init__)) | {"hidden", "loss"}
    return {**_merged({k: v for k, v in shared.items() if k in accepted}, override), "kind": kind}


def _specs_of_point(raw: dict, sweep_point: dict) -> list[RunSpec]:
    for section in ("experiment", "data", "model", "optimizer", "diagnostics"):
        if not isinstance(raw.get(section, {}), dict):
            raise ConfigError(f"{section}: expected a table")
    exp = check_experiment(raw.get("experiment", {}))
    entries = raw.get("rules")
    if not isinstance(entries, list) or not entries:
        raise ConfigError("rules: expected at least one [[rules]] entry with a name")
    specs, labels = [], set()
    for i, entry in enumerate(entries):
        name, label, hyper, sections, exp_over = split_rule_entry(i, entry)
        if label in labels:
            raise ConfigError(f"rules[{i}]: label {label!r} used twice; give each entry a distinct label")
        labels.add(label)
        where = f"rules.{label}"
        data = check_data(_merged(raw.get("data", {}), sections.get("data", {})),
                          "data" if "data" not in sections else f"{where}.data")
        kinds = get_rule(name).network_kinds
        model_section = "model" if "model" not in sections else f"{where}.model"
        model = check_model(_model_of_rule(raw.get("model", {}), sections.get("model", {}), name, kinds, where),
                            model_section)
        built = check_layers(model, data, model_section)
        opt = check_optimizer(_merged(raw.get("optimizer", {}), sections.get("optimizer", {})),
                              "optimizer" if "optimizer" not in sections else f"{where}.optimizer")
        diag = check_diagnostics(_merged(raw.get("diagnostics", {}), sections.get("diagnostics", {})))
        rule_exp = check_experiment({**raw.get("experiment", {}), **exp_over}, tuple(exp_over), where)
        loss = "mse" if model["loss"] == "mse" else "cross_entropy"
        hyper = check_hyperparameters(label, name, hyper, opt, loss)
        check_rule_on_network(label, name, hyper, opt, loss, built, model)
        phases = check_phases(raw.get("phases"), data)
        if phases:  # a phased run's length is the sum of its phases
            rule_exp["epochs"] = sum(p["epochs"] for p in phases)
        for seed in rule_exp["seeds"]:
            specs.append(RunSpec(
                experiment=exp["name"], rule=name, label=label, seed=seed,
                epochs=rule_exp["epochs"], batch_size=rule_exp["batch_size"],
                data=data, model=model, optimizer=opt, hyperparameters=hyper,
                diagnostics_every=diag["every"], representation_samples=diag["representation_samples"],
                sweep_point=dict(sweep_point),
                phases=copy.deepcopy(phases),
            ))
    return specs
