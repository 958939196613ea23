"""The spikes of one fixed test sample, recorded at the end of a spiking run (the spike raster).

The driver stores them as ``runs/<run_id>/spikes.csv``, one row per spike (layer, neuron, step),
and their shape in run.json (``"spikes": {"sample", "steps", "neurons"}``); the report's raster
figure reads both.
"""

from __future__ import annotations

import numpy as np

#: which test sample the raster shows (the first: fixed, the same for every run of a dataset)
SAMPLE = 0


def sample_spikes(net, x_test: np.ndarray) -> dict | None:
    """The spikes of test sample ``SAMPLE`` in every spiking layer, from ``net.forward``'s
    ``trace.extra["spikes"]`` ((T, B, n) per layer): {"sample", "steps": T, "neurons": [n per
    layer], "events": [[layer, neuron, step], ...]}, or None when the forward pass records none."""
    _, trace = net.forward(x_test[SAMPLE : SAMPLE + 1], train=False)
    layers = trace.extra.get("spikes") or []
    if not layers:
        return None
    events = []
    for layer, s in enumerate(layers):
        step, _, neuron = np.nonzero(np.asarray(s))  # (spikes,) each, ordered by step then neuron
        events += [[layer, int(n), int(t)] for t, n in zip(step, neuron)]
    return {"sample": SAMPLE, "steps": int(np.shape(layers[0])[0]), "neurons": [int(np.shape(s)[2]) for s in layers],
            "events": events}
