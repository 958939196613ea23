"""Networks survive pickling (scikit-learn and joblib pickle fitted estimators to save them and
to send them to worker processes): activations are pickled by name."""

import pickle

import numpy as np
import pytest

from learning_rules.activations import ACTIVATIONS, get_activation
from learning_rules.networks import Network


@pytest.mark.parametrize("name", sorted(ACTIVATIONS))
def test_activation_pickles_as_the_registered_one(name):
    assert pickle.loads(pickle.dumps(get_activation(name))) is ACTIVATIONS[name]


def test_a_pickled_network_predicts_the_same():
    rng = np.random.default_rng(0)
    net = Network([5, 4, 3], rng, activation="relu")
    x = rng.standard_normal((6, 5)).astype(np.float32)
    copy = pickle.loads(pickle.dumps(net))
    np.testing.assert_array_equal(copy.predict(x), net.predict(x))
