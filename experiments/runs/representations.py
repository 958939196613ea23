"""What a run keeps of its representations, so that runs computed apart can be compared later.

With ``[diagnostics] representation_samples = N`` a run keeps, at every diagnostic epoch, each
block's output on the first N samples of the test split (the test split, because nothing trains
or selects on it, and every rule of one seed sees the same samples), and at the end its first
weight layer's W (the receptive fields). The driver stores them as
``runs/<run_id>/representations.npz`` (float32 arrays; its SHA-256 in run.json like every other
file) and what they are in run.json (``"representations"``: split, samples, epochs, features).

The file is a NumPy .npz, not CSV: N x F floats per block and epoch as text would be five times
larger and slow to parse, and .npz holds plain numeric arrays that ``np.load(...,
allow_pickle=False)`` reads without running anything. Members are written with a fixed time
stamp, so the same arrays give the same bytes.

    epochs          (E,) int64        the diagnostic epochs, in order
    block_<k>       (E, N, F_k)       block k's output (flattened) at each of them
    first_layer_W   W's shape         (n_in, n_out) dense; (C_out, C_in, *kernel) convolution
"""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

import numpy as np

FILE = "representations.npz"
SPLIT = "test"
_STAMP = (1980, 1, 1, 0, 0, 0)  # the earliest a zip entry can carry


def stored_representations(outcome, net, data) -> dict:
    """From a finished TrainOutcome: {"split", "samples", "epochs", "features", "input_shape",
    "arrays": {name: array}} (arrays as laid out in the module docstring)."""
    epochs = [e for e, _ in outcome.representations]
    arrays: dict[str, np.ndarray] = {"epochs": np.asarray(epochs, dtype=np.int64)}
    features = []
    if outcome.representations:
        for k in range(len(outcome.representations[0][1])):
            arrays[f"block_{k}"] = np.stack([blocks[k] for _, blocks in outcome.representations])
            features.append(int(arrays[f"block_{k}"].shape[2]))
    arrays["first_layer_W"] = np.asarray(net.params[net.weight_layers[0]]["W"], dtype=np.float32)
    samples = int(arrays["block_0"].shape[1]) if features else 0
    return {"split": SPLIT, "samples": samples, "epochs": epochs, "features": features,
            "input_shape": list(data.shape), "arrays": arrays}


def npz_bytes(arrays: dict[str, np.ndarray]) -> bytes:
    """The arrays as .npz bytes (deflated, fixed time stamps: the same arrays, the same bytes)."""
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", compression=zipfile.ZIP_DEFLATED) as z:
        for name, array in arrays.items():
            info = zipfile.ZipInfo(f"{name}.npy", date_time=_STAMP)
            info.compress_type = zipfile.ZIP_DEFLATED
            member = io.BytesIO()
            np.lib.format.write_array(member, np.ascontiguousarray(array), allow_pickle=False)
            z.writestr(info, member.getvalue())
    return buf.getvalue()


def load_representations(run_dir: str | Path) -> dict[str, np.ndarray] | None:
    """The arrays of a run's representations.npz (read without pickle), or None when it has none."""
    path = Path(run_dir) / FILE
    if not path.is_file():
        return None
    with np.load(path, allow_pickle=False) as z:
        return {name: z[name] for name in z.files}
