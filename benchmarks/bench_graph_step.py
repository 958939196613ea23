"""Graph training steps: the residual MLP and a transformer block, against PyTorch on the CPU.

Candidates, measured in the same run, interleaved (``_timing.interleaved``), one thread, float32,
Adam, softmax cross-entropy, random data:

- ``residual MLP`` (the MNIST-1D paper's, Greydanus 2020): 40-100-100-10, relu,
  h2 = h1 + relu(W2 h1 + b2), batch 100;
- ``transformer block``: tokens (T = 40, d = 64) -> a pre-norm block (4 heads, MLP 128) -> the
  mean over tokens -> dense 10, batch 32;
- ``plain MLP`` (40-100-100-10) beside them, the chain the graph code must not slow down.

The framework step is ``Backprop.step`` (forward with trace, loss, the backward sweep in reverse
topological order, Adam, the FLOP count). ``torch`` (``torch.nn`` + ``torch.optim.Adam``) runs
only when ``import torch`` works (never a dependency), from the framework's initial weights;
before timing, the first step's loss of the two is compared (the same network, float32 round-off).
Printed: median (best) ms/step over the repeats and the paired ratio (median over repeats of
torch's time / ours in the same repeat); acceptance: residual MLP >= 1.0x torch, transformer
block >= 0.8x torch.

    python benchmarks/bench_graph_step.py            # 1 thread
    python benchmarks/bench_graph_step.py --quick    # smoke run
    PYTHONPATH=$PWD /tmp/torchenv/bin/python benchmarks/bench_graph_step.py   # with torch (docs/benchmarks.md)
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

from learning_rules import Network, Optimizer  # noqa: E402
from learning_rules.rules.backprop import Backprop  # noqa: E402

LR = 1e-3
CASES = {
    # name: (layers, input_shape, batch, accept vs torch)
    "residual MLP": ([{"type": "dense", "units": 100, "activation": "relu"},
                      {"type": "residual", "layers": [{"type": "dense", "units": 100, "activation": "relu"}]}],
                     (40,), 100, 1.0),
    "transformer block": ([{"type": "attention_block", "heads": 4, "mlp": 128}, {"type": "avgpool1d", "kernel": 40}],
                          (64, 40), 32, 0.8),
    "plain MLP": ([{"type": "dense", "units": 100, "activation": "relu"},
                   {"type": "dense", "units": 100, "activation": "relu"}], (40,), 100, None),
}


def make_framework(layers, shape, seed: int = 0):
    net = Network([int(np.prod(shape)), 10], np.random.default_rng(seed), layers=layers, input_shape=shape)
    rule = Backprop(optimizer=Optimizer("adam", lr=LR))
    rule.init(net, np.random.default_rng(1))
    return net, rule


def torch_version() -> str | None:
    try:
        import torch
    except ImportError:
        return None
    return torch.__version__


def torch_step(name: str, threads: int, net):
    """A step of the same network in torch, from ``net``'s weights, or None without torch.

    The weight layers of ``net`` in topological order map one to one onto torch's: a dense W
    (in, out) is a Linear's weight transposed; the attention's query, key and value projections
    are MultiheadAttention's packed in_proj; layer norms keep gamma and beta (eps 1e-5 in both)."""
    try:
        import torch
    except ImportError:
        return None
    torch.set_num_threads(threads)
    nn = torch.nn

    class ResidualMLP(nn.Module):
        def __init__(self):
            super().__init__()
            self.l1, self.l2, self.l3 = nn.Linear(40, 100), nn.Linear(100, 100), nn.Linear(100, 10)

        def forward(self, x):
            h = self.l1(x).relu()
            return self.l3(h + self.l2(h).relu())

    class Block(nn.Module):
        def __init__(self):
            super().__init__()
            self.n1, self.n2 = nn.LayerNorm(64), nn.LayerNorm(64)
            self.att = nn.MultiheadAttention(64, 4, batch_first=True)
            self.mlp = nn.Sequential(nn.Linear(64, 128), nn.ReLU(), nn.Linear(128, 64))
            self.out = nn.Linear(64, 10)

        def forward(self, x):
            x = x.view(-1, 64, 40).transpose(1, 2)            # channels first -> tokens (B, T, d)
            h = self.n1(x)
            x = x + self.att(h, h, h, need_weights=False)[0]
            x = x + self.mlp(self.n2(x))
            return self.out(x.mean(dim=1))

    plain = nn.Sequential(nn.Linear(40, 100), nn.ReLU(), nn.Linear(100, 100), nn.ReLU(), nn.Linear(100, 10))
    model = {"residual MLP": ResidualMLP, "transformer block": Block, "plain MLP": lambda: plain}[name]()
    ours = [layer.params for layer in net.layers if layer.params]
    t = lambda a: torch.from_numpy(np.ascontiguousarray(a))  # noqa: E731
    with torch.no_grad():
        if name == "transformer block":
            ln1, q, k, v, o, ln2, m1, m2, head = ours
            for norm, p in ((model.n1, ln1), (model.n2, ln2)):
                norm.weight.copy_(t(p["gamma"]))
                norm.bias.copy_(t(p["beta"]))
            model.att.in_proj_weight.copy_(t(np.concatenate([q["W"].T, k["W"].T, v["W"].T])))
            model.att.in_proj_bias.copy_(t(np.concatenate([q["b"], k["b"], v["b"]])))
            linears = [(model.att.out_proj, o), (model.mlp[0], m1), (model.mlp[2], m2), (model.out, head)]
        else:
            linears = list(zip([m for m in model.modules() if isinstance(m, nn.Linear)], ours))
        for lin, p in linears:
            lin.weight.copy_(t(p["W"].T))
            lin.bias.copy_(t(p["b"]))
    opt, crit = torch.optim.Adam(model.parameters(), lr=LR), nn.CrossEntropyLoss()

    def step(x, y):
        opt.zero_grad(set_to_none=True)
        loss = crit(model(x), y)
        loss.backward()
        opt.step()
        return {"loss": loss.item()}

    return step


def main(argv: list[str] | None = None) -> dict:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--repeats", type=int, default=7, help="timed repeats per candidate")
    ap.add_argument("--min-time", type=float, default=0.3, help="seconds per timed repeat")
    ap.add_argument("--threads", type=int, default=DEFAULT_THREADS, help="BLAS/torch threads for all")
    ap.add_argument("--quick", action="store_true", help="smoke run: 2 repeats of 0.05 s")
    args = ap.parse_args(argv)
    if args.quick:
        args.repeats, args.min_time = 2, 0.05
    results = {}
    with blas_limit(args.threads) as how:
        print("\n".join(machine_header(args.threads, how)))
        version = torch_version()
        print(f"torch: {version or 'not installed (only the framework is timed)'}")
        print(f"float32, Adam lr {LR}, {args.repeats} interleaved repeats of >= {args.min_time} s; "
              "ms/step: median (best) over repeats; ratio: median over repeats of torch / ours in the same repeat")
        rng = np.random.default_rng(0)
        for name, (layers, shape, batch, accept) in CASES.items():
            D = int(np.prod(shape))
            batches = [(rng.normal(size=(batch, D)).astype(np.float32), rng.integers(0, 10, batch)) for _ in range(8)]
            net, rule = make_framework(layers, shape)
            theirs = torch_step(name, args.threads, net) if version else None   # before ours moves the weights
            candidates = {"framework": cycler(batches, lambda x, y: rule.step(net, x, y))}
            if theirs is not None:
                import torch

                tb = [(torch.from_numpy(x), torch.from_numpy(y)) for x, y in batches]
                # the same network: the first step's loss (before any update) agrees to float32 round-off
                a, b = candidates["framework"]()["loss"], theirs(*tb[0])["loss"]
                print(f"{name}: first-step loss framework {a:.6f}, torch {b:.6f} (relative difference {abs(a - b) / abs(b):.1e})")
                if abs(a - b) > 1e-4 * abs(b):
                    raise SystemExit(f"{name}: torch's network is not the framework's (first-step losses {a} and {b})")
                candidates["torch"] = cycler(tb, theirs)
            timing = interleaved(candidates, args.repeats, args.min_time)
            fw = timing["framework"]
            line = f"{name:<18} batch {batch:>3}: framework {fw.median * 1e3:7.3f} ({fw.best * 1e3:.3f}) ms/step"
            if "torch" in timing:
                th = timing["torch"]
                ratio = paired_ratio(th, fw)
                line += f", torch {th.median * 1e3:7.3f} ({th.best * 1e3:.3f}) ms/step, ours/torch speed {ratio:.2f}x"
                line += "" if accept is None else f" (target >= {accept}x: {'PASS' if ratio >= accept else 'FAIL'})"
                results[name] = ratio
            else:
                line += ", torch not installed"
            results[f"{name} ms"] = fw.median * 1e3
            print(line)
    return results


if __name__ == "__main__":
    main()
