"""``RuleRegressor``: any learning rule of the lab as a scikit-learn regressor."""

from __future__ import annotations

import numpy as np
from sklearn.base import RegressorMixin
from sklearn.utils.validation import validate_data

from .base import PARAMETERS_DOC, RuleEstimator


class RuleRegressor(RegressorMixin, RuleEstimator):
    _loss = "mse"

    def fit(self, X, y):
        """Train a fresh network for ``epochs`` epochs on X (N, D) and targets y (N,) or (N, K)."""
        x, t = self._checked(X, y, reset=True)
        self._start(x.shape[1], t.shape[1])
        self.n_outputs_ = t.shape[1]
        self._train_epochs(x, t, self.epochs)
        return self

    def partial_fit(self, X, y):
        """One epoch on (X, y); the first call builds the network."""
        first = not hasattr(self, "network_")
        x, t = self._checked(X, y, reset=first)
        if first:
            self._start(x.shape[1], t.shape[1])
            self.n_outputs_ = t.shape[1]
        elif t.shape[1] != self.n_outputs_:
            raise ValueError(f"y has {t.shape[1]} targets per sample, but {type(self).__name__} was fitted "
                             f"with {self.n_outputs_}")
        self._train_epochs(x, t, 1)
        return self

    def _checked(self, X, y, reset: bool) -> tuple[np.ndarray, np.ndarray]:
        """X (N, D) and y as (N, K) targets, both in the network's float type."""
        dtype = self._compute_dtype()
        x, y = validate_data(self, X, y, dtype=dtype, multi_output=True, y_numeric=True, reset=reset)
        return x, np.asarray(y, dtype=dtype).reshape(len(y), -1)

    def predict(self, X) -> np.ndarray:
        """Predicted targets: (N,) for one target, (N, K) for several."""
        out = self._outputs(X)
        return out.ravel() if self.n_outputs_ == 1 else out

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.target_tags.multi_output = True
        return tags


RuleRegressor.__doc__ = f"""A network trained by any of the lab's learning rules, as a scikit-learn regressor.

    The network ends in a linear readout with one output per target; the rule minimises half the
    mean squared error.
{PARAMETERS_DOC}    n_outputs_ : int, targets per sample
"""
