"""The run spec: everything that determines one run's numbers, and its id.

``run_id`` is a hash of the resolved spec (minus fields that cannot change the numbers, such as
the dataset cache folder), so rerunning an experiment finds the runs it has already done.
Each run's random generators derive from (seed, the part of the spec they serve) through
``numpy.random.SeedSequence``: the network's initial weights depend on the seed, data and model
only, so every rule of one seed starts from the same network and sees the same batch order; a
rule's own draws depend on the seed, the network and the rule's name only (``generator``).
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import asdict, dataclass, field
from typing import Any

import numpy as np

# keys of a spec's data table that locate files but cannot change results
NON_SEMANTIC_DATA_KEYS = ("cache_dir",)


def canonical_json(obj: Any) -> str:
    """A stable JSON text of plain data (sorted keys, no whitespace) for hashing."""
    return json.dumps(obj, sort_keys=True, separators=(",", ":"), default=str)


def stable_hash(obj: Any, n: int = 12) -> str:
    """The first ``n`` hex digits of the SHA-256 of ``canonical_json(obj)``."""
    return hashlib.sha256(canonical_json(obj).encode()).hexdigest()[:n]


@dataclass(frozen=True)
class RunSpec:
    """One run: a rule (with its hyperparameters) on a network and dataset, for one seed."""

    experiment: str
    rule: str
    label: str
    seed: int
    epochs: int
    batch_size: int
    data: dict[str, Any]
    model: dict[str, Any]
    optimizer: dict[str, Any]
    hyperparameters: dict[str, Any]
    diagnostics_every: int = 1
    representation_samples: int = 0  # test samples whose block outputs are stored (0: none)
    sweep_point: dict[str, Any] = field(default_factory=dict)
    phases: list[dict[str, Any]] = field(default_factory=list)
    #: a search run of a tuned experiment: this fraction of the training split is held out
    #: (stratified, drawn from the seed) as its validation split, and it has no test split
    validation_fraction: float | None = None
    #: the stage of a tuned experiment: "untuned" (the file's own values), "search" or "tuned";
    #: hashed, so that one set of values in two stages is two runs, each of its own stage
    stage: str = ""

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> "RunSpec":
        return cls(**d)

    def semantic(self) -> dict[str, Any]:
        """The fields that decide the numbers (what ``run_id`` hashes)."""
        d = self.to_dict()
        d["data"] = {k: v for k, v in d["data"].items() if k not in NON_SEMANTIC_DATA_KEYS}
        d.pop("experiment")
        d.pop("sweep_point")  # already reflected in the resolved sections
        for key, unset in (("validation_fraction", None), ("stage", ""), ("representation_samples", 0)):
            if d[key] == unset:  # absent, as before these keys existed: run ids stay the same
                d.pop(key)
        return d

    @property
    def run_id(self) -> str:
        return f"{self.label}-s{self.seed}-{stable_hash(self.semantic(), 10)}"

    def generator(self, purpose: str) -> np.random.Generator:
        """A generator for one purpose, derived from the seed and only what that purpose serves
        (common random numbers, docs/reproducibility.md):

        - ``network``: the initial weights, from the data and the network: every rule of one
          seed starts from the same weights;
        - ``shuffle``: the batch order, from the data and the batch size;
        - ``rule``: the rule's own draws, from the rule's name, the network and the data; never
          from the optimizer, the learning rate or the hyperparameters (the rule splits it into
          named streams, learning_rules.streams), so every point of a sweep that keeps the
          network sees the same feedback tensors and perturbations;
        - ``data`` and ``validation``: generated data sets and the held-out validation split.
        """
        d = self.semantic()
        scope = {
            "network": (d["data"], d["model"]),
            "shuffle": (d["data"], d["batch_size"]),
            "data": d["data"],
            "rule": ("common", d["rule"], d["model"], d["data"]),
            "validation": (d["data"], d.get("validation_fraction")),
        }[purpose]
        key = int(stable_hash([purpose, scope], 8), 16)
        return np.random.default_rng(np.random.SeedSequence(self.seed, spawn_key=(key,)))
