"""The report of a tuned experiment: the main report on the tuned runs, and a tuning section.

The section reads each rule's choice the way the driver made it (``experiments.tuning.select``
on the stored search runs, which hold no test numbers) and shows, per rule: the search budget
(trials, and the FLOPs of the search runs), the chosen values, the validation accuracy of the
chosen trial and its spread over the trials, and the tuned test accuracy beside the untuned one
(the file's own values), with each rule's gap to the reference (backprop) before and after
tuning. Its figure plots each trial's validation accuracy against each key searched for that rule.
"""

from __future__ import annotations

import dataclasses
import math
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from ..errors import UserError
from ..results import Results
from .statistics import find_controls, mean_ci, reference_label
from .tables import DASH, pct, pct_ci, sci, signed_points

STAGE = "tune.stage"


@dataclass
class TuningSection:
    """What the report prints about the search: a table of display strings and notes, or only a
    ``message`` (the search is not complete, or the config cannot be read); ``trials``: one row
    per (label, trial) with its score and values, for the figure."""

    notes: list[str]
    table: pd.DataFrame = field(default_factory=pd.DataFrame)
    trials: pd.DataFrame = field(default_factory=pd.DataFrame)
    keys: dict = field(default_factory=dict)
    log_keys: tuple = ()
    chosen: dict = field(default_factory=dict)
    controls: dict = field(default_factory=dict)


def is_tuned(res: Results) -> bool:
    return STAGE in res.summary.columns


def main_results(res: Results) -> Results:
    """The runs the rest of the report compares: the tuned runs, or while there are none yet the
    untuned ones; without the search runs and the columns only they fill."""
    if not is_tuned(res):
        return res
    stages = set(res.summary[STAGE])
    if not stages & {"tuned", "untuned"}:
        raise UserError(f"{res.root} holds only search runs so far ({len(res.summary)} stored); the report compares "
                        "the untuned and tuned runs, which follow them (run the same command again to compute them)")
    keep = res.summary[res.summary[STAGE] == ("tuned" if "tuned" in stages else "untuned")]
    drop = [STAGE, *(c for c in keep.columns if "." in c and keep[c].isna().all())]
    summary = keep.drop(columns=drop).reset_index(drop=True)
    ids = set(summary["run_id"])
    metrics = res.metrics[res.metrics["run_id"].isin(ids)].drop(columns=drop, errors="ignore")
    runs = {k: v for k, v in res.runs.items() if k in ids}
    return dataclasses.replace(res, summary=summary, metrics=metrics.reset_index(drop=True), runs=runs)


def tuning_section(res: Results) -> TuningSection | None:
    """The section of a tuned experiment's results folder; None for an experiment without [tune]."""
    if not is_tuned(res):
        return None
    from ..config import parse_config
    from ..errors import ConfigError
    from ..store import ResultsStore
    from ..tuning.select import choose

    try:
        tuning = parse_config(res.config).tuning
    except (ConfigError, ValueError) as err:
        return TuningSection([f"The search cannot be read back: config.toml does not validate here ({err})."])
    choices = choose(tuning, ResultsStore(res.root))
    if choices is None:
        return TuningSection(["The search is not complete yet: the tuned runs start once every search run is "
                              "stored (run the same command again)."])
    s = tuning.settings
    controls = find_controls(res.summary, res.runs)
    trials = _trials_frame(tuning, choices)
    table = _table(res.summary, tuning, choices, controls)
    log_keys = tuple(d.key for d in s.space if d.is_log)
    return TuningSection(_notes(s, _reference(res.summary, controls)), table, trials, dict(tuning.keys), log_keys,
                         {label: c.trial for label, c in choices.items()}, controls)


def _reference(summary: pd.DataFrame, controls: dict) -> str | None:
    return reference_label(summary[summary[STAGE] != "search"], controls)


def _trials_frame(tuning, choices) -> pd.DataFrame:
    rows = []
    for label, c in choices.items():
        for t in c.trials:
            rows.append({"label": label, "trial": t.trial, "score": t.score, "epoch": t.epoch,
                         **{k: tuning.trials[t.trial][k] for k in tuning.keys[label]}})
    return pd.DataFrame(rows)


def _final_accuracy(summary: pd.DataFrame, label: str, stage: str) -> tuple[float, float, int]:
    rows = summary[(summary["label"] == label) & (summary[STAGE] == stage) & (summary["status"] == "complete")]
    return mean_ci(rows["test_accuracy"])


def _table(summary: pd.DataFrame, tuning, choices, controls) -> pd.DataFrame:
    reference = _reference(summary, controls)
    ref = {stage: _final_accuracy(summary, reference, stage)[0] if reference else math.nan
           for stage in ("untuned", "tuned")}
    rows = []
    for label, c in choices.items():
        scores = np.array([t.score for t in c.trials])
        finite = scores[np.isfinite(scores)]
        distinct = {t.run_ids: t.flops for t in c.trials}  # a repeated trial repeats its runs
        untuned, tuned = (_final_accuracy(summary, label, stage) for stage in ("untuned", "tuned"))
        name = label + (f" ({'hidden frozen' if controls[label] == 'readout' else 'linear model'})"
                        if label in controls else "")
        gap = DASH if label == reference else (
            f"{signed_points(untuned[0] - ref['untuned'])} → {signed_points(tuned[0] - ref['tuned'])}")
        spread = (f"{pct(np.median(finite))} [{pct(finite.min())}, {pct(finite.max())}]" if finite.size else DASH)
        diverged = len(scores) - finite.size
        rows.append({
            "rule": name,
            "trials": f"{len(c.trials)}" + (f" ({len(distinct)} distinct)" if len(distinct) < len(c.trials) else ""),
            "search FLOPs": sci(math.fsum(distinct.values())),
            "chosen values": ", ".join(f"{k.removeprefix(f'rules.{label}.')}={v}" for k, v in c.values.items())
                             + (f", epochs={c.epochs}" if tuning.settings.select == "best" else ""),
            "validation acc., chosen (%)": pct(c.score),
            "validation acc. over trials: median [min, max] (%)": spread + (f", {diverged} diverged" if diverged else ""),
            "untuned test acc. (%)": pct_ci(untuned[0], untuned[1]),
            "tuned test acc. (%)": pct_ci(tuned[0], tuned[1]),
            "tuned − untuned (pts)": signed_points(tuned[0] - untuned[0]),
            f"gap to {reference or 'reference'}, untuned → tuned (pts)": gap,
        })
    return pd.DataFrame(rows)


def _notes(s, reference: str | None) -> list[str]:
    picked = ("its validation accuracy after the last epoch" if s.select == "final" else
              "its best validation accuracy over the epochs (the mean curve over search seeds); the tuned "
              "runs then train for that many epochs, so their test accuracy is taken at an epoch picked on "
              "validation, never on test")
    return [
        f"Every rule had the same search budget: {s.trials} trials ({s.sampler} sampler, sampler seed "
        f"{s.sampler_seed}), each run on search seed{'s' if len(s.seeds) > 1 else ''} "
        f"{', '.join(map(str, s.seeds))} with {100 * s.validation_fraction:g}% of the training split held out "
        "(stratified) as the validation split. The search runs have no test split: no test number enters the choice.",
        f"Each rule's trial is the one with the best mean validation accuracy over the search seeds, taken as {picked}. "
        "A trial with a diverged run scores lowest. Search FLOPs: training FLOPs of the search runs.",
        "Tuned and untuned test accuracies are final accuracies (mean ± 95% CI over the experiment's seeds) on the "
        "whole training split; untuned = the experiment file's own values. The tables and figures above and below "
        "are the tuned runs.",
        f"Gap to {reference or 'the reference'}: a rule's mean minus {reference or 'the reference'}'s, both untuned, "
        "then both tuned; a gap nearer 0 after tuning means the fixed protocol had favoured the reference.",
    ]


def tuning_figures(section: TuningSection | None, chance: float | None = None) -> list[tuple]:
    """(name, title, draw, caption, why it can be missing) of the section's figure, for the report's
    figure list; ``chance`` (the test split's largest class) is drawn as a dashed line."""
    if section is None or section.trials.empty:
        return []
    from .figures.tuning import validation_vs_keys

    return [("tuning", "Tuning: validation accuracy against each searched key",
             lambda: validation_vs_keys(section.trials, section.keys, section.log_keys, section.chosen,
                                        controls=section.controls, chance=chance),
             "Each trial's validation accuracy (mean over search seeds) against each key searched for that rule; "
             "the chosen trial is the star. No test number is involved"
             + ("; dashed grey line: chance (the test split's largest class)." if chance is not None else "."),
             "no key of [tune.space] changes any rule's runs")]


def markdown_lines(section: TuningSection | None, md_table) -> list[str]:
    if section is None:
        return []
    return ["## Tuning", "", *([md_table(section.table), ""] if not section.table.empty else []),
            *(f"- {n}" for n in section.notes), ""]


def html_parts(section: TuningSection | None, html_table, escape) -> list[str]:
    if section is None:
        return []
    return ['<h2 id="tuning">Tuning</h2>', html_table(section.table) if not section.table.empty else "",
            '<ul class="notes">' + "".join(f"<li>{escape(n)}</li>" for n in section.notes) + "</ul>"]
