"""Progress of a sweep: a tqdm bar over runs (done / total, elapsed, remaining) and, when runs
are computed serially, a second bar over the current run's epochs, on a terminal; plain log
lines (one per finished run, with an estimate of the time left) when the output is not a
terminal, e.g. a log file or a batch job; nothing with ``quiet``."""

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

    def __init__(self, total: int, done: int, quiet: bool, stream, epochs: bool = False) -> None:
        self.quiet, self.stream = quiet, stream
        self.total, self.count, self.already = total, done, done
        self.start = time.perf_counter()
        self.bar = self.epoch_bar = None
        if quiet:
            return
        if _is_terminal(stream):
            self.bar = _Bar(total=total, initial=done, desc="runs", unit="run", file=stream, position=0,
                            dynamic_ncols=True)
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

    def run_finished(self, result: dict) -> None:
        self.count += 1
        if self.quiet:
            return
        if self.bar is not None:
            self.bar.update(1)
            return
        spec = result["spec"]
        elapsed = time.perf_counter() - self.start
        computed, left = self.count - self.already, self.total - self.count
        eta = f", about {elapsed / computed * left:.0f} s left" if left else ""
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
