"""Each rule's configuration, chosen on validation from the stored search runs.

A trial's score is its validation accuracy (validation loss, negated, on a regression task) as
the mean over the search seeds: at the last epoch (``select = "final"``), or at the epoch where
that mean is highest (``select = "best"``; the tuned runs then train for that many epochs). A
trial with a diverged run scores -inf. The best score wins; a tie goes to the earlier trial. The
choice reads only stored, verified search runs, which hold no test numbers, so it is a pure
function of the file and the numbers those runs computed: resuming, ``--workers`` and Dask give
the same choice. Nothing is chosen while any search run is missing or failed.
"""

from __future__ import annotations

import csv
import dataclasses
import math
from dataclasses import dataclass

from ..runs.spec import RunSpec
from ..verify import DONE


@dataclass(frozen=True)
class TrialScore:
    """One trial of one rule: its score, the epoch it is taken at, its runs and their FLOPs."""

    trial: int
    score: float
    epoch: int
    run_ids: tuple[str, ...]
    flops: float


@dataclass(frozen=True)
class Choice:
    """The trial chosen for one rule, its values (the keys that change its runs), its score,
    how many epochs its tuned runs train, and every trial's score."""

    label: str
    trial: int
    values: dict
    score: float
    epochs: int
    trials: tuple[TrialScore, ...]


def choose(tuning, store) -> dict[str, Choice] | None:
    """label -> Choice, or None while a search run of the ResultsStore ``store`` is not done."""
    runs = {}
    for spec in tuning.search_specs():
        if store.run_status(spec.run_id) not in DONE or store.damage(spec.run_id) is not None:
            return None
        runs[spec.run_id] = _search_run(store, spec.run_id)
    choices = {}
    for label in tuning.labels:
        scores = tuple(_trial_score(i, specs, runs, tuning.settings.select)
                       for i, specs in enumerate(tuning.search[label]))
        best = max(scores, key=lambda t: (t.score, -t.trial))  # the earlier trial on a tie
        values = {k: tuning.trials[best.trial][k] for k in tuning.keys[label]}
        choices[label] = Choice(label, best.trial, values, best.score, best.epoch, scores)
    return choices


def tuned_specs(tuning, choices: dict[str, Choice]) -> list[RunSpec]:
    """The final runs of each rule's chosen trial (with select = "best", of its chosen length)."""
    out = []
    for label in tuning.labels:
        c = choices[label]
        for spec in tuning.final[label][c.trial]:
            out.append(dataclasses.replace(spec, epochs=c.epochs) if tuning.settings.select == "best" else spec)
    return out


def planned_specs(config, store) -> list[RunSpec]:
    """The runs an experiment asks for now: its specs, and for a tuned experiment whose search is
    stored, the tuned runs of each rule's choice."""
    if config.tuning is None:
        return list(config.specs)
    choices = choose(config.tuning, store)
    return list(config.specs) + ([] if choices is None else tuned_specs(config.tuning, choices))


def _search_run(store, run_id: str) -> dict:
    """A stored search run: status, flops, and its validation curve {epoch: score} (higher is better)."""
    meta = store.read_run(run_id)
    accuracy, loss = {}, {}
    with open(store.runs_dir / run_id / "metrics.csv", newline="") as f:
        for row in csv.DictReader(f):
            if row["metric"] == "validation_accuracy" and not row["layer"]:
                accuracy[int(row["epoch"])] = float(row["value"])
            elif row["metric"] == "validation_loss" and not row["layer"]:
                loss[int(row["epoch"])] = -float(row["value"])
    return {"status": meta["status"], "flops": float(meta.get("flops", math.nan)), "curve": accuracy or loss}


def _trial_score(trial: int, specs: tuple[RunSpec, ...], runs: dict, select: str) -> TrialScore:
    ids = tuple(s.run_id for s in specs)
    epochs = specs[0].epochs
    flops = math.fsum(runs[i]["flops"] for i in ids)
    if any(runs[i]["status"] != "complete" for i in ids):
        return TrialScore(trial, -math.inf, epochs, ids, flops)
    mean = {e: math.fsum(runs[i]["curve"][e] for i in ids) / len(ids) for e in range(1, epochs + 1)}
    if select == "final":
        return TrialScore(trial, mean[epochs], epochs, ids, flops)
    best = max(mean, key=lambda e: (mean[e], -e))  # the earliest epoch on a tie
    return TrialScore(trial, mean[best], best, ids, flops)
