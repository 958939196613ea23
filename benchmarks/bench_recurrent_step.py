"""Recurrent training step: the MNIST-1D paper's bidirectional GRU trained by BPTT, against PyTorch.

The network (Greydanus 2020): a bidirectional GRU of 6 units per direction reading one value per
step for 40 steps, every step's output flattened (2 x 6 x 40 = 480) into a dense 480 -> 10;
softmax cross-entropy, Adam (lr 1e-2), float32, random data of MNIST-1D's shape, one training step
per batch. Candidates, measured in the same run, interleaved (``_timing.interleaved``):

- ``framework``: ``TemporalNetwork(cell="gru", bidirectional=True, readout="flatten")`` +
  ``BPTT(optimizer=Optimizer("adam"))``, ``rule.step(net, x, y)`` (forward with every step's
  record, loss, the sweep back through time, Adam, the FLOP count: what a training run pays);
- ``torch``: ``torch.nn.GRU(bidirectional=True)`` + ``Linear(480, 10)`` + ``torch.optim.Adam`` on
  the CPU, only when ``import torch`` works (never a dependency: run the script with the Python
  of a separate environment that has torch; docs/benchmarks.md shows how).

Both start from the same weights and see the same batches; before timing the script checks that
they give the same gradients (relative difference, float32). Acceptance: the framework's step at
least as fast as torch's (paired ratio >= 1.0), at batch 100, one thread.

    python benchmarks/bench_recurrent_step.py                 # batch 100, 1 thread
    python benchmarks/bench_recurrent_step.py --quick         # smoke run
    PYTHONPATH=$PWD /tmp/torchenv/bin/python benchmarks/bench_recurrent_step.py --repeats 9
"""

from __future__ import annotations

import argparse
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))  # for _timing, run as a script
from _timing import (DEFAULT_THREADS, blas_limit, cycler, interleaved, limit_threads_early,  # noqa: E402
                     machine_header, paired_ratio)

if __name__ == "__main__":
    limit_threads_early()  # before numpy loads its BLAS

import numpy as np  # noqa: E402

from learning_rules import Optimizer  # noqa: E402
from learning_rules.networks.temporal import TemporalNetwork  # noqa: E402
from learning_rules.rules.bptt import BPTT  # noqa: E402

LR, STEPS, HIDDEN, CLASSES = 1e-2, 40, 6, 10
ACCEPT = 1.0  # least framework / torch step-rate ratio


def make_framework(seed: int = 0):
    net = TemporalNetwork([STEPS, HIDDEN, CLASSES], np.random.default_rng(seed), cell="gru", bidirectional=True,
                          readout="flatten", input_shape=(STEPS, 1))
    rule = BPTT(optimizer=Optimizer("adam", lr=LR))
    rule.init(net, np.random.default_rng(1))
    return net, rule


def torch_candidate(net, threads: int):
    """(step function, gradient function, version) for the same GRU in torch, or None."""
    try:
        import torch
    except ImportError:
        return None
    torch.set_num_threads(threads)
    gru = torch.nn.GRU(1, HIDDEN, batch_first=True, bidirectional=True)
    lin = torch.nn.Linear(2 * HIDDEN * STEPS, CLASSES)
    with torch.no_grad():
        for cell, suffix in zip(net.cells, ("", "_reverse")):
            p = cell.params
            getattr(gru, f"weight_ih_l0{suffix}").copy_(torch.from_numpy(np.ascontiguousarray(p["W"].T)))
            getattr(gru, f"weight_hh_l0{suffix}").copy_(torch.from_numpy(np.ascontiguousarray(p["U"].T)))
            getattr(gru, f"bias_ih_l0{suffix}").copy_(torch.from_numpy(p["b"]))
            getattr(gru, f"bias_hh_l0{suffix}").copy_(torch.from_numpy(p["bu"]))
        lin.weight.copy_(torch.from_numpy(np.ascontiguousarray(net.layers[-1].params["W"].T)))
        lin.bias.copy_(torch.from_numpy(net.layers[-1].params["b"]))
    opt = torch.optim.Adam(list(gru.parameters()) + list(lin.parameters()), lr=LR)
    crit = torch.nn.CrossEntropyLoss()

    def loss_of(x, y):
        out, _ = gru(x.view(-1, STEPS, 1))
        return crit(lin(out.reshape(out.shape[0], -1)), y)

    def step(x, y) -> float:
        opt.zero_grad(set_to_none=True)
        loss = loss_of(x, y)
        loss.backward()
        opt.step()
        return loss.item()

    def gradients(x, y) -> list[np.ndarray]:
        """dW_ih, dW_hh of the forward direction and the readout's dW, in the framework's layout."""
        gru.zero_grad(set_to_none=True)
        lin.zero_grad(set_to_none=True)
        loss_of(torch.from_numpy(x), torch.from_numpy(y)).backward()
        return [gru.weight_ih_l0.grad.numpy().T.copy(), gru.weight_hh_l0.grad.numpy().T.copy(),
                lin.weight.grad.numpy().T.copy()]

    return step, gradients, torch.__version__


def agreement(batch) -> float | None:
    """Largest relative gradient difference against torch's (None without torch)."""
    x, y = batch
    net, rule = make_framework()
    made = torch_candidate(net, 1)
    if made is None:
        return None
    _, grads, _, _ = rule.compute_gradients(net, x, y, train=False)
    ours = [grads[0]["W"], grads[0]["U"], grads[-1]["W"]]
    return max(float(np.linalg.norm(a - b) / np.linalg.norm(b)) for a, b in zip(ours, made[1](x, y)))



def main(argv: list[str] | None = None) -> dict:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--batch", type=int, default=100)
    ap.add_argument("--repeats", type=int, default=7, help="timed repeats per candidate (best is reported)")
    ap.add_argument("--min-time", type=float, default=0.5, help="seconds per timed repeat")
    ap.add_argument("--threads", type=int, default=DEFAULT_THREADS, help="BLAS/torch threads for all")
    ap.add_argument("--no-torch", action="store_true", help="skip PyTorch even if installed")
    ap.add_argument("--quick", action="store_true", help="smoke run: 2 repeats of 0.05 s")
    args = ap.parse_args(argv)
    if args.quick:
        args.repeats, args.min_time = 2, 0.05
    B = args.batch
    with blas_limit(args.threads) as how:
        print("\n".join(machine_header(args.threads, how)))
        print(f"MNIST-1D GRU (bidirectional, 6 units, 40 steps, flatten 480 -> 10), BPTT, Adam lr {LR}, float32, "
              f"batch {B}; best of {args.repeats} interleaved repeats of >= {args.min_time} s")
        rng = np.random.default_rng(0)
        batches = [(rng.standard_normal((B, STEPS), dtype=np.float32), rng.integers(0, CLASSES, size=B))
                   for _ in range(4)]
        diff = None if args.no_torch else agreement(batches[0])
        print("gradients against torch's (relative): " + ("not measured" if diff is None else f"{diff:.1e}"))
        net, rule = make_framework()
        cands = {"framework": cycler(batches, lambda x, y: rule.step(net, x, y))}
        made = None if args.no_torch else torch_candidate(make_framework()[0], args.threads)
        print(f"torch: {made[2] if made else 'not measured (not importable or --no-torch)'}")
        if made:
            import torch

            cands["torch"] = cycler([(torch.from_numpy(x), torch.from_numpy(y)) for x, y in batches], made[0])
        t = interleaved(cands, repeats=args.repeats, min_time=args.min_time)
    print()
    print(f"{'candidate':>10} {'ms/step':>8} {'fw speed-up (best)':>19} {'(paired)':>9}")
    for k, v in t.items():
        print(f"{k:>10} {v.best * 1e3:>8.3f} {v.best / t['framework'].best:>19.2f} {paired_ratio(t[k], t['framework']):>9.2f}")
    if "torch" in t:
        ok = paired_ratio(t["torch"], t["framework"]) >= ACCEPT
        print(f"acceptance (framework at least as fast as torch, paired ratio): {'PASS' if ok else 'FAIL'}")
    return {k: v.best for k, v in t.items()}


if __name__ == "__main__":
    main()
