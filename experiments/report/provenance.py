"""Where the results came from: configuration, versions, commit, machine, dates (from run.json)."""

from __future__ import annotations

from collections import Counter
from datetime import datetime, timezone
from pathlib import Path


def _values(runs: dict[str, dict], get) -> list[str]:
    """Distinct values (most common first) of ``get(run)`` over the runs, skipping missing ones."""
    counts = Counter(str(v) for v in (get(r) for r in runs.values()) if v not in (None, ""))
    return [v for v, _ in counts.most_common()]


def provenance(root: Path, runs: dict[str, dict]) -> dict:
    """{'facts': [(name, value)], 'packages': [(package, version)], 'config': toml text}.

    A fact that differs between runs (say, runs computed on two machines) lists every value."""
    env = lambda key: (lambda r: r.get("environment", {}).get(key))  # noqa: E731
    started, finished = _values(runs, lambda r: r.get("started")), _values(runs, lambda r: r.get("finished"))
    blas = _values(runs, lambda r: ", ".join(f"{b.get('internal_api')} {b.get('version')}"
                                             for b in r.get("environment", {}).get("blas", [])) or None)
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
        ("processor", "; ".join(_values(runs, env("processor"))) or "unknown"),
        ("BLAS", "; ".join(blas) or "unknown"),
    ]
    names = sorted({p for r in runs.values() for p in r.get("environment", {}).get("packages", {})})
    packages = [(p, "; ".join(_values(runs, lambda r, p=p: r.get("environment", {}).get("packages", {}).get(p)))
                 or "not installed") for p in names]
    config = root / "config.toml"
    return {"facts": facts, "packages": packages,
            "config": config.read_text(encoding="utf-8") if config.is_file() else ""}
