"""Alignment diagnostics: how close a rule's learning signal is to the true gradient.

- ``update_angles``: per layer l, the angle in degrees between the rule's weight update direction
  (its pseudo-gradient dW_l) and backprop's gradient dL/dW_l on the same batch. 0 is backprop,
  90 is an update orthogonal to the gradient, and anything below 90 still descends the loss.
- ``feedback_alignment``: for rules with feedback matrices, per layer the angle between B_l and the
  matrix it stands in for (W_l^T, or for direct feedback the product (W_{l+1} ... W_L)^T), and the
  norm ratio ||B_l|| / ||W_l^T||.

Both are measured on deep copies or without side effects, never used for learning: training with and
without them gives identical parameters.
"""

from __future__ import annotations

import copy
from functools import reduce

import numpy as np

from ..losses import get_loss
from ..rules.backprop import backprop_deltas


def angle_degrees(a: np.ndarray, b: np.ndarray) -> float:
    """The angle between two arrays seen as vectors, in degrees (nan if either is zero)."""
    a64, b64 = a.astype(np.float64).ravel(), b.astype(np.float64).ravel()
    na, nb = np.linalg.norm(a64), np.linalg.norm(b64)
    if na == 0.0 or nb == 0.0:
        return float("nan")
    ua, ub = a64 / na, b64 / nb
    # 2 atan2(|u - v|, |u + v|) stays accurate near 0 and 180 degrees, where arccos does not
    return float(np.degrees(2.0 * np.arctan2(np.linalg.norm(ua - ub), np.linalg.norm(ua + ub))))


def true_gradients(net, x: np.ndarray, y: np.ndarray, loss: str) -> list[np.ndarray]:
    """Backprop's dL/dW_l for every layer of a rate network (no dropout)."""
    out, trace = net.forward(x)
    _, e = get_loss(loss)(out, y)
    if trace.layers[-1].activation.name != "linear":
        e = e * trace.layers[-1].derivative()
    return [t.input.T @ d for t, d in zip(trace.layers, backprop_deltas(net, trace, e))]


def update_angles(rule, net, x: np.ndarray, y: np.ndarray) -> dict[str, float]:
    """{"update_angle/l": degrees} for each hidden layer the rule trains (a copy of the rule
    computes). The output layer is left out: every rule trains it by its exact error."""
    _, grads, _, _ = copy.deepcopy(rule).compute_gradients(net, x, y, train=False)
    truth = true_gradients(net, x, y, rule.loss)[:-1]
    return {f"update_angle/{l}": angle_degrees(grads[2 * l], g)
            for l, g in enumerate(truth) if grads[2 * l] is not None}


def feedback_alignment(rule, net) -> dict[str, float]:
    """{"feedback_angle/l", "feedback_norm_ratio/l"} for each layer with a feedback matrix."""
    matrices = copy.deepcopy(rule).feedback_matrices(net)
    n = len(net.layers)
    out = {}
    for l, B in enumerate(matrices):
        if B is None:
            continue
        if B.shape == net.layers[l].W.T.shape:
            reference = net.layers[l].W.T
        else:  # direct feedback to layer l: stands for (W_{l+1} ... W_L)^T, shape (K, n_out_l)
            reference = reduce(np.matmul, [net.layers[k].W for k in range(l + 1, n)]).T
        out[f"feedback_angle/{l}"] = angle_degrees(B, reference)
        out[f"feedback_norm_ratio/{l}"] = float(np.linalg.norm(B) / np.linalg.norm(reference))
    return out
