"""The driver of an experiment: plan the runs, skip what is done, compute the rest, store it.

Only the driver writes; workers return records. Rerunning the same file resumes: runs with a
complete (or diverged) run.json are skipped, missing, failed and interrupted ones are redone.
"""

from __future__ import annotations

import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

from .config import ExperimentConfig
from .errors import UserError
from .progress import Progress
from .runs.executors import limit_blas_threads, run_dask, run_processes, run_serial
from .store import ResultsStore


@dataclass
class RunPlan:
    """Which runs an experiment asks for, and which of them are already done."""

    config: ExperimentConfig
    store: ResultsStore
    todo: list = field(default_factory=list)
    done: list = field(default_factory=list)


@dataclass
class SweepOutcome:
    """What a call of ``run_experiment`` did."""

    results_dir: Path
    computed: list[dict]
    skipped: int
    summary: list[dict]
    interrupted: bool = False

    @property
    def failed(self) -> list[dict]:
        return [r for r in self.computed if r["status"] == "failed"]


def plan(config: ExperimentConfig, out: str | Path, force: bool = False) -> RunPlan:
    store = ResultsStore(Path(out) / config.name)
    p = RunPlan(config, store)
    for spec in config.specs:
        (p.todo if force or not store.is_done(spec.run_id) else p.done).append(spec)
    return p


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
    stream = stream if stream is not None else sys.stderr
    p = plan(config, out, force)
    p.store.check_writable()
    p.store.write_config(config.raw)
    specs = [s.to_dict() for s in p.todo]
    progress = Progress(total=len(config.specs), done=len(p.done), quiet=quiet, stream=stream,
                        epochs=p.todo[0].epochs if p.todo and workers == 1 and not dask else None)
    computed: list[dict] = []
    interrupted = False
    if dask:
        results = run_dask(specs, dask)
    elif workers > 1:
        results = run_processes(specs, workers)
    else:
        limit_blas_threads(1)  # the same numbers as a one-thread worker, wherever a run is computed
        results = run_serial(specs, on_epoch=progress.epoch)
    try:
        for result in results:
            p.store.write_run(result)
            computed.append(result)
            progress.run_finished(result)
            if on_result is not None:
                on_result(result)
    except KeyboardInterrupt:
        interrupted = True
    finally:
        progress.close()
        summary = p.store.write_summary([s.run_id for s in config.specs])
    return SweepOutcome(p.store.root, computed, len(p.done), summary, interrupted)
