"""The equal-compute view: every rule's test accuracy at one budget, so that a headline never
ranks a 50-epoch rule against a 2-epoch one without saying so.

Two common budgets, both the largest that every compared rule reached:

- FLOPs: the smallest total training FLOPs (mean over each rule's complete runs) among the rules
  whose total buys every rule at least its first epoch, so that a tiny control (the linear
  model) does not set a budget at which every other rule is still untrained; each run is read at
  its last evaluated epoch whose cumulative FLOPs do not exceed it (a rule whose whole budget is
  smaller is read at its end);
- epochs: the smallest number of epochs any rule trained; each run is read at that epoch.

Accuracies are mean ± 95% CI half-width over the complete runs, as in the summary.
"""

from __future__ import annotations

import math

import pandas as pd

from .statistics import mean_ci
from .tables import DASH, number, pct_ci, sci


def _series(metrics: pd.DataFrame, metric: str) -> pd.DataFrame:
    m = metrics[(metrics["metric"] == metric) & metrics["layer"].isna()]
    return m[["run_id", "epoch", "value"]]


def _first_epoch_flops(per_run: pd.DataFrame, ok: pd.DataFrame) -> pd.Series:
    """Per label: the mean cumulative training FLOPs at each run's first evaluation after training
    began (the cost of its first epoch)."""
    trained = per_run[per_run["value_flops"].fillna(0) > 0]
    first = trained.sort_values("epoch").groupby("run_id")["value_flops"].first()
    labels = ok.set_index("run_id")["label"]
    return first.groupby(labels.reindex(first.index)).mean()


def equal_compute(summary: pd.DataFrame, metrics: pd.DataFrame) -> tuple[pd.DataFrame, float, int]:
    """(one row per label: label, budget, acc_flops (values), epoch_at_flops (values),
    acc_epoch (values); the common FLOPs; the common epoch). ``summary`` holds the runs to compare
    (one sweep point per label); empty when nothing completed."""
    ok = summary[summary["status"] == "complete"]
    if ok.empty:
        return pd.DataFrame(), math.nan, 0
    acc, flops = _series(metrics, "test_accuracy"), _series(metrics, "flops")
    per_run = acc.merge(flops, on=["run_id", "epoch"], suffixes=("_acc", "_flops"), how="left")
    totals = ok.groupby("label", sort=False)["flops"].mean()
    first_epoch = _first_epoch_flops(per_run, ok)
    positive = totals[(totals > 0) & (totals >= first_epoch.max() * (1 - 1e-9))] if len(first_epoch) else totals[totals > 0]
    positive = positive if len(positive) else totals[totals > 0]
    common_flops = float(positive.min()) if len(positive) else math.nan
    last_epoch = per_run.groupby("run_id")["epoch"].max()
    common_epoch = int(last_epoch.reindex(ok["run_id"]).min()) if len(last_epoch) else 0
    rows = []
    for label, g in ok.groupby("label", sort=False):
        at_flops, epochs, at_epoch = [], [], []
        for run_id in g["run_id"]:
            curve = per_run[per_run["run_id"] == run_id].sort_values("epoch")
            if curve.empty:
                continue
            within = curve[curve["value_flops"].fillna(math.inf) <= common_flops * (1 + 1e-9)]
            row = within.iloc[-1] if len(within) else curve.iloc[0]
            at_flops.append(row["value_acc"])
            epochs.append(row["epoch"])
            same = curve[curve["epoch"] == common_epoch]
            if len(same):
                at_epoch.append(same["value_acc"].iloc[0])
        rows.append({"label": label, "budget": g["budget"].iloc[0] if "budget" in g else "",
                     "acc_flops": at_flops, "epoch_at_flops": epochs, "acc_epoch": at_epoch,
                     "final": list(g["test_accuracy"])})
    return pd.DataFrame(rows), common_flops, common_epoch


def equal_compute_table(summary: pd.DataFrame, metrics: pd.DataFrame) -> tuple[pd.DataFrame, str]:
    """(the display table, one sentence naming the common budgets); an empty table and '' when
    every rule had the same budget in FLOPs and epochs (the summary is then the equal-compute view)."""
    table, common_flops, common_epoch = equal_compute(summary, metrics)
    if table.empty:
        return table, ""
    ok = summary[summary["status"] == "complete"]
    same_flops = ok.groupby("label")["flops"].mean().round(-3).nunique() <= 1
    same_epochs = ok.groupby("label")["epochs_completed"].max().nunique() <= 1 if "epochs_completed" in ok else True
    if same_flops and same_epochs:
        return pd.DataFrame(), ""
    flops_head = f"test acc. at {sci(common_flops)} FLOPs (%)"
    epoch_head = f"test acc. at epoch {common_epoch} (%)"
    out = []
    for _, r in table.iterrows():
        mean_f, half_f, n_f = mean_ci(r["acc_flops"])
        mean_e, half_e, n_e = mean_ci(r["acc_epoch"])
        mean_z, half_z, _ = mean_ci(r["final"])
        out.append({"rule": r["label"], "budget": r["budget"],
                    "final test acc. (%)": pct_ci(mean_z, half_z),
                    flops_head: pct_ci(mean_f, half_f) if n_f else DASH,
                    "epochs trained by then": number(sum(r["epoch_at_flops"]) / len(r["epoch_at_flops"]), 1)
                    if r["epoch_at_flops"] else DASH,
                    epoch_head: pct_ci(mean_e, half_e) if n_e else DASH})
    frame = pd.DataFrame(out).sort_values(flops_head, key=lambda s: s.map(_leading_number), ascending=False,
                                          kind="stable")
    sentence = (f"Every rule at one budget: {sci(common_flops)} training FLOPs (the smallest total of any rule "
                f"that buys every rule its first epoch) and epoch {common_epoch} (the fewest epochs any rule trained); each run is read at its "
                "last evaluation within that budget (a rule whose whole budget is smaller, at its end).")
    return frame.reset_index(drop=True), sentence


def _leading_number(text: str) -> float:
    try:
        return float(str(text).split()[0])
    except (ValueError, IndexError):
        return -math.inf
