"""Where datasets are kept on disk, and atomic writes into that place.

Cache root, in order: the ``cache_dir`` argument, the environment variable
``LEARNING_RULES_DATA``, ``~/.cache/learning-rules``. Each dataset has its own sub-folder
(``mnist/``, ``fashion_mnist/``, ``mnist1d/``).
"""

from __future__ import annotations

import os
import tempfile

import numpy as np

ENV_VAR = "LEARNING_RULES_DATA"
DEFAULT_CACHE = os.path.join("~", ".cache", "learning-rules")


def cache_root(cache_dir: str | os.PathLike | None = None) -> str:
    """The cache root folder (not created)."""
    if cache_dir is not None:
        return os.path.expanduser(os.fspath(cache_dir))
    env = os.environ.get(ENV_VAR)
    return os.path.expanduser(env if env else DEFAULT_CACHE)


def dataset_dir(name: str, cache_dir: str | os.PathLike | None = None) -> str:
    """The folder holding dataset ``name``'s files (not created)."""
    return os.path.join(cache_root(cache_dir), name)


def atomic_savez(path: str, **arrays: np.ndarray) -> None:
    """Write ``arrays`` to ``path`` as .npz so that readers see the whole file or none.

    The temporary file lives in the same folder, so ``os.replace`` is a rename on one file
    system, which is atomic: a process killed mid-write leaves at most a stray ``.tmp`` file.
    """
    folder = os.path.dirname(path) or "."
    os.makedirs(folder, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=folder, prefix=".", suffix=".npz.tmp")
    try:
        with os.fdopen(fd, "wb") as f:  # a file object, so np.savez adds no ".npz" suffix
            np.savez(f, **arrays)
        os.chmod(tmp, 0o644)  # mkstemp makes 0600; a cache is for every user of the machine
        os.replace(tmp, path)
    except BaseException:
        if os.path.exists(tmp):
            os.unlink(tmp)
        raise
