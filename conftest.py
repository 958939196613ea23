"""The suite-wide ``slow`` marker: the tests listed in tests/slow_tests.txt (the slowest, by a
measured ``pytest --durations=0`` run; scripts/slow_tests.py rewrites the list) are marked
``slow``, so ``pytest -m "not slow"`` is the quick edit-test loop. CI runs everything.

This file sits at the project root, not in tests/: a conftest.py in tests/ puts tests/ on
sys.path, where the folder tests/learning_rules/ shadows the package as an empty namespace."""

from __future__ import annotations

from pathlib import Path

import pytest

SLOW_LIST = Path(__file__).parent / "tests" / "slow_tests.txt"


def _slow_ids() -> set[str]:
    if not SLOW_LIST.is_file():
        return set()
    lines = (line.split("#", 1)[0].strip() for line in SLOW_LIST.read_text(encoding="utf-8").splitlines())
    return {line for line in lines if line}


def pytest_configure(config) -> None:
    config.addinivalue_line("markers", "slow: among the slowest tests (tests/slow_tests.txt); "
                                       "deselect with -m 'not slow'")


def pytest_collection_modifyitems(config, items) -> None:
    slow = _slow_ids()
    for item in items:
        # a parametrized test is listed by its function (every case is slow) or by its full id
        if item.nodeid in slow or item.nodeid.split("[", 1)[0] in slow:
            item.add_marker(pytest.mark.slow)
