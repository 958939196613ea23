"""PEPITA (Dellaferrera & Kreiman 2022, "Error-driven input modulation: solving the credit
assignment problem without a backward pass", ICML, PMLR 162:4937).

Two forward passes and no backward one. The standard pass gives the activities h_k and the
output error e (per sample: softmax(z) - onehot(y) for cross-entropy, z - t for mse). A fixed
random matrix F (K, D) projects the error onto the input, and a second pass runs on the
modulated input:

    x_mod = x + e F,        h_k^mod = the activities of the pass on x_mod.

Each hidden block learns from the difference of its activities in the two passes and its
modulated input, the readout from the output error (batch means):

    dW_k = 1/B (h_{k-1}^mod)^T (h_k - h_k^mod),        dW_L = 1/B (h_{L-1}^mod)^T e,

handed to the optimizer as its gradient, W <- W - optimizer(dW). F is drawn once, uniform in
+-feedback_scale sqrt(6 / D) (the paper's F: 0.05 times a He-uniform matrix). The authors'
code uses the modulated pass's output error for the readout; the paper and this rule use e.

Which activities: h_k is the weight layer's units after the layers that keep their shape
(activation, normalisation, dropout): for a dense block, f(a_k) as in the paper; for a
convolutional block, the feature map before pooling or flattening, as in the authors' code for
their convolutional networks. Its difference reaches W_k, b_k (and a normalisation layer's
gamma, beta) through each layer's own ``backward_params`` with the modulated pass's cache: a
convolution's kernel gathers every position's difference times its input window (summed over
positions; the authors' code averages them, a constant an adaptive optimizer absorbs). Both
passes share their dropout masks, as in the paper.

Default optimizer: the paper's SGD with momentum 0.9, lr 0.01. The update is not a gradient, and
Adam's per-coordinate scaling moves every weight by ~lr whatever the size of its activity
difference: on a digits CNN (conv -> maxpool -> dense, 64 units) Adam lr 1e-3 brought the loss
down to 1.10 by epoch 10, then up to 1.46 by epoch 20 (test accuracy 77% -> 57%), below the
readout_only control (84% at 10 epochs); with momentum the loss fell throughout, 89% at 10
epochs and 92% at 40.

No weight transport and no backward phase: the error enters once, at the input, through F.
The critical path is two forward sweeps in sequence ("two_forward_passes").

FLOPs: two forward passes 2F, the projection and the addition 2BKD + BD, the differences, and
every layer's ``backward_params``.
"""

from __future__ import annotations

import math

import numpy as np

from ..credit.chain import through_block
from ..hyperparameters import Real
from ..optimizers import Optimizer
from .forward_only import Estimate, ForwardOnlyRule
from .plausibility import PlausibilityCard


def units_layer(net, k: int) -> int:
    """The last layer of block k whose output still has the weight layer's shape: where the
    block's units' activities are read (before any pooling or flattening)."""
    block = net.blocks[k]
    shape = net.layers[block.weight].output_shape
    i = block.weight
    while i + 1 < block.stop and net.layers[i + 1].output_shape == shape:
        i += 1
    return i


class Pepita(ForwardOnlyRule):
    """A second forward pass on the error-modulated input; updates from the activity change."""

    name = "pepita"
    update_dependency = "two_forward_passes"
    card = PlausibilityCard(
        no_weight_transport=True, local_errors=False, no_update_locking=True, spiking=False,
        no_separate_error_phase=True, single_network=True,
        notes="the output error modulates the input through a fixed random F; a second forward pass",
    )

    hyperparameters = {"feedback_scale": Real(0, None, low_open=True)}

    def __init__(self, feedback_scale: float = 0.05, optimizer: Optimizer | None = None,
                 loss: str = "cross_entropy") -> None:
        # the paper's optimizer by default: SGD with momentum 0.9, lr 0.01 (Adam's per-coordinate
        # scaling of the activity differences learnt slower and, on conv -> dense, unstably)
        super().__init__(optimizer=Optimizer("momentum", lr=0.01) if optimizer is None else optimizer,
                         loss=loss, feedback_scale=feedback_scale)

    def init_state(self, net, rng: np.random.Generator) -> None:
        D, K = math.prod(net.input_shape), net.n_outputs
        limit = float(self.feedback_scale) * math.sqrt(6.0 / D)
        self.F = rng.uniform(-limit, limit, size=(K, D)).astype(net.dtype)  # (K, D), fixed

    def estimate(self, net, x, y):
        seed = self.step_seed()
        loss, e, trace = self.traced_pass(net, x, y, seed)
        B = x.shape[0]
        x_mod = x + (e * e.dtype.type(B)) @ self.F                      # (B, D): the per-sample error
        _, modulated = self.twin(net).forward(x_mod, train=True, rng=np.random.default_rng(seed))
        grads: list = [None] * len(net.layers)
        flops = 2 * net.flops(B) + 2 * B * self.F.size + x.size
        top = net.depth - 1
        flops += through_block(net, modulated, top, e, grads, B)[1]         # dW_L = (h_{L-1}^mod)^T e
        for k in range(top):
            block, units = net.blocks[k], units_layer(net, k)
            diff = (trace.outputs[units] - modulated.outputs[units]) / e.dtype.type(B)
            flops += 2 * diff.size
            for i in range(block.weight, units + 1):
                layer = net.layers[i]
                if layer.params:
                    grads[i] = layer.backward_params(modulated.layers[i], diff)
                    flops += layer.backward_flops(B, inputs=False, params=True)
        return Estimate(loss, grads, flops)
