"""The layered Hopfield-like energy of a rate network's blocks, for equilibrium propagation.

Each hidden block k = 0 .. H-1 (H = L - 1) must be a weight layer W_k (dense or convolution,
with bias b_k), one activation rho_k, and optionally pooling or flatten layers P_k after it.
Its state s_k (B, *activation shape) is the activation's output; what it sends up is P_k(s_k)
(P_{-1}(s_{-1}) = x, the input, clamped). Per sample, the energy is that of a layered
continuous Hopfield network whose symmetric couplings are the blocks' own weights,

    E(s) = sum_k [ sum_i G_k(s_k,i) - s_k . (W_k * P_{k-1}(s_{k-1}) + b_k) ],   G_k' = rho_k^{-1},

with W * h the weight layer's forward without bias (a matrix product or a convolution; the dot
product is over all of s_k's entries). G_k is convex for every monotone activation (for tanh,
G(s) = s artanh(s) + 1/2 log(1 - s^2); for relu, s^2 / 2 on s >= 0), so E is convex in each
s_k with its neighbours fixed, and its minimiser is

    s_k = rho_k( W_k * P_{k-1}(s_{k-1}) + b_k + P_k'^T (W_{k+1}^T * s_{k+1}) )      (k < H - 1)

(W^T * the weight layer's backward_input, P_k'^T the pooling's backward at the current state).
The readout (block L-1) is not part of the energy: it is the cost, C(s) = loss(f_{L-1}(P_{H-1}(
s_{H-1})), y) (Laborieux et al. 2021), and the total energy of the nudged network is E + beta C,
whose top state moves by -beta dC/ds_{H-1} (the readout's own backward). Blocks of the same
parity do not interact, so the dynamics update every even block, then every odd block, each to
its exact minimiser given its neighbours: block coordinate descent, which lowers E (for beta = 0)
at every half-sweep. The gradient of E in the parameters is local and Hebbian:

    dE/dW_k = -P_{k-1}(s_{k-1}) (x) s_k        (the weight layer's backward_params of -s_k)
    dE/db_k = -s_k

Max pooling makes P piecewise linear, so E is only piecewise smooth there (as in Laborieux et al.
2021). Layers that are not weight layers, activations, pooling or flatten (dropout, batch or
layer norm) have no place in this energy and are refused.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

import numpy as np

from ..losses import get_loss
from ..params import GradTree
from .relax import block_input_error, forward_block, largest_move

#: layers allowed after a hidden block's activation (linear or piecewise-linear maps)
POSTS = ("flatten", "maxpool1d", "maxpool2d", "avgpool1d", "avgpool2d")


@dataclass(frozen=True)
class HiddenBlock:
    """Layer indices of one hidden block of the energy: weight, activation, then P_k."""

    weight: int
    activation: int
    posts: tuple[int, ...]


@dataclass
class State:
    """The network's state, per hidden block k: s_k, P_k(s_k) and its caches, and the bottom-up
    drive u_k = W_k * P_{k-1}(s_{k-1}) + b_k with its weight layer's cache."""

    s: list[np.ndarray]
    sent: list[np.ndarray]
    post_caches: list[list]
    drive: list[np.ndarray]
    weight_caches: list
    inputs: np.ndarray   # x, clamped (B, *input shape of block 0)

    def copy(self) -> "State":
        return replace(self, s=list(self.s), sent=list(self.sent), post_caches=list(self.post_caches),
                       drive=list(self.drive), weight_caches=list(self.weight_caches))


def hidden_blocks(net, owner: str) -> list[HiddenBlock]:
    """The energy's view of ``net``; a one-line ValueError names a layer that has no place in it."""
    blocks = []
    for k in range(net.depth - 1):
        block = net.blocks[k]
        layers = net.layers[block.start:block.stop]
        act = block.weight + 1
        problem = None
        if not net.layers[block.weight].linear_in_params:
            problem = block.weight
        elif act >= block.stop or net.layers[act].kind != "activation":
            problem = min(act, block.stop - 1)
        else:
            problem = next((i for i in range(act + 1, block.stop) if net.layers[i].kind not in POSTS), None)
        if problem is not None:
            layer = net.layers[problem]
            raise ValueError(f"{owner}: not defined for layer {problem} ({layer.describe()}); its energy needs "
                             f"hidden blocks of a weight layer, an activation, then only {', '.join(POSTS)} "
                             f"(block {k}: {', '.join(l.describe() for l in layers)})")
        blocks.append(HiddenBlock(block.weight, act, tuple(range(act + 1, block.stop))))
    return blocks


def state_from_trace(net, blocks: list[HiddenBlock], trace, inputs: np.ndarray) -> State:
    """The feedforward pass of ``inputs`` as a state (no top-down input yet): where the free
    phase starts."""
    return State(
        s=[trace.outputs[b.activation] for b in blocks],
        sent=[trace.outputs[b.posts[-1]] if b.posts else trace.outputs[b.activation] for b in blocks],
        post_caches=[[trace.layers[i] for i in b.posts] for b in blocks],
        drive=[trace.outputs[b.weight] for b in blocks],
        weight_caches=[trace.layers[b.weight] for b in blocks],
        inputs=inputs,
    )


def _posts_forward(net, b: HiddenBlock, s: np.ndarray) -> tuple[np.ndarray, list, int]:
    caches, flops = [], 0
    for i in b.posts:
        s, cache = net.layers[i].forward(s)
        caches.append(cache)
        flops += net.layers[i].flops(s.shape[0])
    return s, caches, flops


def _posts_backward(net, b: HiddenBlock, caches: list, g: np.ndarray) -> tuple[np.ndarray, int]:
    flops = 0
    for i, cache in zip(reversed(b.posts), reversed(caches)):
        g = net.layers[i].backward_input(cache, g)
        flops += net.layers[i].backward_flops(g.shape[0], inputs=True, params=False)
    return g, flops


def cost(net, state: State, y: np.ndarray, loss: str) -> tuple[float, np.ndarray, list, int]:
    """C at this state: (mean loss, dloss/d output (B, K) over the batch, readout caches, FLOPs)."""
    top = net.depth - 1
    h = state.sent[-1] if state.s else state.inputs
    out, caches = forward_block(net, top, h)
    value, e = get_loss(loss)(out, y)
    flops = sum(net.layers[i].flops(out.shape[0]) for i in range(net.blocks[top].start, net.blocks[top].stop))
    return value, e, caches, int(flops + 3 * e.size)


def relax(net, blocks: list[HiddenBlock], state: State, iterations: int, beta: float = 0.0,
          y: np.ndarray | None = None, loss: str = "cross_entropy") -> tuple[State, float, int]:
    """``iterations`` sweeps of the dynamics of E + beta C from ``state`` (not modified; the
    labels y are needed only to nudge, beta != 0): returns (the new state, the largest move of
    the last sweep, FLOPs)."""
    state, H = state.copy(), len(blocks)
    B = state.inputs.shape[0]
    flops, residual = 0, 0.0
    for _ in range(iterations):
        residual = 0.0
        for parity in (0, 1):
            for k in range(parity, H, 2):
                b = blocks[k]
                drive = state.drive[k]
                if k < H - 1:                                   # top-down: P_k'^T (W_{k+1}^T * s_{k+1})
                    above = net.layers[blocks[k + 1].weight]
                    g = above.backward_input(state.weight_caches[k + 1], state.s[k + 1])
                    g, f = _posts_backward(net, b, state.post_caches[k], g)
                    drive = drive + g
                    flops += f + above.backward_flops(B, inputs=True, params=False) + drive.size
                elif beta != 0.0:                               # the nudge: -beta dC/ds_top, per sample
                    _, e, caches, f = cost(net, state, y, loss)
                    g, f2 = block_input_error(net, net.depth - 1, caches, e)
                    g, f3 = _posts_backward(net, b, state.post_caches[k], g)
                    drive = drive - (beta * B) * g
                    flops += f + f2 + f3 + 2 * drive.size
                act = net.layers[b.activation]
                new = act.forward(drive)[0]
                flops += act.flops(B)
                residual = max(residual, largest_move(new - state.s[k]))
                state.s[k] = new
                state.sent[k], state.post_caches[k], f = _posts_forward(net, b, new)
                flops += f
                if k + 1 < H:                                   # the drive of the block above moved
                    above = net.layers[blocks[k + 1].weight]
                    state.drive[k + 1], state.weight_caches[k + 1] = above.forward(state.sent[k])
                    flops += above.flops(B)
    return state, residual, flops


def energy_gradients(net, blocks: list[HiddenBlock], state: State, scale: float, grads: GradTree) -> int:
    """Add ``scale`` * dE/dtheta (summed over the batch) to ``grads`` for every hidden block's
    weight layer; returns the FLOPs."""
    flops = 0
    for b, s, cache in zip(blocks, state.s, state.weight_caches):
        layer = net.layers[b.weight]
        g = layer.backward_params(cache, -scale * s)
        flops += layer.backward_flops(s.shape[0], inputs=False, params=True) + s.size
        if grads[b.weight] is None:
            grads[b.weight] = g
        else:
            grads[b.weight] = {name: grads[b.weight][name] + g[name] for name in g}
            flops += sum(v.size for v in g.values())
    return flops
