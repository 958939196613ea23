"""Memory and cost of learning in time: peak memory and FLOPs of one training step per rule,
against the sequence length T, and RTRL's cost against the hidden size n.

For every rule, one Elman network (``n`` units, tanh, leak 0.5 so that the online rules' traces
have memory, mean readout, float32) on random sequences of T steps of 4 features, batch 32:

- ``peak memory``: the largest memory the step allocates (``tracemalloc``, after a warm-up
  step), less the batch's time-major copy (the data, not the rule): BPTT stores every step's state (linear in T), truncated BPTT
  too (it still runs the forward pass once and sweeps back in chunks), e-prop, RFLO and RTRL
  keep only their traces or sensitivities (constant in T);
- ``FLOPs per step``: the step's reported FLOPs divided by T;
- ``ms``: the step's wall time (one call, the same machine; a rough guide, not a benchmark of
  speed).

Then RTRL alone for n = 4 .. 32 at T = 20: FLOPs per time step (expected ~ n^4: the n x n
Jacobian times the n x p sensitivities, p ~ n^2) and peak memory (~ n^3), with the fitted
exponents. ``--csv PATH`` writes every row, ``--figure PATH`` draws them
(``experiments.report.figures.time.memory_against_steps``).

    python benchmarks/bench_recurrent_memory.py
    python benchmarks/bench_recurrent_memory.py --quick
    python benchmarks/bench_recurrent_memory.py --csv docs/images/recurrent_memory.csv \
        --figure docs/images/recurrent_memory.png
"""

from __future__ import annotations

import argparse
import csv
import os
import sys
import time
import tracemalloc

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))  # for _timing, run as a script
from _timing import DEFAULT_THREADS, blas_limit, limit_threads_early, machine_header  # noqa: E402

if __name__ == "__main__":
    limit_threads_early()

import numpy as np  # noqa: E402

from learning_rules.networks.temporal import TemporalNetwork  # noqa: E402
from learning_rules.rules.registry import get_rule  # noqa: E402

FEATURES, CLASSES, BATCH = 4, 5, 32
RULES = {"bptt": {}, "bptt (k = 10)": {"truncation": 10}, "temporal_feedback_alignment": {}, "eprop": {},
         "rflo": {}, "rtrl": {}}


def measure(label: str, steps: int, n: int, batch: int = BATCH, seed: int = 0) -> dict:
    """One row: peak bytes, FLOPs and seconds of one training step of ``label``'s rule."""
    name = label.split(" ")[0]
    net = TemporalNetwork([steps * FEATURES, n, CLASSES], np.random.default_rng(seed), cell="elman", leak=0.5,
                          readout="mean", input_shape=(steps, FEATURES))
    rng = np.random.default_rng(seed + 1)
    x = rng.normal(size=(batch, steps * FEATURES)).astype(np.float32)
    y = rng.integers(0, CLASSES, batch)
    rule = get_rule(name)(**RULES.get(label, {}))
    rule.init(net, np.random.default_rng(seed + 2))
    rule.step(net, x, y)  # warm-up: optimizer state, first allocations
    tracemalloc.start()
    t0 = time.perf_counter()
    info = rule.step(net, x, y)
    seconds = time.perf_counter() - t0
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    return {"rule": label, "T": steps, "n": n, "batch": batch, "peak_bytes": peak - x.nbytes,
            "flops": info["flops"], "seconds": seconds}


def slope(xs, ys) -> float:
    """The exponent of a power law through the points (least squares in log-log)."""
    return float(np.polyfit(np.log(xs), np.log(ys), 1)[0])


def main(argv: list[str] | None = None) -> list[dict]:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--steps", type=int, nargs="+", default=[10, 30, 100, 300, 1000])
    ap.add_argument("--hidden", type=int, default=32)
    ap.add_argument("--rtrl-hidden", type=int, nargs="+", default=[4, 8, 16, 32])
    ap.add_argument("--threads", type=int, default=DEFAULT_THREADS)
    ap.add_argument("--csv", help="write every row to this CSV file")
    ap.add_argument("--figure", help="draw memory against T and RTRL's cost into this PNG file")
    ap.add_argument("--quick", action="store_true", help="smoke run: T = 10, 30 and n = 4, 8")
    args = ap.parse_args(argv)
    if args.quick:
        args.steps, args.rtrl_hidden = [10, 30], [4, 8]
    rows = []
    with blas_limit(args.threads) as how:
        print("\n".join(machine_header(args.threads, how)))
        print(f"Elman {args.hidden} units (leak 0.5), mean readout, {FEATURES} features, {CLASSES} classes, "
              f"batch {BATCH}, float32; one training step each")
        print(f"\n{'rule':>28} {'T':>5} {'peak memory':>12} {'FLOPs / step':>13} {'ms':>8}")
        for label in RULES:
            for T in args.steps:
                if label.startswith("rtrl") and T > 100 and args.hidden > 16:
                    continue  # its cost per step does not depend on T; spare the long loop
                row = measure(label, T, args.hidden)
                rows.append({**row, "study": "steps"})
                print(f"{label:>28} {T:>5} {row['peak_bytes'] / 2**20:>9.2f} MiB {row['flops'] / T:>13.3g} "
                      f"{row['seconds'] * 1e3:>8.1f}")
        print("\nmemory against T, fitted exponent (1: linear, 0: constant), T = "
              f"{args.steps[0]}..{args.steps[-1]}:")
        for label in RULES:
            pts = [(r["T"], r["peak_bytes"]) for r in rows if r["rule"] == label and r["study"] == "steps"]
            if len(pts) > 1:
                print(f"{label:>28} {slope(*zip(*pts)):>6.2f}   ({pts[0][1] / 2**20:.2f} -> {pts[-1][1] / 2**20:.2f} MiB)")
        print(f"\nRTRL against the hidden size, T = 20:\n{'n':>5} {'FLOPs / step':>13} {'peak memory':>12}")
        rtrl = []
        for n in args.rtrl_hidden:
            row = {**measure("rtrl", 20, n), "study": "hidden"}
            rtrl.append(row)
            print(f"{n:>5} {row['flops'] / 20:>13.3g} {row['peak_bytes'] / 2**20:>9.2f} MiB")
        rows += rtrl
        ns = [r["n"] for r in rtrl]
        print(f"fitted exponents over n = {ns[0]}..{ns[-1]}: FLOPs per step "
              f"{slope(ns, [r['flops'] for r in rtrl]):.2f}, memory {slope(ns, [r['peak_bytes'] for r in rtrl]):.2f} "
              f"(over the two largest n: {slope(ns[-2:], [r['flops'] for r in rtrl[-2:]]):.2f}, "
              f"{slope(ns[-2:], [r['peak_bytes'] for r in rtrl[-2:]]):.2f})")
    if args.csv:
        with open(args.csv, "w", newline="") as f:
            writer = csv.DictWriter(f, fieldnames=list(rows[0]))
            writer.writeheader()
            writer.writerows(rows)
        print(f"\nrows written to {args.csv}")
    if args.figure:
        save_figure(rows, args.figure)
        print(f"figure written to {args.figure}")
    return rows


def save_figure(rows: list[dict], path: str) -> None:
    """The report's figure of these rows (memory against T; RTRL's FLOPs against n) as a PNG."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    import pandas as pd

    from experiments.report.figures.time import memory_against_steps

    fig = memory_against_steps(pd.DataFrame(rows))
    fig.savefig(path, dpi=130, metadata={"Software": None})
    plt.close(fig)


if __name__ == "__main__":
    main()
