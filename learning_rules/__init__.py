"""learning_rules: networks, neurons, and the rules that change their weights.

Imports numpy and scipy only; the experiment machinery lives in the ``experiments`` package.
"""

from .activations import ACTIVATIONS, get_activation
from .losses import LOSSES, get_loss
from .layers import Layer
from .networks import Network
from .optimizers import Optimizer, apply_updates
from .rules import (
    CreditAssignmentRule,
    GradientRule,
    LearningRule,
    PlausibilityCard,
    available_rules,
    get_rule,
    register,
)
from .trace import LayerTrace, Trace

__version__ = "0.3.0"

__all__ = [
    "ACTIVATIONS",
    "LOSSES",
    "CreditAssignmentRule",
    "GradientRule",
    "Layer",
    "LayerTrace",
    "LearningRule",
    "Network",
    "Optimizer",
    "PlausibilityCard",
    "Trace",
    "apply_updates",
    "available_rules",
    "get_activation",
    "get_loss",
    "get_rule",
    "register",
]
