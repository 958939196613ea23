"""The layer interface: a layer owns its forward pass, its local backward and its FLOP formula.

Every network is built from layers, and a layer differentiates itself the way an autograd op
does (docs/architecture.md). That is what lets one rule train any architecture: a rule only
decides *which tensor carries the error back* across a weight layer.

    layer.params                                  {"W": ..., "b": ...}: named arrays ({} if none)
    out, cache = layer.forward(x, train, rng)     x (B, *input_shape) -> out (B, *output_shape)
    dx = layer.backward_input(cache, delta, weight=None)
                                                  delta (B, *output_shape) = dL/d out -> dL/dx;
                                                  a weight layer carries it through params["W"]
                                                  or through ``weight``, a tensor of W's shape
    grads = layer.backward_params(cache, delta)   {"W": dW, "b": db}, shaped like params
    dout = layer.jvp(cache, dx, dparams=None)     forward mode: the tangent of out (B, *output_shape)
                                                  for a tangent dx of the input (None: zero) and
                                                  tangents of parameters by name (missing: zero)
    layer.flops(batch), layer.backward_flops(batch, inputs=True, params=True)

Shapes are per sample, without the batch axis. Spatial layers keep their channels last,
(L, C) and (H, W, C), because then a convolution's input windows are contiguous in memory; the
networks convert the data's channels-first shapes, (C, L) and (C, H, W), on the way in.
"""

from __future__ import annotations

import functools
import math
from abc import ABC, abstractmethod
from typing import Any, ClassVar

import numpy as np

Shape = tuple[int, ...]


class _Required:
    def __repr__(self) -> str:
        return "REQUIRED"


#: the default of a layer-spec key that must be given
REQUIRED = _Required()


class LayerError(ValueError):
    """A layer that cannot be built as asked (one line naming the layer and the shape)."""


class Layer(ABC):
    """Base of every layer; see the module docstring for the contract."""

    #: the name in layer specs and messages ("dense", "conv1d", ...)
    kind: ClassVar[str]
    #: True for layers whose ``W`` carries the error to their input (dense, convolutions): the
    #: place where a learning rule may substitute feedback. A weight layer starts a block.
    has_weight: ClassVar[bool] = False
    #: True when the output is linear in (input, params) jointly as x W + b, so that the output
    #: of params theta + s is out(theta) + out_without_bias(s) + s_b (antithetic population pairs)
    linear_in_params: ClassVar[bool] = False
    #: True when ``population_forward`` is implemented (scoring many parameter sets at once)
    vectorisable: ClassVar[bool] = False

    #: keys of this layer's spec in ``[model] layers`` with their defaults (see specs.py)
    spec_keys: ClassVar[dict] = {}

    input_shape: Shape
    output_shape: Shape

    def __init__(self) -> None:
        self.params: dict[str, np.ndarray] = {}

    # -- the contract ----------------------------------------------------------------------
    @abstractmethod
    def forward(self, x: np.ndarray, train: bool = False,
                rng: np.random.Generator | None = None) -> tuple[np.ndarray, Any]:
        """x (B, *input_shape) -> (out (B, *output_shape), cache for the backward)."""

    @abstractmethod
    def backward_input(self, cache: Any, delta: np.ndarray, weight: np.ndarray | None = None) -> np.ndarray:
        """dL/d out (B, *output_shape) -> dL/dx (B, *input_shape); ``weight`` only for weight layers."""

    def backward_params(self, cache: Any, delta: np.ndarray) -> dict[str, np.ndarray]:
        """dL/d out -> the gradient of each parameter, by name (nothing for a layer without any)."""
        return {}

    def jvp(self, cache: Any, dx: np.ndarray | None, dparams: dict[str, np.ndarray] | None = None) -> np.ndarray:
        """Forward mode (a Jacobian-vector product) at the cached pass: the output's tangent
        (B, *output_shape) for the input tangent dx (B, *input_shape), None for zero, and the
        tangents ``dparams`` of parameters by name (missing names: zero). dx may be None only
        when ``dparams`` is given. Linear in (dx, dparams); its cost is counted by
        ``backward_flops``, whose products have the same shapes."""
        raise NotImplementedError(f"{self.kind}: no forward-mode jvp")

    def flops(self, batch: int) -> int:
        """Floating-point operations of one forward pass of ``batch`` samples."""
        return 0

    def backward_flops(self, batch: int, inputs: bool = True, params: bool = True) -> int:
        """FLOPs of ``backward_input`` (``inputs``) and ``backward_params`` (``params``)."""
        return 0

    def population_forward(self, h: np.ndarray, params: dict[str, np.ndarray]) -> np.ndarray:
        """Forward for C parameter sets at once: h (C, B, *in) or a shared (B, *in), params
        {name: (C, *shape)} -> (C, B, *out). Only where ``vectorisable``."""
        raise NotImplementedError(f"{self.kind}: no vectorised population forward")

    def describe(self) -> str:
        """A few words for tables: 'dense 256', 'conv1d 25x5 /2'."""
        return self.kind

    # -- shared helpers --------------------------------------------------------------------
    @functools.cached_property
    def n_out(self) -> int:
        """Units of the output per sample (the product of output_shape)."""
        return int(math.prod(self.output_shape))

    @functools.cached_property
    def n_in(self) -> int:
        """Units of the input per sample (the product of input_shape)."""
        return int(math.prod(self.input_shape))

    @property
    def fans(self) -> tuple[int, int]:
        """(fan_in, fan_out) of W, for initialisations and feedback drawn at W's scale."""
        raise NotImplementedError(f"{self.kind} has no weight")

    @property
    def state(self) -> dict[str, np.ndarray]:
        """Arrays the layer keeps besides its parameters (batch norm's running statistics)."""
        return {}

    def copy(self) -> "Layer":
        """A copy with independent parameter (and state) arrays."""
        clone = object.__new__(type(self))
        clone.__dict__.update(self.__dict__)
        clone.params = {k: v.copy() for k, v in self.params.items()}
        for k, v in self.state.items():
            setattr(clone, k, v.copy())
        return clone

    def __repr__(self) -> str:
        return f"<{self.describe()}: {self.input_shape} -> {self.output_shape}>"


def weight_of(layer: Layer, weight: np.ndarray | None) -> np.ndarray:
    """The tensor that carries the error back: ``weight`` if given (checked to have W's shape)."""
    W = layer.params["W"]
    if weight is None:
        return W
    if weight.shape != W.shape:
        raise ValueError(f"{layer.kind}: feedback of shape {weight.shape} given for W of shape {W.shape}")
    return weight
