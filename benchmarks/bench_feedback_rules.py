"""Step cost of every variant of the weight-transport rules, as a ratio to backprop's in the same run.

``bench_rule_steps.py`` times every registered rule with its default hyperparameters; this script
adds the variants those defaults hide: feedback drawn from a normal distribution, sign symmetry's
uSF / frSF / brSF (brSF draws fresh magnitudes every batch) with and without ``normalize``, and
Kolen-Pollack (whose step also updates its feedback). Same network (784-256-256-10 tanh float32,
random data), same optimizer for all, timed interleaved (``_timing.interleaved``), best of
``--repeats``; the issue's target is a ratio of at most 1.15.

    python benchmarks/bench_feedback_rules.py                      # batch 128, Adam
    python benchmarks/bench_feedback_rules.py --batch 32 --optimizer sgd   # the stricter ratio
"""

from __future__ import annotations

import argparse
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))  # for _timing, run as a script
from _timing import DEFAULT_THREADS, blas_limit, interleaved, limit_threads_early, machine_header  # noqa: E402

if __name__ == "__main__":
    limit_threads_early()  # before numpy loads its BLAS

import numpy as np  # noqa: E402

from learning_rules import Network, Optimizer, get_rule  # noqa: E402

VARIANTS: dict[str, tuple[str, dict]] = {
    "backprop": ("backprop", {}),
    "feedback_alignment": ("feedback_alignment", {}),
    "feedback_alignment normal": ("feedback_alignment", {"distribution": "normal"}),
    "direct_feedback_alignment": ("direct_feedback_alignment", {}),
    "sign_symmetry uSF": ("sign_symmetry", {"variant": "uSF"}),
    "sign_symmetry uSF normalize": ("sign_symmetry", {"variant": "uSF", "normalize": True}),
    "sign_symmetry frSF": ("sign_symmetry", {"variant": "frSF"}),
    "sign_symmetry brSF": ("sign_symmetry", {"variant": "brSF"}),
    "kolen_pollack": ("kolen_pollack", {}),
}


def main(argv: list[str] | None = None) -> list[dict]:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--batch", type=int, default=128)
    ap.add_argument("--sizes", type=int, nargs="+", default=[784, 256, 256, 10])
    ap.add_argument("--optimizer", choices=["adam", "sgd"], default="adam")
    ap.add_argument("--repeats", type=int, default=7)
    ap.add_argument("--min-time", type=float, default=0.3)
    ap.add_argument("--threads", type=int, default=DEFAULT_THREADS)
    ap.add_argument("--quick", action="store_true", help="smoke run: 2 repeats of 0.05 s")
    args = ap.parse_args(argv)
    if args.quick:
        args.repeats, args.min_time = 2, 0.05
    opt = Optimizer(args.optimizer, lr=1e-3 if args.optimizer == "adam" else 1e-2)
    B = args.batch
    with blas_limit(args.threads) as how:
        print("\n".join(machine_header(args.threads, how)))
        print(f"network {'-'.join(map(str, args.sizes))} tanh float32, batch {B}, optimizer {args.optimizer}, "
              f"random data; best of {args.repeats} interleaved repeats of >= {args.min_time} s")
        rng = np.random.default_rng(0)
        batches = [(rng.standard_normal((B, args.sizes[0]), dtype=np.float32),
                    rng.integers(0, args.sizes[-1], size=B)) for _ in range(4)]
        steps = {}
        for label, (name, params) in VARIANTS.items():
            net = Network(list(args.sizes), np.random.default_rng(0))
            rule = get_rule(name)(optimizer=opt, **params)
            rule.init(net, np.random.default_rng(1))

            def run(rule=rule, net=net, state={"i": 0}):  # noqa: B006 (one counter per closure)
                x, y = batches[state["i"] % len(batches)]
                state["i"] += 1
                return rule.step(net, x, y)

            steps[label] = run
        t = interleaved(steps, repeats=args.repeats, min_time=args.min_time)
    base, base_med = t["backprop"].best, t["backprop"].median
    rows = [{"rule": n, "ms": t[n].best * 1e3, "ratio": t[n].best / base, "ratio_median": t[n].median / base_med}
            for n in steps]
    print(f"\n{'rule':<30} {'step ms':>8} {'x backprop':>10} {'(median)':>9}")
    print("-" * 60)
    for r in rows:
        print(f"{r['rule']:<30} {r['ms']:>8.2f} {r['ratio']:>10.2f} {r['ratio_median']:>9.2f}")
    return rows


if __name__ == "__main__":
    main()
