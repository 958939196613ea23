"""MNIST / Fashion-MNIST loading from the cache, digest checks and (faked) downloads.

No test reaches the network: ``download.fetch_url`` is replaced in every test.
"""

from __future__ import annotations

import gzip
import hashlib
import os
import shutil
import struct
import urllib.error

import numpy as np
import pytest

from experiments.datasets import DatasetError, load_dataset
from experiments.datasets import cache, download

N_TRAIN, N_TEST = 60, 20


def idx_gz(arr: np.ndarray) -> bytes:
    header = struct.pack(">BBBB", 0, 0, 0x08, arr.ndim) + struct.pack(f">{arr.ndim}I", *arr.shape)
    return gzip.compress(header + arr.tobytes())


def make_files(folder, seed=0) -> dict[str, np.ndarray]:
    """Write four small IDX files in the real format; return the arrays they hold."""
    rng = np.random.default_rng(seed)
    arrays = {
        "train-images-idx3-ubyte.gz": rng.integers(0, 256, (N_TRAIN, 28, 28), dtype=np.uint8),
        "train-labels-idx1-ubyte.gz": (np.arange(N_TRAIN) % 10).astype(np.uint8),
        "t10k-images-idx3-ubyte.gz": rng.integers(0, 256, (N_TEST, 28, 28), dtype=np.uint8),
        "t10k-labels-idx1-ubyte.gz": (np.arange(N_TEST) % 10).astype(np.uint8),
    }
    os.makedirs(folder, exist_ok=True)
    for name, arr in arrays.items():
        with open(os.path.join(folder, name), "wb") as f:
            f.write(idx_gz(arr))
    return arrays


def digests(folder, algorithm="sha256") -> dict[str, tuple[str, str]]:
    out = {}
    for name in download.FILES:
        with open(os.path.join(folder, name), "rb") as f:
            out[name] = (algorithm, hashlib.new(algorithm, f.read()).hexdigest())
    return out


@pytest.fixture(autouse=True)
def offline(monkeypatch):
    """Any attempt to fetch fails as it would on a machine without network."""
    calls = []

    def no_network(url, dest, timeout=0.0):
        calls.append(url)
        raise urllib.error.URLError("offline in tests")

    monkeypatch.setattr(download, "fetch_url", no_network)
    return calls


@pytest.fixture
def mnist_cache(tmp_path, monkeypatch):
    arrays = make_files(tmp_path / "mnist")
    monkeypatch.setitem(download.CHECKSUMS, "mnist", digests(tmp_path / "mnist"))
    return tmp_path, arrays


def test_loads_verified_files(mnist_cache):
    root, arrays = mnist_cache
    data = load_dataset("mnist", seed=0, cache_dir=str(root))
    assert data.x_train.shape == (N_TRAIN, 784) and data.x_test.shape == (N_TEST, 784)
    assert data.x_train.dtype == np.float32 and data.y_train.dtype == np.int64
    assert data.n_classes == 10 and data.task == "classification"
    np.testing.assert_array_equal(data.y_train, arrays["train-labels-idx1-ubyte.gz"])
    # Pixels reach the model standardised with train statistics, in file order.
    raw = arrays["train-images-idx3-ubyte.gz"].reshape(N_TRAIN, -1) / 255.0
    expected = (raw - raw.mean(0)) / raw.std(0)
    np.testing.assert_allclose(data.x_train, expected, rtol=1e-5, atol=1e-5)


def test_cached_file_with_wrong_digest_is_rejected(mnist_cache):
    root, _ = mnist_cache
    path = root / "mnist" / "t10k-labels-idx1-ubyte.gz"
    path.write_bytes(path.read_bytes() + b"tampered")
    with pytest.raises(DatasetError, match="t10k-labels-idx1-ubyte.gz does not match its expected sha256") as err:
        load_dataset("mnist", seed=0, cache_dir=str(root))
    assert "\n" not in str(err.value)


def test_missing_files_without_download_give_one_line(tmp_path, offline):
    with pytest.raises(DatasetError) as err:
        load_dataset("mnist", seed=0, cache_dir=str(tmp_path), download=False)
    msg = str(err.value)
    assert "\n" not in msg
    assert all(name in msg for name in download.FILES)
    assert str(tmp_path / "mnist") in msg
    assert offline == []  # download = false really means no attempt


def test_missing_files_when_offline_give_one_line(tmp_path, offline):
    folder = tmp_path / "mnist"
    make_files(folder)
    os.unlink(folder / "train-labels-idx1-ubyte.gz")
    with pytest.raises(DatasetError) as err:
        load_dataset("mnist", seed=0, cache_dir=str(tmp_path))
    msg = str(err.value)
    assert "\n" not in msg and "offline in tests" in msg
    assert "train-labels-idx1-ubyte.gz" in msg and "train-images" not in msg
    assert str(folder) in msg
    # An unreachable mirror is tried once, then skipped; no partial files are left behind.
    assert len(offline) == len(download.MIRRORS["mnist"])
    assert not [f for f in os.listdir(folder) if f.endswith(".part")]


def test_download_verifies_before_caching(tmp_path, monkeypatch):
    source = tmp_path / "server"
    arrays = make_files(source)
    monkeypatch.setitem(download.CHECKSUMS, "mnist", digests(source))
    first, second = download.MIRRORS["mnist"][:2]
    fetched = []

    def fake_fetch(url, dest, timeout=0.0):
        fetched.append(url)
        name = url.rsplit("/", 1)[1]
        if url.startswith(first):  # the first mirror serves corrupt bytes
            with open(dest, "wb") as f:
                f.write(b"garbage")
        else:
            shutil.copyfile(source / name, dest)

    monkeypatch.setattr(download, "fetch_url", fake_fetch)
    data = load_dataset("mnist", seed=0, cache_dir=str(tmp_path / "c"))
    np.testing.assert_array_equal(data.y_test, arrays["t10k-labels-idx1-ubyte.gz"])
    assert sorted(os.listdir(tmp_path / "c" / "mnist")) == sorted(download.FILES)
    assert fetched == [m + n for n in download.FILES for m in (first, second)]


def test_corrupt_download_never_enters_cache(tmp_path, monkeypatch):
    source = tmp_path / "server"
    make_files(source)
    table = digests(source)
    table["train-images-idx3-ubyte.gz"] = ("sha256", "0" * 64)  # no mirror can satisfy this
    monkeypatch.setitem(download.CHECKSUMS, "mnist", table)
    monkeypatch.setattr(
        download, "fetch_url", lambda url, dest, timeout=0.0: shutil.copyfile(source / url.rsplit("/", 1)[1], dest)
    )
    with pytest.raises(DatasetError, match="files missing: train-images-idx3-ubyte.gz;.*wrong sha256"):
        load_dataset("mnist", seed=0, cache_dir=str(tmp_path / "c"))
    assert sorted(os.listdir(tmp_path / "c" / "mnist")) == sorted(download.FILES[1:])


def test_fashion_mnist_uses_its_own_folder_and_md5(tmp_path, monkeypatch):
    arrays = make_files(tmp_path / "fashion_mnist", seed=1)
    monkeypatch.setitem(download.CHECKSUMS, "fashion_mnist", digests(tmp_path / "fashion_mnist", "md5"))
    data = load_dataset("fashion_mnist", seed=0, cache_dir=str(tmp_path), dtype="float64")
    assert data.x_test.dtype == np.float64 and data.name == "fashion_mnist"
    np.testing.assert_array_equal(data.y_train, arrays["train-labels-idx1-ubyte.gz"])


def test_subsample_is_stratified_and_fixed_by_split_seed(mnist_cache):
    root, _ = mnist_cache
    kw = dict(cache_dir=str(root), n_train=30, n_test=10)
    a = load_dataset("mnist", seed=0, **kw)
    b = load_dataset("mnist", seed=7, **kw)  # the run seed does not move the subset
    c = load_dataset("mnist", seed=0, split_seed=1, **kw)
    assert a.x_train.shape == (30, 784) and a.x_test.shape == (10, 784)
    np.testing.assert_array_equal(np.bincount(a.y_train, minlength=10), np.full(10, 3))
    np.testing.assert_array_equal(np.bincount(a.y_test, minlength=10), np.ones(10))
    np.testing.assert_array_equal(a.x_train, b.x_train)
    assert not np.array_equal(a.x_train, c.x_train)
    with pytest.raises(DatasetError, match="'n_train'.*only 60"):
        load_dataset("mnist", seed=0, cache_dir=str(root), n_train=61)


def test_cache_root_order(tmp_path, monkeypatch):
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    monkeypatch.delenv(cache.ENV_VAR, raising=False)
    assert cache.cache_root() == str(tmp_path / "home" / ".cache" / "learning-rules")
    monkeypatch.setenv(cache.ENV_VAR, "~/data")
    assert cache.cache_root() == str(tmp_path / "home" / "data")
    assert cache.cache_root(tmp_path / "explicit") == str(tmp_path / "explicit")
    assert cache.dataset_dir("mnist") == str(tmp_path / "home" / "data" / "mnist")


def test_env_var_is_used_by_the_loader(mnist_cache, monkeypatch):
    root, _ = mnist_cache
    monkeypatch.setenv(cache.ENV_VAR, str(root))
    assert load_dataset("mnist", seed=0).x_train.shape == (N_TRAIN, 784)
