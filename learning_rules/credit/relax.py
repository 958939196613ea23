"""Shared machinery of the rules that settle a network's activity before they learn (predictive
coding, equilibrium propagation, target propagation).

These rules hold a state per block (the activity at each block's output, or a target for it) and
move it by passes through single blocks rather than one backward sweep. The passes are the
layers' own (docs/architecture.md), so a rule written with them runs on every layer stack its
method is defined for:

    out, caches = forward_block(net, k, h)         block k's layers on h (B, *block input shape)
    dh, flops   = block_input_error(net, k, caches, error)
                                                   the error at block k's input from the error at
                                                   its output: J_k^T error, through every layer of
                                                   the block (the weight layer's W included)
    grads       = block_gradients(net, k, caches, error, grads)
                                                   every parameter gradient of block k for an
                                                   error at its output (the chain's local step)

and ``refuse_layers`` gives the one-line error for a layer a method is not defined on.
"""

from __future__ import annotations

import numpy as np

from ..params import GradTree
from ..trace import Trace
from .chain import through_block


def block_indices(net, k: int) -> range:
    """The indices of block k's layers, bottom to top."""
    block = net.blocks[k]
    return range(block.start, block.stop)


def forward_block(net, k: int, h: np.ndarray) -> tuple[np.ndarray, list]:
    """Block k's layers (evaluation mode) on h (B, *input shape of block k) -> (output, caches):
    the network runs its own block."""
    return net.block_forward(k, h)


def forward_block_flops(net, k: int, batch: int) -> int:
    return int(sum(net.layers[i].flops(batch) for i in block_indices(net, k)))


def block_input_error(net, k: int, caches: list, error: np.ndarray) -> tuple[np.ndarray, int]:
    """J_k^T error: ``error`` (B, *block_output_shape(k)) carried to block k's input through every
    layer of the block, with ``caches`` from ``forward_block`` (or a trace); returns (dh, FLOPs)."""
    return net.block_input_errors(k, caches, error), block_input_error_flops(net, k, error.shape[0])


def block_input_error_flops(net, k: int, batch: int) -> int:
    return int(sum(net.layers[i].backward_flops(batch, inputs=True, params=False) for i in block_indices(net, k)))


def block_gradients(net, k: int, caches: list, error: np.ndarray, grads: GradTree) -> int:
    """Fill ``grads`` with block k's parameter gradients for ``error`` at its output (the local
    step of the one backward sweep, on these caches); returns the FLOPs."""
    full: list = [None] * len(net.layers)
    for i, cache in zip(block_indices(net, k), caches):
        full[i] = cache
    return through_block(net, Trace(full), k, error, grads, error.shape[0])[1]


def trace_caches(net, trace: Trace, k: int) -> list:
    """Block k's caches as recorded in a traced forward pass."""
    return [trace.layers[i] for i in block_indices(net, k)]


def refuse_layers(rule_name: str, net, allowed, why: str) -> None:
    """A one-line ValueError naming the first layer of ``net`` whose kind ``allowed(layer)``
    refuses; ``why`` says what the method needs."""
    for i, layer in enumerate(net.layers):
        if not allowed(layer):
            raise ValueError(f"{rule_name}: not defined for layer {i} ({layer.describe()}); {why}")


def largest_move(step: np.ndarray) -> float:
    """The largest absolute entry of a state's move in one relaxation step: the relaxation's
    residual (0 once it has settled)."""
    return float(np.max(np.abs(step))) if step.size else 0.0
