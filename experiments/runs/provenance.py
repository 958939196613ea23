"""Where and with what a run was computed: versions, platform, CPU model, BLAS, git commit.

The CPU model and the BLAS kernel (threadpoolctl's ``internal_api``, ``version``, ``architecture``,
``num_threads``) are what decide float32 roundings: on one machine every run is bit-identical, on
another CPU the BLAS picks other kernels and the numbers move (docs/reproducibility.md).

Each run.json carries ``environment()`` as computed in the process that ran it (a worker, a
Dask worker on another host), beside the resolved ``spec`` and the ``started`` / ``finished``
times, so a stored number can be traced to the code and the machine that produced it.
"""

from __future__ import annotations

import functools
import os
import platform
import subprocess
import sys
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path

PACKAGES = ("learning-rules", "numpy", "scipy", "pandas", "matplotlib", "scikit-learn", "mnist1d", "threadpoolctl",
            "dask", "distributed")


def _version(name: str) -> str | None:
    try:
        return version(name)
    except PackageNotFoundError:
        return None


def _blas() -> list[dict]:
    """The BLAS libraries loaded now, with their thread counts (numpy's build info without
    threadpoolctl)."""
    try:
        from threadpoolctl import threadpool_info
    except ImportError:
        return _numpy_blas()
    return [{k: info.get(k) for k in ("internal_api", "version", "num_threads", "threading_layer", "architecture")}
            for info in threadpool_info() if info.get("user_api") == "blas"] or _numpy_blas()


def _numpy_blas() -> list[dict]:
    try:
        import numpy as np

        blas = np.show_config(mode="dicts")["Build Dependencies"]["blas"]
    except Exception:  # older numpy: no dict mode; provenance must never fail a run
        return []
    return [{"internal_api": blas.get("name"), "version": blas.get("version"), "num_threads": None}]


@functools.lru_cache(maxsize=1)
def cpu_model() -> str:
    """The CPU's model name (Linux: /proc/cpuinfo), else what the platform module says."""
    try:
        with open("/proc/cpuinfo", encoding="utf-8", errors="replace") as f:
            for line in f:
                key, _, value = line.partition(":")
                if key.strip() in ("model name", "Model", "cpu model") and value.strip():
                    return value.strip()
    except OSError:
        pass
    return platform.processor() or platform.machine() or "unknown"


@functools.lru_cache(maxsize=1)
def git_commit() -> str | None:
    """The project's git commit (with '-dirty' when the tree has changes), or None."""
    root = Path(__file__).resolve().parents[2]
    try:
        top = subprocess.run(["git", "-C", str(root), "rev-parse", "--show-toplevel"], capture_output=True,
                             text=True, timeout=5, check=True).stdout.strip()
        if Path(top).resolve() != root:  # an installed copy inside some other repository
            return None
        commit = subprocess.run(["git", "-C", str(root), "rev-parse", "HEAD"], capture_output=True,
                                text=True, timeout=5, check=True).stdout.strip()
        dirty = subprocess.run(["git", "-C", str(root), "status", "--porcelain", "--untracked-files=no"],
                               capture_output=True, text=True, timeout=5).stdout.strip()
    except (OSError, subprocess.SubprocessError):
        return None
    return commit + ("-dirty" if dirty else "")


def _load_average() -> float | None:
    """The machine's 1-minute load average when the run started (None where unknown): wall times
    are only comparable between runs made under similar load."""
    try:
        return round(os.getloadavg()[0], 2)
    except (OSError, AttributeError):
        return None


def environment() -> dict:
    """A JSON-able description of the software and machine a run used."""
    return {
        "python": sys.version.split()[0],
        "python_implementation": platform.python_implementation(),
        "platform": platform.platform(),
        "machine": platform.machine(),
        "processor": platform.processor(),
        "cpu_model": cpu_model(),
        "cpu_count": os.cpu_count(),
        "load_average": _load_average(),
        "hostname": platform.node(),
        "packages": {name: _version(name) for name in PACKAGES},
        "blas": _blas(),
        "git_commit": git_commit(),
    }
