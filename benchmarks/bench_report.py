"""The quick report: how long the report of stored runs takes, drawn afresh and rebuilt unchanged.

Copies the stored runs of a results folder (without its report, figures or cache) into a fresh
folder, then times, each in a fresh Python process (imports included, as ``learning-rules report``
pays them), ``write_report`` on it:

- cold, serial: no cache, every figure drawn in this process (``workers=1``);
- cold: no cache, figures drawn in forked workers where cores are idle (the default);
- unchanged: the same folder again, nothing changed: nothing may be rewritten (checked: the
  report's files keep their modification times);
- after a change: a comment appended to config.toml, so every figure is drawn again (the cache
  is keyed by the bytes of the inputs; a run's files cannot be touched without failing its
  verification).

Targets: the quickstart's stored runs <= 5 s; an unchanged rerun <= 3 s. Make the stored runs once:

    python -m experiments.cli run experiments/configs/quickstart.toml --out /tmp/report-qs
    python benchmarks/bench_report.py /tmp/report-qs/quickstart            # 3 repeats
    python benchmarks/bench_report.py /tmp/report-qs/quickstart --repeats 1
"""

from __future__ import annotations

import argparse
import os
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))  # for _timing, run as a script
from _timing import machine_header  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
KEEP = ("config.toml", "summary.csv", "runs")


def fresh_copy(source: Path, target: Path) -> Path:
    """The stored runs of ``source`` (config, summary, runs/) alone, in ``target``."""
    target.mkdir(parents=True)
    for name in KEEP:
        src = source / name
        if src.is_dir():
            shutil.copytree(src, target / name)
        elif src.is_file():
            shutil.copy2(src, target / name)
    return target


def timed_report(folder: Path, workers: str = "None") -> tuple[float, float]:
    """(wall seconds, CPU seconds of it and its drawing workers) of one ``write_report`` in a fresh
    interpreter, imports included. On a loaded machine the CPU seconds say more than the wall time."""
    code = f"from experiments.report import write_report; write_report({str(folder)!r}, workers={workers})"
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    t0 = time.perf_counter()
    subprocess.run([sys.executable, "-c", code], cwd=ROOT, check=True, env={**os.environ, "PYTHONPATH": str(ROOT)})
    wall = time.perf_counter() - t0
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    return wall, (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)


def stamps(folder: Path) -> dict[str, int]:
    outputs = [folder / n for n in ("report.md", "report.html", "statistics.csv")]
    outputs += sorted((folder / "figures").glob("*"))
    return {p.name: p.stat().st_mtime_ns for p in outputs}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("results", type=Path, help="a results folder with stored runs (the quickstart's)")
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args()
    if not (args.results / "summary.csv").is_file():
        print(f"error: {args.results} is not a results folder (no summary.csv); see the docstring", file=sys.stderr)
        return 2
    print("\n".join(machine_header(1, "the report's own processes; BLAS as the environment sets it")))
    times: dict[str, list[tuple[float, float]]] = {k: [] for k in ("cold, serial", "cold", "unchanged",
                                                                    "after a change")}
    with tempfile.TemporaryDirectory(prefix="bench-report-") as tmp:
        for r in range(args.repeats):
            serial = fresh_copy(args.results, Path(tmp) / f"serial{r}")
            times["cold, serial"].append(timed_report(serial, workers="1"))
            folder = fresh_copy(args.results, Path(tmp) / f"auto{r}")
            times["cold"].append(timed_report(folder))
            before = stamps(folder)
            times["unchanged"].append(timed_report(folder))
            if stamps(folder) != before:
                print("error: an unchanged rerun rewrote report files", file=sys.stderr)
                return 1
            config = folder / "config.toml"
            config.write_text(config.read_text() + "\n# changed\n")
            times["after a change"].append(timed_report(folder))
    print(f"\n{'report of ' + str(args.results):<50} {'best wall s':>11} {'median wall s':>13} {'median CPU s':>12}"
          f"  ({args.repeats} repeats)")
    for name, ts in times.items():
        walls, cpus = [t[0] for t in ts], [t[1] for t in ts]
        print(f"  {name:<48} {min(walls):>11.2f} {statistics.median(walls):>13.2f} {statistics.median(cpus):>12.2f}")
    print(f"load average (1 min) at the end: {os.getloadavg()[0]:.2f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
