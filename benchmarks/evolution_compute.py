"""Compute used by the population rules beside backprop's compute to reach the same accuracy.

Reads a finished experiment (e.g. ``learning-rules run experiments/configs/evolution.toml``)
and prints, per rule: its final mean test accuracy over seeds, the generations (steps) and
training FLOPs it used, and the FLOPs backprop needed to first reach that same accuracy
(mean over backprop's seeds; the first epoch whose test accuracy is at least the rule's mean).

    python benchmarks/evolution_compute.py results/evolution
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

import numpy as np

from experiments import load_results


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("results", help="an experiment's results folder, <out>/<name>")
    parser.add_argument("--reference", default="backprop")
    args = parser.parse_args()
    res = load_results(args.results)
    s, m = res.summary, res.metrics
    s = s[s.status == "complete"]
    acc = m[m.metric == "test_accuracy"].pivot_table(index="epoch", columns="run_id", values="value")
    flops = m[m.metric == "flops"].pivot_table(index="epoch", columns="run_id", values="value")
    ref_runs = s[s.label == args.reference].run_id.tolist()
    print(f"{'rule':>20} {'test acc %':>10} {'steps (gens)':>12} {'FLOPs':>9} "
          f"{args.reference + ' FLOPs to same acc':>27} {'ratio':>7}")
    for label, runs in s.groupby("label"):
        mean_acc = runs.test_accuracy.mean()
        steps = [_steps(Path(args.results), r) for r in runs.run_id]
        used = runs.flops.mean()
        reached = []
        for r in ref_runs:
            hit = acc.index[acc[r] >= mean_acc]
            reached.append(flops.loc[hit[0], r] if len(hit) else np.nan)
        ref = np.nanmean(reached) if np.isfinite(reached).any() else np.nan
        n_ok = int(np.isfinite(reached).sum())
        ref_text = f"{ref:.3g} ({n_ok}/{len(ref_runs)})" if n_ok else "not reached"
        ratio = f"{used / ref:.0f}x" if n_ok else "-"
        print(f"{label:>20} {100 * mean_acc:>10.2f} {np.mean(steps):>12.0f} {used:>9.3g} {ref_text:>27} {ratio:>7}")


def _steps(root: Path, run_id: str) -> float:
    """Training steps of a run: epochs x (n_train // batch_size), from its stored spec."""
    from experiments.datasets import load_dataset

    run = json.loads((root / "runs" / run_id / "run.json").read_text())
    spec = run["spec"]
    data = {k: v for k, v in spec["data"].items() if k != "name"}
    n_train = load_dataset(spec["data"]["name"], seed=spec["seed"], **data).x_train.shape[0]
    return run["epochs_completed"] * (n_train // spec["batch_size"])


if __name__ == "__main__":
    main()
