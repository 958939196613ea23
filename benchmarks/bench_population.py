"""Population scoring throughput: the vectorised forward against a Python loop over individuals.

Scores P candidate parameter vectors of a 784-64-10 tanh network on one batch (outputs and the
per-individual cross-entropy), three ways, in the same run:

- vectorised: ``population_outputs`` (one matmul call per layer over the stacked population);
- antithetic: the same, for ES's population of pairs theta +- s_j (``antithetic_outputs``):
  the pairs share the centre's first-layer product, so that layer costs n + 1 products, not 2n;
- loop: load each individual into the network and call ``net.predict`` (the fallback used for
  networks without a vectorised forward).

Throughput is individual-samples per second (P * B / seconds, best of ``--repeats``).

    python benchmarks/bench_population.py                 # P = 64, 128; B = 32, 128, 256
    OPENBLAS_NUM_THREADS=1 python benchmarks/bench_population.py
"""

from __future__ import annotations

import argparse
import time

import numpy as np

from learning_rules import Network
from learning_rules.population_forward import (ParamLayout, antithetic_outputs, loop_outputs,
                                               population_fitness, population_outputs)


def best_time(fn, repeats: int) -> float:
    fn()  # warm-up: allocations, BLAS thread start-up
    times = []
    for _ in range(repeats):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return min(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--populations", type=int, nargs="+", default=[64, 128])
    parser.add_argument("--batches", type=int, nargs="+", default=[32, 128, 256])
    parser.add_argument("--sizes", type=int, nargs="+", default=[784, 64, 10])
    parser.add_argument("--repeats", type=int, default=7)
    args = parser.parse_args()

    rng = np.random.default_rng(0)
    net = Network(args.sizes, rng)
    layout = ParamLayout.of(net.params)
    theta = layout.flatten(net.params)
    print(f"network {'-'.join(map(str, args.sizes))} ({layout.size} parameters), float32, "
          f"best of {args.repeats}")
    print("throughput in individual-samples/s (speed-up against the loop)")
    print(f"{'P':>5} {'B':>5} {'loop':>10} {'vectorised':>19} {'antithetic (ES)':>19}")
    for P in args.populations:
        step = (0.01 * rng.standard_normal((P // 2, layout.size))).astype(np.float32)
        pop = np.concatenate([theta + step, theta - step])  # (P, D): ES's pairs
        for B in args.batches:
            x = rng.standard_normal((B, args.sizes[0])).astype(np.float32)
            y = rng.integers(0, args.sizes[-1], size=B)
            reference = loop_outputs(net, pop, x)
            for fn in (lambda: population_outputs(net, pop, x), lambda: antithetic_outputs(net, theta, step, x)):
                np.testing.assert_allclose(fn(), reference, rtol=1e-4, atol=1e-4)
            t_loop = best_time(lambda: population_fitness(loop_outputs(net, pop, x), y), args.repeats)
            t_vec = best_time(lambda: population_fitness(population_outputs(net, pop, x), y), args.repeats)
            t_anti = best_time(lambda: population_fitness(antithetic_outputs(net, theta, step, x), y),
                               args.repeats)
            print(f"{P:>5} {B:>5} {P * B / t_loop:>10,.0f} "
                  f"{P * B / t_vec:>11,.0f} ({t_loop / t_vec:.2f}x) {P * B / t_anti:>11,.0f} ({t_loop / t_anti:.2f}x)")


if __name__ == "__main__":
    main()
