"""The examples in docs/estimators.md run as they are written (doctest)."""

import doctest
from pathlib import Path

from threadpoolctl import threadpool_limits

DOC = Path(__file__).resolve().parents[3] / "docs" / "estimators.md"


def test_estimators_doc_examples():
    with threadpool_limits(1):
        result = doctest.testfile(str(DOC), module_relative=False, optionflags=doctest.ELLIPSIS)
    assert result.attempted >= 15 and result.failed == 0
