"""Datasets by name: each entry knows its loader and its parameters with their defaults.

``load_dataset`` is the one way the lab gets data: it rejects unknown keys and wrongly typed
values, checks the values with the dataset's own ``check`` (which loads nothing, so an experiment
file is checked before any run), calls the loader, then standardises the inputs with training
statistics and casts everything to the requested dtype, so no loader can forget those steps.
"""

from __future__ import annotations

import functools
import numbers
from dataclasses import dataclass, field
from typing import Any, Callable, Mapping

import numpy as np

from . import delay, digits, evidence, mnist, mnist1d, pattern, sequential_mnist1d, synthetic, teacher, trajectory
from .base import Dataset, DatasetError
from .params import check_seed
from .preprocessing import standardize


@dataclass(frozen=True)
class DatasetSpec:
    """A dataset's loader, its parameter check and its allowed parameters with defaults.

    ``check(**params)`` returns the parameters checked (one-line DatasetError otherwise) without
    loading or downloading anything; ``loader(seed=..., cache_dir=..., **checked)`` returns a
    ``Dataset`` of raw inputs (any numeric dtype); ``load_dataset`` finishes it. A default of
    ``None`` means "unset".
    """

    name: str
    loader: Callable[..., Dataset]
    check: Callable[..., dict]
    params: Mapping[str, Any] = field(default_factory=dict)
    summary: str = ""
    #: what one input row is, from the dataset's parameters: (D,), (C, L), (C, H, W) or a
    #: sequence (T, D) (read by temporal networks one step at a time)
    input_shape: Callable[[Mapping[str, Any]], tuple[int, ...]] = lambda params: ()
    #: False for inputs that must stay as drawn (spike trains; a frozen input whose samples are
    #: all equal would be centred to zero)
    standardize: bool = True


DATASETS: dict[str, DatasetSpec] = {
    spec.name: spec
    for spec in (
        DatasetSpec("mnist1d", mnist1d.load_mnist1d, mnist1d.check_params, mnist1d.PARAMS,
                    "MNIST-1D (Greydanus 2020): 40-point 1-D digits, 4000/1000, 10 classes; generated offline",
                    lambda p: (1, 40)),
        DatasetSpec("digits", digits.load_digits, digits.check_params, digits.PARAMS,
                    "scikit-learn 8x8 digits: 64 features, 1797 samples, 10 classes; bundled",
                    lambda p: (1, 8, 8)),
        DatasetSpec("mnist", mnist.load_mnist, functools.partial(mnist.check_params, "mnist"), mnist.PARAMS,
                    "MNIST: 784 features, 60000/10000, 10 classes; downloaded and verified",
                    lambda p: (1, 28, 28)),
        DatasetSpec("fashion_mnist", mnist.load_fashion_mnist, functools.partial(mnist.check_params, "fashion_mnist"),
                    mnist.PARAMS, "Fashion-MNIST: 784 features, 60000/10000, 10 classes; downloaded and verified",
                    lambda p: (1, 28, 28)),
        DatasetSpec("blobs", synthetic.load_blobs, synthetic.check_blobs, synthetic.BLOBS_PARAMS,
                    "Gaussian clusters, one per class; drawn from the run seed",
                    lambda p: (int(p["n_features"]),)),
        DatasetSpec("xor", synthetic.load_xor, synthetic.check_xor, synthetic.XOR_PARAMS,
                    "2-D XOR / checkerboard, 2 classes; drawn from the run seed",
                    lambda p: (2,)),
        DatasetSpec("teacher", teacher.load_teacher, teacher.check_params, teacher.PARAMS,
                    "random tanh teacher MLP labelling Gaussian inputs; classification or regression",
                    lambda p: (int(p["n_features"]),)),
        DatasetSpec("sequential_mnist1d", sequential_mnist1d.load_sequential_mnist1d, mnist1d.check_params,
                    sequential_mnist1d.PARAMS,
                    "MNIST-1D as sequences: 40 steps of 1 value (as the paper's GRU reads it); generated offline",
                    lambda p: (sequential_mnist1d.STEPS, sequential_mnist1d.FEATURES)),
        DatasetSpec("delay", delay.load_delay, delay.check_params, delay.PARAMS,
                    "delayed cue recall: a one-hot cue, then delay steps of distractor noise, named at the last "
                    "step; drawn from the run seed", delay.input_shape),
        DatasetSpec("evidence", evidence.load_evidence, evidence.check_params, evidence.PARAMS,
                    "evidence accumulation (Bellec et al. 2020): left/right spike cues, a delay, a decision window; "
                    "spikes, drawn from the run seed", evidence.input_shape, standardize=False),
        DatasetSpec("pattern", pattern.load_pattern, pattern.check_params, pattern.PARAMS,
                    "pattern generation (Bellec et al. 2020): frozen Poisson spikes, a sum of sinusoids as the "
                    "target of every step; regression (nMSE = test_loss / (T K / 2)), drawn from the run seed",
                    pattern.input_shape, standardize=False),
        DatasetSpec("trajectory", trajectory.load_trajectory, trajectory.check_params, trajectory.PARAMS,
                    "periodic output (Murray 2019): a brief input pulse, a sum of sinusoids as the target of "
                    "every step; regression (nMSE = test_loss / (T K / 2)), drawn from the run seed",
                    trajectory.input_shape, standardize=False),
    )
}

_DTYPES = (np.dtype(np.float32), np.dtype(np.float64))


def _spec(name: str) -> DatasetSpec:
    if not isinstance(name, str) or name not in DATASETS:
        raise DatasetError(f"data: unknown dataset {name!r}; allowed: {', '.join(DATASETS)}")
    return DATASETS[name]


def dataset_params(name: str) -> dict[str, Any]:
    """The parameters dataset ``name`` accepts, with their defaults (a fresh dict)."""
    return dict(_spec(name).params)


def dataset_input_shape(name: str, params: Mapping[str, Any] | None = None) -> tuple[int, ...]:
    """What one input row of dataset ``name`` is, (D,), (C, L) or (C, H, W), without loading it."""
    spec = _spec(name)
    return tuple(spec.input_shape({**spec.params, **(params or {})}))


def _check_type(name: str, key: str, value: Any, default: Any) -> None:
    """Reject a value whose type cannot stand where the default stands (None: loader decides)."""
    if default is None:
        return
    if isinstance(default, bool):
        ok = isinstance(value, bool)
    elif isinstance(default, numbers.Integral):
        ok = isinstance(value, numbers.Integral) and not isinstance(value, bool)
    elif isinstance(default, numbers.Real):
        ok = isinstance(value, numbers.Real) and not isinstance(value, bool)
    else:
        ok = isinstance(value, type(default))
    if not ok:
        raise DatasetError(
            f"data: {key!r} for dataset {name!r} must be of type {type(default).__name__} "
            f"(default {default!r}), got {value!r}"
        )


def _resolve_dtype(dtype: Any) -> np.dtype:
    try:
        resolved = np.dtype(dtype)
    except TypeError:
        resolved = None
    if resolved not in _DTYPES:
        raise DatasetError(f"data: dtype must be float32 or float64, got {dtype!r}")
    return resolved


def check_dataset_params(name: str, params: Mapping[str, Any]) -> dict[str, Any]:
    """``params`` over dataset ``name``'s defaults, checked (keys, types, values) without loading
    or downloading anything; a one-line DatasetError names the first bad key."""
    spec = _spec(name)
    for key, value in params.items():
        if key not in spec.params:
            allowed = ", ".join(spec.params) or "(none)"
            raise DatasetError(f"data: unknown key {key!r} for dataset {name!r}; allowed: {allowed}")
        _check_type(name, key, value, spec.params[key])
    return spec.check(**{**spec.params, **params})


def load_dataset(
    name: str, *, seed: int, dtype: str = "float32", cache_dir: str | None = None, **params: Any
) -> Dataset:
    """Load dataset ``name`` with ``params`` over its defaults (see ``dataset_params``).

    Returns read-only, C-contiguous arrays: inputs (N, D) / (M, D) in ``dtype``, standardised
    with the training split's per-feature mean and std (but spike datasets, whose spec says
    ``standardize=False``); labels (N,) int64, or regression
    targets (N, K) in ``dtype``. ``seed`` is the run seed; datasets with a fixed sample (mnist1d,
    digits, mnist, fashion_mnist) ignore it, synthetic ones draw their data from it.
    ``cache_dir`` overrides $LEARNING_RULES_DATA and ~/.cache/learning-rules.
    """
    spec = _spec(name)
    checked = check_dataset_params(name, params)
    seed = check_seed(seed)
    out_dtype = _resolve_dtype(dtype)

    raw = spec.loader(seed=seed, cache_dir=cache_dir, **checked)
    if spec.standardize:
        x_train, x_test = standardize(raw.x_train, raw.x_test, out_dtype)
    else:
        x_train, x_test = (np.array(a, dtype=out_dtype, order="C") for a in (raw.x_train, raw.x_test))
    y_dtype = np.int64 if raw.n_classes is not None else out_dtype
    y_train = np.array(raw.y_train, dtype=y_dtype, order="C")  # copies: the read-only flag below
    y_test = np.array(raw.y_test, dtype=y_dtype, order="C")  # must not reach a loader's arrays
    for arr in (x_train, y_train, x_test, y_test):
        # Workers share one Dataset between runs; a rule that wrote into it would silently
        # change the data of every later run, so writing raises instead.
        arr.flags.writeable = False
    shape = spec.input_shape({**spec.params, **params}) or None
    return Dataset(raw.name, x_train, y_train, x_test, y_test, n_classes=raw.n_classes, input_shape=shape)
