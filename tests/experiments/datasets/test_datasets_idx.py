"""The IDX reader on small files written here in the real MNIST format."""

from __future__ import annotations

import gzip
import struct

import numpy as np
import pytest

from experiments.datasets import DatasetError
from experiments.datasets.idx import parse_idx, read_idx


def idx_bytes(arr: np.ndarray, type_byte: int = 0x08) -> bytes:
    """Encode ``arr`` by the IDX spec, independently of the code under test."""
    header = struct.pack(">BBBB", 0, 0, type_byte, arr.ndim) + struct.pack(f">{arr.ndim}I", *arr.shape)
    return header + arr.astype(arr.dtype.newbyteorder(">")).tobytes()


@pytest.fixture
def images() -> np.ndarray:
    return np.random.default_rng(0).integers(0, 256, size=(5, 28, 28), dtype=np.uint8)


@pytest.fixture
def labels() -> np.ndarray:
    return np.array([3, 1, 4, 1, 5], dtype=np.uint8)


@pytest.mark.parametrize("gzipped", [True, False])
def test_reads_images_and_labels(tmp_path, images, labels, gzipped):
    for name, arr in (("img", images), ("lbl", labels)):
        data = idx_bytes(arr)
        path = tmp_path / (name + (".gz" if gzipped else ""))
        path.write_bytes(gzip.compress(data) if gzipped else data)
        out = read_idx(path)
        assert out.dtype == np.uint8 and out.shape == arr.shape
        np.testing.assert_array_equal(out, arr)
    # The magic numbers from the spec: 0x00000803 for images, 0x00000801 for labels.
    assert idx_bytes(images)[:4] == b"\x00\x00\x08\x03" and idx_bytes(labels)[:4] == b"\x00\x00\x08\x01"


def test_big_endian_wider_types_come_back_native():
    arr = np.array([[1, -2], [300000, 7]], dtype=np.int32)
    out = parse_idx(idx_bytes(arr, type_byte=0x0C))
    assert out.dtype == np.dtype(np.int32) and out.dtype.isnative
    np.testing.assert_array_equal(out, arr)


def test_bad_magic_is_rejected_with_file_name(tmp_path, labels):
    path = tmp_path / "bad-magic"
    path.write_bytes(b"\x01" + idx_bytes(labels)[1:])
    with pytest.raises(DatasetError, match="bad-magic.*not an IDX file"):
        read_idx(path)


def test_unknown_type_byte_is_rejected(labels):
    with pytest.raises(DatasetError, match="type byte 0x07"):
        parse_idx(idx_bytes(labels, type_byte=0x07), "x")


@pytest.mark.parametrize("gzipped", [True, False])
def test_truncated_data_is_rejected(tmp_path, images, gzipped):
    data = idx_bytes(images)[:-10]
    path = tmp_path / "short.gz"
    path.write_bytes(gzip.compress(data) if gzipped else data)
    with pytest.raises(DatasetError, match="short.gz is truncated"):
        read_idx(path)


def test_truncated_header_and_extra_bytes_are_rejected(images):
    with pytest.raises(DatasetError, match="header"):
        parse_idx(idx_bytes(images)[:9], "f")
    with pytest.raises(DatasetError, match="longer than its header"):
        parse_idx(idx_bytes(images) + b"\x00", "f")


def test_damaged_gzip_is_rejected(tmp_path, labels):
    path = tmp_path / "cut.gz"
    path.write_bytes(gzip.compress(idx_bytes(labels))[:-6])  # lose the gzip trailer
    with pytest.raises(DatasetError, match="cut.gz"):
        read_idx(path)


def test_missing_file_names_the_file(tmp_path):
    with pytest.raises(DatasetError, match="nothere"):
        read_idx(tmp_path / "nothere")
