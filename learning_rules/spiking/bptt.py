"""Backpropagation through time for the spiking network, with a surrogate spike derivative.

For each LIF layer (update equations in neurons.py) the backward sweep runs t = T-1 .. 0 carrying
gu = dL/du_t and gI = dL/dI_{t+1}:

    ds_t/dv_t = active_t g(v_t - threshold)                 g: the surrogate (surrogates.py)
    dL/ds_t   = dS_t + gu * du_t/ds_t                        du/ds = -threshold (subtract) | -v_t (zero);
                                                             0 with ``detach_reset`` (Zenke & Vogels 2021)
    dL/dv_t   = gu * du_t/dv_t + dL/ds_t * ds_t/dv_t         du/dv = 1 (subtract) | 1 - s_t (zero)
    dL/dc_t   = dL/dI_t = active_t dL/dv_t + alpha dL/dI_{t+1}
    gu       <- dL/dv_t (beta active_t + 1 - active_t)

then dW = sum_t h_t^T dL/dc_t and db = sum_t,b dL/dc_t (one product over all T B rows) and the layer
below receives dS = dL/dc W^T. With the forward pass run on the surrogate's smooth step and
``detach_reset=False`` this is the exact gradient (checked against finite differences in the tests).
"""

from __future__ import annotations

import numpy as np

from .neurons import LIF
from .surrogates import Surrogate

BACKWARD_OPS = 10  # FLOPs per neuron per step of the elementwise backward sweep


def lif_backward(lif: LIF, V: np.ndarray, S: np.ndarray, A: np.ndarray | None, dS: np.ndarray,
                 surrogate: Surrogate, detach_reset: bool = True) -> np.ndarray:
    """dL/dc (T, B, n) for one layer from dL/ds dS (T, B, n) and its recorded V, S, A (T, B, n)."""
    T = V.shape[0]
    dc = np.empty_like(V)
    gu = np.zeros_like(V[0])
    gI = np.zeros_like(V[0])
    theta = V.dtype.type(lif.threshold)
    for t in range(T - 1, -1, -1):
        v, s = V[t], S[t]
        sg = surrogate.grad(v - theta)
        if A is not None:
            sg *= A[t]
        gs = dS[t]
        if not detach_reset:
            gs = gs - gu * (theta if lif.reset == "subtract" else v)
        gv = gs * sg
        gv += gu if lif.reset == "subtract" else gu * (1 - s)
        gI = gv if A is None else gv * A[t]
        if lif.alpha > 0 and t < T - 1:
            gI = gI + lif.alpha * dc[t + 1]
        dc[t] = gI
        gu = gv * lif.beta if A is None else gv * (lif.beta * A[t] + (1 - A[t]))
    return dc


def bptt(net, trace, e: np.ndarray, surrogate: Surrogate, detach_reset: bool = True):
    """(grads, one {"W", "b"} dict per layer, deltas): deltas[l] (B, n_l) is dL/dc summed over
    time (the rate view's error signal); e (B, K) is dL/d(scores)."""
    L = len(net.layers)
    grads: list[dict | None] = [None] * L
    deltas: list[np.ndarray | None] = [None] * L
    ex = trace.extra
    n_spiking = net.spiking_layers
    if n_spiking < L:  # leaky readout: out = r W + b, r = sum_t w_t s_t
        last = net.layers[-1]
        r = trace.layers[-1].input
        grads[L - 1], deltas[-1] = {"W": r.T @ e, "b": e.sum(axis=0)}, e
        dr = e @ last.W.T  # (B, n)
        dS = net.readout_weights()[:, None, None] * dr[None]  # (T, B, n)
    else:  # count readout: out = sum_t s_t
        dS = np.broadcast_to(e, (net.steps, *e.shape))
    for l in range(n_spiking - 1, -1, -1):
        dc = lif_backward(net.lif, ex["potentials"][l], ex["spikes"][l], ex["active"][l], dS,
                          surrogate, detach_reset)
        T, B, n = dc.shape
        h = ex["inputs"][l]
        dc_sum = dc.sum(axis=0)
        if h.ndim == 2:
            gW = h.T @ dc_sum
        else:
            gW = h.reshape(T * B, -1).T @ dc.reshape(T * B, n)
        grads[l], deltas[l] = {"W": gW, "b": dc_sum.sum(axis=0)}, dc_sum
        if l > 0:
            dS = (dc.reshape(T * B, n) @ net.layers[l].W.T).reshape(T, B, -1)
    return grads, deltas


def bptt_flops(net, batch: int) -> int:
    """FLOPs of the backward sweep and the weight gradients (the forward pass not included)."""
    T, B = net.steps, batch
    total = 0
    if net.spiking_layers < len(net.layers):
        last = net.layers[-1]
        total += 4 * B * last.n_in * last.n_out + 2 * T * B * last.n_in
    for l in range(net.spiking_layers):
        layer = net.layers[l]
        rows = B if (l == 0 and net.encoding == "current") else T * B
        total += T * B * layer.n_out * (BACKWARD_OPS + 1) + 2 * rows * layer.n_in * layer.n_out
        if l > 0:
            total += 2 * T * B * layer.n_in * layer.n_out
    return int(total)
