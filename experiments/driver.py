"""The driver of an experiment: plan the runs, skip what is done, compute the rest, store it.

Only the driver writes; workers return records. Rerunning the same file resumes: runs with a
complete (or diverged) run.json whose files are whole are skipped; missing, failed, interrupted
and damaged ones (a file that no longer matches the digest in run.json) are redone. Before any run
starts, each dataset the runs need is loaded once, so one that cannot be (files missing offline)
is one error, not a failure per run.
summary.csv is refreshed as runs finish (at most every few seconds) and at the end, so a sweep
killed part-way still leaves a usable results folder.
"""

from __future__ import annotations

import contextlib
import os
import signal
import sys
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

from .config import ExperimentConfig
from .errors import UserError
from .progress import Progress
from .runs.executors import check_dask, parse_dask_address, run_dask, run_processes, run_serial, sigint_ignored
from .store import ResultsStore
from .tuning.select import planned_specs
from .verify import DONE

#: seconds between refreshes of summary.csv while a sweep runs
SUMMARY_EVERY = 5.0


@dataclass
class RunPlan:
    """Which runs an experiment asks for, and which of them are already done."""

    config: ExperimentConfig
    store: ResultsStore
    specs: list = field(default_factory=list)  # the runs planned: the config's, and a tuned experiment's tuned runs once known
    todo: list = field(default_factory=list)
    done: list = field(default_factory=list)
    stored_status: dict = field(default_factory=dict)  # run_id -> status of a stored, unfinished run
    damaged: dict = field(default_factory=dict)  # run_id -> why its stored files cannot be believed
    force: bool = False  # to do: every run of the plan, stored or not


@dataclass
class SweepOutcome:
    """What a call of ``run_experiment`` did."""

    results_dir: Path
    computed: list[dict]
    skipped: int
    summary: list[dict]
    interrupted: bool = False
    removed_temporaries: int = 0

    @property
    def failed(self) -> list[dict]:
        return [r for r in self.computed if r["status"] == "failed"]

    @property
    def diverged(self) -> list[dict]:
        return [r for r in self.computed if r["status"] == "diverged"]


def plan(config: ExperimentConfig, out: str | Path, force: bool = False) -> RunPlan:
    """Sort the runs into done and to-do (reads the results folder, writes nothing). A tuned
    experiment's tuned runs are planned once its search is stored (with ``force``, only after
    the search has been computed again)."""
    store = ResultsStore(Path(out) / config.name)
    return _plan_of(config, store, list(config.specs) if force else planned_specs(config, store), force)


def _plan_of(config: ExperimentConfig, store: ResultsStore, specs: list, force: bool) -> RunPlan:
    p = RunPlan(config, store, specs, force=force)
    for spec in specs:
        why = store.damage(spec.run_id)
        if why is not None:
            p.damaged[spec.run_id] = why
        status = store.run_status(spec.run_id)
        done = why is None and status in DONE
        (p.todo if force or not done else p.done).append(spec)
        if status is not None and not done:
            p.stored_status[spec.run_id] = status
    return p


def report_damaged(p: RunPlan, stream) -> None:
    """One line per stored run that cannot be believed: its id, the file and why (stream: stderr)."""
    for run_id, why in p.damaged.items():
        print(f"damaged stored run {run_id}: runs/{run_id}/{why}; it is computed again", file=stream)


def check_datasets(specs, dask: str | None) -> None:
    """Load each dataset the runs need once, here, before anything is written: a dataset that cannot
    be loaded (MNIST files missing offline) is one UserError instead of one failed run (and one
    download attempt) per run. Local workers then find the files in the cache, and forked ones the
    arrays in memory. Skipped for a remote Dask scheduler, whose workers may see other files."""
    from .datasets import DatasetError
    from .runs.spec import canonical_json
    from .runs.worker import dataset_for

    if dask and not dask.startswith("local:"):
        return
    seen = set()
    for spec in specs:
        key = canonical_json([spec.data, spec.model.get("dtype"), spec.validation_fraction])
        if key in seen:
            continue
        seen.add(key)
        try:
            dataset_for(spec)
        except (DatasetError, OSError) as err:
            message = " ".join(str(err).split())
            raise UserError(f"dataset {spec.data['name']!r} cannot be loaded, so no run started: {message}") from None


def run_experiment(
    config: ExperimentConfig,
    out: str | Path = "results",
    *,
    workers: int = 1,
    dask: str | None = None,
    force: bool = False,
    quiet: bool = False,
    stream=None,
    on_result: Callable[[dict], None] | None = None,
) -> SweepOutcome:
    """Compute every run of ``config`` not yet stored under ``out/<name>/`` and store it.

    ``workers`` > 1 uses local processes; ``dask`` a Dask scheduler address or ``local:N``.
    On KeyboardInterrupt, what completed is kept and the outcome says it was interrupted."""
    if workers < 1:
        raise UserError(f"--workers {workers}: must be >= 1")
    if dask and workers > 1:
        raise UserError("--workers and --dask do not combine: --dask local:N starts N local Dask workers")
    if dask:
        check_dask(dask)  # a malformed address or a missing extra is a user error before anything is written
    stream = stream if stream is not None else sys.stderr
    p = plan(config, out, force)
    check_datasets(p.todo, dask)
    p.store.check_writable()
    p.store.lock()
    try:
        return _run(config, p, workers, dask, quiet, stream, on_result)
    finally:
        p.store.unlock()


def _run(config, p: RunPlan, workers, dask, quiet, stream, on_result) -> SweepOutcome:
    """Compute the plan; for a tuned experiment whose search this completes, then the tuned runs."""
    removed = p.store.remove_temporaries()
    report_damaged(p, stream)
    p.store.write_config(config.raw)
    run_ids = [s.run_id for s in p.specs]
    computed, skipped = [], 0
    while True:
        done, interrupted, summary = _compute(p, run_ids, workers, dask, quiet, stream, on_result)
        computed, skipped = computed + done, skipped + len(p.done)
        new = [s for s in planned_specs(config, p.store) if s.run_id not in set(run_ids)]
        if interrupted or not new:
            return SweepOutcome(p.store.root, computed, skipped, summary, interrupted, removed)
        p = _plan_of(config, p.store, new, p.force)  # the search is stored: its tuned runs
        check_datasets(p.todo, dask)
        run_ids += [s.run_id for s in new]


def _compute(p: RunPlan, run_ids, workers, dask, quiet, stream, on_result) -> tuple[list[dict], bool, list[dict]]:
    """Compute ``p.todo`` and store each run as it finishes: (results, interrupted, summary rows
    of ``run_ids``)."""
    specs = [s.to_dict() for s in p.todo]
    serial = workers == 1 and not dask
    progress = Progress(total=len(p.specs), done=len(p.done), quiet=quiet, stream=stream,
                        workers=(parse_dask_address(dask) or os.cpu_count() or 1) if dask else workers,
                        epochs=serial and bool(p.todo),
                        todo=p.todo if not dask or dask.startswith("local:") else None)  # budgets read the data here
    if not specs:  # nothing to compute: no pool, no cluster, no scheduler to reach
        results = iter(())
    elif dask:
        results = run_dask(specs, dask)
    elif workers > 1:
        results = run_processes(specs, workers)
    else:
        results = run_serial(specs, on_epoch=progress.epoch, on_start=progress.run_started,
                             stack_seeds=p.config.raw.get("experiment", {}).get("stack_seeds", False))
    computed: list[dict] = []
    interrupted = False
    last_summary = time.monotonic()
    try:
        for result in results:
            with _interrupt_deferred():  # a stored run is also a counted one
                p.store.write_run(result)
                computed.append(result)
                progress.run_finished(result)
            if on_result is not None:
                on_result(result)
            if time.monotonic() - last_summary > SUMMARY_EVERY:
                p.store.write_summary(run_ids)
                last_summary = time.monotonic()
    except KeyboardInterrupt:
        interrupted = True
    finally:
        with _no_second_interrupt(interrupted):
            if hasattr(results, "close"):
                results.close()  # stops and joins the workers of an interrupted sweep
            progress.close()
            summary = p.store.write_summary(run_ids)
    return computed, interrupted, summary


@contextlib.contextmanager
def _interrupt_deferred():
    """Hold a Ctrl-C that arrives inside the block until its end. (A Python-level handler, not a
    signal mask: the signal may be delivered to any thread, such as the process pool's.)"""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    received: list[int] = []
    previous = signal.signal(signal.SIGINT, lambda signum, frame: received.append(signum))
    try:
        yield
    finally:
        signal.signal(signal.SIGINT, previous)
    if received and previous is signal.default_int_handler:
        raise KeyboardInterrupt
    if received and callable(previous):
        previous(signal.SIGINT, None)


def _no_second_interrupt(active: bool):
    """After a Ctrl-C, let the clean-up (stopping workers, writing the summary) finish even if
    the user presses Ctrl-C again; a third party's SIGKILL is still safe (atomic writes)."""
    return sigint_ignored() if active else contextlib.nullcontext()
