"""Smoke tests of the benchmark scripts: they run end to end on a tiny network, and the
correctness checks the throughput benchmark relies on hold (no timing is asserted)."""

from __future__ import annotations

import importlib.util
from pathlib import Path

import numpy as np

BENCH = Path(__file__).resolve().parents[2] / "benchmarks"
TINY = ["--sizes", "20", "16", "16", "4", "--repeats", "1", "--min-time", "0.001"]


def load(name: str):
    spec = importlib.util.spec_from_file_location(f"bench_{name}", BENCH / f"{name}.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_throughput_script_runs_and_its_loop_matches_the_framework(capsys):
    bench = load("bench_backprop_throughput")
    rows = bench.main(TINY + ["--batches", "8", "--no-torch"])
    assert [r["batch"] for r in rows] == [8]
    assert rows[0]["framework_sps"] > 0 and rows[0]["loop_sps"] > 0
    assert "framework/s" in capsys.readouterr().out
    # the hand-written loop must train the very same network, else the ratio means nothing
    rng = np.random.default_rng(3)
    weights = [p.copy() for p in bench.leaves(bench.Network([20, 16, 16, 4], rng).params)]
    batches = [(rng.standard_normal((8, 20), dtype=np.float32), rng.integers(0, 4, 8)) for _ in range(3)]
    assert bench.check_agreement(weights, batches) < 1e-5
    assert bench.check_float32(weights, *batches[0]) == []


def test_rule_steps_script_times_rules_against_backprop(capsys):
    bench = load("bench_rule_steps")
    rows = {r["rule"]: r for r in bench.main(TINY + ["--batch", "8", "--rules", "readout_only"])}
    assert set(rows) == {"backprop", "readout_only"}
    assert rows["backprop"]["ratio"] == 1.0 and rows["backprop"]["flops_ratio"] == 1.0
    assert rows["readout_only"]["flops_ratio"] < 1.0  # it propagates no error
    assert "x backprop" in capsys.readouterr().out


def test_rule_steps_skips_population_rules_with_a_reason():
    bench = load("bench_rule_steps")
    from learning_rules import Optimizer

    rule, net, why = bench.build("genetic", [20, 16, 4], Optimizer())
    assert rule is None and "population" in why


def test_recurrent_step_script_runs_and_matches_torch_when_present(capsys):
    bench = load("bench_recurrent_step")
    times = bench.main(["--quick", "--batch", "8"])
    assert times["framework"] > 0
    out = capsys.readouterr().out
    assert "ms/step" in out and "gradients against torch's" in out


def test_memory_script_finds_bptt_linear_and_the_online_rules_flat_in_T(tmp_path):
    bench = load("bench_recurrent_memory")
    rows = bench.main(["--quick", "--hidden", "8", "--figure", str(tmp_path / "memory.png")])
    assert (tmp_path / "memory.png").read_bytes().startswith(b"\x89PNG")
    peak = {(r["rule"], r["T"]): r["peak_bytes"] for r in rows if r["study"] == "steps"}
    assert peak[("bptt", 30)] > 2 * peak[("bptt", 10)]
    assert peak[("eprop", 30)] < 1.2 * peak[("eprop", 10)] and peak[("rflo", 30)] < 1.2 * peak[("rflo", 10)]
    rtrl = [r for r in rows if r["study"] == "hidden"]
    assert rtrl[1]["flops"] > 6 * rtrl[0]["flops"]  # n 4 -> 8: far more than linear


def test_blas_kernels_script_compares_kernels_in_fresh_processes(capsys):
    bench = load("blas_kernels")
    assert bench.digits([1.0, 2.0], [1.0, 2.0]) == float("inf")
    assert abs(bench.digits([1.0, 2.0], [1.0, 2.0002]) - 4.0) < 1e-9
    rows = bench.main(["--epochs", "1", "--kernels", "Sandybridge", "Nehalem", "--dtypes", "float32",
                       "--rules", "backprop"])
    assert [(r["dtype"], r["rule"]) for r in rows] == [("float32", "backprop")] * 2
    assert rows[0]["parameter digits"] == float("inf")  # the reference against itself
    assert rows[1]["parameter digits"] > 2 and "digits agreeing" in capsys.readouterr().out


def test_diagnostics_cost_script_reports_the_overhead(capsys):
    overhead = load("bench_diagnostics_cost").main(["--quick", "--samples", "64", "--every", "10"])
    assert set(overhead) == {"diagnostics", "representations", "stored"}
    assert all(v > 0 for v in overhead.values())
    assert "longer with every diagnostic" in capsys.readouterr().out


def test_graph_step_script_times_every_case_and_matches_torch_when_present(capsys):
    bench = load("bench_graph_step")
    results = bench.main(["--repeats", "1", "--min-time", "0.001"])
    assert {"residual MLP ms", "transformer block ms", "plain MLP ms"} <= set(results)
    out = capsys.readouterr().out
    assert "transformer block" in out and "torch:" in out
    if bench.torch_version():  # the script stops when torch's network is not the framework's
        assert {"residual MLP", "transformer block", "plain MLP"} <= set(results)
        assert out.count("first-step loss") == 3
