"""Seeds in one pass: 3 seeds of a rule trained stacked (one step on (S, B, ...) arrays) against
the same 3 seeds one after the other, and the single-seed step before and after the layers
learned the seed axis.

Per rule (backprop, feedback alignment, the local random classifiers) on 40-256-256-10 tanh
at batch 32 (the quickstart's network) and on the MNIST-1D paper's CNN at batch 100, float32,
Adam, random data; every candidate gathers
its batches from the data as the training loop does. Timed interleaved (``_timing.interleaved``),
one BLAS thread (threadpoolctl), the ratios paired per repeat:

- ``speedup``: (3 solo steps) / (1 stacked step of 3 seeds); the target is >= 2.0;
- ``single``: a single seed's step with today's dense and conv layers / with their code before
  it broadcast over a seed axis (subclasses restoring the old methods): about 1.0 means no slower.

    python benchmarks/bench_seeds.py
    python benchmarks/bench_seeds.py --quick
"""

from __future__ import annotations

import argparse
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))  # for _timing, run as a script
sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))  # the checkout's packages
from _timing import DEFAULT_THREADS, blas_limit, interleaved, limit_threads_early, machine_header, paired_ratio  # noqa: E402

if __name__ == "__main__":
    limit_threads_early()  # before numpy loads its BLAS

import numpy as np  # noqa: E402

from experiments.runs.stacked import stack_runs, stacked_step  # noqa: E402
from learning_rules import Optimizer, get_rule  # noqa: E402
from learning_rules.layers.conv import Conv1d  # noqa: E402
from learning_rules.layers.dense import Dense  # noqa: E402
from learning_rules.networks import make_network  # noqa: E402

RULES = ("backprop", "feedback_alignment", "local_random_classifier")


class _DenseBefore(Dense):
    """The dense layer's hot methods as they were before the seed axis (2-D only)."""

    def forward(self, x, train=False, rng=None):
        a = x @ self.params["W"]
        a += self.params["b"]
        return a, x

    def backward_input(self, cache, delta, weight=None):
        return delta @ (self.params["W"] if weight is None else weight).T

    def backward_params(self, cache, delta):
        return {"W": cache.T @ delta, "b": delta.sum(axis=0)}


class _ConvBefore(Conv1d):
    """The 1-d convolution's hot methods as they were before the seed axis."""

    def forward(self, x, train=False, rng=None):
        W = self.params["W"]
        cols = self._columns(x)
        a = cols @ W.reshape(W.shape[0], -1).T
        a += self.params["b"]
        return a.reshape(x.shape[0], *self.output_shape), cols

    def backward_input(self, cache, delta, weight=None):
        F = self.params["W"] if weight is None else weight
        B = delta.shape[0]
        d = delta.reshape(-1, F.shape[0])
        Fk = F.transpose(self._offsets_last).reshape(F.shape[0], -1)
        dcols = (d @ Fk).reshape(B, *self.output_shape[:-1], *self.kernel, -1)
        dx = np.zeros((B, *self._padded_size, self.input_shape[-1]), dtype=delta.dtype)
        for where, offset in self._col2im:
            dx[where] += dcols[offset]
        return dx[self._interior] if any(self.padding) else dx

    def backward_params(self, cache, delta):
        W = self.params["W"]
        d = delta.reshape(-1, W.shape[0])
        return {"W": (d.T @ cache).reshape(W.shape), "b": d.sum(axis=0)}


#: the MNIST-1D paper's CNN (docs/convolution.md), on inputs of shape (1, 40)
CNN = [{"type": "conv1d", "channels": 25, "kernel": 5, "stride": 2, "padding": 1, "activation": "relu"},
       {"type": "conv1d", "channels": 25, "kernel": 3, "stride": 2, "padding": 1, "activation": "relu"},
       {"type": "conv1d", "channels": 25, "kernel": 3, "stride": 2, "padding": 1, "activation": "relu"}]
BEFORE = {Dense: _DenseBefore, Conv1d: _ConvBefore}


def _runs(rule_name: str, sizes: list[int], seeds: int, optimizer: Optimizer, cnn: bool = False):
    nets, rules = [], []
    for s in range(seeds):
        rng = np.random.default_rng(s)
        net = (make_network("rate", [sizes[0], sizes[-1]], rng, layers=CNN, input_shape=(1, sizes[0])) if cnn
               else make_network("rate", sizes, rng))
        rule = get_rule(rule_name)(optimizer=optimizer)
        rule.init(net, np.random.default_rng(100 + s))
        nets.append(net)
        rules.append(rule)
    return nets, rules


def main(argv: list[str] | None = None) -> list[dict]:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--batch", type=int, default=32, help="the MLP's batch (the CNN's: --cnn-batch)")
    ap.add_argument("--cnn-batch", type=int, default=100)
    ap.add_argument("--network", choices=["mlp", "cnn", "both"], default="both")
    ap.add_argument("--seeds", type=int, default=3)
    ap.add_argument("--sizes", type=int, nargs="+", default=[40, 256, 256, 10])
    ap.add_argument("--repeats", type=int, default=7)
    ap.add_argument("--min-time", type=float, default=0.3)
    ap.add_argument("--threads", type=int, default=DEFAULT_THREADS)
    ap.add_argument("--quick", action="store_true", help="smoke run: 2 repeats of 0.05 s")
    args = ap.parse_args(argv)
    if args.quick:
        args.repeats, args.min_time = 2, 0.05
    S, D, K = args.seeds, args.sizes[0], args.sizes[-1]
    rng = np.random.default_rng(0)
    x = rng.normal(size=(4096, D)).astype(np.float32)
    y = rng.integers(0, K, 4096)
    opt = Optimizer("adam", lr=1e-3)
    rows = []
    networks = {"mlp": (False, args.batch), "cnn": (True, args.cnn_batch)}
    chosen = list(networks) if args.network == "both" else [args.network]
    with blas_limit(args.threads) as how:
        print("\n".join(machine_header(args.threads, how)))
        print(f"MLP {'-'.join(map(str, args.sizes))} tanh at batch {args.batch}; the MNIST-1D CNN (3 conv1d of 25 "
              f"channels, relu) at batch {args.cnn_batch}; float32, Adam, {S} seeds; best of {args.repeats} "
              f"interleaved repeats of >= {args.min_time} s; ratios paired per repeat")
        print(f"{'network':8s} {'rule':26s} {'solo x%d ms' % S:>12s} {'stacked ms':>11s} {'speedup':>8s} "
              f"{'1 seed ms':>10s} {'single':>7s}")
        for network in chosen:
            cnn, B = networks[network]
            picks = [[rng.choice(4096, B, replace=False) for _ in range(S)] for _ in range(16)]
            for name in RULES:
                row = _measure(name, network, cnn, B, picks, x, y, args, opt)
                rows.append(row)
                print(f"{network:8s} {name:26s} {row['solo_ms']:12.3f} {row['stacked_ms']:11.3f} "
                      f"{row['speedup']:7.2f}x {row['single_ms']:10.3f} {row['single_ratio']:6.3f}")
    return rows


def _measure(name, network, cnn, B, picks, x, y, args, opt) -> dict:
    """Time the four candidates of one rule on one network (see the module docstring)."""
    S = args.seeds
    solo_nets, solo_rules = _runs(name, args.sizes, S, opt, cnn)
    stack_nets, stack_rules = _runs(name, args.sizes, S, opt, cnn)
    net, rule = stack_runs(stack_nets, stack_rules)
    members = list(zip(stack_nets, stack_rules))
    before_net, before_rule = _runs(name, args.sizes, 1, opt, cnn)
    for layer in before_net[0].layers:
        if type(layer) in BEFORE:
            layer.__class__ = BEFORE[type(layer)]
    after_net, after_rule = _runs(name, args.sizes, 1, opt, cnn)
    state = {"i": 0}

    def batch():
        state["i"] += 1
        return picks[state["i"] % len(picks)]

    def solo():
        for s, idx in enumerate(batch()):
            solo_rules[s].step(solo_nets[s], x[idx], y[idx])

    def stacked():
        idx = batch()
        stacked_step(net, rule, np.stack([x[i] for i in idx]), np.stack([y[i] for i in idx]), members)

    def single(nets, rules):
        def run():
            idx = batch()[0]
            rules[0].step(nets[0], x[idx], y[idx])
        return run

    t = interleaved({"solo": solo, "stacked": stacked, "before": single(before_net, before_rule),
                     "after": single(after_net, after_rule)}, repeats=args.repeats, min_time=args.min_time)
    return {"network": network, "rule": name, "batch": B, "solo_ms": 1e3 * t["solo"].best,
            "stacked_ms": 1e3 * t["stacked"].best, "speedup": paired_ratio(t["solo"], t["stacked"]),
            "single_ms": 1e3 * t["after"].best, "single_ratio": paired_ratio(t["after"], t["before"])}


if __name__ == "__main__":
    main()
