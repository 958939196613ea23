"""Backprop training throughput: the framework against a hand-written NumPy loop (and PyTorch).

The network: 784-256-256-10, tanh hidden layers, softmax cross-entropy,
plain SGD (lr 0.01), float32, random data (standard-normal inputs, uniform labels), one training
step per batch. Candidates, measured in the same run, interleaved (``_timing.interleaved``):

- ``framework``: ``learning_rules.Network`` + ``Backprop(optimizer=Optimizer("sgd"))``,
  ``rule.step(net, x, y)`` per batch (forward with trace, loss, deltas, gradients, optimizer,
  FLOP count: everything a training run pays per step);
- ``loop``: the same network written as a minimal NumPy training loop, the practical limit of
  NumPy on this machine;
- ``torch``: ``torch.nn`` + ``torch.optim.SGD`` on the CPU, only when ``import torch`` works
  (it is never a dependency: install it into a separate virtual environment, see
  docs/benchmarks.md).

All three start from the same weights and train on the same batches. Before timing, the script
checks that the framework and the loop (and torch) give the same parameters after a few steps and that every
array of the framework's step stays float32. Acceptance: framework >= 0.9x the loop at batch 128
and >= 0.95x at batch 1024.

    python benchmarks/bench_backprop_throughput.py            # batches 32 128 1024, 1 thread
    python benchmarks/bench_backprop_throughput.py --quick    # smoke run, a few seconds
    python benchmarks/bench_backprop_throughput.py --threads 2 --repeats 9
"""

from __future__ import annotations

import argparse
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))  # for _timing, run as a script
from _timing import (DEFAULT_THREADS, blas_limit, cycler, interleaved, limit_threads_early,  # noqa: E402
                     faults_per_call, machine_header, malloc_top_pad, paired_ratio)

if __name__ == "__main__":
    limit_threads_early()  # before numpy loads its BLAS

import numpy as np  # noqa: E402

from learning_rules import Network, Optimizer  # noqa: E402
from learning_rules.params import aligned_leaves, leaves  # noqa: E402
from learning_rules.rules.backprop import Backprop  # noqa: E402

SIZES = [784, 256, 256, 10]
LR = 0.01
ACCEPT = {128: 0.9, 1024: 0.95}  # batch -> least framework/loop throughput ratio


class NumpyLoop:
    """The hand-written training loop: an MLP with tanh hidden layers, softmax cross-entropy, SGD."""

    def __init__(self, weights: list[np.ndarray], lr: float) -> None:
        self.params = [w.copy() for w in weights]  # [W0, b0, W1, b1, ...]
        self.lr = lr

    def step(self, x: np.ndarray, y: np.ndarray) -> float:
        p = self.params
        n = len(p) // 2
        hs = [x]                                           # inputs of every layer
        for l in range(n - 1):
            hs.append(np.tanh(hs[-1] @ p[2 * l] + p[2 * l + 1]))
        z = hs[-1] @ p[-2] + p[-1]                         # (B, K) logits
        z -= z.max(axis=1, keepdims=True)
        ez = np.exp(z)
        s = ez.sum(axis=1, keepdims=True)
        rows = np.arange(x.shape[0])
        loss = float(np.mean(np.log(s[:, 0]) - z[rows, y]))
        d = ez / s
        d[rows, y] -= 1
        d /= x.shape[0]                                    # dL/dz of the batch mean
        for l in range(n - 1, -1, -1):
            gW, gb = hs[l].T @ d, d.sum(axis=0)
            if l:
                d = (d @ p[2 * l].T) * (1 - hs[l] * hs[l])  # tanh' from the output
            p[2 * l] -= self.lr * gW
            p[2 * l + 1] -= self.lr * gb
        return loss


def torch_candidate(weights: list[np.ndarray], lr: float, threads: int):
    """(make_step(x, y) -> loss) for the same network in PyTorch, or None without torch."""
    try:
        import torch
    except ImportError:
        return None
    torch.set_num_threads(threads)
    layers = []
    n = len(weights) // 2
    for l in range(n):
        W, b = weights[2 * l], weights[2 * l + 1]
        lin = torch.nn.Linear(W.shape[0], W.shape[1])
        with torch.no_grad():
            lin.weight.copy_(torch.from_numpy(W.T.copy()))
            lin.bias.copy_(torch.from_numpy(b.copy()))
        layers += [lin, torch.nn.Tanh()] if l < n - 1 else [lin]
    model = torch.nn.Sequential(*layers)
    opt = torch.optim.SGD(model.parameters(), lr=lr)
    crit = torch.nn.CrossEntropyLoss()

    def step(x, y) -> float:
        opt.zero_grad(set_to_none=True)
        loss = crit(model(x), y)
        loss.backward()
        opt.step()
        return loss.item()

    def params() -> list[np.ndarray]:
        """[W0, b0, W1, b1, ...] in the framework's layout (W as (in, out))."""
        return [p.detach().numpy().T.copy() for p in model.parameters()]

    return step, torch.from_numpy, torch.__version__, params


def check_torch_agreement(weights, batches, threads: int, steps: int = 3) -> float | None:
    """Largest relative parameter difference between torch and the loop after ``steps`` steps."""
    made = torch_candidate(weights, LR, threads)
    if made is None:
        return None
    loop = NumpyLoop(weights, LR)
    for (x, y), _ in zip(batches, range(steps)):
        made[0](made[1](x), made[1](y))
        loop.step(x, y)
    return max(float(np.abs(a - b).max() / (np.abs(b).max() + 1e-30)) for a, b in zip(made[3](), loop.params))


def check_agreement(weights, batches, steps: int = 3) -> float:
    """Largest relative parameter difference between framework and loop after ``steps`` steps."""
    net, rule = make_framework(weights)
    loop = NumpyLoop(weights, LR)
    for (x, y), _ in zip(batches, range(steps)):
        rule.step(net, x, y)
        loop.step(x, y)
    return max(float(np.abs(a - b).max() / (np.abs(b).max() + 1e-30))
               for a, b in zip(leaves(net.params), loop.params))


def check_float32(weights, x, y) -> list[str]:
    """Names of arrays in the framework's step that are not float32 (an empty list is good)."""
    net, rule = make_framework(weights)
    _, grads, trace, sweep = rule.compute_gradients(net, x, y)
    params = leaves(net.params)
    flat = aligned_leaves(net.params, grads)
    arrays = {f"param {i}": p for i, p in enumerate(params)}
    arrays.update({f"grad {i}": g for i, g in enumerate(flat) if g is not None})
    arrays.update({f"delta {i}": d for i, d in enumerate(sweep.deltas) if d is not None})
    for l, out in enumerate(trace.outputs):
        arrays[f"layer {l} output"] = out
    updates, _ = rule.optimizer.update(flat, rule.optimizer.init(params), params)
    arrays.update({f"update {i}": u for i, u in enumerate(updates) if u is not None})
    return [f"{k}: {a.dtype}" for k, a in arrays.items() if a.dtype != np.float32]


def make_framework(weights):
    sizes = [weights[0].shape[0]] + [w.shape[1] for w in weights[::2]]
    net = Network(sizes, np.random.default_rng(0), activation="tanh", dtype="float32")
    for p, w in zip(leaves(net.params), weights):
        p[...] = w
    rule = Backprop(optimizer=Optimizer("sgd", lr=LR))
    rule.init(net, np.random.default_rng(1))
    return net, rule


def main(argv: list[str] | None = None) -> list[dict]:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--batches", type=int, nargs="+", default=[32, 128, 1024])
    ap.add_argument("--sizes", type=int, nargs="+", default=SIZES, help="layer sizes (default 784 256 256 10)")
    ap.add_argument("--repeats", type=int, default=7, help="timed repeats per candidate (best is reported)")
    ap.add_argument("--min-time", type=float, default=0.3, help="seconds per timed repeat")
    ap.add_argument("--malloc-pad", type=int, default=0, metavar="MIB",
                    help="glibc M_TOP_PAD in MiB for all candidates (default 0: malloc untouched)")
    ap.add_argument("--threads", type=int, default=DEFAULT_THREADS, help="BLAS/torch threads for all")
    ap.add_argument("--no-torch", action="store_true", help="skip PyTorch even if installed")
    ap.add_argument("--quick", action="store_true", help="smoke run: batches 32 128, 2 repeats, 0.05 s")
    args = ap.parse_args(argv)
    if args.quick:
        args.batches, args.repeats, args.min_time = [b for b in args.batches if b <= 128] or [32], 2, 0.05
    sizes = list(args.sizes)

    rows = []
    with blas_limit(args.threads) as how:
        print("\n".join(machine_header(args.threads, how)))
        print(malloc_top_pad(args.malloc_pad))
        print(f"network {'-'.join(map(str, sizes))} tanh, softmax cross-entropy, SGD lr {LR}, float32, "
              f"random data; best of {args.repeats} interleaved repeats of >= {args.min_time} s")
        rng = np.random.default_rng(0)
        weights = [p.copy() for p in leaves(Network(sizes, rng).params)]
        torch_made = None if args.no_torch else torch_candidate(weights, LR, args.threads)
        print(f"torch: {torch_made[2] if torch_made else 'not measured (not importable or --no-torch)'}")
        for B in args.batches:
            batches = [(rng.standard_normal((B, sizes[0]), dtype=np.float32),
                        rng.integers(0, sizes[-1], size=B)) for _ in range(4)]
            if B == args.batches[0]:
                bad = check_float32(weights, *batches[0])
                print("float32 check of the framework's step: " + ("every array float32" if not bad else
                                                                   "NOT float32: " + ", ".join(bad)))
            diff = check_agreement(weights, batches)
            print(f"batch {B}: framework and loop parameters after 3 steps differ by {diff:.1e} (relative)")
            if torch_made:
                tdiff = check_torch_agreement(weights, batches, args.threads)
                print(f"batch {B}: torch and loop parameters after 3 steps differ by {tdiff:.1e} (relative)")
            net, rule = make_framework(weights)
            loop = NumpyLoop(weights, LR)
            cands = {"framework": cycler(batches, lambda x, y: rule.step(net, x, y)),
                     "loop": cycler(batches, loop.step)}
            if torch_made:
                tstep = torch_candidate(weights, LR, args.threads)[0]
                tb = [(torch_made[1](x), torch_made[1](y)) for x, y in batches]
                cands["torch"] = cycler(tb, tstep)
            t = interleaved(cands, repeats=args.repeats, min_time=args.min_time)
            row = {"batch": B, **{f"{k}_faults": faults_per_call(fn) for k, fn in cands.items()}, **{f"{k}_sps": B / v.best for k, v in t.items()},
                   **{f"{k}_paired": paired_ratio(t[k], t["framework"]) for k in t}}  # fw throughput / k's
            rows.append(row)

    print()
    head = f"{'batch':>6} {'framework/s':>12} {'loop/s':>10} {'fw/loop':>8} {'torch/s':>10} {'fw/torch':>9} {'loop/torch':>10}"
    print(head)
    print("-" * len(head))
    for r in rows:
        ts = r.get("torch_sps")
        tcol = f"{ts:>10.0f} {r['framework_sps'] / ts:>9.2f} {r['loop_sps'] / ts:>10.2f}" if ts else \
            f"{'-':>10} {'-':>9} {'-':>10}"
        print(f"{r['batch']:>6} {r['framework_sps']:>12.0f} {r['loop_sps']:>10.0f} "
              f"{r['framework_sps'] / r['loop_sps']:>8.2f} {tcol}")
    print("(samples per second of the best repeat.) Paired ratios, median over repeats of the ratio within "
          "a repeat: " + "; ".join(f"batch {r['batch']} fw/loop {r['loop_paired']:.2f}"
                                   + (f", fw/torch {r['torch_paired']:.2f}" if "torch_paired" in r else "")
                                   for r in rows))
    print("minor page faults per step (untimed count): " + "; ".join(
        f"batch {r['batch']} " + ", ".join(f"{k[:-7]} {v:.0f}" for k, v in r.items() if k.endswith("_faults"))
        for r in rows))
    checked = [r for r in rows if r["batch"] in ACCEPT]
    if checked:
        best = all(r["framework_sps"] / r["loop_sps"] >= ACCEPT[r["batch"]] for r in checked)
        paired = all(r["loop_paired"] >= ACCEPT[r["batch"]] for r in checked)
        wanted = ", ".join(f"{ACCEPT[r['batch']]}x at batch {r['batch']}" for r in checked)
        print(f"acceptance (framework >= {wanted} of the loop): "
              f"{'PASS' if paired else 'FAIL'} by the paired ratios, {'PASS' if best else 'FAIL'} by the best repeats")
    return rows


if __name__ == "__main__":
    main()
