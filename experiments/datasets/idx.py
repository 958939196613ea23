"""A strict reader of the IDX format used by MNIST and Fashion-MNIST (LeCun et al. 1998).

Layout (big-endian): two zero bytes, a type byte, a byte giving the number of dimensions
``ndim``; then ``ndim`` 4-byte unsigned sizes; then the data, row-major. Labels are
``0x00000801`` (1-D), images ``0x00000803`` (count, rows, columns). Files may be gzipped;
gzip is detected from its magic bytes, not the file name.
"""

from __future__ import annotations

import gzip
import os
import zlib

import numpy as np

from .base import DatasetError

# IDX type byte -> big-endian numpy dtype, as defined by the format.
_TYPES = {
    0x08: np.dtype(">u1"),
    0x09: np.dtype(">i1"),
    0x0B: np.dtype(">i2"),
    0x0C: np.dtype(">i4"),
    0x0D: np.dtype(">f4"),
    0x0E: np.dtype(">f8"),
}
_GZIP_MAGIC = b"\x1f\x8b"


def parse_idx(data: bytes, name: str = "<bytes>") -> np.ndarray:
    """Decode IDX bytes (raw, not gzipped) into an array of the shape the header gives.

    ``name`` only labels error messages. Raises ``DatasetError`` on a wrong magic number,
    an unknown type byte, a short header, or data shorter or longer than the header says.
    """
    if len(data) < 4:
        raise DatasetError(f"data: {name} is not an IDX file (only {len(data)} bytes)")
    if data[0] != 0 or data[1] != 0:
        raise DatasetError(f"data: {name} is not an IDX file (magic starts {data[:4].hex()}, want 0000....)")
    type_byte, ndim = data[2], data[3]
    if type_byte not in _TYPES:
        raise DatasetError(f"data: {name} has unknown IDX type byte 0x{type_byte:02x}")
    if ndim == 0:
        raise DatasetError(f"data: {name} declares 0 dimensions")
    header = 4 + 4 * ndim
    if len(data) < header:
        raise DatasetError(f"data: {name} is truncated inside its header")
    shape = tuple(int(s) for s in np.frombuffer(data, dtype=">u4", count=ndim, offset=4))
    dtype = _TYPES[type_byte]
    expected = int(np.prod(shape, dtype=np.int64)) * dtype.itemsize
    actual = len(data) - header
    if actual != expected:
        # Strict both ways: extra bytes mean the header and payload disagree just as much.
        what = "truncated" if actual < expected else "longer than its header says"
        raise DatasetError(f"data: {name} is {what} ({actual} data bytes, header implies {expected})")
    arr = np.frombuffer(data, dtype=dtype, offset=header).reshape(shape)
    # Native byte order and a private, writable copy (frombuffer views the read-only bytes).
    return arr.astype(dtype.newbyteorder("="))


def read_idx(path: str | os.PathLike) -> np.ndarray:
    """Read an IDX file, gzipped or raw, from ``path``; see ``parse_idx`` for the checks."""
    name = os.fspath(path)
    try:
        with open(name, "rb") as f:
            data = f.read()
    except OSError as exc:
        raise DatasetError(f"data: cannot read {name}: {exc.strerror or exc}") from None
    if data[:2] == _GZIP_MAGIC:
        try:
            data = gzip.decompress(data)
        except (OSError, EOFError, zlib.error) as exc:
            raise DatasetError(f"data: {name} is a damaged gzip file ({exc})") from None
    return parse_idx(data, name)
