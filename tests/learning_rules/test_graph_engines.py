"""The engines call the network for its composition: population scoring, a range of nodes, one
block's input error, all on graphs."""

import numpy as np

from learning_rules import Network
from learning_rules.networks.graph import INPUT
from learning_rules.params import leaves
from learning_rules.population_forward import ParamLayout, loop_outputs, population_outputs

RESIDUAL = [{"type": "dense", "units": 6, "activation": "tanh", "name": "h"},
            {"type": "residual", "layers": [{"type": "dense", "units": 6, "activation": "tanh"}]},
            {"type": "dense", "units": 4, "name": "side", "from": "h"},
            {"type": "concat", "from": ["layers[1]", "side"]}]


def residual_net(dtype="float64"):
    return Network([5, 3], np.random.default_rng(0), layers=RESIDUAL, dtype=dtype)


def test_a_graph_scores_a_population_in_one_stacked_pass_equal_to_the_loop():
    net = residual_net()
    assert net.capabilities.vectorised_population
    rng = np.random.default_rng(1)
    D = ParamLayout.of(net.params).size
    pop, x = rng.normal(size=(7, D)), rng.normal(size=(4, 5))
    np.testing.assert_allclose(population_outputs(net, pop, x), loop_outputs(net, pop, x), rtol=1e-12, atol=1e-12)


def test_run_a_range_of_nodes_equals_the_traced_pass():
    net = residual_net()
    x = np.random.default_rng(2).normal(size=(4, 5))
    out, trace = net.forward(x)
    np.testing.assert_allclose(net.run(x), out)
    # from node 2 on (inside the residual branch); the add and the side branch read node 1 from the trace
    start = 2
    np.testing.assert_allclose(net.run(trace.outputs[start - 1], start, outside=trace), out)
    assert net.inputs[0] == (INPUT,)


def test_input_error_of_a_block_is_its_jacobian_transpose():
    net = residual_net()
    rng = np.random.default_rng(3)
    x = rng.normal(size=(4, 5))
    _, trace = net.forward(x)
    k = 1                                   # the residual branch's dense + tanh
    block = net.blocks[k]
    h = trace.outputs[net.inputs[block.weight][0]]
    g = rng.normal(size=(4, *net.block_output_shape(k)))
    dh = net.input_error(trace, k, g)
    eps, numeric = 1e-6, np.zeros_like(h)
    for i in np.ndindex(h.shape):
        up, down = h.copy(), h.copy()
        up[i] += eps
        down[i] -= eps
        numeric[i] = ((net.run_block(k, up) - net.run_block(k, down)) * g).sum() / (2 * eps)
    np.testing.assert_allclose(dh, numeric, rtol=1e-7, atol=1e-9)
    assert len(leaves(net.params)) == 2 * net.depth


def test_forward_mode_follows_the_graph():
    """The tangent of the output along random parameter tangents equals the directional derivative
    by central differences (the skip's and the branch's tangents meet at the add, concat joins them)."""
    from learning_rules.credit.forward_mode import push_tangents

    net = residual_net()
    rng = np.random.default_rng(5)
    x = rng.normal(size=(4, 5))
    _, trace = net.forward(x)
    v = [{k: rng.normal(size=p.shape) for k, p in layer.items()} or None for layer in net.params]
    t, _ = push_tangents(net, trace, 0, len(net.layers), param_tangents=v)
    eps = 1e-6

    def shifted(sign):
        twin = net.copy()
        for layer, dv in zip(twin.params, v):
            for k, p in layer.items():
                p += sign * eps * dv[k]
        return twin.predict(x)

    np.testing.assert_allclose(t, (shifted(1) - shifted(-1)) / (2 * eps), rtol=1e-6, atol=1e-8)


def test_direct_feedback_diagnostics_leave_a_graph_out():
    """The (K, n_k) reference of direct feedback walks the layers above block k as a sequence,
    which a graph is not: no angle is reported there (rather than a wrong one, or a crash on a
    transformer block)."""
    from learning_rules.diagnostics.alignment import feedback_alignment
    from learning_rules.networks.conformance import example_networks
    from learning_rules.rules.direct_feedback_alignment import DirectFeedbackAlignment

    for name in ("residual_mlp", "transformer"):
        net = example_networks("rate")[name]
        rule = DirectFeedbackAlignment()
        rule.init(net, np.random.default_rng(0))
        assert feedback_alignment(rule, net) == {}
    chain = example_networks("rate")["dense"]
    rule = DirectFeedbackAlignment()
    rule.init(chain, np.random.default_rng(0))
    assert "feedback_angle/0" in feedback_alignment(rule, chain)
