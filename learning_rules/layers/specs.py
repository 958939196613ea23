"""Build a stack of layers from specs, as ``[model] layers`` lists them in an experiment file.

A spec is a table with a ``type`` and that layer's keys, or a bare name for a layer with none:

    { type = "conv1d", channels = 25, kernel = 5, stride = 2, padding = 1, activation = "relu" }
    { type = "maxpool2d", kernel = 2 }
    { type = "dense", units = 128, activation = "tanh" }
    "relu"      "flatten"      { type = "dropout", p = 0.2 }      { type = "batchnorm" }

``activation`` on any layer appends that activation after it. A dense layer after a spatial one
gets a flatten in between. Shapes are checked as the stack is built, so a spec that does not fit
the data (a kernel larger than its input, a convolution after a flatten) is a one-line error that
names the layer, before any run.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from ..activations import ACTIVATIONS
from .activation import Activation
from .base import REQUIRED, Layer, LayerError, Shape
from .flatten import Flatten
from .registry import layer_class, layer_kinds


def _parse(where: str, spec: Any) -> tuple[str, dict]:
    if isinstance(spec, str):
        spec = {"type": spec}
    if not isinstance(spec, dict) or not isinstance(spec.get("type"), str):
        raise LayerError(f"{where}: expected a layer name or a table with a type, got {spec!r}; "
                         f"allowed types: {', '.join(layer_kinds())}")
    kind = spec["type"]
    if kind not in layer_kinds():
        raise LayerError(f"{where}: unknown layer type {kind!r}; allowed: {', '.join(layer_kinds())}")
    return kind, {k: v for k, v in spec.items() if k != "type"}


def _check_keys(where: str, kind: str, keys: dict, allowed: dict) -> dict:
    unknown = sorted(set(keys) - set(allowed) - {"activation"})
    if unknown:
        names = ", ".join([*allowed, "activation"])
        raise LayerError(f"{where} ({kind}): unknown key {unknown[0]!r}; allowed: {names}")
    missing = [k for k, d in allowed.items() if d is REQUIRED and k not in keys]
    if missing:
        raise LayerError(f"{where} ({kind}): missing key {missing[0]!r}")
    for key, value in keys.items():
        # a flag (a key whose default is a bool) takes true or false; no other key does
        flag = isinstance(allowed.get(key), bool)
        ok = isinstance(value, (int, float, list, str)) and (not isinstance(value, bool) or flag)
        if key != "activation" and not ok:
            raise LayerError(f"{where} ({kind}): {key} = {value!r} not allowed")
    return {k: keys.get(k, d) for k, d in allowed.items()}


def build_layers(specs: list, input_shape: Shape, rng: np.random.Generator, *, dtype=np.float32,
                 init: str = "xavier", init_gain: float = 1.0) -> list[Layer]:
    """Layers for ``specs`` on per-sample inputs of ``input_shape`` (channels last)."""
    if not isinstance(specs, list):
        raise LayerError(f"layers: expected a list of layer specs, got {specs!r}")
    layers: list[Layer] = []
    shape = tuple(input_shape)
    for i, spec in enumerate(specs):
        made = build_one(f"layers[{i}]", spec, shape, rng, dtype=dtype, init=init, init_gain=init_gain)
        layers.extend(made)
        shape = made[-1].output_shape
    return layers


def build_one(where: str, spec: Any, shape: Shape, rng: np.random.Generator, *, dtype=np.float32,
              init: str = "xavier", init_gain: float = 1.0) -> list[Layer]:
    """The layers of one spec on inputs of ``shape``: a flatten first for a dense layer after a
    spatial one, the layer, and its ``activation`` after it. ``where`` names it in errors."""
    kind, keys = _parse(where, spec)
    cls = layer_class(kind)
    options = _check_keys(where, kind, keys, cls.spec_keys)
    if kind in ACTIVATIONS:
        options["name"] = kind
    layers: list[Layer] = []
    shape = tuple(shape)
    if cls.kind == "dense" and len(shape) > 1 and not options.get("per_token"):
        layers.append(Flatten(shape))
        shape = layers[-1].output_shape
    try:
        layer = cls.from_spec(shape, rng, dtype=dtype, init=init, init_gain=init_gain, **options)
    except (LayerError, ValueError, TypeError) as err:
        message = str(err).splitlines()[0].removeprefix(f"{cls.kind}: ")
        raise LayerError(f"{where} ({kind}) on input {_shape_text(shape)}: {message}") from None
    layers.append(layer)
    act = keys.get("activation")
    if act is not None:
        if act not in ACTIVATIONS:
            raise LayerError(f"{where} ({kind}): unknown activation {act!r}; allowed: {', '.join(ACTIVATIONS)}")
        layers.append(Activation(act, layer.output_shape))
    return layers


def _shape_text(shape: Shape) -> str:
    """(19, 25) -> 'length 19 x 25 channels'; (n,) -> '128 units'."""
    if len(shape) == 1:
        return f"{shape[0]} units"
    if len(shape) == 2:
        return f"length {shape[0]} x {shape[1]} channels"
    return f"{' x '.join(map(str, shape[:-1]))} x {shape[-1]} channels"
