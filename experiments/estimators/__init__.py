"""The lab's learning rules as scikit-learn estimators, for notebooks, pipelines and grid searches.

    from experiments.estimators import RuleClassifier
    clf = RuleClassifier(rule="feedback_alignment", hidden=(256, 256), epochs=50, random_state=0)
    cross_val_score(clf, X, y, cv=5)

They live in ``experiments`` because ``learning_rules`` imports numpy and scipy only. See
docs/estimators.md.
"""

from .classifier import RuleClassifier
from .regressor import RuleRegressor

__all__ = ["RuleClassifier", "RuleRegressor"]
