"""Networks, and the kinds a run can build by name (``[model] kind`` in an experiment file).

Each kind is a class whose constructor takes ``(sizes, rng, **options)``; the experiment file's
``[model]`` keys other than ``kind``, ``hidden`` and ``loss`` are passed as options, and are
validated against the constructor's signature. Every network declares its ``capabilities``.
"""

from __future__ import annotations

import importlib

import numpy as np

from .capabilities import FAMILIES, Capabilities, offers, require, requirements
from .blocks import Block, BlockedNetwork
from .sequential import Network

NETWORK_KINDS: dict[str, str] = {
    "rate": "learning_rules.networks.sequential:Network",
    "forward_forward": "learning_rules.networks.forward_forward:ForwardForwardNetwork",
    "spiking": "learning_rules.spiking.network:SpikingNetwork",
    "recurrent": "learning_rules.networks.temporal:TemporalNetwork",
    "hopfield": "learning_rules.networks.hopfield:HopfieldNetwork",
}


def network_class(kind: str) -> type:
    """The network class of ``kind``; unknown kinds raise ValueError listing the allowed ones."""
    if kind not in NETWORK_KINDS:
        raise ValueError(f"model.kind: unknown network kind {kind!r}; allowed: {', '.join(NETWORK_KINDS)}")
    module, _, attr = NETWORK_KINDS[kind].partition(":")
    return getattr(importlib.import_module(module), attr)


def kinds_offering(requires) -> tuple[str, ...]:
    """The registered kinds that may offer every capability in ``requires``: first those whose
    ``PRIMARY`` family (what the kind is built for) is required, then the rest, each in
    registry order. The first is the kind built for a rule when an experiment names none."""
    needed = requirements(requires)
    kinds = [k for k in NETWORK_KINDS if needed <= offers(network_class(k))]
    return tuple(sorted(kinds, key=lambda k: not (frozenset(getattr(network_class(k), "PRIMARY", ())) & needed)))


def make_network(kind: str, sizes: list[int], rng: np.random.Generator, **options):
    """Build a network of ``kind`` with layer sizes [n_in, *hidden, n_out]."""
    return network_class(kind)(sizes, rng, **options)


__all__ = ["FAMILIES", "NETWORK_KINDS", "Block", "BlockedNetwork", "Capabilities", "Network", "kinds_offering",
           "make_network", "network_class", "offers", "require", "requirements"]
