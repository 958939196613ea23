"""The dataset container and the one error type every loader raises.

A ``Dataset`` is plain numpy arrays plus the number of classes; the runner, the network and the
rules never need to know where the data came from.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np


class DatasetError(ValueError):
    """A user-facing problem with dataset configuration or files; the message is one line."""


# eq=False: numpy arrays have no single truth value, so generated __eq__ would raise.
@dataclass(frozen=True, eq=False)
class Dataset:
    """Train and test arrays of one dataset.

    x_train: (N, D) float, x_test: (M, D) float, in the dtype that was requested; rows are flat,
    and ``input_shape`` says what a row is: (D,) features, (C, L) a 1-D signal of C channels, or
    (C, H, W) an image (channels first). Dense networks read the flat rows; convolutional ones the
    shape.
    Classification: y_train (N,) int64 in [0, n_classes), y_test (M,) int64.
    Regression (``n_classes is None``): y_train (N, K) float, y_test (M, K) float.
    ``load_dataset`` returns the arrays read-only, as one dataset may serve many runs.
    """

    name: str
    x_train: np.ndarray
    y_train: np.ndarray
    x_test: np.ndarray
    y_test: np.ndarray
    n_classes: int | None
    input_shape: tuple[int, ...] | None = None

    def __post_init__(self) -> None:
        # Catch loader bugs here, at construction, rather than as a shape error deep in a run.
        if self.x_train.ndim != 2 or self.x_test.ndim != 2:
            raise DatasetError(
                f"data: dataset {self.name!r} inputs must be 2-D (N, D), got shapes "
                f"{self.x_train.shape} and {self.x_test.shape}"
            )
        if self.x_train.shape[1] != self.x_test.shape[1]:
            raise DatasetError(
                f"data: dataset {self.name!r} train and test have different feature counts "
                f"({self.x_train.shape[1]} vs {self.x_test.shape[1]})"
            )
        if self.input_shape is not None and int(np.prod(self.input_shape)) != self.x_train.shape[1]:
            raise DatasetError(f"data: dataset {self.name!r} declares input shape {self.input_shape} "
                               f"for rows of {self.x_train.shape[1]} features")
        if len(self.y_train) != len(self.x_train) or len(self.y_test) != len(self.x_test):
            raise DatasetError(f"data: dataset {self.name!r} has inputs and labels of different lengths")
        want_ndim = 1 if self.n_classes is not None else 2
        if self.y_train.ndim != want_ndim or self.y_test.ndim != want_ndim:
            raise DatasetError(
                f"data: dataset {self.name!r} targets must be {want_ndim}-D for a "
                f"{self.task} task, got shapes {self.y_train.shape} and {self.y_test.shape}"
            )

    @property
    def task(self) -> str:
        """``"classification"`` when the dataset has classes, else ``"regression"``."""
        return "regression" if self.n_classes is None else "classification"

    @property
    def n_features(self) -> int:
        """D, the width of one input row."""
        return int(self.x_train.shape[1])

    @property
    def shape(self) -> tuple[int, ...]:
        """What one row is: ``input_shape``, or (D,) when the dataset declares none."""
        return tuple(self.input_shape) if self.input_shape is not None else (self.n_features,)

    @property
    def n_outputs(self) -> int:
        """Width of the network's output: n_classes, or K for (N, K) regression targets."""
        return int(self.n_classes) if self.n_classes is not None else int(self.y_train.shape[1])

    def __repr__(self) -> str:
        # The default repr would print whole arrays.
        return (
            f"Dataset(name={self.name!r}, task={self.task!r}, n_train={len(self.x_train)}, "
            f"n_test={len(self.x_test)}, n_features={self.n_features}, n_outputs={self.n_outputs}, "
            f"dtype={self.x_train.dtype})"
        )
