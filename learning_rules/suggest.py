"""Did-you-mean suggestions for error messages: the closest allowed names to a misspelt one.

    suggest("feedback_alignmnet", available_rules())  -> "feedback_alignment"
    did_you_mean("depht", ["depth", "width"])          -> " (did you mean 'depth'?)"

Closeness is difflib's ratio (standard library, no dependency); a name that is a prefix or
differs by letters swapped or dropped scores high, an unrelated one gets no suggestion.
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable

#: below this similarity a suggestion would mislead more than help
CUTOFF = 0.6


def suggest(name: object, allowed: Iterable[str], cutoff: float = CUTOFF) -> str | None:
    """The allowed name closest to ``name`` (case-insensitive), or None when none is close."""
    if not isinstance(name, str) or not name:
        return None
    choices = [a for a in allowed if isinstance(a, str)]
    lowered = {a.lower(): a for a in choices}
    if name.lower() in lowered and lowered[name.lower()] != name:
        return lowered[name.lower()]  # only the case differs
    close = difflib.get_close_matches(name.lower(), list(lowered), n=1, cutoff=cutoff)
    return lowered[close[0]] if close else None


def did_you_mean(name: object, allowed: Iterable[str], cutoff: float = CUTOFF) -> str:
    """" (did you mean 'X'?)" for the closest allowed name, or "" (ready to follow the bad name)."""
    best = suggest(name, allowed, cutoff)
    return f" (did you mean {best!r}?)" if best is not None else ""
