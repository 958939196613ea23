"""Alignment diagnostics: how close a rule's learning signal is to the true gradient.

- ``update_angles``: per block k, the angle in degrees between the rule's weight update direction
  (its pseudo-gradient dW_k, a matrix or a convolution kernel) and backprop's gradient dL/dW_k on
  the same batch. 0 is backprop, 90 is an update orthogonal to the gradient, and anything below 90
  still descends the loss. On a temporal network the reference is BPTT, and a cell's recurrent
  weights U get their own angle (``recurrent_angle/k``).
- ``feedback_alignment``: for rules with feedback, per block the angle between the feedback B_k and
  the tensor it stands in for (W_k itself; for direct feedback, the linearised path from block k's
  output to the readout: (W_{k+1} ... W_L)^T for dense layers), and the norm ratio ||B_k|| / ||ref||.

Both are measured on deep copies or without side effects, never used for learning: training with and
without them gives identical parameters.
"""

from __future__ import annotations

import copy
from functools import reduce

import numpy as np

#: layers whose part in the path to the readout is a fixed linear map once derivatives are dropped
_LINEARISABLE = ("dense", "conv1d", "conv2d", "flatten", "dropout", "activation")


def angle_degrees(a: np.ndarray, b: np.ndarray) -> float:
    """The angle between two arrays seen as vectors, in degrees (nan if either is zero)."""
    a64, b64 = a.astype(np.float64).ravel(), b.astype(np.float64).ravel()
    na, nb = np.linalg.norm(a64), np.linalg.norm(b64)
    if na == 0.0 or nb == 0.0:
        return float("nan")
    ua, ub = a64 / na, b64 / nb
    # 2 atan2(|u - v|, |u + v|) stays accurate near 0 and 180 degrees, where arccos does not
    return float(np.degrees(2.0 * np.arctan2(np.linalg.norm(ua - ub), np.linalg.norm(ua + ub))))


def true_gradients(net, x: np.ndarray, y: np.ndarray, loss: str, rule=None):
    """The exact gradients (one dict per layer, evaluation mode): backprop's on a layered network;
    on a temporal network BPTT's, through ``rule``'s own surrogate for spiking cells."""
    if net.capabilities.supports("backward"):
        from ..rules.backprop import Backprop

        return Backprop(loss=loss).compute_gradients(net, x, y, train=False)[1]
    return rule.reference_gradients(net, x, y)


def update_angles(rule, net, x: np.ndarray, y: np.ndarray) -> dict[str, float]:
    """{"update_angle/k": degrees} for each hidden block the rule trains (a copy of the rule
    computes), and for a cell with recurrent weights {"recurrent_angle/k": degrees} for U. The
    readout is left out: every rule trains it by its exact error."""
    _, grads, _, _ = copy.deepcopy(rule).compute_gradients(net, x, y, train=False)
    truth = true_gradients(net, x, y, rule.loss, rule)
    out = {}
    for k, i in enumerate(net.weight_layers[:-1]):
        if grads[i] is not None:
            out[f"update_angle/{k}"] = angle_degrees(grads[i]["W"], truth[i]["W"])
            if "U" in grads[i]:
                out[f"recurrent_angle/{k}"] = angle_degrees(grads[i]["U"], truth[i]["U"])
    return out


def _direct_reference(net, k: int) -> np.ndarray | None:
    """The (K, n_k) map that direct feedback to block k stands in for: the transposed linear path
    from block k's output to the readout's pre-activation, activation derivatives left out. For
    dense blocks (W_{k+1} ... W_L)^T; through convolutions it is pushed through their own
    backward. None where a pooling or normalisation layer makes the path depend on the sample."""
    if not net.capabilities.supports("chain"):  # the path below walks the layers as a sequence
        return None
    L = net.depth
    above = range(net.blocks[k + 1].start, net.blocks[L - 1].weight + 1)
    if any(net.layers[i].kind not in _LINEARISABLE for i in above):
        return None
    if all(net.weight_layer(j).kind == "dense" for j in range(k + 1, L)):
        return reduce(np.matmul, [net.weight_layer(j).params["W"] for j in range(k + 1, L)]).T
    K = net.n_outputs
    g = np.eye(K, dtype=net.dtype)
    for i in reversed(list(above)):
        layer = net.layers[i]
        if layer.has_weight or layer.kind == "flatten":
            g = layer.backward_input(None, g.reshape(K, *layer.output_shape))
    return g.reshape(K, -1)


def feedback_alignment(rule, net) -> dict[str, float]:
    """{"feedback_angle/k", "feedback_norm_ratio/k"} for each block with a feedback tensor."""
    tensors = copy.deepcopy(rule).feedback_tensors(net)
    out = {}
    for k, B in enumerate(tensors):
        if B is None:
            continue
        W = net.weight_layer(k).params["W"]
        reference = W if B.shape == W.shape else _direct_reference(net, k)
        if reference is None:
            continue
        if B.shape == W.shape and B.ndim == 2:  # dense: compared as the backward pathway's (n_out, n_in)
            B, reference = B.T, reference.T
        out[f"feedback_angle/{k}"] = angle_degrees(B, reference)
        out[f"feedback_norm_ratio/{k}"] = float(np.linalg.norm(B) / np.linalg.norm(reference))
    return out

