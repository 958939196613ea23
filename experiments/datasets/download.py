"""Verified downloads of the MNIST and Fashion-MNIST IDX files into the cache.

Each file is fetched from the mirrors in order into a temporary file in its destination folder,
checked against the digest below (SHA-256 where published, else MD5), and only then renamed
into place. A file already in the cache is checked again before every use, so a damaged or
tampered file is never read. Digests and mirrors come from the common loaders
(torchvision, keras); docs/datasets.md lists them.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import tempfile
import urllib.error
import urllib.request

from .base import DatasetError

FILES: tuple[str, ...] = (
    "train-images-idx3-ubyte.gz",
    "train-labels-idx1-ubyte.gz",
    "t10k-images-idx3-ubyte.gz",
    "t10k-labels-idx1-ubyte.gz",
)

MIRRORS: dict[str, tuple[str, ...]] = {
    "mnist": (
        "https://ossci-datasets.s3.amazonaws.com/mnist/",
        "https://storage.googleapis.com/cvdf-datasets/mnist/",
        "http://yann.lecun.com/exdb/mnist/",
    ),
    "fashion_mnist": (
        "http://fashion-mnist.s3-website.eu-central-1.amazonaws.com/",
        "https://github.com/zalandoresearch/fashion-mnist/raw/master/data/fashion/",
    ),
}

# dataset -> file name -> (hash algorithm, hex digest)
CHECKSUMS: dict[str, dict[str, tuple[str, str]]] = {
    "mnist": {
        "train-images-idx3-ubyte.gz": ("sha256", "440fcabf73cc546fa21475e81ea370265605f56be210a4024d2ca8f203523609"),
        "train-labels-idx1-ubyte.gz": ("sha256", "3552534a0a558bbed6aed32b30c495cca23d567ec52cac8be1a0730e8010255c"),
        "t10k-images-idx3-ubyte.gz": ("sha256", "8d422c7b0a1c1c79245a5bcf07fe86e33eeafee792b84584aec276f5a2dbc4e6"),
        "t10k-labels-idx1-ubyte.gz": ("sha256", "f7ae60f92e00ec6debd23a6088c31dbd2371eca3ffa0defaefb259924204aec6"),
    },
    "fashion_mnist": {
        "train-images-idx3-ubyte.gz": ("md5", "8d4fb7e6c68d591d4c3dfef9ec88bf0d"),
        "train-labels-idx1-ubyte.gz": ("md5", "25c81989df183df01b3e8a0aad5dffbe"),
        "t10k-images-idx3-ubyte.gz": ("md5", "bef4ecab320f06d8554ea6380940ec79"),
        "t10k-labels-idx1-ubyte.gz": ("md5", "bb300cfdad3c16e7a12a480ee83cd310"),
    },
}

TIMEOUT_S = 60.0


def file_digest(path: str, algorithm: str) -> str:
    """Hex digest of the file at ``path``, read in 1 MiB chunks."""
    h = hashlib.new(algorithm)
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def fetch_url(url: str, dest: str, timeout: float = TIMEOUT_S) -> None:
    """Copy the body of ``url`` into the file ``dest``. Tests replace this to stay offline."""
    # Some mirrors refuse urllib's default user agent.
    request = urllib.request.Request(url, headers={"User-Agent": "learning-rules"})
    with urllib.request.urlopen(request, timeout=timeout) as response, open(dest, "wb") as out:
        shutil.copyfileobj(response, out, length=1 << 20)


def _one_line(exc: BaseException) -> str:
    return " ".join(str(exc).split()) or type(exc).__name__


def _verify_cached(dataset: str, path: str) -> None:
    algorithm, want = CHECKSUMS[dataset][os.path.basename(path)]
    got = file_digest(path, algorithm)
    if got != want:
        raise DatasetError(
            f"data: {path} does not match its expected {algorithm} ({got} != {want}); "
            f"delete it and load again to re-download"
        )


def _download(dataset: str, folder: str, filename: str, dead: set[str]) -> str | None:
    """Try every live mirror for ``filename``; return None on success, else why the last try failed.

    A mirror that cannot be reached at all (DNS, refused, timeout) joins ``dead`` and is not
    tried for the remaining files, so an offline machine fails in seconds, not minutes.
    """
    algorithm, want = CHECKSUMS[dataset][filename]
    reason = "no reachable mirror"
    for mirror in MIRRORS[dataset]:
        if mirror in dead:
            continue
        fd, tmp = tempfile.mkstemp(dir=folder, prefix=f".{filename}.", suffix=".part")
        os.close(fd)
        try:
            fetch_url(mirror + filename, tmp)
            got = file_digest(tmp, algorithm)
            if got != want:
                reason = f"{mirror + filename} gave a file with wrong {algorithm}"
                continue
            os.chmod(tmp, 0o644)  # mkstemp makes 0600; a cache is for every user of the machine
            os.replace(tmp, os.path.join(folder, filename))  # only verified bytes enter the cache
            return None
        except urllib.error.HTTPError as exc:  # the server answered: the mirror is alive
            reason = f"{mirror + filename}: HTTP {exc.code}"
        except (OSError, ValueError) as exc:  # URLError, timeouts, resets: treat the mirror as down
            dead.add(mirror)
            reason = f"{mirror + filename}: {_one_line(exc)}"
        finally:
            if os.path.exists(tmp):
                os.unlink(tmp)
    return reason


def ensure_files(dataset: str, folder: str, download: bool = True) -> dict[str, str]:
    """Make sure ``folder`` holds ``dataset``'s four verified files; return name -> path.

    Missing files are downloaded when ``download`` is true. Files that stay missing raise one
    ``DatasetError`` naming them and the folder to put them in; a cached file whose digest
    does not match raises an error naming that file.
    """
    if dataset not in CHECKSUMS:
        raise DatasetError(f"data: no download table for dataset {dataset!r}")
    paths = {name: os.path.join(folder, name) for name in FILES}
    missing = [name for name, path in paths.items() if not os.path.isfile(path)]
    reason = "downloading is disabled (download = false)"
    if missing and download:
        try:
            os.makedirs(folder, exist_ok=True)
        except OSError as exc:
            reason = f"cannot create the folder: {_one_line(exc)}"
        else:
            still_missing, dead = [], set()
            for name in missing:
                why = _download(dataset, folder, name, dead)
                if why is not None:
                    if not still_missing:  # report the first failure: later ones often just echo it
                        reason = f"download failed ({why})"
                    still_missing.append(name)
            missing = still_missing
    if missing:
        raise DatasetError(
            f"data: {dataset} files missing: {', '.join(missing)}; {reason}; "
            f"put them in {folder} (from {MIRRORS[dataset][0]})"
        )
    for path in paths.values():
        _verify_cached(dataset, path)
    return paths
