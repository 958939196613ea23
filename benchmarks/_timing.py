"""Shared timing helpers for the benchmark scripts (not part of the library).

- ``limit_threads_early(argv)``: read ``--threads N`` from the command line and set the BLAS /
  OpenMP thread environment variables. Call it *before numpy is imported*: OpenBLAS and MKL read
  these variables once, when they load. ``blas_limit(n)`` then also caps the already-loaded
  pools through threadpoolctl when it is installed, so every candidate (the framework, the
  hand-written loop, PyTorch via ``torch.set_num_threads``) runs with the same thread count.
- ``interleaved(candidates, ...)``: best-of-N timing with warm-up, where each repeat times every
  candidate once, in a rotated order, so a burst of load from other jobs on a shared machine hits
  all candidates alike instead of biasing whichever happened to run during it.
- ``malloc_top_pad(mib)``: glibc's ``mallopt`` for the ``--malloc-pad`` option: keep
  that much freed heap instead of handing it back to the kernel after every step (which makes the
  next step page-fault it in again; see docs/benchmarks.md). Off by default: the default
  measures what a user gets.
- ``faults_per_call(fn)``: minor page faults per call (an allocation cost that timings hide).
- ``machine_header()``: the lines describing the machine, Python, numpy and its BLAS.
- ``cycler(batches, step)``: a no-argument call of ``step`` on the next batch, for ``interleaved``.
"""

from __future__ import annotations

import os
import platform
import sys
import time
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Callable, Iterator

THREAD_VARS = ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS",
               "BLIS_NUM_THREADS", "VECLIB_MAXIMUM_THREADS", "NUMEXPR_NUM_THREADS")
DEFAULT_THREADS = 1


def limit_threads_early(argv: list[str] | None = None, default: int = DEFAULT_THREADS) -> int:
    """Set the thread environment variables from ``--threads N`` (or ``default``); returns N.

    Must run before ``import numpy`` (and before torch) to take effect through the environment."""
    argv = sys.argv[1:] if argv is None else argv
    n = default
    for i, arg in enumerate(argv):
        if arg == "--threads" and i + 1 < len(argv):
            n = int(argv[i + 1])
        elif arg.startswith("--threads="):
            n = int(arg.split("=", 1)[1])
    if n < 1:
        raise SystemExit(f"--threads: {n} not allowed; must be >= 1")
    for var in THREAD_VARS:
        os.environ[var] = str(n)
    return n


@contextmanager
def blas_limit(n: int) -> Iterator[str]:
    """Cap numpy's BLAS pools at ``n`` threads for the block; yields how it was done."""
    try:
        from threadpoolctl import threadpool_limits
    except ImportError:
        yield "environment variables (threadpoolctl not installed)"
        return
    with threadpool_limits(limits=n):
        yield "threadpoolctl + environment variables"


def malloc_top_pad(mib: int) -> str:
    """Make glibc keep up to ``mib`` MiB of freed heap for this process (0: leave malloc alone).

    Sets M_TOP_PAD and M_TRIM_THRESHOLD (so freed memory is not handed back to the kernel after
    every step) and M_MMAP_THRESHOLD (so arrays up to that size come from the heap instead of a
    fresh mmap each time; setting any of these switches off glibc's own threshold adjustment,
    so all three are needed). Says what it did."""
    if mib <= 0:
        return "malloc: default"
    import ctypes

    try:
        libc = ctypes.CDLL("libc.so.6")
    except OSError:
        return "malloc: default (not glibc; --malloc-pad ignored)"
    M_TRIM_THRESHOLD, M_TOP_PAD, M_MMAP_THRESHOLD = -1, -2, -3  # from glibc's malloc.h
    mmap_mib = min(int(mib), 32)  # glibc caps the mmap threshold at 32 MiB on 64-bit machines
    ok = (libc.mallopt(M_MMAP_THRESHOLD, mmap_mib << 20) == 1 and libc.mallopt(M_TRIM_THRESHOLD, 2 * int(mib) << 20) == 1
          and libc.mallopt(M_TOP_PAD, int(mib) << 20) == 1)
    return (f"malloc: glibc M_TOP_PAD {mib} MiB, M_TRIM_THRESHOLD {2 * mib} MiB, M_MMAP_THRESHOLD {mmap_mib} MiB"
            if ok else "malloc: mallopt failed (partly default)")


def blas_info() -> str:
    """A one-line description of the BLAS numpy uses (threadpoolctl if installed)."""
    try:
        from threadpoolctl import threadpool_info
    except ImportError:
        return "unknown (threadpoolctl not installed)"
    pools = [p for p in threadpool_info() if p.get("user_api") == "blas"]
    if not pools:
        return "none found"
    return "; ".join(f"{p.get('internal_api')} {p.get('version')} ({p.get('architecture')}, "
                     f"{p.get('num_threads')} threads)" for p in pools)


def cpu_model() -> str:
    """The CPU's model name (Linux: /proc/cpuinfo; ``platform.processor()`` is often empty there)."""
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown CPU"


def machine_header(threads: int, how: str) -> list[str]:
    """Lines for the top of a benchmark's output: machine, load, Python, numpy, BLAS, threads."""
    import numpy as np

    load = os.getloadavg() if hasattr(os, "getloadavg") else None
    lines = [
        f"machine: {platform.machine()} {cpu_model()}, {os.cpu_count()} logical cores, "
        f"{platform.system()} {platform.release()}".replace("  ", " "),
        f"python {platform.python_version()}, numpy {np.__version__}, BLAS: {blas_info()}",
        f"threads: {threads} for every candidate (set by {how})",
    ]
    if load is not None:
        lines.append(f"load average at start (1/5/15 min): {load[0]:.2f} {load[1]:.2f} {load[2]:.2f}"
                     + ("  <- other jobs are running; expect noise" if load[0] > 0.5 * (os.cpu_count() or 1) else ""))
    return lines


def faults_per_call(fn, calls: int = 10) -> float:
    """Minor page faults per call of ``fn`` (fresh memory pages the kernel had to map and zero),
    after a warm-up; NaN where ``resource`` is unavailable. Large batches allocate megabytes per
    step, and glibc hands freed heap memory back to the kernel, so these faults recur every step."""
    try:
        import resource
    except ImportError:
        return float("nan")
    fn()
    before = resource.getrusage(resource.RUSAGE_SELF).ru_minflt
    for _ in range(calls):
        fn()
    return (resource.getrusage(resource.RUSAGE_SELF).ru_minflt - before) / calls


@dataclass
class Timing:
    """Per-call seconds of one candidate: every repeat's mean over its ``calls`` calls."""

    name: str
    calls: int
    times: list[float]

    @property
    def best(self) -> float:
        return min(self.times)

    @property
    def median(self) -> float:
        s = sorted(self.times)
        return s[len(s) // 2]


def paired_ratio(a: Timing, b: Timing) -> float:
    """Median over repeats of a's time / b's time in the same repeat. Repeats are interleaved, so
    the two blocks of a repeat ran seconds apart under much the same load: on a busy machine this
    paired ratio is steadier than the ratio of the two best times."""
    r = sorted(x / y for x, y in zip(a.times, b.times))
    n = len(r)
    return r[n // 2] if n % 2 else 0.5 * (r[n // 2 - 1] + r[n // 2])


def _calls_for(fn: Callable[[], object], min_time: float) -> int:
    """Warm up ``fn`` and return how many calls take at least ``min_time`` seconds."""
    fn()  # first call: allocations, BLAS thread start-up, caches
    calls = 1
    while True:
        t0 = time.perf_counter()
        for _ in range(calls):
            fn()
        elapsed = time.perf_counter() - t0
        if elapsed >= min_time or calls >= 1 << 16:
            return calls
        calls = max(calls * 2, int(calls * min_time / max(elapsed, 1e-9)) + 1)


def interleaved(candidates: dict[str, Callable[[], object]], repeats: int = 5,
                min_time: float = 0.2) -> dict[str, Timing]:
    """Time every candidate ``repeats`` times, interleaved, after a warm-up; per-call seconds.

    Each candidate's repeat is a block of calls lasting about ``min_time`` seconds (calibrated
    during the warm-up); in repeat r the candidates run in an order rotated by r, so slow periods
    caused by other processes are spread over all of them. Compare ``best`` (the least disturbed
    repeat) across candidates, and ``paired_ratio`` (the median of same-repeat ratios)."""
    names = list(candidates)
    calls = {n: _calls_for(candidates[n], min_time) for n in names}
    out = {n: Timing(n, calls[n], []) for n in names}
    for r in range(repeats):
        k = r % len(names)
        for n in names[k:] + names[:k]:
            fn, c = candidates[n], calls[n]
            t0 = time.perf_counter()
            for _ in range(c):
                fn()
            out[n].times.append((time.perf_counter() - t0) / c)
    return out


def cycler(batches: list, step: Callable) -> Callable[[], object]:
    """A no-argument callable running ``step`` on the next of ``batches`` each call."""
    state = {"i": 0}

    def run():
        x, y = batches[state["i"] % len(batches)]
        state["i"] += 1
        return step(x, y)

    return run
