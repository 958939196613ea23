"""Spiking network speed and memory: surrogate BPTT, the online local rule, the rate network,
and snnTorch where it is installed.

The benchmark network: 784-256-10 LIF (direct-current input, leaky readout), batch 128,
T = 25 steps, random inputs and labels. Measured in the same run (best of ``--repeats``):

- ``forward``: the spiking forward pass (``net.forward``, time-resolved records kept);
- ``bptt f+b``: forward + surrogate BPTT gradients (``SpikingSurrogate.compute_gradients``);
- ``bptt step`` / ``local step``: one full learning step (gradients + Adam update);
- ``rate backprop step``: the rate network 784-256-10 tanh under backprop, the baseline of the ratios;
- ``snntorch f+b``: snnTorch ``Leaky`` neurons (fast-sigmoid surrogate) on the CPU, forward +
  backward of the same sizes, only if ``torch`` and ``snntorch`` import (otherwise skipped).

A second table gives each rule's FLOPs per step and its peak traced memory (``tracemalloc``,
numpy's allocations) against T: BPTT's grows with T, the local rule's does not.

    python benchmarks/bench_spiking.py
    python benchmarks/bench_spiking.py --steps 25 --batch 128 --repeats 5 --memory-steps 10 25 50 100
"""

from __future__ import annotations

import argparse
import time
import tracemalloc

import numpy as np

from learning_rules import Network
from learning_rules.optimizers import Optimizer
from learning_rules.rules.backprop import Backprop
from learning_rules.rules.spiking_local import SpikingLocal
from learning_rules.rules.spiking_surrogate import SpikingSurrogate
from learning_rules.spiking.network import SpikingNetwork


def best_time(fn, repeats: int) -> float:
    fn()  # warm-up: allocations, BLAS threads
    times = []
    for _ in range(repeats):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return min(times)


def peak_bytes(fn) -> int:
    fn()
    tracemalloc.start()
    fn()
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    return peak


def snntorch_time(sizes, batch, steps, x, y, repeats):
    """Forward + backward of an snnTorch Leaky network on the CPU, or None if unavailable."""
    try:
        import snntorch as snn  # noqa: F401  (optional: only for this comparison)
        import torch
        from snntorch import surrogate
    except ImportError:
        return None
    torch.manual_seed(0)
    fc1, fc2 = torch.nn.Linear(sizes[0], sizes[1]), torch.nn.Linear(sizes[1], sizes[2])
    lif = snn.Leaky(beta=float(np.exp(-0.1)), spike_grad=surrogate.fast_sigmoid(slope=10))
    xt, yt = torch.from_numpy(x), torch.from_numpy(y)

    def step():
        mem = lif.init_leaky()
        c = fc1(xt)
        out = 0
        for _ in range(steps):
            spk, mem = lif(c, mem)
            out = out + fc2(spk)
        loss = torch.nn.functional.cross_entropy(out / steps, yt)
        fc1.zero_grad(), fc2.zero_grad()
        loss.backward()

    return best_time(step, repeats)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[784, 256, 10])
    parser.add_argument("--batch", type=int, default=128)
    parser.add_argument("--steps", type=int, default=25)
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--memory-steps", type=int, nargs="+", default=[10, 25, 50, 100])
    args = parser.parse_args()
    rng = np.random.default_rng(0)
    x = rng.normal(size=(args.batch, args.sizes[0])).astype(np.float32)
    y = rng.integers(0, args.sizes[-1], size=args.batch)

    def spiking_pair(steps):
        net = SpikingNetwork(args.sizes, np.random.default_rng(1), steps=steps)
        bptt, local = SpikingSurrogate(Optimizer()), SpikingLocal(Optimizer())
        bptt.init(net, np.random.default_rng(2))
        local.init(net, np.random.default_rng(2))
        return net, bptt, local

    net, bptt, local = spiking_pair(args.steps)
    rate = Network(args.sizes, np.random.default_rng(1))
    bp = Backprop(Optimizer())
    bp.init(rate, np.random.default_rng(2))
    base = best_time(lambda: bp.step(rate, x, y), args.repeats)
    rows = [
        ("rate backprop step", base),
        ("forward", best_time(lambda: net.forward(x), args.repeats)),
        ("bptt f+b", best_time(lambda: bptt.compute_gradients(net, x, y), args.repeats)),
        ("bptt step", best_time(lambda: bptt.step(net, x, y), args.repeats)),
        ("local step", best_time(lambda: local.step(net, x, y), args.repeats)),
    ]
    snn_t = snntorch_time(args.sizes, args.batch, args.steps, x, y, args.repeats)
    rows.append(("snntorch f+b", snn_t))
    print(f"# {'-'.join(map(str, args.sizes))} LIF, batch {args.batch}, T = {args.steps}, direct current, "
          f"best of {args.repeats}")
    print(f"{'what':<20} {'ms':>9} {'x rate step':>12} {'x bptt f+b':>11}")
    bptt_fb = rows[2][1]
    for name, t in rows:
        if t is None:
            print(f"{name:<20} {'skipped (snntorch/torch not installed)':>34}")
            continue
        print(f"{name:<20} {1e3 * t:>9.2f} {t / base:>12.2f} {t / bptt_fb:>11.2f}")

    info = local.step(net, x, y)
    print(f"\nper sample: {bptt.step_flops(net, 1, None) / 1e6:.2f} MFLOP (bptt step), "
          f"{local.step_flops(net, 1) / 1e6:.2f} MFLOP (local step), "
          f"{net.flops(1) / 1e6:.2f} MFLOP (spiking forward), {rate.flops(1) / 1e6:.2f} MFLOP (rate forward), "
          f"{info['synaptic_events']:.0f} synaptic events, {info['spikes_per_neuron/0']:.2f} spikes per hidden neuron")

    print(f"\n{'T':>4} {'bptt MFLOP':>11} {'local MFLOP':>12} {'local/bptt':>11} {'bptt MiB':>9} {'local MiB':>10} "
          f"{'bptt ms':>8} {'local ms':>9}")
    for steps in args.memory_steps:
        net, bptt, local = spiking_pair(steps)
        fb, fl = bptt.step_flops(net, args.batch, None), local.step_flops(net, args.batch)
        mb = peak_bytes(lambda: bptt.step(net, x, y)) / 2**20
        ml = peak_bytes(lambda: local.step(net, x, y)) / 2**20
        tb = best_time(lambda: bptt.step(net, x, y), max(1, args.repeats // 2))
        tl = best_time(lambda: local.step(net, x, y), max(1, args.repeats // 2))
        print(f"{steps:>4} {fb / 1e6:>11.1f} {fl / 1e6:>12.1f} {fl / fb:>11.2f} {mb:>9.1f} {ml:>10.1f} "
              f"{1e3 * tb:>8.1f} {1e3 * tl:>9.1f}")


if __name__ == "__main__":
    main()
