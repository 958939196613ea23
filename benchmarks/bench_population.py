"""Population scoring throughput: the vectorised forward against a Python loop over individuals.

Scores P candidate parameter vectors of a 784-64-10 tanh network on one batch (outputs and the
per-individual cross-entropy), two ways, in the same run:

- vectorised: ``population_outputs`` (first layer: one (B, 784) x (784, P 64) product; second
  layer: a batched matmul over the population axis);
- loop: load each individual into the network and call ``net.predict`` (the fallback used for
  networks without a vectorised forward).

Throughput is individual-samples per second (P * B / seconds, best of ``--repeats``).

    python benchmarks/bench_population.py                 # P = 64, 128; B = 32, 256
    OPENBLAS_NUM_THREADS=1 python benchmarks/bench_population.py
"""

from __future__ import annotations

import argparse
import time

import numpy as np

from learning_rules.network import Network
from learning_rules.population_forward import (ParamLayout, loop_outputs, population_fitness,
                                               population_outputs)


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
    parser.add_argument("--batches", type=int, nargs="+", default=[32, 256])
    parser.add_argument("--sizes", type=int, nargs="+", default=[784, 64, 10])
    parser.add_argument("--repeats", type=int, default=7)
    args = parser.parse_args()

    rng = np.random.default_rng(0)
    net = Network(args.sizes, rng)
    layout = ParamLayout.of(net.params)
    theta = layout.flatten(net.params)
    print(f"network {'-'.join(map(str, args.sizes))} ({layout.size} parameters), float32, "
          f"best of {args.repeats}")
    print(f"{'P':>5} {'B':>5} {'vectorised ms':>14} {'loop ms':>9} "
          f"{'vectorised ind-samples/s':>25} {'loop ind-samples/s':>19} {'speed-up':>9}")
    for P in args.populations:
        pop = (theta + 0.01 * rng.standard_normal((P, layout.size))).astype(np.float32)
        for B in args.batches:
            x = rng.standard_normal((B, args.sizes[0])).astype(np.float32)
            y = rng.integers(0, args.sizes[-1], size=B)
            np.testing.assert_allclose(population_outputs(net, pop, x), loop_outputs(net, pop, x),
                                       rtol=1e-4, atol=1e-4)
            t_vec = best_time(lambda: population_fitness(population_outputs(net, pop, x), y), args.repeats)
            t_loop = best_time(lambda: population_fitness(loop_outputs(net, pop, x), y), args.repeats)
            print(f"{P:>5} {B:>5} {1e3 * t_vec:>14.2f} {1e3 * t_loop:>9.2f} "
                  f"{P * B / t_vec:>25,.0f} {P * B / t_loop:>19,.0f} {t_loop / t_vec:>8.2f}x")


if __name__ == "__main__":
    main()
