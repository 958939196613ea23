"""The forward-only rules against exact oracles: forward mode's directional derivative equals
backprop's, finite differences of perturbed passes equal forward mode along the same tangents
(the passes share their dropout masks), no rule ever carries an error backwards, PEPITA's update
equals its equations written out by hand (dense and convolutional), and the critical paths and
cards say forward-only."""

import numpy as np
import pytest
from gradcheck import randomise_offsets

from learning_rules import Network, get_rule
from learning_rules.credit.forward_mode import push_tangents, sample_directional_derivatives
from learning_rules.critical_path import rule_critical_path
from learning_rules.layers import Layer
from learning_rules.losses import cross_entropy
from learning_rules.params import aligned_leaves
from learning_rules.rules.backprop import Backprop
from learning_rules.rules.forward_gradient import ForwardGradient
from learning_rules.rules.node_perturbation import NodePerturbation
from learning_rules.rules.pepita import Pepita, units_layer
from learning_rules.rules.weight_perturbation import WeightPerturbation

FORWARD_ONLY = ["weight_perturbation", "node_perturbation", "forward_gradient", "pepita"]

STACKS = {
    "conv1d-bn-pool-dense": ((2, 12), [{"type": "conv1d", "channels": 3, "kernel": 3, "padding": 1},
                                       {"type": "batchnorm"}, "tanh", {"type": "maxpool1d", "kernel": 2},
                                       {"type": "conv1d", "channels": 4, "kernel": 3, "stride": 2},
                                       {"type": "dense", "units": 5, "activation": "tanh"}]),
    "conv2d-avgpool-layernorm": ((1, 7, 6), [{"type": "conv2d", "channels": 3, "kernel": 3, "padding": 1,
                                              "activation": "tanh"}, {"type": "avgpool2d", "kernel": 2},
                                             {"type": "layernorm"}, {"type": "conv2d", "channels": 2, "kernel": [2, 1]},
                                             "flatten", {"type": "dense", "units": 4, "activation": "sigmoid"}]),
}


def _rng(seed=0):
    return np.random.default_rng(seed)


def _flat(net, grads):
    return np.concatenate([g.ravel() for g in aligned_leaves(net.params, grads)])


@pytest.mark.parametrize("name", list(STACKS))
def test_forward_mode_gives_backprops_directional_derivative(name):
    """Through conv, pooling, batch norm (training statistics), layer norm and dense layers:
    sum_b d_b = grad L . v for parameter tangents v, and = sum_k delta_k . u_k for tangents u_k at
    the weight layers' outputs, to rounding."""
    shape, layers = STACKS[name]
    n = int(np.prod(shape))
    net = Network([n, 3], _rng(0), layers=layers, input_shape=shape, dtype="float64")
    randomise_offsets(net, _rng(1))
    x, y = _rng(2).normal(size=(6, n)), _rng(3).integers(0, 3, 6)
    bp = Backprop()
    bp.init(net, _rng(0))
    _, grads, trace, sweep = bp.compute_gradients(net, x, y, train=True)
    e = cross_entropy(trace.output, y)[1]
    v = [{k: _rng(10 + i).normal(size=p.shape) for k, p in layer.items()} or None for i, layer in enumerate(net.params)]
    t, _ = push_tangents(net, trace, 0, len(net.layers), param_tangents=v)
    truth = sum(float((grads[i][k] * v[i][k]).sum()) for i in range(len(v)) if v[i] for k in v[i])
    assert sample_directional_derivatives(e, t).sum() == pytest.approx(truth, rel=1e-11)
    u = {w: _rng(30 + w).normal(size=trace.outputs[w].shape) for w in net.weight_layers}
    t, _ = push_tangents(net, trace, 0, len(net.layers), node_tangents=u)
    truth = sum(float((sweep.deltas[k] * u[w]).sum()) for k, w in enumerate(net.weight_layers))
    assert sample_directional_derivatives(e, t).sum() == pytest.approx(truth, rel=1e-11)


@pytest.mark.parametrize("perturbation, tangent", [
    (WeightPerturbation(sigma=1e-6, n_perturbations=3), ForwardGradient("weights", n_tangents=3)),
    (NodePerturbation(sigma=1e-6, n_perturbations=3), ForwardGradient("activities", n_tangents=3)),
], ids=["weights", "nodes"])
def test_perturbed_passes_equal_forward_mode_along_the_same_tangents(perturbation, tangent):
    """Drawn from one seed, the perturbations and the tangents are the same; the antithetic
    finite difference then equals the exact directional derivative to O(sigma^2), with dropout
    on: every pass of a step uses the unperturbed pass's masks (a fresh mask per pass would
    make the loss differences noise)."""
    net = Network([6, 7, 5, 3], _rng(0), dtype="float64", dropout=0.3)
    randomise_offsets(net, _rng(1))
    x, y = _rng(2).normal(size=(8, 6)), _rng(3).integers(0, 3, 8)
    found = []
    for rule in (perturbation, tangent):
        rule.init(net, _rng(5))
        found.append(_flat(net, rule.estimate(net, x, y).grads))
    assert np.linalg.norm(found[0] - found[1]) < 1e-6 * np.linalg.norm(found[1])


class _NoBackward(Exception):
    pass


@pytest.mark.parametrize("name", FORWARD_ONLY)
def test_no_rule_carries_an_error_backwards(name, monkeypatch):
    """Every layer's backward_input raises: a forward-only step (every variant) still runs."""
    def refuse(self, cache, delta, weight=None):
        raise _NoBackward(self.kind)

    for cls in {type(layer) for net in get_rule(name).example_networks(8, 3, 0).values() for layer in net.layers}:
        monkeypatch.setattr(cls, "backward_input", refuse)
    variants = ([{"perturb": p, "local_losses": loc} for p in ("weights", "activities") for loc in (False, True)]
                if name == "forward_gradient" else [{}])
    x, y = _rng(2).normal(size=(16, 8)).astype(np.float32), _rng(3).integers(0, 3, 16)
    for kwargs in variants:
        for net in get_rule(name).example_networks(8, 3, 0).values():
            rule = get_rule(name)(**kwargs)
            rule.init(net, _rng(1))
            assert rule.step(net, x, y)["flops"] > 0
    with pytest.raises(_NoBackward):  # (the patch bites: backprop needs it)
        bp = Backprop()
        net = get_rule(name).example_networks(8, 3, 0)["dense"]
        bp.init(net, _rng(1))
        bp.step(net, x, y)


def test_pepita_dense_update_is_the_papers_equations():
    net = Network([5, 4, 3], _rng(0), dtype="float64")
    randomise_offsets(net, _rng(1))
    x, y = _rng(2).normal(size=(6, 5)), _rng(3).integers(0, 3, 6)
    rule = Pepita(feedback_scale=0.3)
    rule.init(net, _rng(4))
    grads = rule.estimate(net, x, y).grads
    W1, b1, W2, b2 = (net.layers[i].params[k] for i, k in ((0, "W"), (0, "b"), (2, "W"), (2, "b")))
    h = np.tanh(x @ W1 + b1)
    z = h @ W2 + b2
    e = np.exp(z - z.max(1, keepdims=True))
    e = e / e.sum(1, keepdims=True) - np.eye(3)[y]                    # softmax - onehot, per sample
    x_mod = x + e @ rule.F
    h_mod = np.tanh(x_mod @ W1 + b1)
    B = x.shape[0]
    np.testing.assert_allclose(grads[0]["W"], x_mod.T @ (h - h_mod) / B, rtol=1e-12, atol=1e-15)
    np.testing.assert_allclose(grads[0]["b"], (h - h_mod).sum(0) / B, rtol=1e-12, atol=1e-15)
    np.testing.assert_allclose(grads[2]["W"], h_mod.T @ e / B, rtol=1e-12, atol=1e-15)
    np.testing.assert_allclose(grads[2]["b"], e.sum(0) / B, rtol=1e-12, atol=1e-15)
    limit = 0.3 * np.sqrt(6 / 5)
    assert rule.F.shape == (3, 5) and np.abs(rule.F).max() <= limit and np.abs(rule.F).max() > 0.5 * limit


def test_pepita_conv_update_reads_the_feature_map_before_pooling():
    """conv1d (stride 1, padding 1) -> tanh -> maxpool: the kernel's update is every position's
    activity difference (before pooling) times its modulated input window, summed, / B."""
    layers = [{"type": "conv1d", "channels": 2, "kernel": 3, "padding": 1, "activation": "tanh"},
              {"type": "maxpool1d", "kernel": 2}]
    net = Network([6, 3], _rng(0), layers=layers, input_shape=(1, 6), dtype="float64")
    randomise_offsets(net, _rng(1))
    assert units_layer(net, 0) == 1 and net.layers[1].kind == "activation"
    x, y = _rng(2).normal(size=(4, 6)), _rng(3).integers(0, 3, 4)
    rule = Pepita(feedback_scale=0.3)
    rule.init(net, _rng(4))
    grads = rule.estimate(net, x, y).grads
    _, trace = net.forward(x)
    e = cross_entropy(trace.output, y)[1] * 4
    _, mod = net.forward(x + e @ rule.F)
    diff = trace.outputs[1] - mod.outputs[1]                          # (B, 6, 2) feature maps
    xp = np.pad(x + e @ rule.F, ((0, 0), (1, 1)))                     # (B, 8): one channel, padded
    expected = np.zeros((2, 1, 3))
    for o in range(2):
        for j in range(3):
            expected[o, 0, j] = sum(diff[b, p, o] * xp[b, p + j] for b in range(4) for p in range(6)) / 4
    np.testing.assert_allclose(grads[0]["W"], expected, rtol=1e-12, atol=1e-15)
    np.testing.assert_allclose(grads[0]["b"], diff.sum(axis=(0, 1)) / 4, rtol=1e-12, atol=1e-15)


def test_one_batch_norm_update_per_step():
    """Perturbed and modulated passes run on a copy: the running statistics move as after one
    training pass, whatever the rule."""
    layers = [{"type": "dense", "units": 6}, {"type": "batchnorm"}, "tanh"]
    x, y = _rng(2).normal(size=(8, 5)).astype(np.float32), _rng(3).integers(0, 3, 8)
    reference = Network([5, 3], _rng(0), layers=layers)
    reference.forward(x, train=True)
    for name in FORWARD_ONLY:
        net = Network([5, 3], _rng(0), layers=layers)
        rule = get_rule(name)()
        rule.init(net, _rng(1))
        rule.step(net, x, y)
        np.testing.assert_array_equal(net.layers[1].running_mean, reference.layers[1].running_mean, err_msg=name)


def test_weight_perturbation_flops_follow_its_formula():
    net = Network([6, 7, 3], _rng(0))
    x, y = _rng(2).normal(size=(8, 6)).astype(np.float32), _rng(3).integers(0, 3, 8)
    F, D = net.flops(8), sum(p.size for layer in net.params for p in layer.values())
    for n in (1, 3):
        rule = WeightPerturbation(n_perturbations=n)
        rule.init(net, _rng(1))
        assert rule.step(net, x, y)["flops"] == F + n * (2 * F + 6 * D)


def test_local_losses_report_and_train_their_readouts():
    net = Network([6, 7, 5, 3], _rng(0))
    x, y = _rng(2).normal(size=(8, 6)).astype(np.float32), _rng(3).integers(0, 3, 8)
    rule = ForwardGradient("activities", local_losses=True)
    rule.init(net, _rng(1))
    before = [r["W"].copy() for r in rule.readouts]
    info = rule.step(net, x, y)
    assert set(info) == {"loss", "flops", "local_loss/0", "local_loss/1"}
    assert [r["W"].shape for r in rule.readouts] == [(7, 3), (5, 3)]
    assert all(not np.array_equal(b, r["W"]) for b, r in zip(before, rule.readouts))


@pytest.mark.parametrize("name, length, first", [
    ("weight_perturbation", 4, 4), ("node_perturbation", 4, 4), ("forward_gradient", 4, 4), ("pepita", 7, 5),
])
def test_critical_path_is_forward_only_and_cards_say_so(name, length, first):
    """On 3 weight layers: L + 1 (no backward sweep; backprop's is 2L = 6), PEPITA 2L + 1 with
    its first layer updating at L + 2; no weight transport and no backward phase on every card."""
    net = Network([4, 8, 8, 3], _rng(0))
    path = rule_critical_path(get_rule(name), net)
    assert (path.length, path.first_layer_latency) == (length, first)
    card = get_rule(name).card
    assert card.no_weight_transport and card.no_separate_error_phase and card.single_network


def test_layers_without_forward_mode_are_refused_clearly():
    class Opaque(Layer):
        kind = "opaque"

        def forward(self, x, train=False, rng=None):
            return x, None

        def backward_input(self, cache, delta, weight=None):
            return delta

    with pytest.raises(NotImplementedError, match="opaque: no forward-mode jvp"):
        Opaque().jvp(None, np.zeros((1, 2)))
