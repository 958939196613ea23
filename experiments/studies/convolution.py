"""Does the rule survive convolution? The table of experiments/configs/convolution.toml.

Per rule: final test accuracy (mean ± 95% CI half-width over seeds, %) with the MLP and the CNN
on ordered and shuffled MNIST-1D, the CNN's gain over the MLP on ordered signals (points), the
part of that gain shuffling takes away, and the final update-to-gradient angle of each hidden
block of the CNN (degrees, mean over seeds).

    python -m experiments.studies.convolution results/convolution     # prints the Markdown table
"""

from __future__ import annotations

import json
import sys

import pandas as pd

from ..report.statistics import mean_ci


def architecture(layers) -> str:
    """'CNN' for a stack with a convolution, 'MLP' for dense layers, 'linear' for none."""
    specs = json.loads(layers) if isinstance(layers, str) else (layers or [])
    kinds = {s["type"] if isinstance(s, dict) else s for s in specs}
    return "CNN" if any(k.startswith("conv") for k in kinds) else "MLP" if specs else "linear"


def _cell(values) -> str:
    mean, half, n = mean_ci(values)
    return f"{100 * mean:.1f} ± {100 * half:.1f}" if n > 1 else (f"{100 * mean:.1f}" if n else "—")


def convolution_table(results) -> pd.DataFrame:
    """One row per rule label; see the module docstring for the columns."""
    s = results.summary[results.summary["status"] == "complete"].copy()
    models = {rid: r["spec"]["model"] for rid, r in results.runs.items()}
    # the linear control's own model (no layers) overrides the swept stack
    s["arch"] = [architecture(models[r].get("layers")) for r in s["run_id"]]
    s["shuffled"] = [bool(results.runs[r]["spec"]["data"].get("shuffle_seq")) for r in s["run_id"]]
    m = results.metrics
    angles = m[m["metric"] == "update_angle"]
    rows = []
    for label, g in s.groupby("label", sort=False):
        row = {"rule": label}
        acc = {}
        for arch in ("MLP", "CNN", "linear"):
            for shuffled in (False, True):
                part = g[(g["arch"] == arch) & (g["shuffled"] == shuffled)]["test_accuracy"]
                if len(part):
                    acc[(arch, shuffled)] = part.mean()
                    row[f"{arch} {'shuffled' if shuffled else 'ordered'}"] = _cell(part)
        if ("MLP", False) in acc and ("CNN", False) in acc:
            row["CNN gain (points)"] = f"{100 * (acc[('CNN', False)] - acc[('MLP', False)]):+.1f}"
        if ("CNN", False) in acc and ("CNN", True) in acc:
            row["lost to shuffling (points)"] = f"{100 * (acc[('CNN', False)] - acc[('CNN', True)]):.1f}"
        cnn = g[(g["arch"] == "CNN") & ~g["shuffled"]]["run_id"]
        a = angles[angles["run_id"].isin(cnn)]
        if len(a):
            last = a[a["epoch"] == a["epoch"].max()]
            row["CNN final angles (°)"] = " / ".join(f"{v:.0f}" for v in last.groupby("layer")["value"].mean())
        rows.append(row)
    order = ["rule", "MLP ordered", "MLP shuffled", "CNN ordered", "CNN shuffled", "CNN gain (points)",
             "lost to shuffling (points)", "CNN final angles (°)", "linear ordered", "linear shuffled"]
    table = pd.DataFrame(rows)
    return table[[c for c in order if c in table.columns]].fillna("")


def main(argv: list[str] | None = None) -> int:
    from ..results import load_results

    argv = sys.argv[1:] if argv is None else argv
    table = convolution_table(load_results(argv[0] if argv else "results/convolution"))
    from ..report.markdown import md_table

    print(md_table(table))
    return 0


if __name__ == "__main__":
    from .entry import study_main

    sys.exit(study_main(main))
