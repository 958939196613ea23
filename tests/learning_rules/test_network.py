import numpy as np
import pytest

from learning_rules import Network
from learning_rules.initializers import INITIALIZERS, init_weight


def test_shapes_trace_and_dtype():
    net = Network([5, 7, 4, 3], np.random.default_rng(0))
    x = np.ones((2, 5), np.float32)
    out, trace = net.forward(x)
    assert out.shape == (2, 3) and out.dtype == np.float32
    assert [t.input.shape for t in trace.layers] == [(2, 5), (2, 7), (2, 4)]
    assert [t.pre.shape for t in trace.layers] == [(2, 7), (2, 4), (2, 3)]
    assert trace.output is out
    np.testing.assert_allclose(net.predict(x), out)
    assert [p.shape for p in net.params] == [(5, 7), (7,), (7, 4), (4,), (4, 3), (3,)]
    assert Network([5, 3], np.random.default_rng(0), dtype="float64").params[0].dtype == np.float64


def test_flops_counts_multiply_adds():
    net = Network([4, 3, 2], np.random.default_rng(0))
    assert net.flops(1) == (2 * 4 * 3 + 2 * 3) + (2 * 3 * 2 + 2 * 2)
    assert net.flops(10) == 10 * net.flops(1)


def test_params_are_the_live_arrays():
    net = Network([3, 2], np.random.default_rng(0))
    net.params[0] += 1.0
    np.testing.assert_allclose(net.layers[0].W, net.params[0])


@pytest.mark.parametrize("name", sorted(INITIALIZERS))
def test_initialisers_scale_and_determinism(name):
    a = init_weight(name, np.random.default_rng(1), 400, 300)
    b = init_weight(name, np.random.default_rng(1), 400, 300)
    np.testing.assert_array_equal(a, b)
    expected_std = {"xavier": np.sqrt(2 / 700), "glorot": np.sqrt(2 / 700), "he": np.sqrt(2 / 400),
                    "kaiming": np.sqrt(2 / 400), "lecun": np.sqrt(1 / 400)}[name]
    assert a.std() == pytest.approx(expected_std, rel=0.03)


def test_dropout_masks_train_only_and_keeps_expectation():
    net = Network([20, 2000, 2], np.random.default_rng(0), dropout=0.5)
    x = np.ones((4, 20), np.float32)
    _, t_eval = net.forward(x)
    assert t_eval.layers[0].mask is None
    _, t_train = net.forward(x, train=True, rng=np.random.default_rng(1))
    mask = t_train.layers[0].mask
    assert set(np.unique(mask)) == {0.0, 2.0}
    assert abs(mask.mean() - 1.0) < 0.05
    with pytest.raises(ValueError, match="needs an rng"):
        net.forward(x, train=True)


def test_bad_construction():
    with pytest.raises(ValueError, match="dtype"):
        Network([2, 2], np.random.default_rng(0), dtype="float16")
    with pytest.raises(ValueError, match="dropout"):
        Network([2, 2], np.random.default_rng(0), dropout=1.0)
