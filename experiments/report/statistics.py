"""The numbers of the report: per rule label and sweep point, over seeds.

- final and best test accuracy: mean ± half-width of the 95% confidence interval of the mean,
  ``t_{0.975, n-1} * s / sqrt(n)`` (Student's t, ``s`` the sample standard deviation, ddof=1);
- epochs and FLOPs to reach a target accuracy (default: 95% of the reference's final mean accuracy
  at the same sweep point; ``[experiment] target_accuracy`` overrides), mean over the runs that reach it;
- each label against the reference (backprop): Welch's t-test (unequal variances) on final test
  accuracy, with Holm's step-down correction across the labels of one sweep point, and the effect
  size as Hedges' g (Cohen's d with the pooled standard deviation, times the small-sample correction
  ``1 - 3 / (4 (n1 + n2) - 9)``), positive when the label beats the reference, with its 95%
  interval (``hedges_g_interval``) and a caution when either side has fewer than FEW_SEEDS seeds;
- train accuracy (on the whole training split) and the generalisation gap, train minus test;
- gain over readout_only: difference of final mean accuracies at the same sweep point;
- like for like: a row is compared (gain, p, g, target) only with a control and a reference row of
  its own comparison group, the same data, network and budget (``comparison``, from
  report/budgets.py); a row without one is marked ``no_control`` / ``no_reference``, and the
  tables say so in place of the number;
- counts of complete, diverged and failed runs.

Accuracies, times and FLOPs are averaged over *complete* runs only; diverged and failed runs are
counted in their own columns, never dropped silently.
"""

from __future__ import annotations

import math
from functools import lru_cache

import numpy as np
import pandas as pd
from scipy import stats

from .significance import CONFIDENCE, FEW_SEEDS, hedges_g, hedges_g_interval, holm, welch_p  # noqa: F401 (re-exported)


DEFAULT_TARGET_FRACTION = 0.95


def sweep_columns(frame: pd.DataFrame) -> list[str]:
    """The swept config keys: summary columns with a dot, such as ``optimizer.lr``."""
    return [c for c in frame.columns if "." in c]


def group_columns(frame: pd.DataFrame) -> list[str]:
    return ["label", *sweep_columns(frame)]


def mean_ci(values) -> tuple[float, float, int]:
    """(mean, half-width of the 95% t interval, n) of the finite values; NaN where undefined."""
    x = np.asarray(values, dtype=float)
    x = x[np.isfinite(x)]
    n = x.size
    if n == 0:
        return math.nan, math.nan, 0
    if n == 1:
        return float(x[0]), math.nan, 1
    half = t_quantile(n - 1) * x.std(ddof=1) / math.sqrt(n)
    return float(x.mean()), float(half), n


@lru_cache(maxsize=256)
def t_quantile(dof: int) -> float:
    """Student's t quantile of the 95% interval (scipy's ppf costs more than the rest of an interval)."""
    return float(stats.t.ppf(0.5 + CONFIDENCE / 2, dof))


def find_controls(summary: pd.DataFrame, runs: dict[str, dict] | None = None) -> dict[str, str]:
    """label -> 'readout' (rule readout_only) or 'linear' (a model without hidden layers).

    With ``runs`` (run_id -> run.json) the linear model is found from ``spec.model.hidden == []``
    (or an empty layer stack, ``layers == []``); without, a label called ``linear`` is taken to be it."""
    controls: dict[str, str] = {}
    for _, row in summary.drop_duplicates("label").iterrows():
        if row.get("rule") == "readout_only":
            controls[row["label"]] = "readout"
    if runs:
        for run_id, meta in runs.items():
            model = meta.get("spec", {}).get("model", {})
            if model.get("hidden", None) == [] or model.get("layers", None) == []:
                controls[meta["spec"]["label"]] = "linear"
    elif "linear" in set(summary["label"]):
        controls["linear"] = "linear"
    return controls


#: the exact-gradient rules a report compares with, in order: static networks, then networks in time
REFERENCE_RULES = ("backprop", "bptt")


def reference_label(summary: pd.DataFrame, controls: dict[str, str]) -> str | None:
    """The label every rule is tested against: 'backprop' if present, else the first label of rule
    backprop; in time (no backprop run), the same for 'bptt'."""
    labels = [lab for lab in dict.fromkeys(summary["label"]) if lab not in controls]
    rules = summary.drop_duplicates("label").set_index("label")["rule"]
    for exact in REFERENCE_RULES:
        if exact in labels:
            return exact
        found = next((lab for lab in labels if rules.get(lab) == exact), None)
        if found is not None:
            return found
    return None


def crossings(metrics: pd.DataFrame, target: float) -> pd.DataFrame:
    """Per run_id: the first epoch whose test accuracy >= target, and the cumulative FLOPs then."""
    m = metrics[metrics["layer"].isna()] if "layer" in metrics else metrics
    acc = m[m["metric"] == "test_accuracy"].set_index(["run_id", "epoch"])["value"]
    flops = m[m["metric"] == "flops"].set_index(["run_id", "epoch"])["value"]
    hit = acc[acc >= target].reset_index().groupby("run_id")["epoch"].min()
    out = pd.DataFrame({"epoch": hit})
    out["flops"] = [flops.get((rid, ep), math.nan) for rid, ep in hit.items()]
    return out


def rule_statistics(summary: pd.DataFrame, metrics: pd.DataFrame, *, controls: dict[str, str],
                    reference: str | None, target_accuracy: float | None = None) -> pd.DataFrame:
    """One row per (label, sweep point): the numbers described in the module docstring.

    A sweep key that does not apply to a label (NaN in its column: the key does not change that
    label's runs) matches every value of that key, so each row is compared with the reference row
    at the same values of the keys that apply to both (the reference's best such row if several)."""
    keys = group_columns(summary)
    rows = []
    for key, g in summary.groupby(keys, sort=False, dropna=False):
        key = key if isinstance(key, tuple) else (key,)
        ok = g[g["status"] == "complete"]
        row = dict(zip(keys, key))
        row["rule"] = g["rule"].iloc[0]
        row["control"] = controls.get(row["label"], "")
        for text in ("budget", "network", "comparison"):  # descriptions of the runs, when the caller added them
            if text in g:
                row[text] = "; ".join(dict.fromkeys(g[text].astype(str)))
        row["runs"] = len(g)
        for status in ("complete", "diverged", "failed"):
            row[status] = int((g["status"] == status).sum())
        row["acc_mean"], row["acc_ci"], row["acc_n"] = mean_ci(ok["test_accuracy"])
        row["best_mean"], row["best_ci"], _ = mean_ci(ok["best_test_accuracy"])
        train = ok["train_accuracy"] if "train_accuracy" in ok else pd.Series(dtype=float)
        row["train_mean"], row["train_ci"], _ = mean_ci(train)
        row["gap"] = row["train_mean"] - row["acc_mean"]  # generalisation gap (fraction)
        row["unstable"] = int((ok["flag"] == "unstable").sum()) if "flag" in ok else 0
        row["flops"] = float(ok["flops"].mean()) if len(ok) else math.nan
        row["wall_time"] = float(ok["wall_time"].mean()) if len(ok) else math.nan
        row["wall_min"] = float(ok["wall_time"].min()) if len(ok) else math.nan
        row["wall_max"] = float(ok["wall_time"].max()) if len(ok) else math.nan
        row["_accs"] = ok["test_accuracy"].to_numpy(float)
        row["_ids"] = list(ok["run_id"])
        rows.append(row)
    table = pd.DataFrame(rows)
    sweep = sweep_columns(summary)
    # each comparison group's own reference: the reference label where it ran, else another label of
    # the reference's rule (the same rule on another network); and its own readout_only control
    references = reference_candidates(table, reference, controls)
    table["_ref"] = [partner_row(table, i, references, sweep) for i in table.index]
    readouts = [lab for lab, kind in controls.items() if kind == "readout" and lab in set(table["label"])]
    base = [partner_row(table, i, readouts, sweep) for i in table.index]
    table["gain_over_readout"] = [math.nan if b < 0 or b == i else acc - table.at[b, "acc_mean"]
                                  for i, b, acc in zip(table.index, base, table["acc_mean"])]
    # why a comparison is missing: no control / reference of the row's own data, network and budget
    table["no_control"] = [b < 0 and bool(readouts) and lab not in readouts for b, lab in zip(base, table["label"])]
    table["no_reference"] = [r < 0 and bool(references) for r in table["_ref"]]
    table["reference"] = [table.at[r, "label"] if r >= 0 else "" for r in table["_ref"]]
    parts = [_compare(part.copy(), table, metrics, target_accuracy)
             for _, part in table.groupby("_ref", sort=False)]
    table = pd.concat(parts).sort_index()
    return table.drop(columns=["_accs", "_ids", "_ref"])


def not_applicable(value) -> bool:
    """True for a sweep cell of NaN/None: the sweep key does not apply to that row."""
    return pd.api.types.is_scalar(value) and pd.isna(value)


def reference_candidates(table: pd.DataFrame, reference: str | None, controls: dict[str, str]) -> list[str]:
    """The labels a row may be tested against, in order: ``reference``, then the other non-control
    labels of its rule (which serve as reference on their own networks and budgets)."""
    if reference is None:
        return []
    rule = table.loc[table["label"] == reference, "rule"]
    same = [] if rule.empty else [lab for lab in dict.fromkeys(table.loc[table["rule"] == rule.iloc[0], "label"])
                                  if lab != reference and lab not in controls]
    return [reference, *same]


def partner_row(table: pd.DataFrame, i: int, label: str | list[str] | None, sweep: list[str]) -> int:
    """For a list of labels: the first of them with a partner row (below) of row ``i``; -1 if none."""
    if isinstance(label, list):
        return next((j for j in (partner_row(table, i, lab, sweep) for lab in label) if j >= 0), -1)
    return _partner_row(table, i, label, sweep)


def _partner_row(table: pd.DataFrame, i: int, label: str | None, sweep: list[str]) -> int:
    """Index of the row of ``label`` that row ``i`` is compared with: of the same comparison group
    (data, network and budget, where the table has a ``comparison`` column), equal on every sweep
    column that applies to both (NaN matches anything), the best mean accuracy among several; -1
    if none."""
    if label is None:
        return -1
    if table.at[i, "label"] == label:
        return i
    mask = (table["label"] == label).to_numpy().copy()
    if "comparison" in table:  # like for like: the same data, network and budget only
        mask &= (table["comparison"] == table.at[i, "comparison"]).to_numpy()
    for col in sweep:
        value = table.at[i, col]
        if not not_applicable(value):
            mask &= (table[col].isna() | (table[col] == value)).to_numpy()
    candidates = table[mask]
    if candidates.empty:
        return -1
    return int(candidates["acc_mean"].fillna(-math.inf).idxmax())


def _compare(part: pd.DataFrame, table: pd.DataFrame, metrics, target_accuracy) -> pd.DataFrame:
    """Target, crossings and tests of the rows compared with one reference row (``part._ref``)."""
    ref_index = int(part["_ref"].iloc[0])
    ref = table.loc[ref_index] if ref_index >= 0 else None
    ref_accs = ref["_accs"] if ref is not None else np.array([])
    target = target_accuracy
    if target is None:
        target = DEFAULT_TARGET_FRACTION * ref["acc_mean"] if ref is not None else math.nan
    part["target"] = target
    hits = crossings(metrics, target) if math.isfinite(target) else pd.DataFrame(columns=["epoch", "flops"])
    reached, epochs, flops = [], [], []
    for ids in part["_ids"]:
        h = hits.reindex([i for i in ids if i in hits.index])
        reached.append(len(h))
        epochs.append(float(h["epoch"].mean()) if len(h) else math.nan)
        flops.append(float(h["flops"].mean()) if len(h) else math.nan)
    part["reached"], part["epochs_to_target"], part["flops_to_target"] = reached, epochs, flops
    is_ref = (part.index == ref_index)
    part["p_value"] = [math.nan if r else welch_p(a, ref_accs) for a, r in zip(part["_accs"], is_ref)]
    part["p_holm"] = holm(part["p_value"])
    part["hedges_g"] = [math.nan if r else hedges_g(a, ref_accs) for a, r in zip(part["_accs"], is_ref)]
    bounds = [hedges_g_interval(g, a.size, ref_accs.size) for g, a in zip(part["hedges_g"], part["_accs"])]
    part["g_lo"], part["g_hi"] = [b[0] for b in bounds], [b[1] for b in bounds]
    part["min_seeds"] = [min(a.size, ref_accs.size) if not r else a.size for a, r in zip(part["_accs"], is_ref)]
    return part


def best_sweep_points(summary: pd.DataFrame) -> dict[str, dict]:
    """label -> the sweep point (dict of sweep column -> value) with its best final mean accuracy."""
    sweep = sweep_columns(summary)
    if not sweep:
        return {}
    ok = summary[summary["status"] == "complete"]
    means = ok.groupby(["label", *sweep], dropna=False)["test_accuracy"].mean().reset_index()
    best = means.loc[means.groupby("label")["test_accuracy"].idxmax()]
    return {row["label"]: {c: row[c] for c in sweep} for _, row in best.iterrows()}


def at_points(frame: pd.DataFrame, points: dict[str, dict]) -> pd.DataFrame:
    """The rows of ``frame`` (metrics or summary) at each label's given sweep point."""
    if not points:
        return frame
    keep = np.zeros(len(frame), dtype=bool)
    for label, point in points.items():
        keep |= (frame["label"] == label).to_numpy() & point_mask(frame, point)
    return frame[keep]


def point_mask(frame: pd.DataFrame, point: dict) -> np.ndarray:
    """Rows of ``frame`` at the sweep ``point`` (column -> value); a NaN value (the key does not
    apply) matches NaN."""
    mask = np.ones(len(frame), dtype=bool)
    for col, value in point.items():
        mask &= (frame[col].isna() if not_applicable(value) else frame[col] == value).to_numpy()
    return mask


def epoch_curves(metrics: pd.DataFrame, metric: str, layer=None, by: str = "epoch") -> pd.DataFrame:
    """Per label and epoch: mean, 95% t-interval (lo, hi) and n over runs of ``metric`` (of ``layer``)."""
    m = metrics[metrics["metric"] == metric]
    m = m[m["layer"].isna()] if layer is None else m[m["layer"] == layer]
    m = m[np.isfinite(m["value"].to_numpy(dtype=float))]
    if m.empty:
        return pd.DataFrame(columns=["label", by, "mean", "lo", "hi", "n"])
    # every (label, epoch) group at once: mean_ci's numbers, without a Python call per group
    g = m.groupby(["label", by], sort=True)["value"].agg(["mean", "std", "count"]).reset_index()
    n = g["count"].to_numpy()
    t = np.array([t_quantile(int(k) - 1) if k > 1 else 0.0 for k in n])
    half = np.where(n > 1, t * g["std"].fillna(0.0).to_numpy() / np.sqrt(n), 0.0)
    mean = g["mean"].to_numpy(dtype=float)
    return pd.DataFrame({"label": g["label"], by: g[by], "mean": mean, "lo": mean - half, "hi": mean + half,
                         "n": n.astype(int)})
