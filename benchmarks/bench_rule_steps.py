"""Cost of one training step of every registered rule, as a ratio to backprop's in the same run.

Walks ``learning_rules.available_rules()`` (so rules added later appear by themselves) and times
``rule.step(net, x, y)`` on the benchmark network 784-256-256-10 (tanh, float32, random data,
batch 128 unless ``--batch``), every rule with the same optimizer (Adam by default, as in the
experiments; ``--optimizer sgd`` leaves less shared cost and so gives the stricter ratio).
Candidates are timed interleaved, best of ``--repeats`` (``_timing.interleaved``).

Timed: rules that run on the rate ``Network`` (credit-assignment rules, and other single-network
rules on a subclass of it, such as forward-forward's label-embedding network; those are marked).
Skipped, with the reason printed: population rules (one step is a generation of P forward
passes: see ``bench_population.py``), rules whose ``example_network`` is not a rate Network
(spiking: see ``bench_spiking.py``), and rules that cannot be built or stepped with defaults.

Columns: step time, its ratio to backprop's (of the best repeats; and paired: the median over
repeats of the ratio within a repeat, steadier on a busy machine), the FLOPs the step reports in its info dict and their ratio to backprop's FLOPs, and the
minor page faults per step (fresh memory the kernel maps and zeroes: see docs/benchmarks.md).

    python benchmarks/bench_rule_steps.py                  # batch 128, Adam, 1 thread
    python benchmarks/bench_rule_steps.py --batch 32 --optimizer sgd
    python benchmarks/bench_rule_steps.py --quick          # smoke run
"""

from __future__ import annotations

import argparse
import inspect
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))  # for _timing, run as a script
from _timing import (DEFAULT_THREADS, blas_limit, interleaved, limit_threads_early,  # noqa: E402
                     faults_per_call, machine_header, malloc_top_pad, paired_ratio)

if __name__ == "__main__":
    limit_threads_early()  # before numpy loads its BLAS

import numpy as np  # noqa: E402

from learning_rules import CreditAssignmentRule, Network, Optimizer, available_rules, get_rule  # noqa: E402

SIZES = [784, 256, 256, 10]


def _is_population(cls) -> bool:
    try:
        from learning_rules.rules.population import PopulationRule
    except ImportError:  # the population family is optional
        return False
    return issubclass(cls, PopulationRule)


def build(name: str, sizes: list[int], optimizer: Optimizer, seed: int = 0):
    """(rule, net, note) ready to step, or (None, None, reason it is skipped)."""
    try:
        cls = get_rule(name)
    except Exception as exc:  # a broken plugin must not stop the benchmark
        return None, None, f"cannot be loaded: {type(exc).__name__}: {exc}"
    if _is_population(cls):
        return None, None, "population rule (a step is a generation of forward passes; see bench_population.py)"
    net = cls.example_network(list(sizes), np.random.default_rng(seed))
    if not isinstance(net, Network):
        return None, None, f"runs on {type(net).__name__}, not the rate Network (see bench_spiking.py)"
    note = "" if issubclass(cls, CreditAssignmentRule) else "not a CreditAssignmentRule"
    if type(net) is not Network:
        note = "; ".join(filter(None, [note, f"on {type(net).__name__}"]))
    kwargs = {"optimizer": optimizer} if "optimizer" in inspect.signature(cls.__init__).parameters else {}
    try:
        rule = cls(**kwargs)
        rule.init(net, np.random.default_rng(seed + 1))
    except Exception as exc:
        return None, None, f"cannot be built with default hyperparameters: {type(exc).__name__}: {exc}"
    return rule, net, note


def main(argv: list[str] | None = None) -> list[dict]:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--batch", type=int, default=128)
    ap.add_argument("--sizes", type=int, nargs="+", default=SIZES, help="layer sizes (default 784 256 256 10)")
    ap.add_argument("--optimizer", choices=["adam", "sgd"], default="adam")
    ap.add_argument("--rules", nargs="+", default=None, help="only these rules (backprop is always timed)")
    ap.add_argument("--repeats", type=int, default=7, help="timed repeats per rule (best is reported)")
    ap.add_argument("--min-time", type=float, default=0.3, help="seconds per timed repeat")
    ap.add_argument("--malloc-pad", type=int, default=0, metavar="MIB",
                    help="glibc M_TOP_PAD in MiB for all candidates (default 0: malloc untouched)")
    ap.add_argument("--threads", type=int, default=DEFAULT_THREADS, help="BLAS threads")
    ap.add_argument("--quick", action="store_true", help="smoke run: 2 repeats of 0.05 s")
    args = ap.parse_args(argv)
    if args.quick:
        args.repeats, args.min_time = 2, 0.05
    names = available_rules()
    if args.rules:
        names = [n for n in names if n in set(args.rules) | {"backprop"}]
    opt = Optimizer(args.optimizer, lr=1e-3 if args.optimizer == "adam" else 1e-2)
    B = args.batch

    with blas_limit(args.threads) as how:
        print("\n".join(machine_header(args.threads, how)))
        print(malloc_top_pad(args.malloc_pad))
        print(f"network {'-'.join(map(str, args.sizes))} tanh float32, batch {B}, optimizer {args.optimizer} "
              f"(lr {opt.lr}), random data; best of {args.repeats} interleaved repeats of >= {args.min_time} s")
        rng = np.random.default_rng(0)
        batches = [(rng.standard_normal((B, args.sizes[0]), dtype=np.float32),
                    rng.integers(0, args.sizes[-1], size=B)) for _ in range(4)]
        steps, notes, flops, skipped = {}, {}, {}, []
        for name in names:
            rule, net, note = build(name, args.sizes, opt)
            if rule is None:
                skipped.append((name, note))
                continue
            try:
                info = rule.step(net, *batches[0])  # also checks that it runs on this network
            except Exception as exc:
                skipped.append((name, f"step failed: {type(exc).__name__}: {exc}"))
                continue
            flops[name], notes[name] = float(info.get("flops", float("nan"))), note
            state = {"i": 0}

            def run(rule=rule, net=net, state=state):
                x, y = batches[state["i"] % len(batches)]
                state["i"] += 1
                return rule.step(net, x, y)

            steps[name] = run
        if "backprop" not in steps:
            raise SystemExit("backprop could not be timed; no baseline for the ratios")
        t = interleaved(steps, repeats=args.repeats, min_time=args.min_time)
        faults = {n: faults_per_call(fn) for n, fn in steps.items()}

    base, base_flops = t["backprop"].best, flops["backprop"]
    rows = [{"rule": n, "ms": t[n].best * 1e3, "ratio": t[n].best / base, "ratio_paired": paired_ratio(t[n], t["backprop"]),
             "gflops": flops[n] / 1e9, "flops_ratio": flops[n] / base_flops, "faults": faults[n], "note": notes[n]} for n in steps]
    rows.sort(key=lambda r: (r["rule"] != "backprop", r["ratio_paired"]))
    print()
    head = (f"{'rule':<26} {'step ms':>8} {'x backprop':>10} {'(paired)':>9} {'GFLOP/step':>10} "
            f"{'FLOPs x bp':>10} {'faults':>7}  note")
    print(head)
    print("-" * len(head))
    for r in rows:
        print(f"{r['rule']:<26} {r['ms']:>8.2f} {r['ratio']:>10.2f} {r['ratio_paired']:>9.2f} "
              f"{r['gflops']:>10.3f} {r['flops_ratio']:>10.2f} {r['faults']:>7.0f}  {r['note']}")
    for name, why in skipped:
        print(f"skipped {name}: {why}")
    return rows


if __name__ == "__main__":
    main()
