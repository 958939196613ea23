"""What a network declares about itself, so rules and diagnostics never recognise it by type.

``families`` are the capabilities it offers; a rule names those it needs in its ``requires``
(one name or several), and no rule lists network kinds: the kinds a rule can train are the
registered kinds that may offer what it requires (``learning_rules.networks.kinds_offering``).

- ``"backward"``: layers that own their backward (rules that carry an error through them:
  backprop, feedback alignment, local errors, ...);
- ``"temporal"``: cells run over T steps (BPTT, truncated BPTT, e-prop, RFLO, RTRL, feedback
  alignment in time: networks/temporal.py);
- ``"spiking"``: LIF cells simulated in time (surrogate BPTT, the online spiking rule);
- ``"goodness"``: the forward-forward network's label-embedded passes;
- ``"population"``: parameters that can be scored by forward passes alone (genetic, ES);
- ``"readout"``: ``readout_gradients(trace, e)`` gives the exact gradient of the readout alone
  (the readout-only control);
- ``"energy"``: the network is an energy-based model whose prediction is the fixed point of its
  energy (equilibrium propagation);
- ``"chain"``: its layers form a plain sequence, so block k's input is block k - 1's output (the
  rules that settle, perturb or push tangents block by block, walking the layers themselves);
  ``"graph"``: its layers form a graph with merges or fan-out (networks/graph.py), which every
  rule of the one backward sweep trains;
- ``"cells"``: cells run over T steps in levels (networks/temporal.py: the rules in time).

A network class declares ``SUPPORTS`` (what every instance offers) and ``MAY_OFFER`` (what some
instances offer, by their layers: a graph, LIF cells, a dense readout); ``offers(cls)`` is both.

``time_steps`` is how many steps one forward pass simulates (1 for a static network), and
``vectorised_population`` says whether a whole population can be scored in one stacked pass.
"""

from __future__ import annotations

from dataclasses import dataclass

FAMILIES = ("backward", "temporal", "spiking", "goodness", "population", "readout", "energy", "chain", "graph",
            "cells")


@dataclass(frozen=True)
class Capabilities:
    families: frozenset[str]
    time_steps: int = 1
    vectorised_population: bool = False

    def supports(self, family: str) -> bool:
        return family in self.families


def requirements(requires: str | tuple[str, ...] | frozenset[str]) -> frozenset[str]:
    """A rule's ``requires`` (one capability or several) as a set."""
    return frozenset([requires]) if isinstance(requires, str) else frozenset(requires)


def offers(cls: type) -> frozenset[str]:
    """Every capability some instance of the network class ``cls`` may offer."""
    return frozenset(getattr(cls, "SUPPORTS", ())) | frozenset(getattr(cls, "MAY_OFFER", ()))


#: why a rule that needs a capability cannot do without it (added to the refusal)
REASONS = {"chain": "it walks the layers as a sequence (block k's input is block k - 1's output), "
                    "which a graph with merges or fan-out is not"}


def require(rule_name: str, requires, net) -> None:
    """A one-line ValueError when ``net`` lacks a capability in ``requires``."""
    missing = sorted(requirements(requires) - net.capabilities.families)
    if missing:
        offered = ", ".join(sorted(net.capabilities.families))
        why = f" ({REASONS[missing[0]]})" if missing[0] in REASONS else ""
        raise ValueError(f"{rule_name}: needs a network that supports {missing[0]!r} rules{why}; "
                         f"{type(net).__name__} supports {offered}")
