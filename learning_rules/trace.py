"""What a forward pass saw and did, layer by layer: the record that learning rules read.

Rules compute their error signals from a ``Trace`` instead of state stashed on layers, so the
same network can be trained by any rule and a trace can be inspected after the fact.

- A layered network (``learning_rules.networks.Network``) records, for every layer i, the cache
  its backward needs (``layers[i]``) and its output (``outputs[i]``).
- The forward-forward and spiking networks record one ``LayerTrace`` per weight layer.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np

from .activations import Activation


@dataclass
class LayerTrace:
    """One dense layer's view of a batch of B samples (forward-forward and spiking networks).

    input: (B, n_in) what the layer received; pre: (B, n_out) pre-activation ``a = x W + b``;
    activated: (B, n_out) ``f(a)``; output: (B, n_out) what was passed on.
    """

    input: np.ndarray
    pre: np.ndarray
    activated: np.ndarray
    output: np.ndarray
    activation: Activation

    def derivative(self) -> np.ndarray:
        """d output / d pre, elementwise: f'(a). Shape (B, n_out)."""
        return self.activation.df(self.pre, self.activated)


@dataclass
class Trace:
    """The records of one forward pass: per layer what it cached (or a ``LayerTrace``), each
    layer's output where the network keeps them, and ``extra`` network- or rule-specific
    records (a spiking network's potentials, the batch's targets)."""

    layers: list[Any]
    outputs: list[np.ndarray] | None = None
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def output(self) -> np.ndarray:
        """The network's output (B, n_outputs)."""
        return self.outputs[-1] if self.outputs is not None else self.layers[-1].output
