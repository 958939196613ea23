"""What each rule learns inside: its blocks' representations against backprop's and each other's.

Runs are computed apart, so each run stores its blocks' outputs on fixed test samples
(``[diagnostics] representation_samples``; experiments/runs/representations.py). This module
pairs the stored runs and computes linear CKA (``learning_rules.diagnostics.linear_cka``):

- ``cka_to_reference``: per run, block and diagnostic epoch, the CKA between the run's block
  output and backprop's, from the backprop run of the same seed, network, data and sweep point,
  which started from the same weights and saw the same batches (rows in metrics.csv's form, metric
  ``cka_to_backprop``, so the report's per-layer panels draw them);
- ``similarity_pairs``: at the end of training (each run's last stored epoch), the CKA between
  every pair of rules of one seed and network, block by block; ``similarity_matrices`` averages
  them over seeds into one label-by-label matrix per network and block;
- ``similarity_vs_accuracy``: across rules, Spearman's rank correlation between a block's final
  CKA to backprop and the final test accuracy (means over seeds), with its two-sided p-value.

    python -m experiments.studies.representations results/representations    # Markdown tables
"""

from __future__ import annotations

import itertools
import math
import sys

import numpy as np
import pandas as pd
from scipy import stats

from learning_rules.diagnostics import linear_cka

from ..report.budgets import network_text
from ..report.statistics import find_controls, mean_ci, reference_label
from ..runs.representations import load_representations
from ..runs.spec import canonical_json

METRIC = "cka_to_backprop"
DEBIASED = "debiased_cka_to_backprop"


def network_name(meta: dict) -> str:
    """How a run's network is named in tables: 'rate 40-256-256-10', 'rate 1x40-conv25k5s2-...-10'."""
    return network_text(meta)


def _stored(res, run_ids=None) -> pd.DataFrame:
    """Complete runs (of ``run_ids``) that stored representations: run_id, label, seed, group,
    point (the group plus the sweep point), network."""
    s = res.summary[res.summary["status"] == "complete"]
    if run_ids is not None:
        s = s[s["run_id"].isin(set(run_ids))]
    rows = []
    for run_id, label, seed in zip(s["run_id"], s["label"], s["seed"]):
        meta = res.runs.get(run_id, {})
        rep = meta.get("representations")
        if not rep or not rep.get("epochs"):
            continue
        spec = meta["spec"]
        group = canonical_json([int(seed), spec["model"], spec["data"], rep["samples"]])
        rows.append({"run_id": run_id, "label": label, "seed": int(seed), "group": group,
                     "point": canonical_json([group, spec.get("sweep_point", {})]), "network": network_name(meta)})
    return pd.DataFrame(rows, columns=["run_id", "label", "seed", "group", "point", "network"])


class _Arrays:
    """Each run's stored arrays, read once when first asked for."""

    def __init__(self, res) -> None:
        self.root, self._cache = res.root, {}

    def __call__(self, run_id: str) -> dict[str, np.ndarray]:
        if run_id not in self._cache:
            self._cache[run_id] = load_representations(self.root / "runs" / run_id) or {}
        return self._cache[run_id]

    def at(self, run_id: str, epoch: int | None = None) -> tuple[int, list[np.ndarray]] | None:
        """(epoch, block outputs (N, F_k)) at ``epoch`` (None: the last stored), or None."""
        a = self(run_id)
        if "epochs" not in a or not a["epochs"].size:
            return None
        epochs = list(a["epochs"])
        i = len(epochs) - 1 if epoch is None else (epochs.index(epoch) if epoch in epochs else None)
        if i is None:
            return None
        return int(epochs[i]), [a[f"block_{k}"][i] for k in range(sum(n.startswith("block_") for n in a))]


def _reference_runs(stored: pd.DataFrame, reference: str) -> dict[str, str]:
    """run_id -> the reference run it is compared with (same point, else the one of its group)."""
    refs = stored[stored["label"] == reference]
    by_point = dict(zip(refs["point"], refs["run_id"]))
    per_group = refs.groupby("group")["run_id"].agg(list)
    out = {}
    for run_id, label, group, point in zip(stored["run_id"], stored["label"], stored["group"], stored["point"]):
        if label == reference:
            continue
        ref = by_point.get(point) or (per_group[group][0] if len(per_group.get(group, [])) == 1 else None)
        if ref is not None:
            out[run_id] = ref
    return out


def cka_to_reference(res, reference: str | None = None, run_ids=None) -> pd.DataFrame:
    """Rows (run_id, epoch, metric, value, layer, label, seed, + the summary's sweep columns) of
    CKA to the reference rule's run, at every diagnostic epoch both stored, for the runs of
    ``run_ids`` (None: all); the reference run may be any stored run of the same point."""
    reference = reference or reference_label(res.summary, find_controls(res.summary, res.runs))
    wanted = None if run_ids is None else set(run_ids)
    arrays, rows = _Arrays(res), []
    for run_id, ref in _reference_runs(_stored(res), reference).items():
        if wanted is not None and run_id not in wanted:
            continue
        mine = arrays(run_id)
        for epoch in mine["epochs"]:
            a, b = arrays.at(run_id, int(epoch)), arrays.at(ref, int(epoch))
            if b is None:
                continue
            for k, (x, y) in enumerate(zip(a[1], b[1])):
                rows.append({"run_id": run_id, "epoch": int(epoch), "metric": METRIC, "value": linear_cka(x, y),
                             "layer": k})
                rows.append({"run_id": run_id, "epoch": int(epoch), "metric": DEBIASED,
                             "value": linear_cka(x, y, debiased=True), "layer": k})
    frame = pd.DataFrame(rows, columns=["run_id", "epoch", "metric", "value", "layer"])
    ids = [c for c in res.summary.columns if c in ("label", "rule", "seed") or "." in c]
    return frame.merge(res.summary[["run_id", *ids]], on="run_id", how="left")


def similarity_pairs(res, run_ids=None) -> pd.DataFrame:
    """Every pair of labels of one seed and network at the end of training: network, seed,
    layer, label_a, label_b, cka (label_a < label_b), and the epochs compared."""
    stored, arrays, rows = _stored(res, run_ids), _Arrays(res), []
    for point, part in stored.groupby("point"):
        runs = sorted(zip(part["label"], part["run_id"], part["network"], part["seed"]))
        for (la, ra, net, seed), (lb, rb, _, _) in itertools.combinations(runs, 2):
            a, b = arrays.at(ra), arrays.at(rb)
            for k, (x, y) in enumerate(zip(a[1], b[1])):
                rows.append({"network": net, "seed": seed, "layer": k, "label_a": la, "label_b": lb,
                             "cka": linear_cka(x, y), "debiased_cka": linear_cka(x, y, debiased=True),
                             "epoch_a": a[0], "epoch_b": b[0]})
    return pd.DataFrame(rows, columns=["network", "seed", "layer", "label_a", "label_b", "cka", "debiased_cka",
                                       "epoch_a", "epoch_b"])


def similarity_matrices(pairs: pd.DataFrame, column: str = "cka") -> dict[tuple[str, int], pd.DataFrame]:
    """(network, layer) -> label-by-label matrix of ``column`` (cka or debiased_cka) at the end,
    mean over seeds (diagonal 1)."""
    out = {}
    for (net, layer), g in pairs.groupby(["network", "layer"], sort=True):
        labels = sorted(set(g["label_a"]) | set(g["label_b"]))
        m = pd.DataFrame(np.eye(len(labels)), index=labels, columns=labels)
        for (a, b), v in g.groupby(["label_a", "label_b"])[column].mean().items():
            m.loc[a, b] = m.loc[b, a] = v
        out[(net, int(layer))] = m
    return out


def similarity_vs_accuracy(res, cka: pd.DataFrame, metric: str = METRIC) -> pd.DataFrame:
    """Per network and layer: Spearman's rho across labels between final CKA to backprop
    (``metric``) and final test accuracy (each a mean over seeds), its p-value and the number of
    labels; and the same without the controls (readout_only, the linear model), which anchor the
    low end."""
    final = cka[cka["metric"] == metric].sort_values("epoch").groupby(["run_id", "layer"]).tail(1)
    acc = res.summary.set_index("run_id")["test_accuracy"]
    nets = {r: network_name(res.runs[r]) for r in final["run_id"].unique()}
    final = final.assign(accuracy=final["run_id"].map(acc), network=final["run_id"].map(nets))
    controls = set(find_controls(res.summary, res.runs))
    rows = []
    for (net, layer), g in final.groupby(["network", "layer"]):
        means = g.groupby("label")[["value", "accuracy"]].mean()
        row = {"network": net, "layer": int(layer)}
        for suffix, part in (("", means), (" (rules only)", means[~means.index.isin(controls)])):
            rho, p = stats.spearmanr(part["value"], part["accuracy"]) if len(part) >= 3 else (math.nan, math.nan)
            row.update({f"spearman_rho{suffix}": float(rho), f"p{suffix}": float(p), f"labels{suffix}": len(part)})
        rows.append(row)
    columns = ["network", "layer"] + [f"{k}{s}" for s in ("", " (rules only)") for k in ("spearman_rho", "p", "labels")]
    return pd.DataFrame(rows, columns=columns)


def chance_cka(res, run_ids=None, seed: int = 0) -> pd.DataFrame:
    """Per network and layer: CKA between each run's final block output and backprop's with the
    samples shuffled (a fixed permutation from ``seed``): the level two unrelated representations
    of these widths and spectra reach on this many samples."""
    stored, arrays, rows = _stored(res, run_ids), _Arrays(res), []
    reference = reference_label(res.summary, find_controls(res.summary, res.runs))
    rng = np.random.default_rng(seed)
    nets = dict(zip(stored["run_id"], stored["network"]))
    for run_id, ref in _reference_runs(stored, reference).items():
        a, b = arrays.at(run_id), arrays.at(ref)
        perm = rng.permutation(a[1][0].shape[0])
        for k, (x, y) in enumerate(zip(a[1], b[1])):
            rows.append({"network": nets[run_id], "layer": k, "cka": linear_cka(x, y[perm]),
                         "debiased_cka": linear_cka(x, y[perm], debiased=True)})
    frame = pd.DataFrame(rows, columns=["network", "layer", "cka", "debiased_cka"])
    return frame.groupby(["network", "layer"], as_index=False)[["cka", "debiased_cka"]].mean()


def first_layer_weights(res, run_ids=None) -> tuple[dict[str, np.ndarray], tuple[int, ...], str]:
    """(label -> first weight layer's W at the end, the input's shape, a caption's words) for the
    lowest seed's runs of the network most labels share (so one unit is one initial filter
    under every rule); ({}, (), "") when no run stored its weights."""
    stored = _stored(res, run_ids)
    if stored.empty:
        return {}, (), ""
    network = stored.groupby("network")["label"].nunique().sort_values(kind="stable").index[-1]
    part = stored[stored["network"] == network]
    seed = int(part["seed"].min())
    arrays = _Arrays(res)
    weights = {}
    for label, run_id in zip(part["label"], part["run_id"]):
        if int(part.loc[part["run_id"] == run_id, "seed"].iloc[0]) == seed and label not in weights:
            W = arrays(run_id).get("first_layer_W")
            if W is not None:
                weights[label] = W
    shape = tuple(res.runs[part["run_id"].iloc[0]]["representations"].get("input_shape", ()))
    return weights, shape, f"seed {seed}, {network}"


#: the per-block metrics the tables report, with their headings
TABLE_METRICS = {METRIC: "linear CKA to backprop", DEBIASED: "debiased linear CKA to backprop", "linear_probe_accuracy": "linear-probe accuracy",
                 "effective_rank": "effective rank", "dead_fraction": "dead fraction",
                 "saturated_fraction": "saturated fraction"}


def _cell(values: pd.Series) -> str:
    mean, half, n = mean_ci(values)
    return f"{mean:.2f} ± {half:.2f}" if n > 1 else (f"{mean:.2f}" if n else "—")


def final_table(res, cka: pd.DataFrame, metric: str) -> pd.DataFrame:
    """Per network and label of the runs that stored representations: final test accuracy (%)
    and each block's final ``metric`` (mean ± 95% CI half-width over seeds)."""
    runs = _stored(res).set_index("run_id")
    source = (cka if metric in (METRIC, DEBIASED) else res.metrics)
    source = source[source["metric"] == metric]
    m = source[source["run_id"].isin(runs.index) & source["layer"].notna()]
    if m.empty:
        return pd.DataFrame()
    final = m.sort_values("epoch").groupby(["run_id", "layer"]).tail(1)
    wide = final.pivot(index="run_id", columns="layer", values="value")
    wide.columns = [f"block {int(k)}" for k in wide.columns]
    acc = res.summary.set_index("run_id")["test_accuracy"]
    wide.insert(0, "test %", 100 * acc[wide.index])
    wide = wide.join(runs[["network", "label"]])
    out = wide.groupby(["network", "label"]).agg(_cell).reset_index()
    return out.sort_values(["network", "label"], key=lambda c: c.str.lower())


def main(argv: list[str] | None = None) -> int:
    from ..report.markdown import md_table
    from ..results import load_results

    argv = sys.argv[1:] if argv is None else argv
    res = load_results(argv[0] if argv else "results/representations")
    cka = cka_to_reference(res)
    for metric, heading in TABLE_METRICS.items():
        table = final_table(res, cka, metric)
        if not table.empty:
            print(f"## Final {heading} per block\n\n" + md_table(table) + "\n")
    print("## CKA of unrelated representations (samples shuffled)\n\n" + md_table(chance_cka(res).round(3)))
    print("\n## Does similarity to backprop predict accuracy? (Spearman, across rules)\n\n"
          + md_table(similarity_vs_accuracy(res, cka).round(3)))
    for (net, layer), matrix in similarity_matrices(similarity_pairs(res)).items():
        print(f"\n## CKA between rules at the end: {net}, block {layer}\n\n"
              + md_table(matrix.round(2).reset_index().rename(columns={"index": "rule"})))
    return 0


if __name__ == "__main__":
    from .entry import study_main

    sys.exit(study_main(main))
