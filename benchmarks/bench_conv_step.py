"""Convolutional training step: the framework against a hand-written NumPy im2col step (and PyTorch).

The network is the MNIST-1D paper's CNN (Greydanus 2020): Conv1d(1->25, kernel 5, stride 2,
padding 1), Conv1d(25->25, 3, 2, 1), Conv1d(25->25, 3, 2, 1), relu after each, flatten (125),
dense 125->10; softmax cross-entropy, Adam (lr 1e-2), float32, random data of MNIST-1D's shape
(40 points, 10 classes), one training step per batch. Candidates, measured in the same run,
interleaved (``_timing.interleaved``):

- ``framework``: ``Network(layers=[...])`` + ``Backprop(optimizer=Optimizer("adam"))``,
  ``rule.step(net, x, y)`` (forward with trace, loss, the backward sweep through the layers,
  Adam, the FLOP count: everything a training run pays per step);
- ``numpy``: the same network written by hand as im2col plus one matrix product per layer, its
  col2im as one strided add per kernel offset, and the same Adam: the practical limit of NumPy;
- ``torch``: ``torch.nn`` + ``torch.optim.Adam`` on the CPU, only when ``import torch`` works
  (never a dependency: run the script with the Python of a separate environment that has torch;
  docs/benchmarks.md shows how).

All start from the same weights and see the same batches. Before timing, the script checks that
the three give the same gradients (relative difference, float32). Acceptance: framework >= 1.3x
torch's step rate and >= 0.85x the hand-written step's, at batch 100, one thread.

    python benchmarks/bench_conv_step.py                 # batch 100, 1 thread
    python benchmarks/bench_conv_step.py --quick         # smoke run
    PYTHONPATH=$PWD /tmp/torchenv/bin/python benchmarks/bench_conv_step.py --repeats 9
"""

from __future__ import annotations

import argparse
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))  # for _timing, run as a script
from _timing import (DEFAULT_THREADS, blas_limit, cycler, interleaved, limit_threads_early,  # noqa: E402
                     machine_header, malloc_top_pad, paired_ratio)

if __name__ == "__main__":
    limit_threads_early()  # before numpy loads its BLAS

import numpy as np  # noqa: E402
from numpy.lib.stride_tricks import as_strided  # noqa: E402

from learning_rules import Network, Optimizer  # noqa: E402
from learning_rules.params import aligned_leaves, leaves  # noqa: E402
from learning_rules.rules.backprop import Backprop  # noqa: E402

LR = 1e-2
LENGTH, CLASSES = 40, 10
CONVS = [(25, 5, 2, 1), (25, 3, 2, 1), (25, 3, 2, 1)]  # (channels, kernel, stride, padding)
LAYERS = [{"type": "conv1d", "channels": c, "kernel": k, "stride": s, "padding": p, "activation": "relu"}
          for c, k, s, p in CONVS]
ACCEPT = {"torch": 1.3, "numpy": 0.85}  # least framework / candidate step-rate ratio


def make_framework(seed: int = 0):
    net = Network([LENGTH, CLASSES], np.random.default_rng(seed), layers=LAYERS, input_shape=(1, LENGTH))
    rule = Backprop(optimizer=Optimizer("adam", lr=LR))
    rule.init(net, np.random.default_rng(1))
    return net, rule


class NumpyCNN:
    """The CNN as a hand-written NumPy training step (channels last, im2col, col2im, Adam)."""

    def __init__(self, params: list[np.ndarray]) -> None:
        self.p = [q.copy() for q in params]  # [W1 (C, C_in, k), b1, W2, b2, W3, b3, Wd (125, 10), bd]
        self.m = [np.zeros_like(q) for q in self.p]
        self.v = [np.zeros_like(q) for q in self.p]
        self.t = 0

    def gradients(self, x: np.ndarray, y: np.ndarray) -> tuple[float, list[np.ndarray]]:
        B = x.shape[0]
        h, L = x.reshape(B, LENGTH, 1), LENGTH
        saved = []
        for i, (c, k, s, pad) in enumerate(CONVS):
            W, b = self.p[2 * i], self.p[2 * i + 1]
            C = h.shape[2]
            Lo = (L + 2 * pad - k) // s + 1
            hp = np.zeros((B, L + 2 * pad, C), np.float32)
            hp[:, pad:pad + L] = h
            sB, sL, sC = hp.strides
            cols = as_strided(hp, (B, Lo, k, C), (sB, s * sL, sL, sC)).reshape(B * Lo, k * C)
            Wm = W.transpose(2, 1, 0).reshape(k * C, c)          # (k C_in, C_out)
            a = cols @ Wm
            a += b
            h = np.maximum(a, 0).reshape(B, Lo, c)
            saved.append((cols, Wm, a, L, Lo, C))
            L = Lo
        flat = h.reshape(B, -1)
        z = flat @ self.p[6] + self.p[7]
        z -= z.max(axis=1, keepdims=True)
        ez = np.exp(z)
        sm = ez / ez.sum(axis=1, keepdims=True)
        rows = np.arange(B)
        loss = float(-np.log(sm[rows, y]).mean())
        sm[rows, y] -= 1
        d = sm / B                                               # dL/dz (B, 10)
        grads = [None] * 8
        grads[6], grads[7] = flat.T @ d, d.sum(axis=0)
        dh = (d @ self.p[6].T).reshape(h.shape)
        for i in range(len(CONVS) - 1, -1, -1):
            c, k, s, pad = CONVS[i]
            cols, Wm, a, L, Lo, C = saved[i]
            da = dh.reshape(B * Lo, c) * (a > 0)
            dWm = cols.T @ da                                    # (k C_in, C_out)
            grads[2 * i] = dWm.reshape(k, C, c).transpose(2, 1, 0)
            grads[2 * i + 1] = da.sum(axis=0)
            if i:
                dcols = (da @ Wm.T).reshape(B, Lo, k, C)
                dxp = np.zeros((B, L + 2 * pad, C), np.float32)
                for j in range(k):
                    dxp[:, j:j + s * (Lo - 1) + 1:s] += dcols[:, :, j]
                dh = dxp[:, pad:pad + L]
        return loss, grads

    def step(self, x: np.ndarray, y: np.ndarray) -> float:
        loss, grads = self.gradients(x, y)
        self.t += 1
        c1, c2 = 1 - 0.9 ** self.t, 1 - 0.999 ** self.t
        for p, g, m, v in zip(self.p, grads, self.m, self.v):
            m *= 0.9
            m += 0.1 * g
            v *= 0.999
            v += 0.001 * g * g
            p -= (LR * np.sqrt(c2) / c1) * m / (np.sqrt(v) + 1e-8 * np.sqrt(c2))
        return loss


def torch_candidate(params: list[np.ndarray], threads: int):
    """(step function, converter, version) for the same CNN in torch, or None."""
    try:
        import torch
    except ImportError:
        return None
    torch.set_num_threads(threads)
    convs = [torch.nn.Conv1d(1 if i == 0 else CONVS[i - 1][0], c, k, stride=s, padding=pad)
             for i, (c, k, s, pad) in enumerate(CONVS)]
    lin = torch.nn.Linear(125, CLASSES)
    with torch.no_grad():
        for i, conv in enumerate(convs):
            conv.weight.copy_(torch.from_numpy(params[2 * i]))
            conv.bias.copy_(torch.from_numpy(params[2 * i + 1]))
        # our flatten is (position, channel); torch's is (channel, position)
        Wd = params[6].reshape(5, 25, CLASSES).transpose(1, 0, 2).reshape(125, CLASSES)
        lin.weight.copy_(torch.from_numpy(np.ascontiguousarray(Wd.T)))
        lin.bias.copy_(torch.from_numpy(params[7]))
    model = torch.nn.Sequential(convs[0], torch.nn.ReLU(), convs[1], torch.nn.ReLU(), convs[2], torch.nn.ReLU(),
                                torch.nn.Flatten(), lin)
    opt = torch.optim.Adam(model.parameters(), lr=LR)
    crit = torch.nn.CrossEntropyLoss()

    def step(x, y) -> float:
        opt.zero_grad(set_to_none=True)
        loss = crit(model(x.view(-1, 1, LENGTH)), y)
        loss.backward()
        opt.step()
        return loss.item()

    def first_conv_grad(x, y) -> np.ndarray:
        model.zero_grad(set_to_none=True)
        crit(model(torch.from_numpy(x).view(-1, 1, LENGTH)), torch.from_numpy(y)).backward()
        return convs[0].weight.grad.numpy().copy()

    return step, first_conv_grad, torch.__version__


def agreement(batch) -> dict[str, float]:
    """Relative gradient differences of the framework against the hand-written step (and torch)."""
    x, y = batch
    net, rule = make_framework()
    params = [p.copy() for p in leaves(net.params)]
    _, grads, _, _ = rule.compute_gradients(net, x, y, train=False)
    ours = aligned_leaves(net.params, grads)
    _, ref = NumpyCNN(params).gradients(x, y)
    out = {"numpy": max(float(np.linalg.norm(a - b) / np.linalg.norm(b)) for a, b in zip(ours, ref))}
    made = torch_candidate(params, 1)
    if made:
        g = made[1](x, y)
        out["torch (first kernel)"] = float(np.linalg.norm(ours[0] - g) / np.linalg.norm(g))
    return out


def main(argv: list[str] | None = None) -> dict:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--batch", type=int, default=100)
    ap.add_argument("--repeats", type=int, default=7, help="timed repeats per candidate (best is reported)")
    ap.add_argument("--min-time", type=float, default=0.3, help="seconds per timed repeat")
    ap.add_argument("--malloc-pad", type=int, default=0, metavar="MIB",
                    help="glibc M_TOP_PAD in MiB for all candidates (default 0: malloc untouched)")
    ap.add_argument("--threads", type=int, default=DEFAULT_THREADS, help="BLAS/torch threads for all")
    ap.add_argument("--no-torch", action="store_true", help="skip PyTorch even if installed")
    ap.add_argument("--quick", action="store_true", help="smoke run: 2 repeats of 0.05 s")
    args = ap.parse_args(argv)
    if args.quick:
        args.repeats, args.min_time = 2, 0.05
    B = args.batch
    with blas_limit(args.threads) as how:
        print("\n".join(machine_header(args.threads, how)))
        print(malloc_top_pad(args.malloc_pad))
        print(f"MNIST-1D CNN (conv1d 25x5 /2, 25x3 /2, 25x3 /2, relu, dense 125->10), Adam lr {LR}, float32, "
              f"batch {B}; best of {args.repeats} interleaved repeats of >= {args.min_time} s")
        rng = np.random.default_rng(0)
        batches = [(rng.standard_normal((B, LENGTH), dtype=np.float32), rng.integers(0, CLASSES, size=B))
                   for _ in range(4)]
        print("gradients against the framework's (relative): "
              + ", ".join(f"{k} {v:.1e}" for k, v in agreement(batches[0]).items()))
        net, rule = make_framework()
        params = [p.copy() for p in leaves(net.params)]
        loop = NumpyCNN(params)
        cands = {"framework": cycler(batches, lambda x, y: rule.step(net, x, y)), "numpy": cycler(batches, loop.step)}
        made = None if args.no_torch else torch_candidate(params, args.threads)
        print(f"torch: {made[2] if made else 'not measured (not importable or --no-torch)'}")
        if made:
            import torch

            tb = [(torch.from_numpy(x), torch.from_numpy(y)) for x, y in batches]
            cands["torch"] = cycler(tb, made[0])
        t = interleaved(cands, repeats=args.repeats, min_time=args.min_time)
    print()
    print(f"{'candidate':>10} {'ms/step':>8} {'fw speed-up (best)':>19} {'(paired)':>9}")
    for k, v in t.items():
        print(f"{k:>10} {v.best * 1e3:>8.3f} {v.best / t['framework'].best:>19.2f} {paired_ratio(t[k], t['framework']):>9.2f}")
    checks = {k: paired_ratio(t[k], t["framework"]) >= need for k, need in ACCEPT.items() if k in t}
    print("acceptance (framework >= 1.3x torch, >= 0.85x numpy, paired ratios): "
          + ", ".join(f"{k} {'PASS' if ok else 'FAIL'}" for k, ok in checks.items()))
    return {k: v.best for k, v in t.items()}


if __name__ == "__main__":
    main()
