"""Layers: each owns its forward pass, its local backward and its FLOP formula (base.py)."""

from .activation import Activation
from .base import Layer, LayerError
from .conv import Conv1d, Conv2d
from .dense import Dense
from .dropout import Dropout
from .flatten import Flatten
from .normalization import BatchNorm, LayerNorm
from .pooling import AvgPool1d, AvgPool2d, MaxPool1d, MaxPool2d
from .registry import layer_class, layer_kinds
from .specs import build_layers

__all__ = ["Activation", "AvgPool1d", "AvgPool2d", "BatchNorm", "Conv1d", "Conv2d", "Dense", "Dropout",
           "Flatten", "Layer", "LayerError", "LayerNorm", "MaxPool1d", "MaxPool2d", "build_layers",
           "layer_class", "layer_kinds"]
