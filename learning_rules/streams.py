"""Named random streams: common random numbers across rules, settings and sweep points.

A run hands each rule one generator derived from (seed, network, rule name) only
(``experiments.runs.spec.RunSpec.generator``). The rule splits it by purpose into named child
streams, each keyed by its name rather than by how many numbers were drawn before it:

- ``feedback``: fixed tensors drawn once in ``init`` (feedback matrices, local readouts,
  direct-feedback projections, PEPITA's input projection);
- ``step``: everything drawn while training (dropout masks, perturbations, tangents, negative
  labels, inference noise);
- ``population``: a population rule's candidates and variation.

So two points of a learning-rate sweep, or a hyperparameter written out at its default, see the
same feedback tensors and the same per-step draws: differences between runs are the setting's,
never the random numbers'. A child stream is a pure function of its parent's seed sequence and
its name: asking for it twice gives the same numbers and consumes nothing from the parent.
"""

from __future__ import annotations

import hashlib

import numpy as np

#: the stream names rules use (documented in docs/reproducibility.md)
STREAMS = ("feedback", "step", "population")


def stream_key(name: str) -> int:
    """A stable 32-bit key of a stream name (SHA-256, so it is the same on every machine)."""
    return int(hashlib.sha256(name.encode()).hexdigest()[:8], 16)


def child_stream(rng: np.random.Generator, name: str) -> np.random.Generator:
    """The generator of stream ``name`` under ``rng``: keyed by ``rng``'s seed sequence and the
    name, independent of what was drawn from ``rng`` before."""
    seq = getattr(rng.bit_generator, "seed_seq", None)
    if not isinstance(seq, np.random.SeedSequence):  # a generator built from raw state: no key
        seq = np.random.SeedSequence(int(rng.integers(2**63)))
    child = np.random.SeedSequence(seq.entropy, spawn_key=(*seq.spawn_key, stream_key(name)),
                                   pool_size=seq.pool_size)
    return np.random.default_rng(child)
