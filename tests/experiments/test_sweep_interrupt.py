"""A sweep killed part-way (SIGKILL, Ctrl-C) keeps every finished run intact, and rerunning the
same command completes it without recomputing what was done.

The sweep runs in a subprocess in its own session, so signals go to its whole process group (as
Ctrl-C in a terminal does). Two quick runs finish first and two slower ones (~1 s) follow, so
the signal sent once the first run.json exists lands while runs are in flight; the tests check
that it did, instead of relying on timing.
"""

import csv
import json
import os
import signal
import subprocess
import sys
import time

import pytest

from experiments import load_config, run_experiment

psutil = pytest.importorskip("psutil")

SWEEP = """
[experiment]
name = "sweep"
seeds = [0, 1]
epochs = 3
batch_size = 16

[data]
name = "xor"

[model]
hidden = [16]

[optimizer]
name = "adam"
lr = 0.01

[diagnostics]
every = 0

[[rules]]
name = "backprop"
label = "quick"

[[rules]]
name = "backprop"
label = "slow"
epochs = 200
"""


def start(config, out, *extra):
    env = {**os.environ, "PYTHONWARNINGS": "ignore"}
    return subprocess.Popen(
        [sys.executable, "-m", "experiments", "run", str(config), "--out", str(out), "--no-report", *extra],
        start_new_session=True, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env)


def wait_for_first_run(proc, runs_dir, limit=60.0):
    """Poll until a run.json exists (bounded); fail if the sweep ended first."""
    deadline = time.monotonic() + limit
    while time.monotonic() < deadline:
        if list(runs_dir.glob("*/run.json")):
            return
        assert proc.poll() is None, f"the sweep ended before any run was stored: {proc.communicate()}"
        time.sleep(0.01)
    proc.kill()
    pytest.fail("no run.json appeared")


def stored(runs_dir):
    """run_id -> (run.json bytes, its mtime_ns, metrics.csv mtime_ns) of every stored run."""
    out = {}
    for path in runs_dir.glob("*/run.json"):
        out[path.parent.name] = (path.read_bytes(), path.stat().st_mtime_ns,
                                 (path.parent / "metrics.csv").stat().st_mtime_ns)
    return out


def check_complete_and_intact(config, root):
    """Every run of the config stored exactly once, complete, with readable files and all epochs."""
    specs = {s.run_id: s for s in load_config(config).specs}
    assert {p.name for p in (root / "runs").iterdir()} == set(specs)
    for run_id, spec in specs.items():
        meta = json.loads((root / "runs" / run_id / "run.json").read_text())
        assert meta["status"] == "complete" and meta["run_id"] == run_id
        with open(root / "runs" / run_id / "metrics.csv", newline="") as f:
            rows = list(csv.DictReader(f))
        assert sorted({int(r["epoch"]) for r in rows}) == list(range(spec.epochs + 1))
        assert all(r["value"] != "" for r in rows)
    with open(root / "summary.csv", newline="") as f:
        ids = [r["run_id"] for r in csv.DictReader(f)]
    assert sorted(ids) == sorted(specs)
    assert not list(root.rglob("*.tmp"))


def test_sigkill_of_the_process_group_then_rerun_finishes_without_recomputing(tmp_path):
    config = tmp_path / "sweep.toml"
    config.write_text(SWEEP)
    out, root = tmp_path / "out", tmp_path / "out" / "sweep"
    proc = start(config, out, "--workers", "2")
    wait_for_first_run(proc, root / "runs")
    os.killpg(proc.pid, signal.SIGKILL)
    proc.communicate(timeout=60)
    before = stored(root / "runs")
    n_runs = len(load_config(config).specs)
    assert 0 < len(before) < n_runs, "the kill must land while runs are still in flight"
    for run_id in before:  # what survived the kill is whole and readable
        json.loads(before[run_id][0])

    rerun = subprocess.run([sys.executable, "-m", "experiments", "run", str(config), "--out", str(out),
                            "--no-report", "--workers", "2"], capture_output=True, text=True)
    assert rerun.returncode == 0, rerun.stderr
    assert f"({n_runs - len(before)} computed, {len(before)} already done)" in rerun.stdout
    check_complete_and_intact(config, root)
    after = stored(root / "runs")
    for run_id, (content, mtime, metrics_mtime) in before.items():
        assert after[run_id] == (content, mtime, metrics_mtime), f"{run_id} was recomputed"


def test_ctrl_c_stops_cleanly_says_how_to_resume_and_leaves_no_worker(tmp_path):
    config = tmp_path / "sweep.toml"
    config.write_text(SWEEP)
    out = tmp_path / "out"
    proc = start(config, out, "--workers", "2")
    wait_for_first_run(proc, out / "sweep" / "runs")
    workers = psutil.Process(proc.pid).children(recursive=True)
    assert workers, "the sweep should have worker processes"
    os.killpg(proc.pid, signal.SIGINT)
    stdout, stderr = proc.communicate(timeout=60)
    assert proc.returncode == 130
    assert "Traceback" not in stderr and "Traceback" not in stdout
    n_done = len(list((out / "sweep" / "runs").glob("*/run.json")))
    assert f"interrupted: {n_done} of 4 runs complete ({n_done} in this call)" in stderr
    assert "to resume, run the same command again: learning-rules run" in stderr and "--workers 2" in stderr
    _, alive = psutil.wait_procs(workers, timeout=20)
    assert not alive, f"worker processes outlived the driver: {alive}"


def test_workers_die_when_only_the_driver_is_killed(tmp_path):
    config = tmp_path / "sweep.toml"
    config.write_text(SWEEP)
    proc = start(config, tmp_path / "out", "--workers", "2")
    wait_for_first_run(proc, tmp_path / "out" / "sweep" / "runs")
    workers = psutil.Process(proc.pid).children(recursive=True)
    assert workers
    os.kill(proc.pid, signal.SIGKILL)  # the driver alone: its workers must not go on computing
    proc.wait(timeout=30)
    _, alive = psutil.wait_procs(workers, timeout=20)
    assert not alive, f"worker processes outlived the driver: {alive}"
    proc.stdout.close()
    proc.stderr.close()


def test_leftover_temporaries_are_never_trusted_and_are_removed(tmp_path, write_config):
    path = write_config()
    config = load_config(path)
    first = run_experiment(config, tmp_path, quiet=True)
    victim = config.specs[0].run_id
    folder = tmp_path / "tiny" / "runs" / victim
    # as if the driver died inside write_atomic: the finished-looking run.json is only a temporary
    (folder / "run.json").rename(folder / ".run.json.abc123.tmp")
    (folder / ".metrics.csv.def456.tmp").write_text("epoch,metric,value,layer\n0,test_loss,")
    (tmp_path / "tiny" / ".summary.csv.x.tmp").write_text("half a line")
    again = run_experiment(config, tmp_path, quiet=True)
    assert [r["run_id"] for r in again.computed] == [victim]
    assert again.skipped == len(first.computed) - 1 and again.removed_temporaries == 3
    assert not list((tmp_path / "tiny").rglob("*.tmp"))
    assert json.loads((folder / "run.json").read_text())["status"] == "complete"
