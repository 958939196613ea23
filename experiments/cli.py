"""The command line: `learning-rules run`, `learning-rules report`, `learning-rules rules`.

Mistakes in what the user asked for print one line ``error: ...`` and exit with status 2.
"""

from __future__ import annotations

import argparse
import os
import sys
import textwrap
from pathlib import Path

from .errors import UserError

DEFAULT_CONFIG = "quickstart.toml"


def default_config_path() -> Path:
    return Path(__file__).resolve().parent / "configs" / DEFAULT_CONFIG


class _Parser(argparse.ArgumentParser):
    """argparse, with a mistake reported as one ``error:`` line like every other (no usage block)."""

    def error(self, message: str):
        print(f"error: {message} (see {self.prog} --help)", file=sys.stderr)
        raise SystemExit(2)


RUN_EPILOG = """\
examples:
  learning-rules run                                   the quickstart: every rule on MNIST-1D
  learning-rules run depth                             a bundled experiment, by name
  learning-rules run my_experiment.toml --workers 2
  learning-rules run sensitivity --smoke               a one-minute try-out of any experiment
  learning-rules run quickstart --set data.name=digits --set experiment.name=qs_digits
  learning-rules run quickstart --dry-run              list the runs, and which are done

bundled experiments (experiments/configs/):
  {configs}

--set KEY=VALUE may be repeated; VALUE is TOML (0.01, true, [0, 1], "text"; a bare word is a
string); KEY is a dotted path: experiment.epochs, optimizer.lr, model.hidden,
rules.<label>.<key>.

results land in OUT/<experiment name>/ (OUT is results/ unless --out): config.toml, summary.csv,
runs/<run_id>/ (run.json, metrics.csv), figures/, report.md, report.html. Running the same command
again resumes: finished runs are skipped, missing or damaged ones recomputed.

exit status: 0 done; 1 some runs failed (the others are stored; run again to retry them);
2 the command or the experiment file is wrong (one error: line, nothing written);
130 interrupted (what finished is stored; run again to resume)."""


def bundled_configs() -> list[str]:
    """Names of the experiment files shipped in experiments/configs/."""
    return sorted(p.stem for p in default_config_path().parent.glob("*.toml"))


def build_parser() -> argparse.ArgumentParser:
    from learning_rules import __version__

    parser = _Parser(prog="learning-rules", description="A laboratory for comparing how neural networks "
                     "learn: backprop beside biologically plausible learning rules. Commands: run, report, rules.")
    parser.add_argument("--version", action="version", version=f"learning-rules {__version__}")
    sub = parser.add_subparsers(dest="command", required=True)
    run = sub.add_parser("run", help="run an experiment file (default: the quickstart)",
                         description="Run every run of an experiment file that is not stored yet, then "
                                     "write its report.",
                         epilog=RUN_EPILOG.format(configs=textwrap.fill(", ".join(bundled_configs()), 96,
                                                                          subsequent_indent="  ")),
                         formatter_class=argparse.RawDescriptionHelpFormatter)
    run.add_argument("config", nargs="?", help="experiment file (.toml), or the name of one in experiments/configs/ "
                                                "(e.g. depth); default: experiments/configs/quickstart.toml")
    run.add_argument("--out", default="results", help="results folder (default: results/); runs land in OUT/<name>/")
    run.add_argument("--set", dest="overrides", action="append", default=[], metavar="KEY=VALUE",
                     help="override a config value (repeatable; VALUE is TOML), e.g. --set optimizer.lr=0.01 "
                          "--set rules.backprop.epochs=5")
    run.add_argument("--workers", type=int, default=None,
                     help="local worker processes, one BLAS thread each (default: one per core; 1 = serial; "
                          "not with --dask)")
    run.add_argument("--dask", metavar="ADDRESS", help="run on a Dask scheduler at ADDRESS (tcp://host:8786), or local:N to start N local workers; needs the dask extra")
    run.add_argument("--dry-run", action="store_true", help="list the runs (and which are done) without running")
    run.add_argument("--smoke", action="store_true",
                     help="a quick check that the experiment runs: one seed, one epoch for the experiment, every "
                          "rule, phase and swept epoch count; results under OUT/<name>-smoke/")
    run.add_argument("--force", action="store_true", help="recompute runs that are already stored")
    run.add_argument("--quiet", action="store_true", help="no progress output")
    run.add_argument("--no-report", action="store_true", help="do not write the report at the end")
    run.add_argument("--report", action="store_true",
                     help="rebuild the report even when its inputs have not changed since it was written")
    report = sub.add_parser("report", help="write report.md, report.html and figures for a results folder",
                            description="Write report.md, report.html and figures/ for a results folder, "
                                        "e.g. learning-rules report results/quickstart")
    report.add_argument("results_dir")
    report.add_argument("--force", action="store_true", help="rebuild even when the inputs have not changed")
    rules = sub.add_parser("rules", help="list the learning rules by family, or describe one: learning-rules rules NAME",
                           description="Without NAME: every registered rule grouped by family, with its "
                                       "plausibility card and paper. With NAME: the rule's family, paper, update "
                                       "equation, card, hyperparameters (defaults and allowed values) and network kinds.")
    rules.add_argument("name", nargs="?", help="a rule name, e.g. backprop or eprop")
    return parser


def main(argv: list[str] | None = None) -> int:
    try:
        args = build_parser().parse_args(argv)
    except SystemExit as exc:  # --help (0), or a mistake argparse found (2, its one line printed)
        return exc.code
    from .runs.allocator import keep_freed_heap

    keep_freed_heap()  # faster steps, same numbers (see experiments/runs/allocator.py)
    try:
        if args.command == "run":
            from .commands import command_run

            return command_run(args)
        if args.command == "report":
            from .commands import command_report

            return command_report(args.results_dir, force=args.force)
        from .commands import command_rules

        return command_rules(args.name)
    except UserError as err:
        print(f"error: {err}", file=sys.stderr)
        return 2
    except ValueError as err:  # library-level validation (e.g. a dataset's parameter check)
        print(f"error: {str(err).splitlines()[0]}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:  # Ctrl-C before any run started (a sweep's own Ctrl-C is handled inside)
        print("interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:  # e.g. `learning-rules run --dry-run | head`: the reader has gone
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 1


if __name__ == "__main__":
    sys.exit(main())
