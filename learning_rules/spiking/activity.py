"""Activity metrics of a spiking forward pass, as step-info keys the runner logs per epoch.

- ``spikes_per_neuron/l``: mean spikes per neuron per sample in LIF layer l (over T steps);
- ``silent_fraction/l``: fraction of layer l's neurons that fired for no sample of the batch;
- ``synaptic_events``: spikes times the synapses each drives, per sample (input spikes included):
  the energy proxy set beside the rate network's FLOPs.
"""

from __future__ import annotations

import numpy as np


def activity_metrics(counts: list[np.ndarray], synaptic_events: float) -> dict[str, float]:
    """counts: per LIF layer the spike counts (B, n) of one pass."""
    info: dict[str, float] = {}
    for l, c in enumerate(counts):
        info[f"spikes_per_neuron/{l}"] = float(c.mean())
        info[f"silent_fraction/{l}"] = float(np.mean(c.sum(axis=0) == 0))
    info["synaptic_events"] = float(synaptic_events)
    return info
