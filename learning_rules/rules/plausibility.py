"""The plausibility card: which biological constraints a learning rule respects.

Each field answers one of the objections that make backprop implausible in a brain; ``True``
means the rule respects that constraint. The report prints the cards beside the accuracies.
"""

from __future__ import annotations

from dataclasses import dataclass, fields

CONSTRAINTS = {
    "no_weight_transport": "feedback does not need the transpose of the forward weights",
    "local_errors": "each layer learns from signals available at that layer",
    "no_update_locking": "a layer can update without waiting for the layers above it",
    "spiking": "neurons communicate by all-or-none spikes",
    "no_separate_error_phase": "no distinct global backward phase carrying errors",
    "single_network": "one network learns, not a population of candidates",
}


@dataclass(frozen=True)
class PlausibilityCard:
    """Booleans per constraint (see ``CONSTRAINTS``) and a one-line note on the rule's caveats."""

    no_weight_transport: bool
    local_errors: bool
    no_update_locking: bool
    spiking: bool
    no_separate_error_phase: bool
    single_network: bool
    notes: str = ""

    def as_dict(self) -> dict[str, bool | str]:
        return {f.name: getattr(self, f.name) for f in fields(self)}
