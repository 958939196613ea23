"""Rewrite tests/slow_tests.txt from a measured run: the slowest tests, by their total time
(setup + call + teardown), until what is left takes at most a fifth of the total.

    pytest --durations=0 -q > /tmp/durations.txt
    python scripts/slow_tests.py /tmp/durations.txt

Parametrized cases are listed by function when the function's cases together are slow.
"""

from __future__ import annotations

import re
import sys
from collections import defaultdict
from pathlib import Path

LINE = re.compile(r"^\s*([\d.]+)s\s+(setup|call|teardown)\s+(\S+)")
KEEP_FRACTION = 1 / 5  # of the suite's time left to `-m "not slow"` (under a minute on two cores)


def main(path: str) -> int:
    per_function: dict[str, float] = defaultdict(float)
    for line in Path(path).read_text(encoding="utf-8").splitlines():
        m = LINE.match(line)
        if m:
            per_function[m.group(3).split("[", 1)[0]] += float(m.group(1))
    total = sum(per_function.values())
    ranked = sorted(per_function.items(), key=lambda kv: -kv[1])
    slow, left = [], total
    for name, seconds in ranked:
        if left <= KEEP_FRACTION * total:
            break
        slow.append((name, seconds))
        left -= seconds
    out = Path(__file__).resolve().parent.parent / "tests" / "slow_tests.txt"
    lines = [f"# the slowest tests ({sum(s for _, s in slow):.0f} of {total:.0f} s measured); "
             "regenerate with scripts/slow_tests.py"]
    lines += [f"{name}  # {seconds:.1f} s" for name, seconds in slow]
    out.write_text("\n".join(lines) + "\n", encoding="utf-8")
    print(f"{len(slow)} slow tests ({sum(s for _, s in slow):.0f} s); {left:.0f} s left of {total:.0f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1]))
