"""scikit-learn's own estimator checks, for the classifier and the regressor, over six rules.

The instances are small (two hidden layers of 12 units, a few epochs) so that the checks stay
fast, and train in float64: in float32 a row's prediction depends in its last bits on how many
rows share the batch (BLAS picks kernels by shape), which the checks that predict on subsets
and on reordered rows do not tolerate (they allow 1e-7). One float32 instance shows that these
two checks are the only ones that float32 fails.
"""

from sklearn.utils.estimator_checks import parametrize_with_checks

from experiments.estimators import RuleClassifier, RuleRegressor

#: rule -> (rule_params, epochs): enough for check_classifiers_train's accuracy > 0.83 and
#: check_regressors_train's R^2 > 0.5 at random_state 0, 1 and 2; population rules get a
#: population of 16
RULES = {
    "backprop": (None, 10),
    "feedback_alignment": (None, 10),
    "direct_feedback_alignment": (None, 10),
    "sign_symmetry": (None, 10),
    "local_random_classifier": (None, 10),
    "evolution_strategy": ({"population_size": 16}, 10),
    "genetic": ({"population_size": 16}, 12),
}

FLOAT32_BATCH_DEPENDENCE = "float32 predictions differ in the last bits with the batch's rows (BLAS)"


def _instances():
    for cls in (RuleClassifier, RuleRegressor):
        for rule, (params, epochs) in RULES.items():
            yield cls(rule, params, hidden=(12, 12), epochs=epochs, lr=0.02, dtype="float64", random_state=0)
        yield cls("backprop", hidden=(12, 12), epochs=10, lr=0.02, random_state=0)


def _expected_failures(estimator) -> dict[str, str]:
    if estimator.dtype == "float32":
        return {"check_methods_subset_invariance": FLOAT32_BATCH_DEPENDENCE,
                "check_methods_sample_order_invariance": FLOAT32_BATCH_DEPENDENCE}
    return {}


@parametrize_with_checks(list(_instances()), expected_failed_checks=_expected_failures)
def test_sklearn_estimator_checks(estimator, check):
    check(estimator)
