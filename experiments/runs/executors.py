"""Where runs are computed: in this process, in local worker processes, or on a Dask cluster.

Each executor takes run specs (plain dicts) and yields the results of ``execute_run`` as they
finish; the driver writes them. Every run computes with its BLAS limited to one thread, wherever it
runs: OpenBLAS gives different float32 roundings with 1 and 2 threads, so this is what makes
serial, process and Dask sweeps give identical numbers (and keeps N workers on N cores).

Local workers ignore Ctrl-C (the driver stops them) and die with the driver, even when it is
killed with SIGKILL, so an interrupted sweep leaves no process computing in the background.
"""

from __future__ import annotations

import contextlib
import importlib.util
import logging
import multiprocessing
import os
import signal
import sys
import threading
import time
import traceback
from concurrent.futures import FIRST_COMPLETED, ProcessPoolExecutor, wait
from concurrent.futures.process import BrokenProcessPool
from datetime import datetime, timezone
from typing import Callable, Iterator

import numpy as np

from ..errors import UserError
from .allocator import keep_freed_heap
from .spec import RunSpec
from .stacked import execute_group, seed_groups
from .worker import execute_run

BLAS_ENV = ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS", "BLIS_NUM_THREADS")
DASK_EXTRA = "--dask needs the 'dask' extra: pip install -e \".[dask]\" (or pip install \"learning-rules[dask]\")"


def limit_blas_threads(n: int = 1) -> None:
    """Limit this process's BLAS to ``n`` threads for good (worker processes only)."""
    for var in BLAS_ENV:
        os.environ[var] = str(n)
    try:
        from threadpoolctl import threadpool_limits
    except ImportError:  # scikit-learn depends on threadpoolctl, so this is rare
        return
    threadpool_limits(n)


@contextlib.contextmanager
def blas_threads(n: int = 1):
    """Limit BLAS to ``n`` threads inside the block, restoring the caller's setting after."""
    try:
        from threadpoolctl import threadpool_limits
    except ImportError:
        yield
        return
    with threadpool_limits(n):
        yield


def quiet_float_warnings():
    """Overflow and NaN warnings of a run that diverges: the run is stored as ``diverged`` with
    the epoch and reason, so the warnings would only repeat it, once per process."""
    return np.errstate(over="ignore", invalid="ignore", divide="ignore")


def failed_result(spec: dict, reason: str, tb: str = "") -> dict:
    """A ``failed`` result for a run whose worker could not return one (it died, or its result
    could not be sent back); the run is redone by the next call of the same sweep."""
    now = datetime.now(timezone.utc).isoformat(timespec="seconds")
    return {"run_id": RunSpec.from_dict(spec).run_id, "spec": spec, "started": now, "finished": now,
            "status": "failed", "reason": reason, "traceback": tb, "records": [], "epochs_completed": 0,
            "wall_time": 0.0}


def run_serial(specs: list[dict], on_epoch: Callable | None = None,
               on_start: Callable | None = None, stack_seeds: bool | str = False) -> Iterator[dict]:
    """Compute each run in this process, in order, with BLAS on one thread; with ``stack_seeds``
    (true or "auto") the seeds of one rule and configuration train together where they can
    (experiments/runs/stacked.py), each stored run the same as its solo run."""
    for group in seed_groups(specs, stack_seeds):
        if on_start is not None:
            on_start(group[0])
        with blas_threads(1), quiet_float_warnings():
            results = execute_group(group, on_epoch=on_epoch)
        yield from results


# ---- local processes -------------------------------------------------------------------------

def _die_with(driver_pid: int) -> None:
    """Make this worker exit when the driver that started it dies (even by SIGKILL)."""
    if sys.platform.startswith("linux"):
        try:  # the kernel sends SIGKILL when our parent exits
            import ctypes

            PR_SET_PDEATHSIG = 1
            ctypes.CDLL(None, use_errno=True).prctl(PR_SET_PDEATHSIG, signal.SIGKILL)
        except (OSError, AttributeError):
            pass
    if os.getppid() != driver_pid or not _alive(driver_pid):  # it died before we got here
        os._exit(1)

    def watch() -> None:  # portable fallback: an orphan is re-parented, so its ppid changes
        while os.getppid() == driver_pid:
            time.sleep(0.5)
        os._exit(1)

    threading.Thread(target=watch, name="die-with-driver", daemon=True).start()


def _alive(pid: int) -> bool:
    if os.name == "nt":  # os.kill(pid, 0) would terminate the process there
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def _init_worker(driver_pid: int) -> None:
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C reaches the whole group; the driver stops us
    _die_with(driver_pid)
    limit_blas_threads(1)
    keep_freed_heap()
    np.seterr(over="ignore", invalid="ignore", divide="ignore")  # see quiet_float_warnings


def _context():
    """fork when this process has a single thread (workers start in milliseconds, with every
    module already imported), spawn otherwise: forking a process whose other threads hold locks
    (a Dask client, a notebook's kernel threads) can deadlock the child. Either way each worker
    is a direct child of the driver, so the kernel's parent-death signal reaches it."""
    if "fork" in multiprocessing.get_all_start_methods() and threading.active_count() == 1:
        return multiprocessing.get_context("fork")
    return multiprocessing.get_context("spawn")


def _kill_workers(pool: ProcessPoolExecutor) -> None:
    # ProcessPoolExecutor has no public way to stop running tasks (before Python 3.14)
    for proc in list((getattr(pool, "_processes", None) or {}).values()):
        with contextlib.suppress(Exception):
            proc.kill()


def run_processes(specs: list[dict], workers: int) -> Iterator[dict]:
    """Compute runs in ``workers`` local processes; yields results as they complete.

    At most ``workers`` runs are in flight, so an interrupted sweep has little work in progress.
    A worker that dies (killed, out of memory) fails only the runs it was computing; a fresh
    pool takes the rest."""
    pending = list(reversed(specs))
    workers = max(1, min(workers, len(specs)))  # fork starts every worker of the pool at once
    while pending:
        pool = ProcessPoolExecutor(max_workers=workers, mp_context=_context(),
                                   initializer=_init_worker, initargs=(os.getpid(),))
        running: dict = {}
        broken = False
        try:
            while (pending or running) and not broken:
                while pending and len(running) < workers:
                    spec = pending.pop()
                    running[pool.submit(execute_run, spec)] = spec
                done, _ = wait(running, return_when=FIRST_COMPLETED)
                for future in done:
                    spec = running.pop(future)
                    try:
                        result = future.result()
                    except BrokenProcessPool:
                        broken = True
                        result = failed_result(spec, "the worker process died (killed, or out of memory?)")
                    except Exception as err:  # e.g. a result that could not be sent back
                        result = failed_result(spec, f"{type(err).__name__}: {err}", traceback.format_exc())
                    yield result
            if broken:  # every run still in flight died with the pool
                for future, spec in running.items():
                    yield failed_result(spec, "the worker process died (killed, or out of memory?)")
                running.clear()
        finally:
            if running:  # interrupted (Ctrl-C, or the caller stopped iterating): stop the work now
                _kill_workers(pool)
                pool.shutdown(wait=True, cancel_futures=True)
            else:
                pool.shutdown(wait=True)


# ---- Dask ------------------------------------------------------------------------------------

def _dask_execute(spec: dict) -> dict:
    keep_freed_heap()
    with blas_threads(1), quiet_float_warnings():
        return execute_run(spec)


@contextlib.contextmanager
def sigint_ignored():
    """Ignore Ctrl-C in this block (main thread only; elsewhere signals cannot be set)."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    previous = signal.signal(signal.SIGINT, signal.SIG_IGN)
    try:
        yield
    finally:
        signal.signal(signal.SIGINT, previous)


DASK_SCHEMES = ("tcp", "tls", "ws", "wss", "ucx")


def parse_dask_address(address: str) -> int | None:
    """N for ``local:N`` (a LocalCluster of N workers started here), None for a scheduler address
    ``[tcp://]host:port``; anything else is a UserError (raised before anything is written)."""
    if address.startswith("local:"):
        n = address.partition(":")[2]
        if not n.isdigit() or int(n) < 1:
            raise UserError(f"--dask {address!r}: expected local:N with N >= 1, or a scheduler address such as tcp://host:8786")
        return int(n)
    scheme, sep, rest = address.partition("://")
    if not sep:
        scheme, rest = "tcp", address
    host, colon, port = rest.rpartition(":")
    if scheme not in DASK_SCHEMES or not colon or not host or "/" in host or not port.isdigit() \
            or not 0 < int(port) < 65536:
        raise UserError(f"--dask {address!r}: expected a scheduler address such as tcp://host:8786 "
                        f"(schemes: {', '.join(DASK_SCHEMES)}), or local:N to start N local workers")
    return None


def check_dask(address: str) -> None:
    """Refuse a malformed address, or a missing dask extra, before any run starts."""
    parse_dask_address(address)
    if importlib.util.find_spec("distributed") is None:
        raise UserError(DASK_EXTRA)


def run_dask(specs: list[dict], address: str) -> Iterator[dict]:
    """Compute runs on a Dask cluster: ``address`` of a running scheduler, or ``local:N`` to
    start a ``distributed.LocalCluster`` of N single-threaded worker processes here."""
    n_local = parse_dask_address(address)
    try:
        from distributed import Client, LocalCluster, as_completed
    except ImportError:
        raise UserError(DASK_EXTRA) from None
    cluster = None
    if n_local is not None:
        import dask

        # Dask's nanny sets MALLOC_TRIM_THRESHOLD_=65536 in its workers, so glibc hands freed
        # memory back to the system all the time; the training loop's many small numpy
        # temporaries then ran ~2x slower than in a plain process. Keep glibc's default.
        environ = dict(dask.config.get("distributed.nanny.pre-spawn-environ", {}))
        environ.pop("MALLOC_TRIM_THRESHOLD_", None)
        with sigint_ignored(), dask.config.set({"distributed.nanny.pre-spawn-environ": environ}):
            cluster = LocalCluster(n_workers=n_local, threads_per_worker=1, processes=True,
                                   host="127.0.0.1", dashboard_address=None, silence_logs=logging.ERROR)
        address = cluster.scheduler_address
    try:
        client = Client(address, timeout="20s")
    except (OSError, TimeoutError, ValueError) as err:
        if cluster is not None:
            cluster.close()
        raise UserError(f"--dask: cannot reach the scheduler at {address}: {err}") from None
    futures = {}
    try:
        futures = {client.submit(_dask_execute, spec, pure=False): spec for spec in specs}
        for future in as_completed(futures):
            try:
                result = future.result()
            except Exception as err:  # the worker died, or the task was lost
                result = failed_result(futures[future], f"{type(err).__name__}: {err}", traceback.format_exc())
            yield result
    finally:
        with contextlib.suppress(Exception):
            client.cancel(list(futures))
        client.close()
        if cluster is not None:
            cluster.close()
