"""The command-line entry of every study module (``python -m experiments.studies.NAME ...``):
bad input, such as a folder that holds no results, is one ``error:`` line and exit status 2,
never a traceback, as for ``learning-rules``."""

from __future__ import annotations

import sys
from collections.abc import Callable

from ..errors import UserError


def study_main(main: Callable, argv: list[str] | None = None) -> int:
    """Run a study's ``main(argv)``; its user errors become one ``error:`` line and status 2."""
    try:
        out = main(argv)
    except SystemExit as exc:  # a usage message raised as SystemExit("usage: ..."), or argparse
        if isinstance(exc.code, str):
            print(f"error: {exc.code}", file=sys.stderr)
            return 2
        return exc.code if isinstance(exc.code, int) else 0
    except (UserError, ValueError, OSError, KeyError) as err:  # a wrong folder, a missing file, bad values
        message = str(err).splitlines()[0] if str(err) else type(err).__name__
        print(f"error: {message}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return 130
    return out if isinstance(out, int) else 0
