"""Hints that turn a layer stack's error into a direction: the layer type meant, or the datasets
whose inputs the stack can take (a conv1d needs (C, L) inputs, which blobs does not have)."""

from __future__ import annotations

import math
import re

import numpy as np

_UNKNOWN_LAYER = re.compile(r"unknown layer type '([^']*)'")
_SPATIAL = re.compile(r"needs an input of (\d+) spatial ax")


def layer_hint(message: str, model: dict) -> str:
    """``message`` (one line of a LayerError) with a did-you-mean for an unknown layer type, or
    the datasets the stack fits for a layer that needs spatial axes the data lacks."""
    from learning_rules.layers.registry import layer_kinds
    from learning_rules.suggest import did_you_mean

    unknown = _UNKNOWN_LAYER.search(message)
    if unknown:
        name = unknown.group(1)
        return message.replace(unknown.group(0), unknown.group(0) + did_you_mean(name, layer_kinds()), 1)
    if _SPATIAL.search(message):
        fits = datasets_fitting(model)
        return message + (f"; datasets with such inputs: {', '.join(fits)}" if fits else "")
    return message


def datasets_fitting(model: dict) -> list[str]:
    """Names of the datasets whose default input shape the model's layer stack builds on."""
    from learning_rules.networks import network_class

    from ..datasets import DATASETS, dataset_input_shape

    options = {k: v for k, v in model.items() if k not in ("kind", "hidden", "loss")}
    fits = []
    for name in DATASETS:
        try:
            shape = dataset_input_shape(name)
            network_class(model["kind"])([math.prod(shape), 1], np.random.default_rng(0), input_shape=shape,
                                         **options)
        except Exception:  # any failure means: not this dataset (the hint only lists what works)
            continue
        fits.append(name)
    return fits
