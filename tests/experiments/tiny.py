"""The tiny experiment most tests run (two rules on blobs, seconds to compute), and a byte
snapshot of a folder, for the tests that check what a command left untouched."""

from pathlib import Path

TINY = """
[experiment]
name = "tiny"
seeds = [0, 1]
epochs = 3
batch_size = 16

[data]
name = "blobs"

[model]
hidden = [8]
activation = "tanh"

[optimizer]
name = "adam"
lr = 0.01

[[rules]]
name = "backprop"

[[rules]]
name = "readout_only"
"""


def snapshot(folder: Path) -> dict[Path, bytes]:
    """Every file under ``folder`` (relative path -> bytes)."""
    return {p.relative_to(folder): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}
