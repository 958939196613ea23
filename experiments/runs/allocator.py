"""Keep freed heap memory in the process instead of handing it back to the kernel after every step.

A training step allocates megabytes of temporaries. glibc's malloc returns the top of its heap to
the kernel when they are freed, and the next step faults the same pages back in one by one; on the
development VM that made small steps 2-3x slower (benchmarks/bench_backprop_throughput.py counts the
faults). Raising malloc's trim threshold and top pad keeps the memory mapped. The numbers computed
do not change, only how fast the same arithmetic runs. Linux/glibc only; a no-op elsewhere.
"""

from __future__ import annotations

import ctypes
import sys

M_TRIM_THRESHOLD, M_TOP_PAD, M_MMAP_THRESHOLD = -1, -2, -3


def keep_freed_heap(mib: int = 64) -> bool:
    """Tune this process's malloc; returns whether it could (glibc found)."""
    if not sys.platform.startswith("linux"):
        return False
    try:
        libc = ctypes.CDLL("libc.so.6")
    except OSError:
        return False
    # all three are set: setting any of them turns off glibc's own adjustment of the others
    libc.mallopt(M_MMAP_THRESHOLD, 32 << 20)
    libc.mallopt(M_TRIM_THRESHOLD, 2 * mib << 20)
    libc.mallopt(M_TOP_PAD, mib << 20)
    return True
