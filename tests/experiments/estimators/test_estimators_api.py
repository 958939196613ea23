"""The estimators beyond scikit-learn's checks: clone, grid search and pipelines, partial_fit,
random streams, layer stacks, every rule, progress bars and one-line errors for bad parameters."""

import dataclasses
import random
import warnings

import numpy as np
import pytest
from sklearn.base import clone
from sklearn.datasets import make_blobs
from sklearn.exceptions import ConvergenceWarning
from sklearn.model_selection import GridSearchCV, cross_val_score
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from experiments.estimators import RuleClassifier, RuleRegressor
from experiments.estimators.build import OPTIMIZER_PARAMS
from learning_rules.optimizers import Optimizer
from learning_rules.rules import available_rules


@pytest.fixture(scope="module")
def blobs():
    x, y = make_blobs(n_samples=120, centers=3, n_features=6, random_state=0)
    return (x - x.mean(0)) / x.std(0), y


def small(cls=RuleClassifier, rule="backprop", **kw):
    return cls(rule, **{"hidden": (8,), "epochs": 3, "random_state": 0, **kw})


def test_clone_round_trips_every_parameter():
    values = dict(rule="feedback_alignment", rule_params={"scale": 0.5}, hidden=(7, 5),
                  layers=[{"type": "conv1d", "channels": 2, "kernel": 3}], input_shape=(1, 6),
                  activation="relu", init="he", init_gain=2.0, dtype="float64", network="rate",
                  network_params={"dropout": 0.1}, optimizer="momentum", lr=0.05, momentum=0.8,
                  nesterov=True, beta1=0.8, beta2=0.99, eps=1e-6, weight_decay=1e-4, clip_norm=1.0,
                  epochs=7, batch_size=16, random_state=3, verbose=True)
    for cls in (RuleClassifier, RuleRegressor):
        assert set(values) == set(cls().get_params()), "the test names every parameter"
        est = cls(**values)
        copy = clone(est)
        assert copy.get_params() == values
        assert copy.rule_params is not est.rule_params  # a deep copy, as clone makes


def test_optimizer_parameters_are_the_optimizer_fields():
    assert sorted(OPTIMIZER_PARAMS.values()) == sorted(f.name for f in dataclasses.fields(Optimizer))


def test_grid_search_and_pipeline_as_in_the_example(blobs):
    x, y = blobs
    fa = small(rule="feedback_alignment", epochs=30, lr=0.01)
    scores = cross_val_score(make_pipeline(StandardScaler(), fa), x, y, cv=3)
    assert scores.shape == (3,) and scores.min() > 0.8
    search = GridSearchCV(fa, {"lr": [1e-5, 1e-2]}, cv=3).fit(x, y)
    assert search.best_params_ == {"lr": 1e-2}  # lr 1e-5 barely moves in 30 epochs
    assert search.best_estimator_.lr == 1e-2 and hasattr(search.best_estimator_, "network_")
    search = GridSearchCV(fa, {"rule_params": [{"scale": 0.5}, {"scale": 2.0}]}, cv=3)
    assert search.fit(x, y).best_estimator_.rule_.scale in (0.5, 2.0)


@pytest.mark.parametrize("cls", [RuleClassifier, RuleRegressor])
def test_partial_fit_epochs_continue_exactly_as_fit(blobs, cls):
    x, y = blobs
    whole = small(cls, "sign_symmetry", epochs=3).fit(x, y)
    parts = small(cls, "sign_symmetry")
    for _ in range(3):
        parts.partial_fit(x, y, **({"classes": np.unique(y)} if cls is RuleClassifier else {}))
    assert parts.n_iter_ == 3 and len(parts.loss_curve_) == 3
    np.testing.assert_array_equal(parts.loss_curve_, whole.loss_curve_)
    np.testing.assert_array_equal(parts.predict(x), whole.predict(x))
    assert parts.flops_ == whole.flops_ > 0


def test_partial_fit_needs_classes_first_and_known_labels(blobs):
    x, y = blobs
    with pytest.raises(ValueError, match="classes must be passed on the first call"):
        small().partial_fit(x, y)
    clf = small().partial_fit(x, y, classes=[0, 1, 2, 3])
    assert clf.classes_.tolist() == [0, 1, 2, 3] and clf.predict_proba(x).shape == (120, 4)
    with pytest.raises(ValueError, match=r"labels \[7\] that are not in classes"):
        clf.partial_fit(x, np.full_like(y, 7))


def test_random_state_fixes_every_stream_and_leaves_global_state_alone(blobs):
    x, y = blobs
    np.random.seed(123)
    random.seed(123)
    before_np, before_py = np.random.get_state()[1].copy(), random.getstate()
    a = small(rule="feedback_alignment", random_state=5).fit(x, y)
    b = small(rule="feedback_alignment", random_state=5).fit(x, y)
    c = small(rule="feedback_alignment", random_state=6).fit(x, y)
    small(rule="feedback_alignment", random_state=None).fit(x, y)
    np.testing.assert_array_equal(np.random.get_state()[1], before_np)
    assert random.getstate() == before_py
    assert a.loss_curve_ == b.loss_curve_ != c.loss_curve_
    np.testing.assert_array_equal(a.rule_.feedback[1], b.rule_.feedback[1])
    gen = small(rule="feedback_alignment", random_state=np.random.default_rng(5)).fit(x, y)
    assert np.isfinite(gen.loss_curve_).all()


def test_regressor_keeps_the_shape_of_its_targets(blobs):
    x, _ = blobs
    t = np.stack([x[:, 0] - x[:, 1], x[:, 2]], axis=1)
    two = small(RuleRegressor, epochs=20, lr=0.01).fit(x, t)
    assert two.n_outputs_ == 2 and two.predict(x).shape == (120, 2) and two.score(x, t) > 0.8
    one = small(RuleRegressor).fit(x, t[:, 0])
    assert one.predict(x).shape == (120,) and one.predict(x).dtype == np.float64


def test_convolutional_layers_with_an_input_shape(blobs):
    x, y = blobs
    conv = [{"type": "conv1d", "channels": 4, "kernel": 3, "padding": 1, "activation": "relu"},
            {"type": "maxpool1d", "kernel": 2}]
    clf = small(rule="direct_feedback_alignment", layers=conv, input_shape=(1, 6), epochs=10, lr=0.01).fit(x, y)
    assert [type(layer).__name__ for layer in clf.network_.layers][:2] == ["Conv1d", "Activation"]
    assert clf.score(x, y) > 0.8
    with pytest.raises(ValueError, match=r"conv1d.*set input_shape=\(C, L\)"):
        small(layers=conv).fit(x, y)
    with pytest.raises(ValueError, match=r"input_shape \(2, 4\) does not hold the 6 features"):
        small(layers=conv, input_shape=(2, 4)).fit(x, y)


@pytest.mark.parametrize("rule", available_rules())
def test_every_registered_rule_trains_as_a_classifier(blobs, rule):
    x, y = blobs
    relu = {"activation": "relu"} if rule == "forward_forward" else {}  # tanh's goodness is refused
    clf = RuleClassifier(rule, hidden=(8,), epochs=1, random_state=0, **relu).fit(x, y)
    proba = clf.predict_proba(x)
    assert proba.shape == (120, 3) and np.allclose(proba.sum(1), 1)
    assert clf.rule_.name == rule and len(clf.loss_curve_) == 1


def test_a_rule_without_a_loss_cannot_regress(blobs):
    x, _ = blobs
    with pytest.raises(ValueError, match="'forward_forward' learns classes only"):
        small(RuleRegressor, "forward_forward").fit(x, x[:, 0])


def test_verbose_shows_a_progress_bar_over_epochs(blobs, capsys):
    x, y = blobs
    small(epochs=2).fit(x, y)
    assert capsys.readouterr().err == ""
    small(epochs=2, verbose=True).fit(x, y)
    assert "2/2" in capsys.readouterr().err


def test_divergence_warns(blobs):
    x, y = blobs
    with warnings.catch_warnings():
        warnings.simplefilter("error", RuntimeWarning)  # numpy's overflow warnings are quieted
        with pytest.warns(ConvergenceWarning, match="training diverged"):
            small(RuleRegressor, optimizer="sgd", lr=1e6).fit(x, x[:, 0] * 1e3)


@pytest.mark.parametrize("params, message", [
    ({"rule": "backprob"}, "RuleClassifier: rule 'backprob' not allowed; must be one of"),
    ({"rule_params": {"scal": 1.0}, "rule": "feedback_alignment"}, "rule_params: unknown key 'scal' \\(did you mean 'scale'\\?\\); allowed: distribution, scale"),
    ({"rule_params": {"scale": -1.0}, "rule": "feedback_alignment"}, "feedback_alignment: scale -1.0 not allowed"),
    ({"lr": -1.0}, r"optimizer.lr: -1.0 not allowed; must be a finite number > 0"),
    ({"optimizer": "adamw"}, "optimizer.name: unknown optimizer 'adamw'"),
    ({"activation": "relux"}, "network: unknown activation 'relux'"),
    ({"hidden": (8, 0)}, r"hidden \(8, 0\) not allowed; must be a tuple of positive integers"),
    ({"epochs": 0}, "epochs 0 not allowed; must be an integer >= 1"),
    ({"network_params": {"activation": "relu"}}, "network_params: 'activation' is an estimator parameter"),
    ({"network_params": {"stepz": 3}}, "network: unknown key 'stepz'"),
    ({"dtype": "float16"}, "dtype: unknown dtype 'float16'"),
    ({"random_state": -1}, "random_state -1 not allowed"),
    ({"rule": "spiking_surrogate", "activation": "relu"}, "activation: the spiking network takes no activation"),
])
def test_bad_parameters_are_one_line_errors_at_fit(blobs, params, message):
    x, y = blobs
    clf = small(**params)  # scikit-learn estimators check nothing before fit
    with pytest.raises(ValueError, match=message) as err:
        clf.fit(x, y)
    assert "\n" not in str(err.value)
    assert not hasattr(clf, "network_")


def test_numpy_scalars_from_a_parameter_grid_are_accepted(blobs):
    x, y = blobs
    clf = small(lr=np.float32(0.01), epochs=np.int64(2), rule_params={"scale": np.float64(0.5)},
                rule="feedback_alignment").fit(x, y)
    assert clf.n_iter_ == 2 and clf.rule_.scale == 0.5


def test_fitting_does_not_warn_on_good_input(blobs):
    x, y = blobs
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        small().fit(x, y).score(x, y)


def test_a_recurrent_network_reads_a_row_one_feature_per_step_unless_told(blobs):
    x, y = blobs
    assert RuleClassifier("bptt", hidden=(8,), epochs=1, random_state=0).fit(x, y).network_.input_shape == (6, 1)
    clf = RuleClassifier("eprop", hidden=(8,), epochs=1, random_state=0, input_shape=(3, 2)).fit(x, y)
    assert clf.network_.input_shape == (3, 2) and clf.predict(x).shape == y.shape


def test_forward_forward_refuses_tanh_goodness_in_one_line(blobs):
    x, y = blobs
    with pytest.raises(ValueError, match="threshold 2.0 not allowed with tanh hidden units") as err:
        RuleClassifier("forward_forward", hidden=(8,), epochs=1, random_state=0).fit(x, y)
    assert "\n" not in str(err.value)
