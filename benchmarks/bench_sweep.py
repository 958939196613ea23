"""Sweep wall time: 8 small runs serially against the same 8 runs on local worker processes.

The sweep: backprop on MNIST-1D (40-128-128-10, tanh, Adam 1e-3, batch 32), 2 learning rates x
4 seeds, each run about 1-2 s on one core. Each repeat computes the whole sweep once serially and
once with ``--workers N``, in an order rotated per repeat (with ``--dask``, then on ``--dask
local:N``, after the others), each into a fresh results folder, timing ``run_experiment`` end to end: pool or cluster
start-up, every run, every write. The ratio is workers / serial wall time, per repeat; the summary
gives the median and the ratio of the best times. Every executor's metrics are checked equal to
the serial ones (bit for bit, wall_time aside) before anything is printed.

Target: 2 workers <= 0.6x serial on the 2-core machine.

    python benchmarks/bench_sweep.py                  # 8 runs, 2 workers, 3 repeats
    python benchmarks/bench_sweep.py --dask           # also --dask local:2
    python benchmarks/bench_sweep.py --quick          # smoke run: 2-epoch runs, 1 repeat
"""

from __future__ import annotations

import argparse
import os
import shutil
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))  # for _timing, run as a script
from _timing import machine_header  # noqa: E402

CONFIG = """
[experiment]
name = "bench_sweep"
seeds = [0, 1, 2, 3]
epochs = {epochs}
batch_size = 32

[data]
name = "mnist1d"

[model]
hidden = [128, 128]
activation = "tanh"

[optimizer]
name = "adam"
lr = 0.001

[diagnostics]
every = 0

[[rules]]
name = "backprop"

[sweep]
"optimizer.lr" = [0.001, 0.0003]
"""


def metrics(root: Path):
    from experiments import load_results

    m = load_results(root).metrics
    return m[m["metric"] != "wall_time"].sort_values(["run_id", "epoch", "metric"]).reset_index(drop=True)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--epochs", type=int, default=60, help="epochs per run (default 60: ~1.5 s a run)")
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--dask", action="store_true", help="also time --dask local:N")
    parser.add_argument("--quick", action="store_true", help="2-epoch runs, one repeat (a smoke run)")
    args = parser.parse_args()
    if args.quick:
        args.epochs, args.repeats = 2, 1

    import pandas as pd

    from experiments import load_config, run_experiment

    tmp = Path(tempfile.mkdtemp(prefix="bench_sweep_"))
    try:
        path = tmp / "sweep.toml"
        path.write_text(CONFIG.format(epochs=args.epochs))
        config = load_config(path)
        modes = {"serial": {}, f"workers={args.workers}": {"workers": args.workers}}
        for line in machine_header(1, "the sweep's executors (one BLAS thread per run)"):
            print(line)
        print(f"sweep: {len(config.specs)} runs of backprop on MNIST-1D 40-128-128-10, {args.epochs} epochs each; "
              f"{args.repeats} repeats, order rotated per repeat\n")
        times: dict[str, list[float]] = {m: [] for m in modes}  # seconds per repeat
        run_times: list[float] = []
        names = list(modes)
        outs: list[Path] = []
        for r in range(args.repeats):
            k = r % len(names)
            for name in names[k:] + names[:k]:
                out = tmp / f"{name.replace(' ', '_').replace(':', '')}-{r}"
                t0 = time.perf_counter()
                outcome = run_experiment(config, out, quiet=True, **modes[name])
                times[name].append(time.perf_counter() - t0)
                assert {x["status"] for x in outcome.computed} == {"complete"}, outcome.computed[0]["reason"]
                if name == "serial":
                    run_times += [x["wall_time"] for x in outcome.computed]
                outs.append(out / config.name)
        if args.dask:  # last: a Dask client leaves threads behind, after which workers spawn instead of fork
            name = f"dask local:{args.workers}"
            names.append(name)
            times[name] = []
            for r in range(args.repeats):
                out = tmp / f"dask-{r}"
                t0 = time.perf_counter()
                run_experiment(config, out, quiet=True, dask=f"local:{args.workers}")
                times[name].append(time.perf_counter() - t0)
                outs.append(out / config.name)
        reference = metrics(outs[0])
        for root in outs[1:]:  # the same numbers everywhere, or the timing means nothing
            pd.testing.assert_frame_equal(metrics(root), reference, check_exact=True)
        ref = times["serial"]
        rows = []
        for name in names:
            t = times[name]
            ratios = [a / b for a, b in zip(t, ref)]
            rows.append({"executor": name, "wall time per repeat (s)": " ".join(f"{x:.2f}" for x in t),
                         "median (s)": f"{sorted(t)[len(t) // 2]:.2f}", "best (s)": f"{min(t):.2f}",
                         "ratio per repeat": " ".join(f"{x:.2f}" for x in ratios),
                         "median ratio": f"{sorted(ratios)[len(ratios) // 2]:.2f}",
                         "best/best": f"{min(t) / min(ref):.2f}"})
        print(pd.DataFrame(rows).to_string(index=False))
        print(f"\none run, serial: median {sorted(run_times)[len(run_times) // 2]:.2f} s "
              f"(min {min(run_times):.2f}, max {max(run_times):.2f})")
        load = os.getloadavg()
        print(f"load average at end (1/5/15 min): {load[0]:.2f} {load[1]:.2f} {load[2]:.2f}")
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
