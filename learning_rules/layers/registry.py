"""Layer types by name (the ``type`` of a layer spec), imported on first use.

A new layer type is one new file (its class with ``kind``, ``spec_keys`` and ``from_spec``) and
one line here.
"""

from __future__ import annotations

import importlib

from ..activations import ACTIVATIONS

_BUILTIN: dict[str, str] = {
    "dense": "learning_rules.layers.dense:Dense",
    "conv1d": "learning_rules.layers.conv:Conv1d",
    "conv2d": "learning_rules.layers.conv:Conv2d",
    "maxpool1d": "learning_rules.layers.pooling:MaxPool1d",
    "maxpool2d": "learning_rules.layers.pooling:MaxPool2d",
    "avgpool1d": "learning_rules.layers.pooling:AvgPool1d",
    "avgpool2d": "learning_rules.layers.pooling:AvgPool2d",
    "flatten": "learning_rules.layers.flatten:Flatten",
    "dropout": "learning_rules.layers.dropout:Dropout",
    "batchnorm": "learning_rules.layers.normalization:BatchNorm",
    "layernorm": "learning_rules.layers.normalization:LayerNorm",
    "embedding": "learning_rules.layers.embedding:Embedding",
    "positions": "learning_rules.layers.positions:Positions",
    # every activation function is a layer type of its own name ("relu", "tanh", ...)
    **{name: "learning_rules.layers.activation:Activation" for name in ACTIVATIONS},
}


def layer_kinds() -> list[str]:
    return list(_BUILTIN)


def layer_class(kind: str) -> type:
    if kind not in _BUILTIN:
        raise ValueError(f"unknown layer type {kind!r}; allowed: {', '.join(_BUILTIN)}")
    module, _, attr = _BUILTIN[kind].partition(":")
    return getattr(importlib.import_module(module), attr)
