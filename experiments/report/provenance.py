"""Where the results came from: configuration, versions, commit, machine, dates (from run.json)."""

from __future__ import annotations

from collections import Counter
from datetime import datetime, timezone
from pathlib import Path
from statistics import median


def _values(runs: dict[str, dict], get) -> list[str]:
    """Distinct values (most common first) of ``get(run)`` over the runs, skipping missing ones."""
    counts = Counter(str(v) for v in (get(r) for r in runs.values()) if v not in (None, ""))
    return [v for v, _ in counts.most_common()]


#: keys a run's environment may name its CPU by, most specific first (older runs have "processor" only)
CPU_KEYS = ("cpu_model", "cpu", "cpu_name", "processor")
#: keys of the machine's load average when the run started (1, 5, 15 minutes, or the 1-minute value)
LOAD_KEYS = ("load_average", "loadavg", "load")


def _env(run: dict) -> dict:
    env = run.get("environment")
    return env if isinstance(env, dict) else {}


def cpu_name(run: dict) -> str | None:
    """The CPU a run ran on, with its core count where recorded; None if nothing names it."""
    env = _env(run)
    name = next((str(env[k]).strip() for k in CPU_KEYS if str(env.get(k) or "").strip()), None)
    cores = env.get("cpu_count")
    if name and cores:
        return f"{name} ({cores} logical cores)"
    return name


def _owner(entry: dict) -> str:
    """Which package loaded a BLAS library, from its file path (numpy.libs/..., scipy.libs/...)."""
    path = str(entry.get("filepath") or entry.get("prefix") or "")
    for package in ("numpy", "scipy", "sklearn", "torch"):
        if f"{package}.libs" in path or f"/{package}/" in path:
            return f", loaded by {package}"
    return ""


def blas_entry(entry: dict) -> str:
    """One BLAS library in words: 'library openblas 0.3.30, kernel Haswell, pthreads, 1 thread'."""
    parts = [f"library {entry.get('internal_api') or 'unknown'} {entry.get('version') or ''}".rstrip()]
    if entry.get("architecture"):
        parts.append(f"kernel {entry['architecture']}")
    if entry.get("threading_layer"):
        parts.append(f"threading {entry['threading_layer']}")
    threads = entry.get("num_threads")
    if threads is not None:
        parts.append(f"{threads} thread{'s' if threads != 1 else ''}")
    return ", ".join(parts) + _owner(entry)


def load_average(run: dict) -> float | None:
    """The machine's 1-minute load average when the run started, if its environment recorded one."""
    env = _env(run)
    for key in LOAD_KEYS:
        value = env.get(key)
        if isinstance(value, (list, tuple)) and value:
            value = value[0]
        if isinstance(value, (int, float)) and not isinstance(value, bool):
            return float(value)
    return None


def load_note(runs: dict[str, dict]) -> str:
    """One line on what the wall times measured: the machine's load while the runs ran if recorded."""
    loads = [x for x in (load_average(r) for r in runs.values()) if x is not None]
    head = "Wall times depend on what else the machine ran; each is given with its range over seeds."
    if not loads:
        return head + " The machine's load was not recorded with these runs."
    cores = sorted({str(_env(r).get("cpu_count")) for r in runs.values() if _env(r).get("cpu_count")})
    on = f" on {' or '.join(cores)} logical cores" if cores else ""
    return (head + f" Load average (1 min) when the runs started: {min(loads):.2f} to {max(loads):.2f}"
            f" (median {median(loads):.2f}){on}.")


def provenance(root: Path, runs: dict[str, dict]) -> dict:
    """{'facts': [(name, value)], 'packages': [(package, version)], 'config': toml text}.

    A fact that differs between runs (say, runs computed on two machines) lists every value."""
    env = lambda key: (lambda r: r.get("environment", {}).get(key))  # noqa: E731
    started, finished = _values(runs, lambda r: r.get("started")), _values(runs, lambda r: r.get("finished"))
    blas = Counter("; ".join(f"[{i + 1}] {blas_entry(b)}" for i, b in enumerate(_env(r).get("blas") or []))
                   for r in runs.values())
    blas.pop("", None)
    blas_text = (next(iter(blas)) if len(blas) == 1 else  # runs that loaded different libraries: each set, counted
                 " | ".join(f"in {n} of {len(runs)} runs: {text}" for text, n in blas.most_common()))
    facts = [
        ("results", str(root)),
        ("runs", str(len(runs))),
        ("git commit", "; ".join(_values(runs, env("git_commit"))) or "unknown"),
        ("first run started", min(started) if started else "unknown"),
        ("last run finished", max(finished) if finished else "unknown"),
        ("report written", datetime.now(timezone.utc).isoformat(timespec="seconds")),
        ("python", "; ".join(_values(runs, env("python"))) or "unknown"),
        ("platform", "; ".join(_values(runs, env("platform"))) or "unknown"),
        ("machine", "; ".join(_values(runs, env("machine"))) or "unknown"),
        ("CPU", " | ".join(_values(runs, cpu_name)) or "not recorded (the runs' environment names no CPU model)"),
        ("BLAS libraries loaded (each: library version, kernel architecture, threading, threads)",
         blas_text or "unknown"),
    ]
    names = sorted({p for r in runs.values() for p in r.get("environment", {}).get("packages", {})})
    packages = [(p, "; ".join(_values(runs, lambda r, p=p: r.get("environment", {}).get("packages", {}).get(p)))
                 or "not installed") for p in names]
    config = root / "config.toml"
    return {"facts": facts, "packages": packages,
            "config": config.read_text(encoding="utf-8") if config.is_file() else ""}
