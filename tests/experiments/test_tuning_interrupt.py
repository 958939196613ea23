"""A tuned experiment killed (SIGKILL) during its search, then again during its tuned runs,
finishes on the next call without computing any run twice.

Each rule has a quick label and a slow one (~1 s a run), so the signal sent once the first run of
a stage is stored lands while other runs of that stage are in flight; the test checks it did.
"""

import json
import os
import signal
import subprocess
import sys
import time

import pytest

from experiments import load_config
from test_sweep_interrupt import SWEEP, start, stored

pytest.importorskip("psutil")

TUNED = SWEEP.replace('name = "sweep"', 'name = "tuned"') + """
[tune]
trials = 2
seeds = [100]

[tune.space]
"optimizer.lr" = { log_uniform = [1e-3, 1e-1] }
"""


def stage_of(run_json):
    return json.loads(run_json.read_text())["spec"]["stage"]


def wait_for(proc, runs_dir, stage, limit=120.0):
    """Poll until a run of ``stage`` is stored (bounded); fail if the experiment ended first."""
    deadline = time.monotonic() + limit
    while time.monotonic() < deadline:
        if any(stage_of(p) == stage for p in runs_dir.glob("*/run.json")):
            return
        assert proc.poll() is None, f"the experiment ended before a {stage} run was stored: {proc.communicate()}"
        time.sleep(0.01)
    proc.kill()
    pytest.fail(f"no {stage} run.json appeared")


def kill_group(proc):
    os.killpg(proc.pid, signal.SIGKILL)
    proc.communicate(timeout=60)


def test_killed_in_the_search_and_in_the_tuned_runs_it_resumes_without_computing_a_run_twice(tmp_path):
    config_path = tmp_path / "tuned.toml"
    config_path.write_text(TUNED)
    config = load_config(config_path)
    out, runs = tmp_path / "out", tmp_path / "out" / "tuned" / "runs"
    first_stage = len(config.specs)  # 4 search + 4 untuned runs
    assert first_stage == 8

    proc = start(config_path, out, "--workers", "2")
    wait_for(proc, runs, "search")
    kill_group(proc)
    after_search_kill = stored(runs)
    assert 0 < len(after_search_kill) < first_stage, "the kill must land during the search"

    proc = start(config_path, out, "--workers", "2")
    wait_for(proc, runs, "tuned")
    kill_group(proc)
    after_tuned_kill = stored(runs)
    tuned = [r for r in after_tuned_kill if stage_of(runs / r / "run.json") == "tuned"]
    assert 0 < len(tuned) < 4, "the kill must land during the tuned runs"
    assert len(after_tuned_kill) == first_stage + len(tuned)
    for run_id, files in after_search_kill.items():
        assert after_tuned_kill[run_id] == files, f"{run_id} was computed twice"

    rerun = subprocess.run([sys.executable, "-m", "experiments", "run", str(config_path), "--out", str(out),
                            "--no-report", "--workers", "2"], capture_output=True, text=True)
    assert rerun.returncode == 0, rerun.stderr
    assert f"({4 - len(tuned)} computed, {len(after_tuned_kill)} already done)" in rerun.stdout
    final = stored(runs)
    assert len(final) == first_stage + 4
    for run_id, files in after_tuned_kill.items():
        assert final[run_id] == files, f"{run_id} was computed twice"
    assert all(json.loads((runs / r / "run.json").read_text())["status"] == "complete" for r in final)
    assert not list((tmp_path / "out").rglob("*.tmp"))
