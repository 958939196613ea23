"""The kinds of network a run can build, by name (``[model] kind`` in an experiment file).

Each kind is a class whose constructor takes ``(sizes, rng, **options)``; the experiment file's
``[model]`` keys other than ``kind``, ``hidden`` and ``loss`` are passed as options, and are
validated against the constructor's signature.
"""

from __future__ import annotations

import importlib

import numpy as np

NETWORK_KINDS: dict[str, str] = {
    "rate": "learning_rules.network:Network",
    "forward_forward": "learning_rules.forward_forward_network:ForwardForwardNetwork",
    "spiking": "learning_rules.spiking.network:SpikingNetwork",
}


def network_class(kind: str) -> type:
    """The network class of ``kind``; unknown kinds raise ValueError listing the allowed ones."""
    if kind not in NETWORK_KINDS:
        raise ValueError(f"model.kind: unknown network kind {kind!r}; allowed: {', '.join(NETWORK_KINDS)}")
    module, _, attr = NETWORK_KINDS[kind].partition(":")
    return getattr(importlib.import_module(module), attr)


def make_network(kind: str, sizes: list[int], rng: np.random.Generator, **options):
    """Build a network of ``kind`` with layer sizes [n_in, *hidden, n_out]."""
    return network_class(kind)(sizes, rng, **options)
