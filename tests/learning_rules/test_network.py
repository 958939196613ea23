import numpy as np
import pytest

from learning_rules import Network
from learning_rules.initializers import INITIALIZERS, init_weight
from learning_rules.layers import Activation, Dense, LayerError
from learning_rules.params import leaves


def test_shapes_trace_blocks_and_dtype():
    net = Network([5, 7, 4, 3], np.random.default_rng(0))
    x = np.ones((2, 5), np.float32)
    out, trace = net.forward(x)
    assert out.shape == (2, 3) and out.dtype == np.float32
    assert [type(l).__name__ for l in net.layers] == ["Dense", "Activation", "Dense", "Activation", "Dense"]
    assert [o.shape for o in trace.outputs] == [(2, 7), (2, 7), (2, 4), (2, 4), (2, 3)]
    assert [(b.start, b.weight, b.stop) for b in net.blocks] == [(0, 0, 2), (2, 2, 4), (4, 4, 5)]
    assert net.depth == 3 and net.sizes == [5, 7, 4, 3] and net.describe() == "rate 5-7-4-3"
    assert trace.output is out
    np.testing.assert_allclose(net.predict(x), out)
    assert [p.shape for p in leaves(net.params)] == [(5, 7), (7,), (7, 4), (4,), (4, 3), (3,)]
    assert [sorted(p) for p in net.params] == [["W", "b"], [], ["W", "b"], [], ["W", "b"]]
    assert leaves(Network([5, 3], np.random.default_rng(0), dtype="float64").params)[0].dtype == np.float64


def test_capabilities_are_declared():
    dense = Network([4, 3, 2], np.random.default_rng(0))
    conv = Network([8, 2], np.random.default_rng(0), input_shape=(1, 8),
                   layers=[{"type": "conv1d", "channels": 2, "kernel": 3}])
    normed = Network([8, 2], np.random.default_rng(0), input_shape=(1, 8),
                     layers=[{"type": "conv1d", "channels": 2, "kernel": 3}, {"type": "batchnorm"}])
    for net in (dense, conv, normed):
        assert net.capabilities.supports("backward") and net.capabilities.supports("population")
        assert not net.capabilities.supports("spiking") and net.capabilities.time_steps == 1
    # scoring a population in one stacked pass needs every layer to have a stacked forward
    assert dense.capabilities.vectorised_population and conv.capabilities.vectorised_population
    assert not normed.capabilities.vectorised_population


def test_flops_count_each_layers_formula():
    net = Network([4, 3, 2], np.random.default_rng(0))
    # dense: 2 n_in n_out + n_out (bias); tanh: n_out; the linear readout has no activation op
    assert net.flops(1) == (2 * 4 * 3 + 3) + 3 + (2 * 3 * 2 + 2)
    assert net.flops(10) == 10 * net.flops(1)


def test_params_are_the_live_arrays():
    net = Network([3, 2], np.random.default_rng(0))
    net.params[0]["W"] += 1.0
    np.testing.assert_allclose(net.layers[0].W, net.params[0]["W"])


@pytest.mark.parametrize("name", sorted(INITIALIZERS))
def test_initialisers_scale_and_determinism(name):
    a = init_weight(name, np.random.default_rng(1), 400, 300)
    b = init_weight(name, np.random.default_rng(1), 400, 300)
    np.testing.assert_array_equal(a, b)
    expected_std = {"xavier": np.sqrt(2 / 700), "glorot": np.sqrt(2 / 700), "he": np.sqrt(2 / 400),
                    "kaiming": np.sqrt(2 / 400), "lecun": np.sqrt(1 / 400)}[name]
    assert a.std() == pytest.approx(expected_std, rel=0.03)


def test_conv_kernels_use_their_fans():
    net = Network([40, 2], np.random.default_rng(0), input_shape=(1, 40), init="he",
                  layers=[{"type": "conv1d", "channels": 300, "kernel": 5}])
    W = net.layers[0].params["W"]
    assert W.shape == (300, 1, 5) and W.std() == pytest.approx(np.sqrt(2 / 5), rel=0.05)


def test_dropout_masks_train_only_and_keeps_expectation():
    net = Network([20, 2000, 2], np.random.default_rng(0), dropout=0.5)
    x = np.ones((4, 20), np.float32)
    _, t_eval = net.forward(x)
    assert t_eval.layers[2] is None  # the dropout layer's cache: no mask in evaluation
    _, t_train = net.forward(x, train=True, rng=np.random.default_rng(1))
    mask = t_train.layers[2]
    assert set(np.unique(mask)) == {0.0, 2.0}
    assert abs(mask.mean() - 1.0) < 0.05
    with pytest.raises(ValueError, match="needs an rng"):
        net.forward(x, train=True)


def test_the_mnist1d_paper_cnn_has_its_shapes():
    """Conv1d(1->25, 5, /2, pad 1), Conv1d(25->25, 3, /2, pad 1) x 2, relu after each, 25 x 5 = 125, dense 125->10."""
    layers = [{"type": "conv1d", "channels": 25, "kernel": 5, "stride": 2, "padding": 1, "activation": "relu"},
              {"type": "conv1d", "channels": 25, "kernel": 3, "stride": 2, "padding": 1, "activation": "relu"},
              {"type": "conv1d", "channels": 25, "kernel": 3, "stride": 2, "padding": 1, "activation": "relu"},
              "flatten"]
    net = Network([40, 10], np.random.default_rng(0), layers=layers, input_shape=(1, 40))
    assert [net.block_output_shape(k) for k in range(net.depth)] == [(19, 25), (10, 25), (125,), (10,)]
    assert sum(p.size for p in leaves(net.params)) == (25 * 5 + 25) + 2 * (25 * 25 * 3 + 25) + (125 * 10 + 10)
    assert net.predict(np.zeros((3, 40), np.float32)).shape == (3, 10)


@pytest.mark.parametrize("layers, message", [
    ([{"type": "conv3d"}], "layers[0]: unknown layer type 'conv3d'; allowed: dense, conv1d"),
    ([{"type": "conv1d", "channels": 4}], "layers[0] (conv1d): missing key 'kernel'"),
    ([{"type": "conv1d", "channels": 4, "kernel": 3, "size": 2}], "layers[0] (conv1d): unknown key 'size'"),
    ([{"type": "conv1d", "channels": 4, "kernel": 50}], "layers[0] (conv1d) on input length 40 x 1 channels: "
                                                        "kernel 50 is larger than its padded input"),
    (["flatten", {"type": "conv1d", "channels": 4, "kernel": 3}], "layers[1] (conv1d) on input 40 units: needs an "
                                                                   "input of 1 spatial axes"),
    ([{"type": "conv2d", "channels": 4, "kernel": 3}], "layers[0] (conv2d) on input length 40 x 1 channels"),
    ([{"type": "dense", "units": 0}], "layers[0] (dense)"),
    ([{"type": "conv1d", "channels": 4, "kernel": 3, "activation": "swish"}], "unknown activation 'swish'"),
    ([42], "layers[0]: expected a layer name or a table"),
])
def test_bad_layer_specs_are_one_line_errors_naming_the_layer(layers, message):
    with pytest.raises(LayerError) as err:
        Network([40, 2], np.random.default_rng(0), layers=layers, input_shape=(1, 40))
    assert message in str(err.value) and "\n" not in str(err.value)


def test_from_layers():
    rng = np.random.default_rng(0)
    net = Network.from_layers([Dense(3, 4, rng), Activation("relu", (4,)), Dense(4, 2, rng)])
    assert net.depth == 2 and net.input_shape == (3,) and net.predict(np.ones((1, 3), np.float32)).shape == (1, 2)


def test_bad_construction():
    with pytest.raises(ValueError, match="dtype"):
        Network([2, 2], np.random.default_rng(0), dtype="float16")
    with pytest.raises(ValueError, match="dropout"):
        Network([2, 2], np.random.default_rng(0), dropout=1.0)
    with pytest.raises(ValueError, match="hidden sizes or layers, not both"):
        Network([4, 3, 2], np.random.default_rng(0), layers=["relu"])
