"""The rules catalogue of ``learning-rules rules``: every rule grouped by family in 100 columns,
and ``learning-rules rules NAME``: its family, paper, update equation, plausibility card,
hyperparameters (defaults and allowed values) and the network kinds it trains.

Everything is read off the rule itself (its module docstring, card, declared constraints and
constructor), so a plugin rule appears here like a built-in one. A rule may name its family with
a ``family`` class attribute; otherwise the family follows from what the rule needs and where its
learning signal comes from.
"""

from __future__ import annotations

import inspect
import re
import sys
import textwrap

#: families in the order the listing shows them
FAMILIES = ("backward pathway", "local errors", "forward only", "settling", "in time", "spiking",
            "population", "controls")
WIDTH = 100
#: short column heads of the plausibility card, in CONSTRAINTS order
CARD_HEADS = {"no_weight_transport": "noWT", "local_errors": "local", "no_update_locking": "unlock",
              "spiking": "spike", "no_separate_error_phase": "1phase", "single_network": "single"}
_CITATION = re.compile(r"\b([A-Z][\w\-]+)((?:,\s[A-Z][\w\-]+)*(?:\s&\s[A-Z][\w\-]+)?|\set al\.)\s((?:19|20)\d\d)\b")


def rule_family(cls) -> str:
    """The rule's family: its ``family`` attribute, else derived from its needs and signal."""
    declared = getattr(cls, "family", None)
    if isinstance(declared, str) and declared:
        return declared
    from learning_rules.networks.capabilities import requirements

    needs = requirements(getattr(cls, "requires", "backward"))  # one capability or several
    signal = getattr(cls, "update_dependency", "")
    if "population" in needs:
        return "population"
    if "spiking" in needs:
        return "spiking"
    if "temporal" in needs:
        return "in time"
    if signal == "readout":
        return "controls"
    if "energy" in needs or signal == "relaxation":
        return "settling"
    if signal in ("forward_only", "two_forward_passes"):
        return "forward only"
    if signal == "local":
        return "local errors"
    return "backward pathway"


def _doc(cls) -> str:
    module = sys.modules.get(cls.__module__)
    return inspect.cleandoc((module.__doc__ if module else None) or cls.__doc__ or "")


def rule_paper(cls) -> str:
    """The first paragraph of the rule's module docstring: the paper(s) it comes from."""
    return " ".join(_doc(cls).split("\n\n")[0].split())


def short_citation(cls) -> str:
    """'Lillicrap et al. 2016' style: the first author and year the paper paragraph names
    ('Kolen & Pollack 1994' for two authors)."""
    m = _CITATION.search(rule_paper(cls))
    if m is None:
        return ""
    first, rest, year = m.groups()
    if rest.startswith(" &"):
        return f"{first}{rest} {year}"
    return f"{first}{' et al.' if rest else ''} {year}"


def update_equation(cls, max_lines: int = 14) -> str:
    """The indented blocks of the module docstring (its equations), dedented and separated by a
    blank line, at most ``max_lines`` lines; "" when the docstring states them in prose only."""
    blocks: list[list[str]] = []
    current: list[str] = []
    for line in _doc(cls).splitlines() + [""]:
        if line.startswith("    ") and line.strip():
            current.append(line)
        elif current and not line.strip():
            blocks.append(current)
            current = []
        elif current:  # a paragraph line right after the block ends it
            blocks.append(current)
            current = []
    lines: list[str] = []
    for block in blocks:
        text = textwrap.dedent("\n".join(block)).splitlines()
        if lines and len(lines) + 1 + len(text) > max_lines:
            break
        lines += ([""] if lines else []) + text
    return "\n".join(lines[:max_lines])


def hyperparameters(cls) -> list[tuple[str, str, str]]:
    """(name, default, allowed) for each hyperparameter an experiment file may set."""
    from .config.rules import RUNNER_SUPPLIED
    from .config.types import _NAMES, expected_kind

    constraints = cls.constraints() if hasattr(cls, "constraints") else {}
    rows = []
    for name, p in inspect.signature(cls.__init__).parameters.items():
        if name in RUNNER_SUPPLIED or p.kind in (p.VAR_POSITIONAL, p.VAR_KEYWORD):
            continue
        default = "(required)" if p.default is p.empty else _toml(p.default)
        if name in constraints:
            allowed = constraints[name].describe()
        else:
            kind = expected_kind(p.default, p.annotation)
            allowed = _NAMES.get(kind, "any value") if kind else "any value"
        rows.append((name, default, allowed))
    return rows


def _toml(value) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        return f'"{value}"'
    if value is None:
        return "(unset)"
    return repr(value)


def describe_rule(name: str) -> str:
    """Everything ``learning-rules rules NAME`` prints (raises ValueError for an unknown name)."""
    from learning_rules.rules import CONSTRAINTS, get_rule

    cls = get_rule(name)
    lines = [f"{name}  ({rule_family(cls)})", ""]
    lines += textwrap.wrap(rule_paper(cls), WIDTH, initial_indent="paper: ", subsequent_indent="  ")
    equation = update_equation(cls)
    if equation:
        lines += ["", "update:"] + ["  " + line if line else "" for line in equation.splitlines()]
    else:
        lines += ["", f"update: stated in the docstring of {cls.__module__} (no display equation)"]
    lines += ["", "plausibility card:"]
    card = cls.card
    for key, meaning in CONSTRAINTS.items():
        lines.append(f"  {'yes' if getattr(card, key) else ' - '}  {key}: {meaning}")
    if card.notes:
        lines += textwrap.wrap(card.notes, WIDTH, initial_indent="  note: ", subsequent_indent="        ")
    rows = hyperparameters(cls)
    lines += ["", "hyperparameters ([[rules]] keys; the optimizer and loss come from the experiment):"]
    if rows:
        wide = max(len(r[0]) for r in rows), max(len(r[1]) for r in rows)
        lines += [f"  {n:<{wide[0]}}  default {d:<{wide[1]}}  {a}" for n, d, a in rows]
    else:
        lines.append("  (none)")
    kinds = ", ".join(cls.network_kinds)
    lines += ["", f"network kinds: {kinds} ([model] kind; without one, a {cls.network_kinds[0]!r} network is built)"]
    return "\n".join(lines)


def rules_listing() -> str:
    """Every registered rule, grouped by family, with its card and first author, in 100 columns."""
    from learning_rules.rules import CONSTRAINTS, available_rules, get_rule

    by_family: dict[str, list] = {}
    for name in available_rules():
        cls = get_rule(name)
        by_family.setdefault(rule_family(cls), []).append((name, cls))
    order = [f for f in FAMILIES if f in by_family] + sorted(set(by_family) - set(FAMILIES))
    name_width = max(len(n) for rules in by_family.values() for n, _ in rules) + 1
    heads = [CARD_HEADS.get(k, k[:6]) for k in CONSTRAINTS]
    head = "".join(f"{h:<7}" for h in heads)
    lines = [f"  {'rule':<{name_width}}{head}paper"]
    for family in order:
        lines += ["", f"{family}:"]
        for name, cls in by_family[family]:
            marks = "".join(f"{'yes' if getattr(cls.card, k) else '-':<7}" for k in CONSTRAINTS)
            line = f"  {name:<{name_width}}{marks}{short_citation(cls)}"
            lines.append(line[:WIDTH].rstrip())
    lines += ["", "card: " + "; ".join(f"{CARD_HEADS.get(k, k)} = {k}" for k in CONSTRAINTS),
              "details of one rule (paper, update, hyperparameters, network kinds): learning-rules rules NAME"]
    return "\n".join(textwrap.fill(l, WIDTH, subsequent_indent="  ") if len(l) > WIDTH else l for l in lines)
