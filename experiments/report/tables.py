"""The report's tables as DataFrames of display strings: summary, plausibility, failures.

The formatting functions are public so tests (and users) write numbers the same way.
"""

from __future__ import annotations

import math

import pandas as pd

from .statistics import sweep_columns

DASH = "—"


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


def run_counts(row) -> str:
    """'3 ok' or '2 ok, 1 diverged, 1 failed'."""
    parts = [f"{row['complete']} ok"] + [f"{row[s]} {s}" for s in ("diverged", "failed") if row[s]]
    return ", ".join(parts)


def summary_table(stats: pd.DataFrame, reference: str | None) -> pd.DataFrame:
    """The report's first table: one row per (label, sweep point), best final accuracy first."""
    sweep = sweep_columns(stats)
    order = stats.sort_values([*sweep, "acc_mean"], ascending=[True] * len(sweep) + [False],
                              na_position="last", kind="stable")
    ref = reference or "reference"
    rows = []
    for _, r in order.iterrows():
        label = r["label"] + (f" ({'hidden frozen' if r['control'] == 'readout' else 'linear model'})"
                              if r["control"] else "")
        row = {"rule": label}
        row.update({c: str(r[c]) for c in sweep})
        row.update({
            "runs": run_counts(r),
            "final test acc. (%)": pct_ci(r["acc_mean"], r["acc_ci"]),
            "best test acc., epoch picked on test (%)": pct_ci(r["best_mean"], r["best_ci"]),
            "gain over readout_only (pts)": signed_points(r["gain_over_readout"]),
            f"p vs {ref} (Welch, Holm)": pvalue(r["p_holm"]),
            f"Hedges' g vs {ref}": number(r["hedges_g"]),
            "epochs to target": _reached(r, number(r["epochs_to_target"], 1)),
            "FLOPs to target": _reached(r, sci(r["flops_to_target"]), counts=False),
            "FLOPs (total)": sci(r["flops"]),
            "wall time per run (s)": seconds(r["wall_time"]),
        })
        rows.append(row)
    return pd.DataFrame(rows)


def _reached(r, text: str, counts: bool = True) -> str:
    if not r["complete"] or not math.isfinite(r["target"]):
        return DASH  # nothing ran to the end, or no target to reach
    if not r["reached"]:
        return "not reached"
    return f"{text} ({r['reached']}/{r['complete']})" if counts else text


def plausibility_table(stats: pd.DataFrame, paths: dict | None = None) -> pd.DataFrame:
    """Each label's plausibility card beside its accuracy and compute (at its best sweep point), and,
    given ``paths`` (label -> (critical path, first-layer latency)), the update-locking counts."""
    from learning_rules.rules import CONSTRAINTS, get_rule

    best = stats.sort_values("acc_mean", ascending=False, na_position="last").drop_duplicates("label")
    rows = []
    for _, r in best.sort_values("acc_mean", ascending=False, na_position="last").iterrows():
        row = {"rule": r["label"]}
        try:
            card = get_rule(r["rule"]).card
        except (ValueError, ImportError, AttributeError):
            card = None
        for key in CONSTRAINTS:
            row[key.replace("_", " ")] = DASH if card is None else ("yes" if getattr(card, key) else "no")
        if paths and r["label"] in paths:
            row["critical path (layer ops)"], row["first layer waits (ops)"] = paths[r["label"]]
        row.update({"final test acc. (%)": pct_ci(r["acc_mean"], r["acc_ci"]),
                    "FLOPs (total)": sci(r["flops"]), "wall time per run (s)": seconds(r["wall_time"]),
                    "notes": ("card unavailable: rule not installed" if card is None else card.notes) or ""})
        if r["control"] and not row["notes"].lower().startswith("control"):
            row["notes"] = ("control: " + ("hidden layers frozen at random" if r["control"] == "readout"
                                           else "no hidden layer") + ("; " + row["notes"] if row["notes"] else ""))
        rows.append(row)
    return pd.DataFrame(rows)


def failures_table(summary: pd.DataFrame) -> pd.DataFrame:
    """Every run that did not complete, with its reason."""
    bad = summary[summary["status"] != "complete"]
    cols = ["run_id", "label", "seed", *sweep_columns(summary), "status", "epochs_completed", "reason"]
    out = bad[[c for c in cols if c in bad]].copy()
    out["reason"] = out["reason"].fillna("").astype(str).map(lambda s: s.strip().splitlines()[0] if s.strip() else "")
    return out.reset_index(drop=True)
