"""The report's tables as DataFrames of display strings: summary, plausibility, failures.

The formatting functions are public so tests (and users) write numbers the same way.
"""

from __future__ import annotations

import json

import math

import pandas as pd

from .budgets import layers_text
from .statistics import not_applicable, sweep_columns

DASH = "—"
WALL_TIME = "wall time per run (s; range over seeds)"


def pct(x: float) -> str:
    """An accuracy fraction as a percentage with two decimals ('91.83'); a dash for NaN."""
    return DASH if not math.isfinite(x) else f"{100 * x:.2f}"


def pct_ci(mean: float, half: float) -> str:
    """'91.83 ± 1.23' (percent); just the mean when the interval is undefined (one seed)."""
    if not math.isfinite(mean):
        return DASH
    return pct(mean) if not math.isfinite(half) else f"{pct(mean)} ± {100 * half:.2f}"


def signed_points(x: float) -> str:
    return DASH if not math.isfinite(x) else f"{100 * x:+.2f}"


def pvalue(p: float) -> str:
    """Three significant digits; scientific below 0.001."""
    if not math.isfinite(p):
        return DASH
    return f"{p:.2e}" if p < 1e-3 else f"{p:.3f}"


def number(x: float, digits: int = 2) -> str:
    return DASH if not math.isfinite(x) else f"{x:.{digits}f}"


def seconds(x: float) -> str:
    """Three significant digits, without scientific notation for ordinary run times."""
    return DASH if not math.isfinite(x) else (f"{x:.0f}" if x >= 100 else f"{x:.3g}")


def sci(x: float) -> str:
    return DASH if not math.isfinite(x) else f"{x:.3g}"


def wall_time(row) -> str:
    """Mean wall time per run with its range over seeds ('12.3 (8.1–15)'): times depend on
    whatever else the machine ran at the time."""
    mean, lo, hi = row["wall_time"], row.get("wall_min", math.nan), row.get("wall_max", math.nan)
    if not math.isfinite(mean) or not (math.isfinite(lo) and math.isfinite(hi)) or row["complete"] < 2:
        return seconds(mean)
    return f"{seconds(mean)} ({seconds(lo)}–{seconds(hi)})"


def sweep_value(value, column: str = "") -> str:
    """A sweep column's cell; 'any' where the key does not apply to the rule (NaN: its runs are
    the same for every value); a swept layer stack in words ('conv25k5s2-conv25k3s2')."""
    if not_applicable(value):
        return "any"
    return layers_text(value) if column.endswith(".layers") else str(value)


def widths_list(value) -> list | None:
    """A hidden-widths sweep value ([64, 64], or its CSV text '[64, 64]') as a list; None if not one."""
    if isinstance(value, str) and value.strip().startswith("["):
        try:
            value = json.loads(value)
        except ValueError:
            return None
    return list(value) if isinstance(value, (list, tuple)) else None


def widths_text(value) -> str:
    """Hidden widths in few characters: '8 x 64' for equal widths, '256-128' otherwise, 'none'."""
    widths = widths_list(value)
    if widths is None:
        return str(value)
    if not widths:
        return "none"
    if len(widths) > 2 and len(set(widths)) == 1:
        return f"{len(widths)} x {widths[0]}"
    return "-".join(str(w) for w in widths)


def run_counts(row) -> str:
    """'3 ok' or '2 ok, 1 diverged, 1 failed'."""
    parts = [f"{row['complete']} ok"] + [f"{row[s]} {s}" for s in ("diverged", "failed") if row[s]]
    return ", ".join(parts)


def summary_table(stats: pd.DataFrame, reference: str | None) -> pd.DataFrame:
    """The report's first table: one row per (label, sweep point), best final accuracy first."""
    sweep = sweep_columns(stats)
    order = stats.sort_values([*sweep, "acc_mean"], ascending=[True] * len(sweep) + [False],
                              na_position="last", kind="stable")
    used = [r for r in dict.fromkeys(stats.get("reference", pd.Series(dtype=str))) if r]
    ref = reference or "reference"
    if len(used) > 1:  # each network and budget has its own reference row
        ref = f"{stats.loc[stats['label'] == used[0], 'rule'].iloc[0]} of the same network"
    rows = []
    for _, r in order.iterrows():
        label = r["label"] + (f" ({'hidden frozen' if r['control'] == 'readout' else 'linear model'})"
                              if r["control"] else "")
        row = {"rule": label}
        row.update({c: sweep_value(r[c], c) for c in sweep})
        row.update(_described(r))
        no_control, no_reference = bool(r.get("no_control", False)), bool(r.get("no_reference", False))
        row.update({
            "runs": run_counts(r),
            "final test acc. (%)": pct_ci(r["acc_mean"], r["acc_ci"]) + unstable_mark(r),
            "train acc. (%)": pct_ci(r.get("train_mean", math.nan), r.get("train_ci", math.nan)),
            "gap, train − test (pts)": signed_points(r.get("gap", math.nan)),
            "gain over readout_only (pts)": DASH if r["control"] else NO_CONTROL if no_control
            else signed_points(r["gain_over_readout"]),
            f"p vs {ref} (Welch, Holm)": NO_REFERENCE if no_reference else pvalue(r["p_holm"]),
            f"Hedges' g vs {ref} (95% CI)": NO_REFERENCE if no_reference else effect_size(r),
            "epochs to target": _reached(r, number(r["epochs_to_target"], 1)),
            "FLOPs to target": _reached(r, sci(r["flops_to_target"]), counts=False),
            "FLOPs (total)": sci(r["flops"]),
            WALL_TIME: wall_time(r),
        })
        rows.append(row)
    return pd.DataFrame(rows)


#: in place of a number that would compare runs of different data, networks or budgets
NO_CONTROL = "no control of this network and budget"
NO_REFERENCE = "no reference of this network and budget"


def unstable_mark(r) -> str:
    """' (1 unstable)' after an accuracy when some of its runs ended far above their lowest
    training loss (learning_rules' training loop: see docs/report.md), else ''."""
    n = int(r.get("unstable", 0) or 0)
    return f" ({n} unstable)" if n else ""


def effect_size(r) -> str:
    """'-1.23 [-2.9, 0.41]': Hedges' g with its 95% interval, and an asterisk when either side
    has fewer than FEW_SEEDS seeds (the notes say what it means)."""
    from .statistics import FEW_SEEDS

    g = r["hedges_g"]
    if not math.isfinite(g):
        return DASH
    lo, hi = r.get("g_lo", math.nan), r.get("g_hi", math.nan)
    text = number(g) + (f" [{lo:.2g}, {hi:.2g}]" if math.isfinite(lo) and math.isfinite(hi) else "")
    return text + ("*" if r.get("min_seeds", FEW_SEEDS) < FEW_SEEDS else "")


def _described(r) -> dict:
    """The row's budget and network columns, where the statistics carry them."""
    return {c: r[c] for c in ("budget", "network") if c in r}


def _reached(r, text: str, counts: bool = True) -> str:
    if not r["complete"] or not math.isfinite(r["target"]):
        return DASH  # nothing ran to the end, or no target to reach
    if not r["reached"]:
        return "not reached"
    return f"{text} ({r['reached']}/{r['complete']})" if counts else text


#: constraints about how hidden layers learn: vacuous (so respected) in a network without one
HIDDEN_LAYER_CONSTRAINTS = ("no_weight_transport", "local_errors", "no_update_locking", "no_separate_error_phase")


def card_answers(rule: str, control: str = "") -> tuple[dict[str, bool] | None, str]:
    """(constraint -> respected, notes) of ``rule`` as trained in the report's run: the rule's own
    card, except for a control, whose card describes the control. The linear model (no hidden
    layer) respects every constraint about hidden layers; None when the rule is not installed."""
    from learning_rules.rules import CONSTRAINTS, get_rule

    try:
        card = get_rule(rule).card
    except (ValueError, ImportError, AttributeError):
        return None, "card unavailable: rule not installed"
    answers = {key: bool(getattr(card, key)) for key in CONSTRAINTS}
    notes = card.notes or ""
    if control == "linear":
        answers.update({key: True for key in HIDDEN_LAYER_CONSTRAINTS if key in answers})
        how = ("the readout learns by the delta rule" if answers.get("single_network", True)
               else f"the readout is evolved by {rule}")
        notes = f"control: linear model, no hidden layer; {how}"
    elif control == "readout" and not notes.lower().startswith("control"):
        notes = "control: hidden layers frozen at random" + (f"; {notes}" if notes else "")
    return answers, notes


def plausibility_table(stats: pd.DataFrame, paths: dict | None = None) -> pd.DataFrame:
    """Each label's plausibility card beside its budget, network, accuracy and FLOPs (at its best
    sweep point), and, given ``paths`` (label -> (critical path, first-layer latency)), the
    update-locking counts."""
    from learning_rules.rules import CONSTRAINTS

    best = stats.sort_values("acc_mean", ascending=False, na_position="last").drop_duplicates("label")
    rows = []
    for _, r in best.iterrows():
        answers, notes = card_answers(r["rule"], r["control"])
        row = {"rule": r["label"], **_described(r)}
        for key in CONSTRAINTS:
            row[key.replace("_", " ")] = DASH if answers is None else ("yes" if answers[key] else "no")
        if paths and r["label"] in paths:
            row["critical path (layer ops)"], row["first layer waits (ops)"] = paths[r["label"]]
        row.update({"final test acc. (%)": pct_ci(r["acc_mean"], r["acc_ci"]),
                    "FLOPs (total)": sci(r["flops"]), "notes": notes})
        rows.append(row)
    return pd.DataFrame(rows)


def failures_table(summary: pd.DataFrame) -> pd.DataFrame:
    """Every run that did not complete, with its reason, and every complete run flagged unstable
    (status 'complete, unstable', the flag's reason)."""
    flagged = summary["flag"].astype(str) == "unstable" if "flag" in summary else False
    bad = summary[(summary["status"] != "complete") | flagged].copy()
    if "flag" in bad:
        unstable = bad["flag"].astype(str) == "unstable"
        # text columns: when no run failed, a summary read from CSV holds `reason` as all-NaN floats
        bad = bad.astype({"status": object, "reason": object})
        bad.loc[unstable, "status"] = "complete, unstable"
        bad.loc[unstable, "reason"] = bad.loc[unstable, "flag_reason"]
    cols = ["run_id", "label", "seed", *sweep_columns(summary), "budget", "network", "status", "epochs_completed",
            "reason"]
    out = bad[[c for c in cols if c in bad]].copy()
    for c in sweep_columns(summary):
        out[c] = out[c].map(lambda v, c=c: sweep_value(v, c))
    out["reason"] = out["reason"].fillna("").astype(str).map(lambda s: s.strip().splitlines()[0] if s.strip() else "")
    return out.reset_index(drop=True)
