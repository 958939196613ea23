"""The sweep command line: failures and divergences are recorded and summarised, bad sweeps stop
before anything is written, progress output follows the terminal, run.json carries provenance."""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from failing_rule import CLI_WITH_FAILING_RULE

from experiments import load_config
from experiments.cli import main
from experiments.store import ResultsStore


def cli(*args):
    return subprocess.run([sys.executable, "-m", "experiments", *args], capture_output=True, text=True,
                          env={**os.environ, "PYTHONWARNINGS": "ignore"})


def cli_with_failing_rule(*args):
    script = CLI_WITH_FAILING_RULE % str(Path(__file__).parent)
    return subprocess.run([sys.executable, "-c", script, *args], capture_output=True, text=True,
                          env={**os.environ, "PYTHONWARNINGS": "ignore"})


FAILING = """
[[rules]]
name = "backprop"
label = "exploding"
optimizer = { name = "sgd", lr = 1e30 }
model = { activation = "relu" }

[[rules]]
name = "always_fails"
label = "broken"
"""


def test_a_raising_and_a_diverging_run_are_recorded_and_the_sweep_goes_on(tmp_path, write_config, TINY):
    path = write_config(TINY.replace("seeds = [0, 1]", "seeds = [0]") + FAILING)
    out = tmp_path / "out"
    result = cli_with_failing_rule("run", str(path), "--out", str(out), "--workers", "2", "--no-report")
    assert result.returncode == 1
    runs = {}
    for run_json in (out / "tiny" / "runs").glob("*/run.json"):
        meta = json.loads(run_json.read_text())
        runs[meta["spec"]["label"]] = meta
    assert {k: v["status"] for k, v in runs.items()} == {
        "backprop": "complete", "readout_only": "complete", "exploding": "diverged", "broken": "failed"}
    broken, exploding = runs["broken"], runs["exploding"]
    assert broken["traceback"].startswith("Traceback (most recent call last)") and broken["reason"]
    assert "epoch 1" in exploding["reason"] and exploding["epochs_completed"] == 0
    # the summary at the end names both, with their reasons, and says where the traceback is
    err = result.stderr
    assert "1 run(s) failed" in err and f"{broken['run_id']}: {broken['reason'].splitlines()[0]}" in err
    assert "1 run(s) diverged" in err and f"{exploding['run_id']}: {exploding['reason']}" in err
    assert "run.json" in err and "Traceback" not in err
    # the dry run shows what the next call would do: the failed run is redone, the rest is done
    listing = cli_with_failing_rule("run", str(path), "--out", str(out), "--dry-run").stdout
    assert f"redo  {broken['run_id']}" in listing and listing.count("done  ") == 3


@pytest.mark.parametrize("sweep, needle", [
    ('"optimizer.lrr" = [0.1]', "optimizer: unknown key 'lrr'"),
    ('"rules.nope.lr" = [1.0]', "no rule labelled 'nope'"),
    ('"model.widths" = [[4]]', "model: unknown key 'widths'"),
    ('"optimizer.lr" = []', "expected a non-empty list"),
    ('"optimizer.lr" = 0.1', "expected a non-empty list"),
    ('"optimizer.lr" = [0.1, "fast"]', "optimizer.lr: expected a number, got 'fast'"),
    ('"model.hidden" = [[4], 8]', "model.hidden: expected a list, got 8 (at sweep point {'model.hidden': 8})"),
    ('"rules.backprop.scale" = [0.5]', "rules.backprop: unknown key 'scale'"),
])
def test_bad_sweep_gives_one_line_before_any_run_and_writes_nothing(tmp_path, write_config, TINY, sweep, needle,
                                                                     capsys):
    path = write_config(TINY + "\n[sweep]\n" + sweep + "\n")
    assert main(["run", str(path), "--out", str(tmp_path / "out"), "--workers", "2"]) == 2
    captured = capsys.readouterr()
    assert captured.err.startswith("error: ") and needle in captured.err, captured.err
    assert captured.err.count("\n") == 1 and captured.out == ""
    assert not (tmp_path / "out").exists()


def test_log_lines_when_not_a_terminal_and_quiet(tmp_path, write_config, capsys):
    path = str(write_config())
    assert main(["run", path, "--out", str(tmp_path), "--no-report"]) == 0
    err = capsys.readouterr().err
    assert "computing 4 runs" in err and "[4/4] " in err and "\r" not in err  # plain lines, no bar
    assert main(["run", path, "--out", str(tmp_path), "--no-report", "--force", "--quiet"]) == 0
    assert capsys.readouterr().err == ""
    assert main(["run", path, "--out", str(tmp_path), "--no-report"]) == 0
    assert "all 4 runs already done" in capsys.readouterr().err


def test_run_json_carries_provenance(tmp_path, write_config):
    path = write_config()
    assert main(["run", str(path), "--out", str(tmp_path), "--quiet", "--no-report"]) == 0
    spec = load_config(path).specs[0]
    meta = json.loads((tmp_path / "tiny" / "runs" / spec.run_id / "run.json").read_text())
    assert meta["spec"] == json.loads(json.dumps(spec.to_dict()))  # the resolved spec
    env = meta["environment"]
    assert env["python"] == sys.version.split()[0] and env["platform"]
    assert env["packages"]["numpy"] and env["packages"]["learning-rules"]
    assert env["blas"] and env["blas"][0]["num_threads"] == 1
    assert {"internal_api", "version", "architecture"} <= set(env["blas"][0])  # the kernel decides roundings
    from threadpoolctl import threadpool_info

    blas = [i for i in threadpool_info() if i["user_api"] == "blas"][0]
    assert env["blas"][0]["internal_api"] == blas["internal_api"]
    assert env["blas"][0]["architecture"] == blas.get("architecture")
    assert env["cpu_model"] and env["cpu_count"] >= 1
    if os.path.exists("/proc/cpuinfo"):
        names = [line.split(":", 1)[1].strip() for line in open("/proc/cpuinfo") if line.startswith("model name")]
        assert env["cpu_model"] == (names[0] if names else env["cpu_model"])
    assert "git_commit" in env  # None outside a git checkout
    assert meta["started"] <= meta["finished"] and meta["wall_time"] > 0


def test_a_second_driver_on_the_same_folder_is_refused(tmp_path, write_config):
    pytest.importorskip("fcntl")
    holder = ResultsStore(tmp_path / "tiny")
    holder.check_writable()
    holder.lock()
    try:
        result = cli("run", str(write_config()), "--out", str(tmp_path))
        assert result.returncode == 2 and "is being written by another learning-rules run" in result.stderr
        assert f"pid {os.getpid()}" in result.stderr
    finally:
        holder.unlock()
    assert not list((tmp_path / "tiny" / "runs").iterdir())
