"""``--smoke``: the same experiment cut to its smallest budget, to check quickly that it runs.

One seed (the first), one epoch for the experiment, for every rule that sets its own, for every
phase and for every swept epoch count; a tuned experiment searches with at most two trials and
its first search seed. Results go under ``<name>-smoke`` so they never mix with the real
experiment's. Everything else (data, networks, rules, sweep grid, search space) is unchanged.
"""

from __future__ import annotations

import copy

SUFFIX = "-smoke"
#: the most trials a tuned experiment searches with under --smoke
SMOKE_TRIALS = 2


def _first_seed(seeds) -> list:
    return seeds[:1] if isinstance(seeds, list) and seeds else [0]


def smoke(raw: dict) -> dict:
    """A copy of the raw (overridden, not yet validated) config with every budget cut to the minimum.
    Values of the wrong type are left for validation to name."""
    out = copy.deepcopy(raw)
    exp = out.get("experiment")
    if isinstance(exp, dict):
        exp["seeds"] = _first_seed(exp.get("seeds", [0]))
        exp["epochs"] = 1
        if isinstance(exp.get("name"), str):
            exp["name"] += SUFFIX
    for table in [*(out.get("rules") or []), *(out.get("phases") or [])]:
        if isinstance(table, dict):
            if "epochs" in table:
                table["epochs"] = 1
            if "seeds" in table:
                table["seeds"] = _first_seed(table["seeds"])
    tune = out.get("tune")
    if isinstance(tune, dict):
        if isinstance(tune.get("trials"), int) and not isinstance(tune["trials"], bool):
            tune["trials"] = min(tune["trials"], SMOKE_TRIALS)
        if "seeds" in tune:
            tune["seeds"] = _first_seed(tune["seeds"])
    sweep = out.get("sweep")
    if isinstance(sweep, dict):
        for key, values in sweep.items():
            if key.endswith(".epochs"):
                sweep[key] = [1]
            elif key.endswith(".seeds") and isinstance(values, list) and values:
                sweep[key] = [_first_seed(values[0])]
    return out
