"""Progress of a sweep: a tqdm bar over runs (and over epochs when runs are serial) on a
terminal, plain log lines otherwise, nothing with ``quiet``."""

from __future__ import annotations

import time

from tqdm import tqdm


class Progress:
    def __init__(self, total: int, done: int, quiet: bool, stream, epochs: int | None = None) -> None:
        self.quiet, self.stream = quiet, stream
        self.total, self.count = total, done
        self.start = time.perf_counter()
        interactive = hasattr(stream, "isatty") and stream.isatty()
        self.bar = self.epoch_bar = None
        if quiet:
            return
        if interactive:
            self.bar = tqdm(total=total, initial=done, desc="runs", unit="run", file=stream, position=0)
            if epochs:
                self.epoch_bar = tqdm(total=epochs, desc="epochs", unit="ep", file=stream,
                                      position=1, leave=False)
        elif done:
            print(f"{done} of {total} runs already done; computing the other {total - done}",
                  file=stream, flush=True)

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
            if self.epoch_bar is not None:
                self.epoch_bar.reset()
            return
        spec = result["spec"]
        elapsed = time.perf_counter() - self.start
        extra = f" ({result['reason']})" if result["status"] != "complete" else ""
        print(f"[{self.count}/{self.total}] {spec['label']} seed {spec['seed']}: {result['status']}{extra}"
              f" in {result['wall_time']:.1f} s (elapsed {elapsed:.0f} s)", file=self.stream, flush=True)

    def close(self) -> None:
        for bar in (self.epoch_bar, self.bar):
            if bar is not None:
                bar.close()
