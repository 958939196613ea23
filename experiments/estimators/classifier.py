"""``RuleClassifier``: any learning rule of the lab as a scikit-learn classifier."""

from __future__ import annotations

import numpy as np
from sklearn.base import ClassifierMixin
from sklearn.utils.multiclass import check_classification_targets
from sklearn.utils.validation import validate_data

from learning_rules.losses import log_softmax

from .base import PARAMETERS_DOC, RuleEstimator


class RuleClassifier(ClassifierMixin, RuleEstimator):
    _loss = "cross_entropy"

    def fit(self, X, y):
        """Train a fresh network for ``epochs`` epochs on X (N, D) and labels y (N,)."""
        x, y = validate_data(self, X, y, dtype=self._compute_dtype())
        classes = self._classes_of(y)
        self._start(x.shape[1], len(classes))
        self.classes_ = classes
        self._train_epochs(x, np.searchsorted(classes, y), self.epochs)
        return self

    def partial_fit(self, X, y, classes=None):
        """One epoch on (X, y); the first call builds the network and needs every label in ``classes``."""
        first = not hasattr(self, "network_")
        if first and classes is None:
            raise ValueError("classes must be passed on the first call to partial_fit")
        x, y = validate_data(self, X, y, dtype=self._compute_dtype(), reset=first)
        check_classification_targets(y)
        if first:
            all_classes = self._classes_of(np.asarray(classes))
            self._start(x.shape[1], len(all_classes))
            self.classes_ = all_classes
        elif classes is not None and not np.array_equal(np.unique(classes), self.classes_):
            raise ValueError(f"classes {np.unique(classes)} differ from those of the first call to partial_fit, "
                             f"{self.classes_}")
        unseen = np.setdiff1d(y, self.classes_)
        if unseen.size:
            raise ValueError(f"y has labels {unseen[:5].tolist()} that are not in classes {self.classes_.tolist()}")
        self._train_epochs(x, np.searchsorted(self.classes_, y), 1)
        return self

    @staticmethod
    def _classes_of(y: np.ndarray) -> np.ndarray:
        check_classification_targets(y)
        classes = np.unique(y)
        if classes.size < 2:
            raise ValueError(f"a classifier needs samples of at least 2 classes; got 1 class: {classes.tolist()}")
        return classes

    def predict_proba(self, X) -> np.ndarray:
        """Class probabilities (N, n_classes): the softmax of the network's outputs."""
        return np.exp(log_softmax(self._outputs(X)))

    def predict(self, X) -> np.ndarray:
        """The most probable class of each row (N,)."""
        scores = self._outputs(X)  # first: it raises NotFittedError before classes_ is read
        return self.classes_[scores.argmax(axis=1)]


RuleClassifier.__doc__ = f"""A network trained by any of the lab's learning rules, as a scikit-learn classifier.

    The network ends in a linear readout with one output per class; the rule minimises the
    softmax cross-entropy, and ``predict_proba`` is the softmax of the outputs.
{PARAMETERS_DOC}    classes_ : ndarray (n_classes,), the labels seen in fit (or given to partial_fit)
"""
