"""RuleClassifier(rule="backprop") is the same model as scikit-learn's MLPClassifier with the same
network and optimizer: on the digits their 5-fold cross-validated accuracies agree."""

import warnings

import pytest
from sklearn.exceptions import ConvergenceWarning
from sklearn.model_selection import cross_val_score
from sklearn.neural_network import MLPClassifier
from threadpoolctl import threadpool_limits

from experiments.datasets import load_dataset
from experiments.estimators import RuleClassifier


@pytest.mark.parametrize("seed", [0])
def test_backprop_agrees_with_mlpclassifier_on_digits(seed):
    data = load_dataset("digits", seed=0, dtype="float64")
    x, y = data.x_train, data.y_train
    hidden, epochs = (64,), 20
    ours = RuleClassifier("backprop", hidden=hidden, activation="tanh", lr=1e-3, batch_size=32, epochs=epochs,
                          random_state=seed)
    # no L2, no early stopping, and no stop on a loss plateau: every epoch trains
    mlp = MLPClassifier(hidden, activation="tanh", solver="adam", learning_rate_init=1e-3, batch_size=32,
                        max_iter=epochs, alpha=0.0, early_stopping=False, n_iter_no_change=epochs + 1,
                        random_state=seed)
    with threadpool_limits(1), warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)  # MLPClassifier: max_iter reached
        ours_cv = cross_val_score(ours, x, y, cv=5).mean()
        mlp_cv = cross_val_score(mlp, x, y, cv=5).mean()
    assert mlp_cv > 0.94  # both learned: a broken rule scores ~0.1 on ten classes
    assert abs(ours_cv - mlp_cv) < 0.015, f"RuleClassifier {ours_cv:.4f} vs MLPClassifier {mlp_cv:.4f}"
