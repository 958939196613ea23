"""Hyperparameters declared once, checked by one piece of code (in the spirit of scikit-learn's
``_parameter_constraints``).

A rule declares ``hyperparameters = {"scale": Real(0, None, low_open=True), ...}``; its
constructor hands its arguments to ``LearningRule.__init__``, which checks every declared one
and stores it under its own name. Every bad value then gets the same one-line message:

    feedback_alignment: scale inf not allowed; must be a finite number > 0
"""

from __future__ import annotations

import math
import numbers
from dataclasses import dataclass
from typing import Any


class Constraint:
    """What values a hyperparameter may take; ``allows(value)`` and a phrase for messages."""

    def allows(self, value: Any) -> bool:
        raise NotImplementedError

    def describe(self) -> str:
        raise NotImplementedError


def _is_real(value: Any) -> bool:
    return isinstance(value, numbers.Real) and not isinstance(value, bool)


@dataclass(frozen=True)
class Real(Constraint):
    """A finite real number, optionally bounded: [low, high], with open ends where asked."""

    low: float | None = None
    high: float | None = None
    low_open: bool = False
    high_open: bool = False

    def allows(self, value: Any) -> bool:
        if not _is_real(value) or not math.isfinite(float(value)):
            return False
        v = float(value)
        if self.low is not None and (v < self.low or (self.low_open and v == self.low)):
            return False
        if self.high is not None and (v > self.high or (self.high_open and v == self.high)):
            return False
        return True

    def describe(self) -> str:
        return "a finite number" + _range_text(self.low, self.high, self.low_open, self.high_open)


@dataclass(frozen=True)
class Integer(Constraint):
    """An integer (not a bool), optionally bounded by [low, high]."""

    low: int | None = None
    high: int | None = None

    def allows(self, value: Any) -> bool:
        if not isinstance(value, numbers.Integral) or isinstance(value, bool):
            return False
        return (self.low is None or value >= self.low) and (self.high is None or value <= self.high)

    def describe(self) -> str:
        return "an integer" + _range_text(self.low, self.high, False, False)


@dataclass(frozen=True)
class Options(Constraint):
    """One of a fixed set of strings."""

    values: tuple[str, ...]

    def __init__(self, *values: str) -> None:
        object.__setattr__(self, "values", tuple(values))

    def allows(self, value: Any) -> bool:
        return isinstance(value, str) and value in self.values

    def describe(self) -> str:
        return "one of " + ", ".join(self.values)


@dataclass(frozen=True)
class Boolean(Constraint):
    def allows(self, value: Any) -> bool:
        return isinstance(value, bool)

    def describe(self) -> str:
        return "true or false"


@dataclass(frozen=True)
class InstanceOf(Constraint):
    """An instance of ``cls`` (or None when ``optional``), e.g. the optimizer."""

    cls: type
    optional: bool = True

    def allows(self, value: Any) -> bool:
        return isinstance(value, self.cls) or (self.optional and value is None)

    def describe(self) -> str:
        return f"a {self.cls.__name__}" + (" or None" if self.optional else "")


def _range_text(low, high, low_open, high_open) -> str:
    if low is not None and high is not None:
        return f" in {'(' if low_open else '['}{low:g}, {high:g}{')' if high_open else ']'}"
    if low is not None:
        return f" {'>' if low_open else '>='} {low:g}"
    if high is not None:
        return f" {'<' if high_open else '<='} {high:g}"
    return ""


def check(owner: str, constraints: dict[str, Constraint], values: dict[str, Any]) -> None:
    """Raise a one-line ValueError for the first value its constraint does not allow."""
    for key, value in values.items():
        constraint = constraints.get(key)
        if constraint is not None and not constraint.allows(value):
            raise ValueError(f"{owner}: {key} {value!r} not allowed; must be {constraint.describe()}")
