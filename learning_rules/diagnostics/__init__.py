"""Diagnostics computed beside learning, never used by it.

``epoch_diagnostics(rule, net, x, y)`` returns a dict of floats logged by the runner into
metrics.csv; a key ``"name/L"`` is metric ``name`` of layer ``L``.
"""

from __future__ import annotations


def epoch_diagnostics(rule, net, x, y) -> dict[str, float]:
    """Diagnostics of ``rule`` on ``net`` for the probe batch x, y (none yet)."""
    return {}
