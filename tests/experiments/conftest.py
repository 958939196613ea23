import textwrap

import pytest

from failing_rule import AlwaysFails
from learning_rules.rules import register, unregister
from tiny import TINY

@pytest.fixture(name="TINY")
def tiny_text() -> str:
    """A tiny two-rule experiment on blobs, as TOML text."""
    return TINY


@pytest.fixture
def write_config(tmp_path):
    """Write a TOML text (default: a tiny two-rule experiment on blobs) and return its path."""

    def write(text: str = TINY, name: str = "exp.toml"):
        path = tmp_path / name
        path.write_text(textwrap.dedent(text))
        return path

    return write


@pytest.fixture
def failing_rule():
    """Register ``always_fails`` for one test."""
    register("always_fails", AlwaysFails)
    yield "always_fails"
    unregister("always_fails")
