"""Progress of a sweep, on stderr: one line per finished run (rule, seed, sweep point, final test
accuracy, time) as it finishes, and an estimate of the time left from the runs' budgets
(experiments/estimate.py).

On a terminal of known width the lines print above a tqdm bar over runs (done / total, elapsed,
time left) and, when runs are computed serially, a bar over the current run's epochs. Where the
width is unknown or zero (a pty with 0 columns: ``script``, some IDE and container consoles) or
the output is not a terminal (a log file, a batch job), the same lines print plainly, each with
the estimate; nothing with ``quiet``. ``ReportProgress`` is the report step's own line.
"""

from __future__ import annotations

import os
import threading
import time

from tqdm import tqdm

from .estimate import Estimate


class _Bar(tqdm):
    # no tqdm monitor thread: the driver may start worker processes after the bars exist
    monitor_interval = 0


def terminal_width(stream) -> int:
    """Columns of the terminal ``stream`` writes to; 0 when it is not a terminal or its width is
    unknown or zero (then bars cannot be drawn and plain lines are printed)."""
    try:
        if not stream.isatty():
            return 0
        return max(0, os.get_terminal_size(stream.fileno()).columns)
    except (AttributeError, ValueError, OSError):
        return 0


def final_accuracy(result: dict) -> float | None:
    """The last test accuracy a run's records hold (None for a run without one, e.g. a regression)."""
    rows = [r for r in result.get("records") or () if r.get("metric") == "test_accuracy"]
    return float(max(rows, key=lambda r: r["epoch"])["value"]) if rows else None


def run_line(result: dict) -> str:
    """'backprop seed 0 lr=0.01: 71.40% in 3.9 s', or the status and its reason for a run that
    did not complete."""
    spec = result["spec"]
    point = "".join(f" {k}={v}" for k, v in spec.get("sweep_point", {}).items())
    head = f"{spec['label']} seed {spec['seed']}{point}"
    took = f" in {result['wall_time']:.1f} s" if result.get("wall_time") is not None else ""
    if result["status"] != "complete":
        reason = (result.get("reason") or "").splitlines()[:1]
        return f"{head}: {result['status']}{took}" + (f" ({reason[0]})" if reason else "")
    accuracy = final_accuracy(result)
    return f"{head}: " + (f"test accuracy {100 * accuracy:.2f}%" if accuracy is not None else "complete") + took


def _seconds(s: float) -> str:
    return "under 1 s" if s < 0.5 else f"{s:.0f} s" if s < 120 else f"{s / 60:.1f} min"


def _left(s: float) -> str:
    return "under 1 s left" if s < 0.5 else f"about {_seconds(s)} left"


class Progress:
    """What the driver reports while a sweep runs (``total`` runs, ``done`` of them stored;
    ``todo`` the specs to compute, whose budgets give the estimate)."""

    def __init__(self, total: int, done: int, quiet: bool, stream, epochs: bool = False, workers: int = 1,
                 todo=None) -> None:
        self.quiet, self.stream, self.workers = quiet, stream, max(1, int(workers))
        self.total, self.count, self.already = total, done, done
        self.start = time.perf_counter()
        self.bar = self.epoch_bar = None
        self.estimate: Estimate | None = None
        self._times: list[float] = []  # wall times of finished runs, when no budgets are known
        if quiet:
            return
        if terminal_width(stream) > 0:
            self.bar = _Bar(total=total, initial=done, desc="runs", unit="run", file=stream, position=0,
                            dynamic_ncols=True, bar_format="{desc}: {percentage:3.0f}%|{bar}| {n}/{total} "
                                                           "[{elapsed}{postfix}]")
            if epochs:
                self.epoch_bar = _Bar(total=1, desc="epochs", unit="ep", file=stream, position=1,
                                      leave=False, dynamic_ncols=True)
        if done == total:
            self._log(f"all {total} runs already done")
        elif done:
            self._log(f"{done} of {total} runs already done; computing the other {total - done}")
        else:
            self._log(f"computing {total} runs")
        if todo:  # after the first line: the probe takes a moment (one step per rule and network)
            from .estimate import budgets

            self.estimate = Estimate(budgets(todo), {s.run_id: s.label for s in todo}, self.workers)

    def _log(self, text: str) -> None:
        if self.bar is not None:
            self.bar.write(text, file=self.stream)  # above the bars, which redraw below it
        else:
            print(text, file=self.stream, flush=True)

    def run_started(self, spec: dict) -> None:
        """A serial run starts: the epoch bar shows its epochs (runs may differ in length)."""
        if self.epoch_bar is not None:
            self.epoch_bar.reset(total=spec["epochs"])
            self.epoch_bar.set_description(f"{spec['label']} seed {spec['seed']}")

    def epoch(self, epoch: int) -> None:
        if self.epoch_bar is not None:
            self.epoch_bar.n = epoch
            self.epoch_bar.refresh()

    def seconds_left(self) -> float | None:
        """The runs left, predicted from their budgets (experiments/estimate.py); without budgets,
        runs left x mean wall time of a finished run / workers. None before any run finished."""
        if self.estimate is not None:
            return self.estimate.seconds_left()
        if not self._times:
            return None
        left = self.total - self.count
        return left * (sum(self._times) / len(self._times)) / min(self.workers, max(left, 1))

    def run_finished(self, result: dict) -> None:
        self.count += 1
        if self.quiet:
            return
        if self.estimate is not None:
            self.estimate.finished(result.get("run_id", ""), result.get("wall_time"))
        elif result.get("wall_time") is not None:
            self._times.append(float(result["wall_time"]))
        left = self.seconds_left()
        more = left is not None and self.count < self.total
        elapsed = time.perf_counter() - self.start
        if self.bar is not None:
            self._log(f"[{self.count}/{self.total}] {run_line(result)}")
            self.bar.set_postfix_str(_left(left) if more else "", refresh=False)
            self.bar.update(1)
            return
        eta = f", {_left(left)}" if more else ""
        self._log(f"[{self.count}/{self.total}] {run_line(result)} (elapsed {_seconds(elapsed)}{eta})")

    def close(self) -> None:
        if self.bar is not None and self.count > self.already:
            self.bar.set_postfix_str(f"done in {_seconds(time.perf_counter() - self.start)}", refresh=True)
        for bar in (self.epoch_bar, self.bar):
            if bar is not None:
                bar.close()
        self.bar = self.epoch_bar = None


class ReportProgress:
    """The report step's own line: on a terminal of known width, a line whose seconds tick while
    the statistics and figures are written; elsewhere one line before and one after. The line
    after names the page to open (report.html). ``announce`` False: no line before (where an
    error must be the only line, as for ``learning-rules report`` on a wrong folder)."""

    def __init__(self, stream, quiet: bool = False, what: str = "writing the report (statistics and figures)",
                 announce: bool = True) -> None:
        self.stream, self.quiet, self.what, self.announce = stream, quiet, what, announce
        self.live = not quiet and terminal_width(stream) > 0
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self.figures = ""  # "figures 3/12", as the report draws or reuses them

    def figure_done(self, done: int, total: int, name: str) -> None:
        """The report's ``progress`` callback: one more of its ``total`` figures is ready."""
        self.figures = f", figures {done}/{total}"

    def __enter__(self) -> "ReportProgress":
        self.start = time.perf_counter()
        if self.quiet:
            return self
        if self.live:
            self._thread = threading.Thread(target=self._tick, daemon=True)
            self._thread.start()
        elif self.announce:
            print(f"{self.what}...", file=self.stream, flush=True)
        return self

    def _tick(self) -> None:
        while not self._stop.wait(0.5):
            self.stream.write(f"\r\033[K{self.what}... {time.perf_counter() - self.start:.0f} s{self.figures}")
            self.stream.flush()

    def __exit__(self, *exc) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join()
            self.stream.write("\r\033[K")  # clear the ticking line
            self.stream.flush()

    @property
    def seconds(self) -> float:
        return time.perf_counter() - self.start
