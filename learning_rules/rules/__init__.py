"""Learning rules: the interface, the registry and the built-in rules."""

from .base import LearningRule
from .credit_assignment import CreditAssignmentRule
from .gradient import GradientRule
from .plausibility import CONSTRAINTS, PlausibilityCard
from .registry import ENTRY_POINT_GROUP, available_rules, get_rule, register, unregister

__all__ = [
    "CONSTRAINTS",
    "ENTRY_POINT_GROUP",
    "CreditAssignmentRule",
    "GradientRule",
    "LearningRule",
    "PlausibilityCard",
    "available_rules",
    "get_rule",
    "register",
    "unregister",
]
