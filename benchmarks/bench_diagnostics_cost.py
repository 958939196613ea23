"""What the diagnostics add to a quickstart run: their cost as a share of the training time.

On the quickstart's network (40-256-256-10 tanh, float32, Adam 1e-3, batch 32) and an MNIST-1D-
sized training set (4000 x 40, random data: the cost does not depend on the values), times,
interleaved (``_timing.interleaved``):

- ``epoch``: one epoch of backprop (125 steps), what every epoch costs anyway;
- ``diagnostics``: one diagnostic evaluation as the runner makes it (``epoch_diagnostics`` on the
  256-sample probe batch, with the representation diagnostics on 1024 training samples and the
  linear probes scored on 512 held-out ones);
- ``representations``: of that, the representation diagnostics alone (effective rank, linear
  probes, unit health);
- ``stored``: keeping every block's output on 500 test samples
  (``[diagnostics] representation_samples = 500``).

The overhead of a 50-epoch run with diagnostics every E epochs is then
(50 // E + 1) x diagnostics / (50 x epoch): diagnostics run at epoch 0, every E epochs and after
the last (the last coincides with a multiple of E here).

    python benchmarks/bench_diagnostics_cost.py              # --every 10, the quickstart's
    python benchmarks/bench_diagnostics_cost.py --quick
"""

from __future__ import annotations

import argparse
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))  # for _timing, run as a script
from _timing import DEFAULT_THREADS, blas_limit, interleaved, limit_threads_early, machine_header, paired_ratio  # noqa: E402

if __name__ == "__main__":
    limit_threads_early()  # before numpy loads its BLAS

import numpy as np  # noqa: E402

from learning_rules import Network, Optimizer  # noqa: E402
from learning_rules.diagnostics import block_outputs, epoch_diagnostics, representation_diagnostics  # noqa: E402
from learning_rules.rules.backprop import Backprop  # noqa: E402

SIZES, N_TRAIN, N_TEST, BATCH, EPOCHS = [40, 256, 256, 10], 4000, 1000, 32, 50


def main(argv: list[str] | None = None) -> dict[str, float]:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--every", type=int, default=10, help="epochs between diagnostics (default 10)")
    ap.add_argument("--repeats", type=int, default=5)
    ap.add_argument("--threads", type=int, default=DEFAULT_THREADS)
    ap.add_argument("--quick", action="store_true", help="smoke run: a 40-32-32-10 network, 1 repeat, short blocks")
    ap.add_argument("--samples", type=int, default=N_TRAIN, help="training samples per epoch (default 4000)")
    args = ap.parse_args(argv)
    rng = np.random.default_rng(0)
    n = args.samples
    x = rng.normal(size=(max(n, N_TEST), SIZES[0])).astype(np.float32)
    y = rng.integers(0, SIZES[-1], size=x.shape[0])
    x_test, y_test = x[:N_TEST] + 0.1, y[:N_TEST]
    sizes = [40, 32, 32, 10] if args.quick else SIZES
    net = Network(sizes, np.random.default_rng(1), activation="tanh")
    rule = Backprop(optimizer=Optimizer("adam", lr=1e-3))
    rule.init(net, np.random.default_rng(2))
    order = np.random.default_rng(3)

    def epoch():
        idx = order.permutation(n)
        for s in range(0, n - BATCH + 1, BATCH):
            rule.step(net, x[idx[s:s + BATCH]], y[idx[s:s + BATCH]])

    probe = (x[:1024], y[:1024], x_test[:512], y_test[:512])
    candidates = {
        "epoch": epoch,
        "diagnostics": lambda: epoch_diagnostics(rule, net, x[:256], y[:256], probe),
        "representations": lambda: representation_diagnostics(net, *probe),
        "stored": lambda: block_outputs(net, x_test[:500]),
    }
    with blas_limit(args.threads) as how:
        print("\n".join(machine_header(args.threads, how)))
        repeats, min_time = (1, 0.01) if args.quick else (args.repeats, 1.0)
        t = interleaved(candidates, repeats=repeats, min_time=min_time)
    evaluations = EPOCHS // args.every + 1
    ratios = {n: paired_ratio(t[n], t["epoch"]) for n in candidates}
    print(f"network {'-'.join(map(str, sizes))} tanh float32, backprop + Adam, batch {BATCH}, "
          f"{n} training samples; best of {repeats} interleaved repeats")
    print(f"{'':<16} {'ms':>9} {'x epoch':>9}")
    for n in candidates:
        print(f"{n:<16} {1e3 * t[n].best:>9.2f} {ratios[n]:>9.4f}")
    overhead = {n: evaluations * ratios[n] / EPOCHS for n in ("diagnostics", "representations", "stored")}
    print(f"\n{EPOCHS} epochs, diagnostics every {args.every} ({evaluations} evaluations): the run takes "
          f"{100 * overhead['diagnostics']:.1f}% longer with every diagnostic "
          f"({100 * overhead['representations']:.1f}% of it the representation diagnostics), "
          f"+{100 * overhead['stored']:.2f}% to store 500 samples' block outputs")
    return overhead


if __name__ == "__main__":
    main()
