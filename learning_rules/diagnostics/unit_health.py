"""Unit health: which units of a block have stopped passing an error signal.

A unit is in its activation's **flat region** on a sample when the activation's derivative there
is (near) zero, so almost no error reaches the unit's weights through it:

==============  =====================  =====================================================
activation      flat region            why
==============  =====================  =====================================================
tanh            ``|a| > 2``            tanh'(2) = 0.071: within 3.6% of +-1
sigmoid         ``|a| > 4``            the same point on its own scale (sigmoid(a) =
                                       (1 + tanh(a/2)) / 2): sigmoid'(4) / sigmoid'(0) = 0.071
relu            ``a <= 0``             relu' = 0: the unit is off
leaky_relu      ``a <= 0``             the leak's slope, 0.01
linear          never                  linear' = 1 everywhere
==============  =====================  =====================================================

Per block, with ``a`` the input of the block's (first) activation layer on a probe batch:

- ``dead``: the fraction of units in their flat region on **every** probe sample: no error
  reaches their weights on any of them (for relu: never active);
- ``saturated`` (bounded activations only: tanh, sigmoid): the fraction of units in their flat
  region on **more than half** of the probe samples. Dead units count as saturated too. For the
  relu family being off on most samples is sparse coding, not saturation, so it is not logged.

A convolution's unit is a channel (one filter shared over positions): its samples are all
(sample, position) pairs, so a dead filter is off at every position of every probe sample.
"""

from __future__ import annotations

import numpy as np

#: activation name -> the pre-activations (any shape) where it is flat (a bool array)
FLAT_REGIONS = {
    "tanh": lambda a: np.abs(a) > 2.0,
    "sigmoid": lambda a: np.abs(a) > 4.0,
    "relu": lambda a: a <= 0,
    "leaky_relu": lambda a: a <= 0,
    "linear": lambda a: np.zeros(a.shape, dtype=bool),
}
#: activations with an upper and a lower bound, for which "saturated" is defined
BOUNDED = ("tanh", "sigmoid")


def unit_health(pre: np.ndarray, activation: str) -> dict[str, float]:
    """{"dead": fraction, "saturated": fraction (bounded activations only)} of the units of the
    pre-activations ``pre`` (B, *positions, units): units on the last axis (channels last)."""
    flat = FLAT_REGIONS[activation](pre).reshape(-1, pre.shape[-1])  # (samples x positions, units)
    out = {"dead": float(flat.all(axis=0).mean())}
    if activation in BOUNDED:
        out["saturated"] = float((flat.mean(axis=0) > 0.5).mean())
    return out


def block_pre_activation(net, trace, k: int) -> tuple[np.ndarray, str] | None:
    """(the input of block k's first activation layer (B, *shape), its activation's name) in the
    traced pass, or None when the block has no activation (a linear readout) or one this module
    does not know."""
    block = net.blocks[k]
    for i in range(block.weight + 1, block.stop):
        layer = net.layers[i]
        if layer.kind == "activation":
            return (trace.outputs[i - 1], layer.name) if layer.name in FLAT_REGIONS else None
    return None
