"""Progress of a sweep: a tqdm bar over runs (done / total, elapsed, an estimate of the time left)
and, when runs are computed serially, a second bar over the current run's epochs, on a terminal;
plain log lines (one per finished run, with the estimate) when the output is not a terminal,
e.g. a log file or a batch job; nothing with ``quiet``.

The estimate is the runs left times the mean wall time of the runs finished so far, divided by
the number of workers. (The time since the start divided by the runs finished is far too high at
first: several workers' runs were under way when the first one finished.)"""

from __future__ import annotations

import time

from tqdm import tqdm


class _Bar(tqdm):
    # no tqdm monitor thread: the driver may start worker processes after the bars exist
    monitor_interval = 0


def _is_terminal(stream) -> bool:
    try:
        return bool(stream.isatty())
    except (AttributeError, ValueError):
        return False


class Progress:
    """What the driver reports while a sweep runs (``total`` runs, ``done`` of them stored)."""

    def __init__(self, total: int, done: int, quiet: bool, stream, epochs: bool = False, workers: int = 1) -> None:
        self.quiet, self.stream, self.workers = quiet, stream, max(1, int(workers))
        self.total, self.count, self.already = total, done, done
        self.start = time.perf_counter()
        self.run_times: list[float] = []
        self.bar = self.epoch_bar = None
        if quiet:
            return
        if _is_terminal(stream):
            self.bar = _Bar(total=total, initial=done, desc="runs", unit="run", file=stream, position=0,
                            dynamic_ncols=True, bar_format="{desc}: {percentage:3.0f}%|{bar}| {n}/{total} "
                                                           "[{elapsed}{postfix}]")
            if epochs:
                self.epoch_bar = _Bar(total=1, desc="epochs", unit="ep", file=stream, position=1,
                                      leave=False, dynamic_ncols=True)
        elif done == total:
            self._log(f"all {total} runs already done")
        elif done:
            self._log(f"{done} of {total} runs already done; computing the other {total - done}")
        else:
            self._log(f"computing {total} runs")

    def _log(self, text: str) -> None:
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
        """Runs left x mean wall time of a finished run / workers (None before any finished)."""
        if not self.run_times:
            return None
        left = self.total - self.count
        return left * (sum(self.run_times) / len(self.run_times)) / min(self.workers, max(left, 1))

    def run_finished(self, result: dict) -> None:
        self.count += 1
        if result.get("wall_time") is not None:
            self.run_times.append(float(result["wall_time"]))
        if self.quiet:
            return
        left = self.seconds_left()
        if self.bar is not None:
            if left is not None and self.count < self.total:
                self.bar.set_postfix_str(f"about {left:.0f} s left", refresh=False)
            self.bar.update(1)
            return
        spec = result["spec"]
        elapsed = time.perf_counter() - self.start
        eta = f", about {left:.0f} s left" if left is not None and self.count < self.total else ""
        reason = (result.get("reason") or "").splitlines()[:1]
        extra = f" ({reason[0]})" if result["status"] != "complete" and reason else ""
        point = "".join(f" {k}={v}" for k, v in spec.get("sweep_point", {}).items())
        self._log(f"[{self.count}/{self.total}] {spec['label']} seed {spec['seed']}{point}: {result['status']}{extra}"
                  f" in {result['wall_time']:.1f} s (elapsed {elapsed:.0f} s{eta})")

    def close(self) -> None:
        for bar in (self.epoch_bar, self.bar):
            if bar is not None:
                bar.close()
        self.bar = self.epoch_bar = None
