"""How far do results move when OpenBLAS picks another kernel (as on another CPU)?

Runs one small experiment (the quickstart's protocol: MNIST-1D, 40-256-256-10 tanh, Adam 1e-3,
batch 32, seed 0) once per OpenBLAS kernel, forced with ``OPENBLAS_CORETYPE`` in a fresh process
(threadpoolctl's ``architecture`` is checked, since OpenBLAS falls back silently for a name it
does not know or a CPU that lacks the instructions), in float32 and in float64. Every run computes
with one BLAS thread, as in the lab. Prints, per rule and kernel, how many significant digits of
the final test loss and of the trained parameters agree with the first kernel's, and the
difference in final test accuracy::

    python benchmarks/blas_kernels.py                                  # Haswell, Sandybridge, Nehalem
    python benchmarks/blas_kernels.py --kernels Haswell SkylakeX --epochs 10

Only kernels this CPU can execute can be compared here (AVX-512 ones need an AVX-512 CPU).
"""

from __future__ import annotations

import argparse
import json
import math
import os
import subprocess
import sys
import tempfile
from pathlib import Path

import numpy as np

EXPERIMENT = """
[experiment]
name = "blas_kernels"
seeds = [0]
epochs = {epochs}
batch_size = 32

[data]
name = "mnist1d"

[model]
hidden = [256, 256]
activation = "tanh"
dtype = "{dtype}"

[optimizer]
name = "adam"
lr = 0.001

[diagnostics]
every = 0
{rules}"""
RULES = ("backprop", "feedback_alignment", "sign_symmetry", "spiking_surrogate")


def compute(epochs: int, dtype: str, rules: list[str], out: Path) -> None:
    """In this process (OPENBLAS_CORETYPE already set): train each rule, save final metrics and
    parameters to ``out`` (.json + .npz, no pickles)."""
    from threadpoolctl import threadpool_info, threadpool_limits

    from experiments.config import parse_config
    from experiments.runs.worker import train_spec

    import tomllib

    entries = "".join(f'\n[[rules]]\nname = "{r}"\n' + ('model = { steps = 10 }\n' if r.startswith("spiking") else "")
                      for r in rules)
    config = parse_config(tomllib.loads(EXPERIMENT.format(epochs=epochs, dtype=dtype, rules=entries)))
    summary, arrays = {"architecture": sorted({i.get("architecture") for i in threadpool_info()
                                               if i["user_api"] == "blas"})}, {}
    with threadpool_limits(1), np.errstate(all="ignore"):
        for spec in config.specs:
            outcome, net, _ = train_spec(spec)
            final = {r["metric"]: r["value"] for r in outcome.records
                     if r["epoch"] == outcome.epochs_completed and r["layer"] is None}
            summary[spec.label] = {"test_loss": final["test_loss"], "test_accuracy": final["test_accuracy"],
                                   "status": outcome.status}
            arrays[spec.label] = np.concatenate([np.asarray(layer[k], np.float64).ravel()  # params: per layer, by name
                                                 for layer in net.params for k in sorted(layer)])
    out.with_suffix(".json").write_text(json.dumps(summary))
    np.savez(out.with_suffix(".npz"), **arrays)


def digits(a, b) -> float:
    """Significant digits on which a and b agree: -log10 of the largest difference relative to the
    largest magnitude (inf when identical)."""
    a, b = np.asarray(a, np.float64), np.asarray(b, np.float64)
    diff = float(np.max(np.abs(a - b)))
    return math.inf if diff == 0 else -math.log10(diff / float(np.max(np.abs(a))))


def run_kernel(kernel: str, epochs: int, dtype: str, rules: list[str], folder: Path):
    out = folder / f"{kernel}-{dtype}"
    env = {**os.environ, "OPENBLAS_CORETYPE": kernel, "OPENBLAS_NUM_THREADS": "1", "OMP_NUM_THREADS": "1"}
    subprocess.run([sys.executable, __file__, "--compute", str(out), "--epochs", str(epochs), "--dtype", dtype,
                    "--rules", *rules], check=True, env=env)
    summary = json.loads(out.with_suffix(".json").read_text())
    with np.load(out.with_suffix(".npz"), allow_pickle=False) as f:
        params = {k: f[k] for k in f.files}
    return summary, params


def main(argv: list[str] | None = None) -> list[dict]:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--kernels", nargs="+", default=["Haswell", "Sandybridge", "Nehalem"])
    parser.add_argument("--dtypes", nargs="+", default=["float32", "float64"])
    parser.add_argument("--rules", nargs="+", default=list(RULES))
    parser.add_argument("--epochs", type=int, default=10)
    parser.add_argument("--compute", help=argparse.SUPPRESS)  # the worker process
    parser.add_argument("--dtype", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.compute:
        compute(args.epochs, args.dtype, args.rules, Path(args.compute))
        return []
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        for dtype in args.dtypes:
            results = {k: run_kernel(k, args.epochs, dtype, args.rules, Path(tmp)) for k in args.kernels}
            (ref_summary, ref_params), ref = results[args.kernels[0]], args.kernels[0]
            for kernel in args.kernels:
                summary, params = results[kernel]
                if summary["architecture"] != [kernel] and kernel != ref:
                    print(f"# {kernel}: OpenBLAS chose {summary['architecture']} instead", file=sys.stderr)
                for rule in args.rules:
                    a, b = ref_summary[rule], summary[rule]
                    rows.append({"dtype": dtype, "rule": rule, "kernel": f"{kernel} ({'/'.join(summary['architecture'])})",
                                 "loss digits": digits(a["test_loss"], b["test_loss"]),
                                 "accuracy diff (points)": 100 * (b["test_accuracy"] - a["test_accuracy"]),
                                 "parameter digits": digits(ref_params[rule], params[rule]),
                                 "test accuracy": 100 * b["test_accuracy"]})
    print(f"# agreement with {args.kernels[0]}, {args.epochs} epochs, seed 0, one BLAS thread")
    print("| dtype | rule | kernel | test accuracy (%) | accuracy diff (points) | test loss: digits agreeing | parameters: digits agreeing |")
    print("|---|---|---|---|---|---|---|")
    for r in rows:
        show = lambda d: "identical" if math.isinf(d) else f"{d:.1f}"
        print(f"| {r['dtype']} | {r['rule']} | {r['kernel']} | {r['test accuracy']:.1f} | {r['accuracy diff (points)']:+.1f} "
              f"| {show(r['loss digits'])} | {show(r['parameter digits'])} |")
    return rows


if __name__ == "__main__":
    main()
