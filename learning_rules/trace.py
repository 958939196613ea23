"""What a forward pass saw and did, layer by layer: the record that learning rules read.

Rules compute their error signals from a ``Trace`` instead of state stashed on layers, so the
same network can be trained by any rule and a trace can be inspected after the fact.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np

from .activations import Activation


@dataclass
class LayerTrace:
    """One dense layer's view of a batch of B samples.

    input: (B, n_in) what the layer received; pre: (B, n_out) pre-activation ``a = x W + b``;
    activated: (B, n_out) ``f(a)``; output: (B, n_out) what was passed on (``activated`` times the
    dropout mask, or ``activated`` itself); mask: (B, n_out) inverted-dropout mask or None.
    """

    input: np.ndarray
    pre: np.ndarray
    activated: np.ndarray
    output: np.ndarray
    activation: Activation
    mask: np.ndarray | None = None

    def derivative(self) -> np.ndarray:
        """d output / d pre, elementwise: f'(a) times the dropout mask. Shape (B, n_out)."""
        d = self.activation.df(self.pre, self.activated)
        return d if self.mask is None else d * self.mask


@dataclass
class Trace:
    """The per-layer traces of one forward pass; ``extra`` holds network-specific records
    (a spiking network's time-resolved potentials and spike counts)."""

    layers: list[LayerTrace]
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def output(self) -> np.ndarray:
        """(B, n_outputs) the network's output."""
        return self.layers[-1].output
