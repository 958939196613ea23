"""How good the time-left estimate is: after the first run of an experiment finishes, the
estimate from the runs' budgets (experiments/estimate.py, what the progress line prints) beside
the time the other runs then took, and beside the old estimate (runs left x the first run's time).

The experiment (default: the quickstart, 42 runs) is computed from scratch into a temporary
folder, serially, without its report. After each run the script records the budget estimate
and the wall clock; at the end it prints, for the first run and a few later points, the estimate,
the truth (wall clock from that point to the last run's end) and their ratio.

Target: after the first run of the quickstart, within 50% of the truth (ratio 0.5 to 1.5).

    python benchmarks/bench_estimate.py                          # the quickstart, a few minutes
    python benchmarks/bench_estimate.py --config depth --smoke   # any experiment; --smoke shrinks it
    python benchmarks/bench_estimate.py --quick                  # smoke run: a tiny experiment
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))  # for _timing, run as a script
from _timing import machine_header  # noqa: E402

QUICK = """
[experiment]
name = "bench_estimate"
seeds = [0, 1]
epochs = 3

[data]
name = "blobs"

[model]
hidden = [16]

[[rules]]
name = "backprop"

[[rules]]
name = "genetic"
population_size = 16
"""


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--config", default="quickstart", help="an experiment file or a bundled name")
    ap.add_argument("--smoke", action="store_true", help="the experiment's --smoke version")
    ap.add_argument("--quick", action="store_true", help="a tiny two-rule experiment instead")
    args = ap.parse_args(argv)

    from experiments.config import load_config
    from experiments.driver import run_experiment
    from experiments.estimate import Estimate, budgets

    header = [line for line in machine_header(1, "") if not line.startswith("threads:")]
    with tempfile.TemporaryDirectory(prefix="bench-estimate-") as tmp:
        path = args.config
        if args.quick:
            path = os.path.join(tmp, "quick.toml")
            with open(path, "w") as f:
                f.write(QUICK)
        config = load_config(path, smoke=args.smoke)
        t0 = time.perf_counter()
        budget = budgets(config.specs)
        probe = time.perf_counter() - t0
        est = Estimate(budget, {s.run_id: s.label for s in config.specs})
        points = []  # (runs done, label, budget estimate, first-run estimate, clock)
        first: list[float] = []

        def on_result(result):
            est.finished(result["run_id"], result["wall_time"])
            first.append(result["wall_time"])
            left = len(config.specs) - len(first)
            points.append((len(first), result["spec"]["label"], est.seconds_left(), left * first[0],
                           time.perf_counter()))

        run_experiment(config, os.path.join(tmp, "out"), workers=1, quiet=True, on_result=on_result)
        end = points[-1][4]
    print("\n".join(header))
    if hasattr(os, "getloadavg"):
        print("load average at the end (1/5/15 min): " + " ".join(f"{v:.2f}" for v in os.getloadavg()))
    print(f"{config.name}: {len(config.specs)} runs, serial; budgets probed in {probe:.1f} s; "
          f"all runs took {end - t0 - probe:.1f} s")
    print(f"{'after run':>9}  {'rule':<26} {'estimate (s)':>12} {'truth (s)':>10} {'ratio':>6}   "
          f"{'first-run estimate (s)':>22} {'ratio':>6}")
    marks = sorted({1, 2, 3, len(points) // 4, len(points) // 2, 3 * len(points) // 4} - {0, len(points)})
    for n, label, estimate, naive, clock in (points[i - 1] for i in marks):
        truth = end - clock
        print(f"{n:>9}  {label:<26} {estimate:>12.1f} {truth:>10.1f} {estimate / truth:>6.2f}   "
              f"{naive:>22.1f} {naive / truth:>6.2f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
