"""The same sweep computed serially, on local worker processes and on a Dask cluster gives the
same numbers for every run, bit for bit.

The network (xor, 2-64-64-2) is large enough that OpenBLAS rounds differently with one and two
threads, so this also checks that every executor (the serial driver included) computes with its
BLAS on one thread.
"""

import json
import multiprocessing
import subprocess
import sys

import pandas as pd
import pytest

from experiments import load_config, load_results, run_experiment
from experiments.errors import UserError
from experiments.runs.executors import DASK_EXTRA, run_dask

SWEEP = """
[experiment]
name = "grid"
seeds = [0, 1]
epochs = 2
batch_size = 32

[data]
name = "xor"
n_samples = 400

[model]
hidden = [64, 64]

[optimizer]
name = "adam"

[[rules]]
name = "backprop"

[[rules]]
name = "readout_only"

[sweep]
"optimizer.lr" = [0.01, 0.001]
"""


def metrics_of(root):
    m = load_results(root).metrics
    m = m[m["metric"] != "wall_time"]  # the one measurement that may differ
    return m.sort_values(["run_id", "epoch", "metric", "layer"]).reset_index(drop=True)


def test_serial_processes_and_dask_give_identical_metrics(tmp_path):
    pytest.importorskip("distributed")
    path = tmp_path / "grid.toml"
    path.write_text(SWEEP)
    config = load_config(path)
    assert len(config.specs) == 8
    serial = run_experiment(config, tmp_path / "serial", quiet=True)
    procs = run_experiment(config, tmp_path / "procs", workers=2, quiet=True)
    dask = run_experiment(config, tmp_path / "dask", dask="local:2", quiet=True)
    for outcome in (serial, procs, dask):
        assert len(outcome.computed) == 8 and {r["status"] for r in outcome.computed} == {"complete"}
    reference = metrics_of(tmp_path / "serial" / "grid")
    assert len(reference) > 8 * 3 * 4
    pd.testing.assert_frame_equal(metrics_of(tmp_path / "procs" / "grid"), reference, check_exact=True)
    pd.testing.assert_frame_equal(metrics_of(tmp_path / "dask" / "grid"), reference, check_exact=True)
    # every executor ran its BLAS on one thread (the provenance records it)
    for root in ("serial", "procs", "dask"):
        for meta in load_results(tmp_path / root / "grid").runs.values():
            assert all(lib["num_threads"] == 1 for lib in meta["environment"]["blas"])


def test_a_run_does_not_depend_on_the_other_runs(tmp_path):
    """One run alone (a one-point sweep, one seed) gives the numbers it gives inside the sweep."""
    path = tmp_path / "grid.toml"
    path.write_text(SWEEP)
    run_experiment(load_config(path), tmp_path / "all", workers=2, quiet=True)
    alone = SWEEP.replace("seeds = [0, 1]", "seeds = [1]").replace("[0.01, 0.001]", "[0.001]")
    path.write_text(alone.replace('[[rules]]\nname = "readout_only"\n', ""))
    run_experiment(load_config(path), tmp_path / "one", quiet=True)
    one = metrics_of(tmp_path / "one" / "grid")
    run_id = one["run_id"].iloc[0]
    every = metrics_of(tmp_path / "all" / "grid")
    mine = every[every["run_id"] == run_id].reset_index(drop=True)
    assert len(mine) == len(one)
    pd.testing.assert_series_equal(mine["value"], one["value"], check_exact=True)


def test_processes_spawn_when_the_driver_has_threads(tmp_path, write_config):
    """A driver with other threads (a notebook, a Dask client) must not fork; spawned workers
    give the same numbers."""
    import threading

    from experiments.runs import executors

    stop = threading.Event()
    thread = threading.Thread(target=stop.wait, daemon=True)
    thread.start()
    try:
        assert executors._context().get_start_method() == "spawn"
        config = load_config(write_config())
        run_experiment(config, tmp_path / "spawned", workers=2, quiet=True)
    finally:
        stop.set()
        thread.join()
    run_experiment(config, tmp_path / "serial", quiet=True)
    pd.testing.assert_frame_equal(metrics_of(tmp_path / "spawned" / "tiny"), metrics_of(tmp_path / "serial" / "tiny"),
                                  check_exact=True)


def test_dask_address_of_a_running_scheduler(tmp_path):
    distributed = pytest.importorskip("distributed")
    path = tmp_path / "grid.toml"
    path.write_text(SWEEP.replace("seeds = [0, 1]", "seeds = [0]").replace("[0.01, 0.001]", "[0.01]"))
    config = load_config(path)
    with distributed.LocalCluster(n_workers=1, threads_per_worker=1, processes=False, protocol="tcp", host="127.0.0.1",
                                  dashboard_address=None) as cluster:
        outcome = run_experiment(config, tmp_path / "dask", dask=cluster.scheduler_address, quiet=True)
    run_experiment(config, tmp_path / "serial", quiet=True)
    assert [r["status"] for r in outcome.computed] == ["complete", "complete"]
    pd.testing.assert_frame_equal(metrics_of(tmp_path / "dask" / "grid"), metrics_of(tmp_path / "serial" / "grid"),
                                  check_exact=True)


def test_dask_without_the_extra_names_the_extra(monkeypatch):
    monkeypatch.setitem(sys.modules, "distributed", None)  # as if Dask were not installed
    with pytest.raises(UserError) as err:
        list(run_dask([], "local:2"))
    assert str(err.value) == DASK_EXTRA and "[dask]" in DASK_EXTRA and "\n" not in DASK_EXTRA


def test_dask_without_the_extra_is_refused_before_anything_is_written(monkeypatch, tmp_path, write_config):
    monkeypatch.setitem(sys.modules, "distributed", None)
    with pytest.raises(UserError, match="needs the 'dask' extra"):
        run_experiment(load_config(write_config()), tmp_path / "out", dask="local:2", quiet=True)
    assert not (tmp_path / "out").exists()


def test_cli_dask_local_without_workers_runs_on_a_many_core_machine(tmp_path, write_config, TINY, monkeypatch,
                                                                    capsys):
    pytest.importorskip("distributed")
    from experiments.cli import main

    monkeypatch.setattr("os.cpu_count", lambda: 4)  # --workers defaults to the core count
    path = write_config(TINY.replace("seeds = [0, 1]", "seeds = [0]"))
    assert main(["run", str(path), "--out", str(tmp_path), "--dask", "local:2", "--quiet", "--no-report"]) == 0
    assert set(load_results(tmp_path / "tiny").summary["status"]) == {"complete"}
    assert main(["run", str(path), "--out", str(tmp_path / "two"), "--dask", "local:2", "--workers", "2"]) == 2
    assert "--workers and --dask do not combine" in capsys.readouterr().err


@pytest.mark.parametrize("kw, message", [
    ({"dask": "local:0"}, "expected local:N with N >= 1"),
    ({"dask": "local:two"}, "expected local:N with N >= 1"),
    ({"dask": "nonsense"}, "expected a scheduler address such as tcp://host:8786"),
    ({"dask": "tcp://host:port"}, "expected a scheduler address"),
    ({"dask": "http://host:8786"}, "expected a scheduler address"),
    ({"dask": "local:2", "workers": 2}, "--workers and --dask do not combine"),
    ({"workers": 0}, "--workers 0: must be >= 1"),
])
def test_bad_executor_options_are_user_errors_before_anything_is_written(tmp_path, write_config, kw, message):
    with pytest.raises(UserError, match=message):
        run_experiment(load_config(write_config()), tmp_path / "out", quiet=True, **kw)
    assert not (tmp_path / "out").exists()



KILLER = """
import json, os, signal, sys
from learning_rules.rules.registry import register
from experiments import load_config
from experiments.runs import executors

class KillsItsWorker:  # its first step kills the process computing it, as the out-of-memory killer would
    card = None
    def __init__(self):
        pass
    def init(self, net, rng):
        pass
    def step(self, net, x, y):
        os.kill(os.getpid(), signal.SIGKILL)

register("kills_its_worker", KillsItsWorker)  # forked workers inherit it
assert executors._context().get_start_method() == "fork"
specs = [s.to_dict() for s in load_config(sys.argv[1]).specs]
killer = dict(specs[0], rule="kills_its_worker", label="killer", hyperparameters={})
results = executors.run_processes([specs[0], killer, specs[1]], workers=1)
print(json.dumps({r["spec"]["label"]: [r["status"], r["reason"]] for r in results}))
"""


def test_a_worker_that_dies_fails_only_its_run_and_the_sweep_goes_on(write_config, TINY):
    if "fork" not in multiprocessing.get_all_start_methods():
        pytest.skip("the test rule is registered in the driver only; its workers must be forked")
    path = write_config(TINY.replace("seeds = [0, 1]", "seeds = [0]"))
    proc = subprocess.run([sys.executable, "-c", KILLER, str(path)], capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr
    results = json.loads(proc.stdout.strip().splitlines()[-1])
    assert results["killer"][0] == "failed" and "worker process died" in results["killer"][1]
    assert results["backprop"] == ["complete", ""] and results["readout_only"] == ["complete", ""]
