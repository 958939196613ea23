"""Checks for dataset parameters, each raising a one-line ``DatasetError`` that names the key.

The registry already rejects unknown keys and values whose type does not match the default;
these helpers check ranges, which only the loader knows.
"""

from __future__ import annotations

import numbers
from typing import Any

from .base import DatasetError


def _is_int(value: Any) -> bool:
    # bool is an int subclass, but `n_samples = true` in a config is a mistake, not 1.
    return isinstance(value, numbers.Integral) and not isinstance(value, bool)


def check_int(dataset: str, key: str, value: Any, minimum: int = 1) -> int:
    """``value`` as an int >= ``minimum``."""
    if not _is_int(value) or value < minimum:
        raise DatasetError(
            f"data: {key!r} for dataset {dataset!r} must be an integer >= {minimum}, got {value!r}"
        )
    return int(value)


def check_optional_int(dataset: str, key: str, value: Any, minimum: int = 1) -> int | None:
    """``None`` (meaning "not set"), or an int >= ``minimum``."""
    return None if value is None else check_int(dataset, key, value, minimum)


def check_float(dataset: str, key: str, value: Any, minimum: float = 0.0) -> float:
    """``value`` as a finite float >= ``minimum``."""
    ok = isinstance(value, numbers.Real) and not isinstance(value, bool)
    if not ok or not (float(value) >= minimum) or float(value) == float("inf"):
        raise DatasetError(
            f"data: {key!r} for dataset {dataset!r} must be a finite number >= {minimum}, got {value!r}"
        )
    return float(value)


def check_fraction(dataset: str, key: str, value: Any) -> float:
    """``value`` as a float strictly between 0 and 1 (both splits non-empty)."""
    ok = isinstance(value, numbers.Real) and not isinstance(value, bool)
    if not ok or not 0.0 < float(value) < 1.0:
        raise DatasetError(
            f"data: {key!r} for dataset {dataset!r} must be a number strictly between 0 and 1, got {value!r}"
        )
    return float(value)


def check_choice(dataset: str, key: str, value: Any, allowed: tuple[str, ...]) -> str:
    """``value`` as one of the ``allowed`` strings."""
    if value not in allowed:
        raise DatasetError(
            f"data: {key!r} for dataset {dataset!r} must be one of {', '.join(allowed)}; got {value!r}"
        )
    return str(value)


def check_bool(dataset: str, key: str, value: Any) -> bool:
    """``value`` as a bool (true/false in TOML)."""
    if not isinstance(value, bool):
        raise DatasetError(f"data: {key!r} for dataset {dataset!r} must be true or false, got {value!r}")
    return value


def check_split(dataset: str, n: int, test_fraction: float) -> None:
    """Both splits of ``n`` samples non-empty at ``test_fraction`` (the rule of ``split_indices``)."""
    n_test = int(round(n * test_fraction))
    if n_test < 1 or n_test > n - 1:
        raise DatasetError(f"data: 'test_fraction' {test_fraction} leaves an empty train or test split of "
                           f"{n} {dataset} samples")


def check_optional_seed(value: Any, what: str) -> int | None:
    """None (not set), or a seed usable by ``numpy.random.SeedSequence``."""
    return None if value is None else check_seed(value, what)


def check_seed(value: Any, what: str = "seed") -> int:
    """A seed usable by ``numpy.random.SeedSequence``: a non-negative int."""
    if not _is_int(value) or value < 0:
        raise DatasetError(f"data: {what} must be a non-negative integer, got {value!r}")
    return int(value)
