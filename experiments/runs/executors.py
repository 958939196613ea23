"""Where runs are computed: in this process, in local worker processes, or on a Dask cluster.

Each executor takes run specs (plain dicts) and yields the results of ``execute_run`` as they
finish; the driver writes them. Workers limit their BLAS to one thread, so N workers use N
cores without oversubscribing them, and every executor gives the same numbers.
"""

from __future__ import annotations

import os
from concurrent.futures import FIRST_COMPLETED, ProcessPoolExecutor, wait
from typing import Callable, Iterator

from ..errors import UserError
from .worker import execute_run

BLAS_ENV = ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS", "BLIS_NUM_THREADS")


def limit_blas_threads(n: int = 1) -> None:
    """Limit this process's BLAS to ``n`` threads (for libraries loaded now or later)."""
    for var in BLAS_ENV:
        os.environ[var] = str(n)
    try:
        from threadpoolctl import threadpool_limits
    except ImportError:
        return
    threadpool_limits(n)


def run_serial(specs: list[dict], on_epoch: Callable | None = None) -> Iterator[dict]:
    """Compute each run in this process, in order."""
    for spec in specs:
        yield execute_run(spec, on_epoch=on_epoch)


def run_processes(specs: list[dict], workers: int) -> Iterator[dict]:
    """Compute runs in ``workers`` local processes; yields results as they complete.

    At most ``workers`` runs are in flight, so an interrupted sweep has little work in progress."""
    pending = list(reversed(specs))
    with ProcessPoolExecutor(max_workers=workers, initializer=limit_blas_threads) as pool:
        running = set()
        try:
            while pending or running:
                while pending and len(running) < workers:
                    running.add(pool.submit(execute_run, pending.pop()))
                done, running = wait(running, return_when=FIRST_COMPLETED)
                for future in done:
                    yield future.result()
        except BaseException:
            for future in running:
                future.cancel()
            pool.shutdown(wait=False, cancel_futures=True)
            raise


def _dask_execute(spec: dict) -> dict:
    limit_blas_threads(1)
    return execute_run(spec)


def run_dask(specs: list[dict], address: str) -> Iterator[dict]:
    """Compute runs on a Dask cluster: ``address`` of a running scheduler, or ``local:N`` to
    start a ``distributed.LocalCluster`` of N single-threaded worker processes here."""
    try:
        from distributed import Client, LocalCluster, as_completed
    except ImportError:
        raise UserError("--dask needs Dask: pip install -e '.[dask]'") from None
    cluster = None
    if address.startswith("local:"):
        n = address.partition(":")[2]
        if not n.isdigit() or int(n) < 1:
            raise UserError(f"--dask {address!r}: expected local:N with N >= 1, or a scheduler address")
        cluster = LocalCluster(n_workers=int(n), threads_per_worker=1, processes=True,
                               host="127.0.0.1", dashboard_address=None)
        address = cluster.scheduler_address
    try:
        client = Client(address, timeout="20s")
    except (OSError, TimeoutError) as err:
        if cluster is not None:
            cluster.close()
        raise UserError(f"--dask: cannot reach the scheduler at {address}: {err}") from None
    try:
        futures = [client.submit(_dask_execute, spec, pure=False) for spec in specs]
        try:
            for future in as_completed(futures):
                yield future.result()
        except BaseException:
            client.cancel(futures)
            raise
    finally:
        client.close()
        if cluster is not None:
            cluster.close()
