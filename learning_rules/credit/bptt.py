"""Backpropagation through time: the one backward sweep of a temporal network, for rate and
spiking cells alike (Werbos 1990, "Backpropagation through time: what it does and how to do it").

For a temporal network (networks/temporal.py) with output error e = dL/d scores (B, K):

    readout:     dW_out = r^T e,  db_out = sum_b e,  dr = e W_out^T       (or e F_out^T)
    over time:   dH = the time readout's expansion of dr                   (T, B, n_top)
    each level, top down, each of its cells over time (layers/cell.py, layers/lif.py):
                 dX, grads = cell.backward(cache, dH_cell, feedback, truncation, **cell_options)
                 the level below receives the sum of its cells' dX

A rule chooses only what the layers are told: ``feedback(i)``, tensors of the shapes of layer i's
W (and U) that carry the error across its input (and recurrent) pathway instead of the weights
themselves (feedback alignment in time); ``truncation`` k, the window after which the error
through the state is cut (truncated BPTT); and cell options such as a LIF cell's surrogate
derivative and ``detach_reset``. No rule writes the recursion itself, so every rule trains every
cell unchanged.
"""

from __future__ import annotations

from typing import Callable

import numpy as np

from ..params import GradTree
from .chain import Sweep

Feedback = Callable[[int], dict | None]


def bptt(net, trace, e: np.ndarray, feedback: Feedback | None = None, truncation: int = 0,
         **cell_options) -> Sweep:
    """Gradients of every layer of ``net`` (one dict per layer) from the traced pass and the
    output error e (B, K); the sweep's FLOPs from each layer's own formula."""
    L, B = len(net.layers), e.shape[0]
    grads: GradTree = [None] * L
    deltas: list[np.ndarray | None] = [None] * L
    dr = e
    if net.reduction.dense:
        dense, cache = net.layers[-1], trace.layers[-1]
        ed = net.reduction.output_error(e)  # (T B, K) for a readout of every step, else e
        grads[-1] = dense.backward_params(cache, ed)
        fb = feedback(L - 1) if feedback else None
        dr = dense.backward_input(cache, ed, weight=None if fb is None else fb.get("W"))
        deltas[-1] = e
    if not net.levels:
        return Sweep(grads, deltas, bptt_flops(net, B))
    dH = net.reduction.expand(dr, net.top_width)
    for depth in range(len(net.levels) - 1, -1, -1):
        level, below, offset = net.levels[depth], None, 0
        for i in level:
            cell = net.layers[i]
            part = dH if len(level) == 1 else dH[..., offset:offset + cell.n]
            offset += cell.n
            dX, grads[i] = cell.backward(trace.layers[i], part, feedback=feedback(i) if feedback else None,
                                         truncation=truncation, need_input=depth > 0, **cell_options)
            below = dX if below is None else below + dX
        dH = below
    return Sweep(grads, deltas, bptt_flops(net, B))


def bptt_flops(net, batch: int) -> int:
    """FLOPs of the sweep (the forward pass not included): the dense readout's backward, the time
    readout's expansion, every cell's backward through time (its input error above level 0)."""
    total = 0
    if net.reduction.dense:
        total += net.layers[-1].backward_flops(batch)
    if net.levels:
        total += net.reduction.flops(batch, net.top_width)
    for depth, level in enumerate(net.levels):
        total += sum(net.layers[i].backward_flops(batch, inputs=depth > 0) for i in level)
    return int(total)
