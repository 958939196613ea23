"""The data beside the accuracies: split sizes, classes and the chance level, from run.json.

Each run records ``data_sizes`` (runs/worker.py): ``train`` and ``test`` samples, and for a
classification ``classes`` and ``chance``, the accuracy of always answering the test split's
largest class. The report draws the chance level on every accuracy figure and states the sizes
above its summary and in the accuracy figures' captions. Runs stored before runs recorded it
have neither (nothing is guessed).
"""

from __future__ import annotations

from collections import Counter

from .tables import pct


def data_sizes(runs: dict[str, dict]) -> dict[str, dict]:
    """dataset name -> its sizes ({train, test[, classes, chance]}), the most common per dataset
    (a dataset whose size was swept keeps the sizes most of its runs had)."""
    seen: dict[str, Counter] = {}
    for meta in runs.values():
        sizes = meta.get("data_sizes")
        if isinstance(sizes, dict) and sizes.get("test"):
            name = str(meta.get("spec", {}).get("data", {}).get("name", "data"))
            seen.setdefault(name, Counter())[tuple(sorted(sizes.items()))] += 1
    return {name: dict(c.most_common(1)[0][0]) for name, c in sorted(seen.items())}


#: chance levels within this many points of each other count as one (a seed's split moves it a little)
CHANCE_TOLERANCE = 0.005


def _chances(runs: dict[str, dict], name: str | None = None) -> list[float]:
    """Every run's recorded chance level (of dataset ``name``, or of all)."""
    out = []
    for meta in runs.values():
        sizes = meta.get("data_sizes")
        if isinstance(sizes, dict) and "chance" in sizes and (
                name is None or str(meta.get("spec", {}).get("data", {}).get("name", "data")) == name):
            out.append(float(sizes["chance"]))
    return out


def chance_level(runs: dict[str, dict]) -> float | None:
    """The chance level every run shares (a fraction: the most common, when all lie within
    CHANCE_TOLERANCE), or None: no run recorded one, or the runs' data differ in it (generated data
    whose classes are unbalanced by seed or setting; each figure would need its own line)."""
    levels = _chances(runs)
    if not levels or max(levels) - min(levels) > CHANCE_TOLERANCE:
        return None
    return Counter(levels).most_common(1)[0][0]


def data_sentence(runs: dict[str, dict]) -> str:
    """'Data: mnist1d, 4000 training and 1000 test samples, 10 classes; chance (always answering the
    test split's largest class): 10.60%.' ('' when no run recorded its data's sizes)."""
    parts = []
    for name, s in data_sizes(runs).items():
        text = f"{name}, {s['train']} training and {s['test']} test samples"
        if "classes" in s:
            levels = _chances(runs, name)
            chance = (f"{pct(min(levels))}% to {pct(max(levels))}% over its runs"
                      if max(levels) - min(levels) > CHANCE_TOLERANCE else f"{pct(s['chance'])}%")
            text += f", {s['classes']} classes; chance (always answering the test split's largest class): {chance}"
        parts.append(text)
    return ("Data: " + " | ".join(parts) + ".") if parts else ""
