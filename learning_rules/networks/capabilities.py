"""What a network declares about itself, so rules and diagnostics never recognise it by type.

``families`` are the kinds of learning rule it supports (a rule names the one it needs in its
``requires``):

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
  energy (equilibrium propagation).

``time_steps`` is how many steps one forward pass simulates (1 for a static network), and
``vectorised_population`` says whether a whole population can be scored in one stacked pass.
"""

from __future__ import annotations

from dataclasses import dataclass

FAMILIES = ("backward", "temporal", "spiking", "goodness", "population", "readout", "energy")


@dataclass(frozen=True)
class Capabilities:
    families: frozenset[str]
    time_steps: int = 1
    vectorised_population: bool = False

    def supports(self, family: str) -> bool:
        return family in self.families


def require(rule_name: str, family: str, net) -> None:
    """A one-line ValueError when ``net`` does not support the rule family ``family``."""
    if not net.capabilities.supports(family):
        offered = ", ".join(sorted(net.capabilities.families))
        raise ValueError(f"{rule_name}: needs a network that supports {family!r} rules; "
                         f"{type(net).__name__} supports {offered}")
