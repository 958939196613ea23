"""What each CLI command does, separated from argument parsing."""

from __future__ import annotations

import contextlib
import os
from pathlib import Path
import shlex
import sys
import warnings

import pandas as pd

from .config import load_config
from .driver import plan, report_damaged, run_experiment
from .errors import UserError

#: rows of the terminal summary before it is cut (a sweep's full table is in its report)
MAX_ROWS, QUIET_ROWS = 40, 15


def command_run(args) -> int:
    from .cli import default_config_path

    if getattr(args, "report", False) and args.no_report:
        raise UserError("--report (rebuild the report) and --no-report (write none) do not combine")
    config = load_config(args.config or default_config_path(), args.overrides, smoke=args.smoke)
    for line in config.warnings:
        print(f"warning: {line}", file=sys.stderr)
    if args.dry_run:
        p = plan(config, args.out, args.force)
        report_damaged(p, sys.stderr)
        done = {s.run_id for s in p.done}
        print(f"{config.name}: {len(p.specs)} runs ({len(done)} done, {len(p.todo)} to compute) -> {p.store.root}")
        for s in p.specs:
            point = " ".join(f"{k}={v}" for k, v in s.sweep_point.items())
            state = "done" if s.run_id in done else "redo" if s.run_id in p.stored_status else "todo"
            kind = "" if s.model["kind"] == "rate" else f"[{s.model['kind']} network] "
            stage = f"[{s.stage}] " if s.stage else ""
            print(f"  {state}  {s.run_id}  {s.label} {kind}{stage}seed={s.seed} {point}".rstrip())
        pending = total_runs(config) - len(p.specs)
        if pending:
            print(f"  then {pending} tuned runs: each rule's trial chosen on validation, once the search is stored")
        return 0
    outcome = run_experiment(config, args.out, workers=_workers(args), dask=args.dask,
                             force=args.force, quiet=args.quiet)
    report = None if args.no_report else outcome.results_dir / "report.html"
    print(summary_table([r for r in outcome.summary if r.get("tune.stage") != "search"],
                        max_rows=QUIET_ROWS if args.quiet else MAX_ROWS, report=report))
    if config.tuning is not None:
        print("\n" + tuning_lines(config, outcome.results_dir))
    print(f"\nresults: {outcome.results_dir}  ({len(outcome.computed)} computed, {outcome.skipped} already done)")
    if outcome.interrupted:
        complete = sum(1 for r in outcome.summary if r["status"] in ("complete", "diverged"))
        print(f"interrupted: {complete} of {total_runs(config)} runs complete ({len(outcome.computed)} in this call); "
              f"to resume, run the same command again: {resume_command(args)}", file=sys.stderr)
        return 130
    code = _report_failures(outcome)
    if not args.no_report:  # last, so that the last line names the page to open
        _write_report(outcome.results_dir, args.quiet, force=getattr(args, "report", False))
    return code


def total_runs(config) -> int:
    """How many runs the experiment asks for, a tuned experiment's tuned runs included."""
    if config.tuning is None:
        return len(config.specs)
    return len(config.specs) + sum(len(config.tuning.final[label][0]) for label in config.tuning.labels)


def tuning_lines(config, results_dir) -> str:
    """What the search chose for each rule (or that it is not complete yet), for the terminal."""
    from .report.tables import pct
    from .store import ResultsStore
    from .tuning.select import choose

    t = config.tuning.settings
    choices = choose(config.tuning, ResultsStore(results_dir))
    head = (f"tuning: {t.trials} trials per rule, chosen on validation ({100 * t.validation_fraction:g}% of the "
            f"training split, select = {t.select})")
    if choices is None:
        return head + "; the search is not complete, so the tuned runs have not started"
    lines = [head]
    for c in choices.values():
        values = " ".join(f"{k}={v}" for k, v in c.values.items())
        epochs = f" epochs={c.epochs}" if t.select == "best" else ""
        lines.append(f"  {c.label}: trial {c.trial}, validation {pct(c.score)}%: {values}{epochs}".rstrip(": "))
    return "\n".join(lines)


def _workers(args) -> int:
    """The local worker count: --workers, else one per core; with --dask the Dask workers compute
    (an explicit --workers beside --dask is refused by the driver)."""
    if args.workers is not None:
        return args.workers
    return 1 if args.dask else os.cpu_count() or 1


def resume_command(args) -> str:
    """The command line that continues this sweep (without --force, which would start over)."""
    parts = ["learning-rules", "run"] + ([args.config] if args.config else []) + ["--out", args.out]
    for override in args.overrides:
        parts += ["--set", override]
    if args.smoke:
        parts.append("--smoke")
    if args.dask:
        parts += ["--dask", args.dask]
    elif args.workers is not None:
        parts += ["--workers", str(args.workers)]
    return shlex.join(parts)


def _report_failures(outcome) -> int:
    """Print the failed and diverged runs (stderr); 1 if any run failed, else 0."""
    failed = [r for r in outcome.summary if r["status"] == "failed"]
    diverged = [r for r in outcome.summary if r["status"] == "diverged"]
    if diverged:
        print(f"\n{len(diverged)} run(s) diverged (stored as results):", file=sys.stderr)
        for r in diverged:
            print(f"  {r['run_id']}: {r['reason']}", file=sys.stderr)
    if failed:
        print(f"\n{len(failed)} run(s) failed (tracebacks in runs/<run_id>/run.json; "
              "the next call of the same command retries them):", file=sys.stderr)
        for r in failed:
            reason = str(r["reason"]).splitlines()[0] if r["reason"] else "?"
            print(f"  {r['run_id']}: {reason}", file=sys.stderr)
        return 1
    return 0


def _write_report(results_dir, quiet: bool = False, force: bool = False) -> None:
    try:
        from .report import write_report
    except ImportError:
        return
    from .progress import ReportProgress

    with _results_warnings_on_stderr(), ReportProgress(sys.stderr, quiet) as step:
        paths = call_report(write_report, results_dir, force, progress=step.figure_done)
    page = next((p for p in paths if str(p).endswith(".html")), None) if paths else None
    page = page or Path(results_dir) / "report.html"
    took = f" (written in {step.seconds:.0f} s)" if not quiet else ""
    print(f"report: {page}{took}")


def call_report(write_report, results_dir, force: bool, progress=None):
    """``write_report(results_dir)``: ``force=True`` rebuilds even when its inputs are unchanged;
    ``progress(done, total, name)`` hears of each figure as it is drawn or reused."""
    return write_report(results_dir, force=force, progress=progress)


@contextlib.contextmanager
def _results_warnings_on_stderr():
    """Print each ResultsWarning (a stored run left out of the report) as one ``warning:`` line."""
    from .results import ResultsWarning

    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always", ResultsWarning)
        try:
            yield
        finally:
            for w in caught:
                if issubclass(w.category, ResultsWarning):
                    print(f"warning: {w.message}", file=sys.stderr)
                else:
                    warnings.showwarning(w.message, w.category, w.filename, w.lineno)


#: the number format of the terminal, report.md and the README: one line says it above the table
ACCURACY_HEADER = "test accuracy (%)"


def summary_table(rows: list[dict], max_rows: int | None = None, report: str | None = None) -> str:
    """Per sweep point (one column per swept key, 'any' where a key does not apply to a rule) and
    rule label: its budget (epochs, and the batch where it is not the usual one), final test accuracy
    in %, mean ± 95% CI half-width over seeds (as in the report; unstable runs counted beside it),
    train accuracy and the generalisation gap (train minus test, points), mean wall time, run
    counts. Longer than ``max_rows``: cut, with a pointer to ``report``."""
    from .report.statistics import mean_ci
    from .report.tables import DASH, pct, pct_ci, signed_points, sweep_value

    if not rows:
        return "no runs"
    df = pd.DataFrame(rows)
    swept = [c for c in df.columns if "." in c]
    usual_batch = df["batch_size"].mode().iloc[0] if "batch_size" in df and df["batch_size"].notna().any() else None
    lines = []
    for key, g in df.groupby([*swept, "label"], sort=False, dropna=False):
        key = key if isinstance(key, tuple) else (key,)
        ok = g[g["status"] == "complete"]
        mean, half, n = mean_ci(ok["test_accuracy"])
        acc = DASH if n == 0 else pct_ci(mean, half if n > 1 else float("nan"))
        unstable = int((ok["flag"] == "unstable").sum()) if "flag" in ok else 0
        train, _, _ = mean_ci(ok["train_accuracy"]) if "train_accuracy" in ok else (float("nan"), 0, 0)
        statuses = ", ".join(f"{n} {s}" for s, n in g["status"].value_counts().items())
        lines.append({**{c: sweep_value(v, c) for c, v in zip(swept, key[:-1])}, "rule": key[-1],
                      "budget": _budget(g, usual_batch),
                      ACCURACY_HEADER: acc + (f" ({unstable} unstable)" if unstable else ""),
                      "train (%)": pct(train), "gap (pts)": signed_points(train - mean),
                      "wall time (s)": f"{g['wall_time'].mean():.1f}", "runs": statuses})
    table = pd.DataFrame(lines)
    if swept:  # grouped by sweep point: each point's rules together
        table = table.sort_values(swept, kind="stable")
    seeds = df["seed"].nunique() if "seed" in df else 0
    head = f"{ACCURACY_HEADER}: mean ± 95% CI half-width over {seeds} seed{'s' if seeds != 1 else ''}"
    cut = max_rows is not None and len(table) > max_rows
    text = table.head(max_rows if cut else len(table)).to_string(index=False)
    if cut:
        text += f"\n... {len(table) - max_rows} more rows" + (f": every row is in {report}" if report else "")
    return f"{head}\n{text}"


def _budget(group: pd.DataFrame, usual_batch) -> str:
    """'50 ep', or '20 ep, batch 256' where the batch differs from the experiment's usual one."""
    if "epochs" not in group or group["epochs"].isna().all():
        return "?"
    text = "/".join(f"{int(e)}" for e in dict.fromkeys(group["epochs"].dropna())) + " ep"
    batch = group["batch_size"].dropna().iloc[0] if "batch_size" in group and group["batch_size"].notna().any() else None
    return text + (f", batch {int(batch)}" if batch is not None and batch != usual_batch else "")


def command_report(results_dir: str, force: bool = False) -> int:
    """``learning-rules report DIR``: prints every file written, the page to open (report.html)
    last; on a terminal a line ticks while it works."""
    from .progress import ReportProgress
    from .report import write_report

    with _results_warnings_on_stderr(), ReportProgress(sys.stderr, announce=False) as step:
        paths = list(call_report(write_report, results_dir, force, progress=step.figure_done) or [])
    pages = [p for p in paths if str(p).endswith(".html")]
    for p in [p for p in paths if p not in pages] + pages:
        print(p)
    return 0


def command_rules(name: str | None = None) -> int:
    """``learning-rules rules``: the catalogue grouped by family; with ``name``, that rule."""
    from .catalogue import describe_rule, rules_listing

    print(describe_rule(name) if name else rules_listing())
    return 0
