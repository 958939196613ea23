"""Validation of ``[model] layers``: a layer stack is checked against the data it will see.

The stack is built once on the dataset's declared input shape (read without loading the data),
so an unknown layer, a missing key, a kernel larger than its input or a convolution after a
flatten is a one-line error naming the layer and the shape, before any run.
"""

from __future__ import annotations

import math

import numpy as np

from learning_rules.networks import network_class

from ..errors import ConfigError

#: more parameters than this in one stack is refused before anything is allocated
MAX_PARAMETERS = 2_000_000_000


def check_layers(model: dict, data: dict, section: str = "model"):
    """Raise ConfigError when ``model['layers']`` (or a network that reads the data's shape, such
    as a temporal network's (T, D)) cannot be built on ``data``'s input shape. Returns the network
    built on that shape (for the rule's own check), or None for a dense ``hidden`` model."""
    from learning_rules.layers import LayerError

    from ..datasets import DatasetError, dataset_input_shape

    if model.get("layers") is None:
        if getattr(network_class(model["kind"]), "reads_data_shape", False):
            return _check_on_data_shape(model, data, section)
        return None
    params = {k: v for k, v in data.items() if k not in ("name", "cache_dir")}
    try:
        shape = dataset_input_shape(data["name"], params)
    except (DatasetError, KeyError, TypeError, ValueError) as err:
        raise ConfigError(str(err).splitlines()[0]) from None
    options = {k: v for k, v in model.items() if k not in ("kind", "hidden", "loss")}
    try:
        net = network_class(model["kind"])([math.prod(shape), 1], np.random.default_rng(0),
                                           input_shape=shape, **options)
    except TypeError:
        raise ConfigError(f"{section}.layers: network kind {model['kind']!r} takes no layer stack; "
                          "layers need kind = \"rate\"") from None
    except (LayerError, ValueError) as err:
        from .hints import layer_hint

        raise ConfigError(f"{section}.{layer_hint(str(err).splitlines()[0], model)}") from None
    except MemoryError:
        raise ConfigError(f"{section}.layers: the stack does not fit in memory") from None
    n = sum(p.size for layer in net.params for p in layer.values())
    if n > MAX_PARAMETERS:
        raise ConfigError(f"{section}.layers: {n} parameters; at most {MAX_PARAMETERS} are allowed")
    return net


def _check_on_data_shape(model: dict, data: dict, section: str):
    """Build the network on the data's declared shape once (a temporal network on data without a
    time axis is a one-line error now, not a failed run)."""
    from ..datasets import DatasetError, dataset_input_shape

    params = {k: v for k, v in data.items() if k not in ("name", "cache_dir")}
    try:
        shape = dataset_input_shape(data["name"], params)
        options = {k: v for k, v in model.items() if k not in ("kind", "hidden", "loss")}
        return network_class(model["kind"])([math.prod(shape), *model["hidden"], 1], np.random.default_rng(0),
                                            input_shape=shape, **options)
    except (DatasetError, ValueError, TypeError) as err:
        raise ConfigError(f"{section}: {str(err).splitlines()[0]}") from None
