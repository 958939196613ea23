"""Score a whole population of parameter vectors on one batch.

A population is a matrix ``pop`` (P, D): row p is individual p's parameters flattened in the
order of ``leaves(net.params)`` (layer by layer, name by name: [W_0, b_0, W_1, b_1, ...] for a
dense stack, each array in C order). ``ParamLayout`` converts between that row and the network's
parameter tree.

For a network whose capabilities say ``vectorised_population`` (every layer implements
``population_forward``) the forward pass of all P individuals is vectorised:

- every dense layer is ONE ``np.matmul`` call for the whole population, against the stacked
  weights read in place from ``pop``: the first layer's shared batch x (B, n_in) @ W_0
  (P, n_in, n_1), each later layer's h (P, B, n_l) @ W_l (P, n_l, n_{l+1}).

Laying the W_0 side by side into one (n_in, P n_1) matrix would make the first layer a single
product too, but that matrix is not a view of ``pop``: building it copies every W_0 (the bytes
the loop copies when it loads each individual), which cost as much as the loop's whole overhead
(``benchmarks/bench_population.py``). The stacked matmul runs the loop's own BLAS products with
no copy, so its outputs equal the loop's bit for bit (tested) and both select the same
individuals.

A graph of layers (networks/graph.py) runs itself stacked (``net.stacked_forward``): merges take
the (C, B, ...) arrays as they are. The antithetic shortcut below needs a chain after a dense
first layer; graphs score the pairs as a plain population.

The population is processed in chunks of individuals so the activations (chunk, B, n) stay under
``max_elements`` floats. Any other network type (e.g. the spiking network) falls back to a loop
over individuals (a convolutional network, the spiking network): each is loaded into the network
in turn and scored with ``net.predict``; the network's own parameters are restored afterwards.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .params import leaves

#: activations held at once while scoring (floats); 2**24 float32 = 64 MiB
MAX_ELEMENTS = 1 << 24
FITNESS_KINDS = ("loss", "error")


@dataclass(frozen=True)
class ParamLayout:
    """Shapes of a network's parameter arrays, their slices in a flat vector, and the layer each
    array belongs to."""

    shapes: tuple[tuple[int, ...], ...]
    dtype: np.dtype
    groups: tuple[int, ...] = ()

    @classmethod
    def of(cls, params) -> "ParamLayout":
        """The layout of a parameter tree (one dict per layer) or of a flat list of arrays."""
        if params and isinstance(params[0], dict):
            arrays = leaves(params)
            groups = tuple(i for i, layer in enumerate(params) for _ in layer)
        else:
            arrays, groups = list(params), tuple(range(len(params)))
        return cls(tuple(p.shape for p in arrays), np.dtype(arrays[0].dtype), groups)

    @property
    def sizes(self) -> list[int]:
        return [int(np.prod(s)) for s in self.shapes]

    @property
    def size(self) -> int:
        """D, the length of one flat parameter vector."""
        return int(sum(self.sizes))

    @property
    def offsets(self) -> list[int]:
        return [0, *np.cumsum(self.sizes).tolist()]

    @property
    def group_sizes(self) -> list[int]:
        """Entries of the flat vector per layer that has parameters, in order."""
        out: dict[int, int] = {}
        for g, n in zip(self.groups, self.sizes):
            out[g] = out.get(g, 0) + n
        return list(out.values())

    def flatten(self, params) -> np.ndarray:
        """A parameter tree or list of arrays -> (D,) copy in the layout's dtype."""
        arrays = leaves(params) if params and isinstance(params[0], dict) else params
        return np.concatenate([np.asarray(p, dtype=self.dtype).ravel() for p in arrays])

    def views(self, flat: np.ndarray) -> list[np.ndarray]:
        """(D,) -> list of arrays shaped like the params (views, no copy) ;
        (P, D) -> list of (P, *shape) views."""
        lead = flat.shape[:-1]
        o = self.offsets
        return [flat[..., o[i]:o[i + 1]].reshape(*lead, *s) for i, s in enumerate(self.shapes)]

    def load(self, flat: np.ndarray, params) -> None:
        """Copy the (D,) vector into the live arrays of ``params`` (a tree or a list) in place."""
        arrays = leaves(params) if params and isinstance(params[0], dict) else params
        for p, v in zip(arrays, self.views(flat)):
            np.copyto(p, v, casting="same_kind")


def supports_vectorised(net) -> bool:
    """Whether ``net`` declares that a population can be scored in one stacked pass."""
    return net.capabilities.vectorised_population


def population_outputs(net, pop: np.ndarray, x: np.ndarray) -> np.ndarray:
    """Outputs of every individual of ``pop`` (P, D) on x (B, n_in) -> (P, B, n_out)."""
    if not supports_vectorised(net):
        return _loop_outputs(net, pop, x)
    layout = ParamLayout.of(net.params)
    P, B = pop.shape[0], x.shape[0]
    widest = net.widest_output
    chunk = max(1, min(P, MAX_ELEMENTS // max(1, B * widest)))
    x = net.shaped_inputs(np.asarray(x, dtype=layout.dtype))
    out = np.empty((P, B, net.n_outputs), dtype=layout.dtype)
    for start in range(0, P, chunk):
        out[start:start + chunk] = _vectorised_outputs(net, layout, pop[start:start + chunk], x)
    return out


def _vectorised_outputs(net, layout: ParamLayout, pop: np.ndarray, x: np.ndarray) -> np.ndarray:
    """One chunk: pop (C, D), x (B, n_in) -> (C, B, n_out)."""
    views = net.params_by_layer(layout.views(pop))  # per layer {W (C, n_in, n_1), b (C, n_1)}, ...
    return net.stacked_forward(x, views)  # the network runs itself; x (B, n_in) broadcasts over C


def antithetic_outputs(net, theta: np.ndarray, step: np.ndarray, x: np.ndarray) -> np.ndarray:
    """Outputs of the antithetic population [theta + step_j ; theta - step_j], j = 1..n:
    theta (D,), step (n, D), x (B, n_in) -> (2n, B, n_out), the plus half first.

    The first layer is linear in its weights, so x (W + S_j) = x W + x S_j and
    x (W - S_j) = x W - x S_j: the pair shares the centre's product and one perturbation
    product, which halves the first layer's FLOPs (the bulk of a wide-input network's)."""
    first = net.layers[0]
    if not supports_vectorised(net):
        return _loop_outputs(net, np.concatenate([theta + step, theta - step]), x)
    # the shared product below is a dense layer's x (W + S) = x W + x S, written as one GEMM, and
    # the rest of the network a chain after it
    if first.kind != "dense" or not net.capabilities.supports("chain"):
        return population_outputs(net, np.concatenate([theta + step, theta - step]), x)
    layout = ParamLayout.of(net.params)
    n, B = step.shape[0], x.shape[0]
    x = np.asarray(x, dtype=layout.dtype)
    centre_views = net.params_by_layer(layout.views(theta))
    W, b = centre_views[0]["W"], centre_views[0]["b"]
    centre = x @ W + b  # (B, n_1)
    widest = net.widest_output
    chunk = max(1, min(n, MAX_ELEMENTS // max(1, 2 * B * widest)))
    out = np.empty((2 * n, B, net.n_outputs), dtype=layout.dtype)
    for start in range(0, n, chunk):
        S = step[start:start + chunk]  # (C, D)
        C = S.shape[0]
        views = net.params_by_layer(layout.views(S))
        dW, db = views[0]["W"], views[0]["b"]  # (C, n_in, n_1), (C, n_1)
        n1 = dW.shape[2]
        d = (x @ dW.transpose(1, 0, 2).reshape(-1, C * n1)).reshape(B, C, n1).transpose(1, 0, 2)
        d += db[:, None, :]  # (C, B, n_1)
        a = np.concatenate([centre + d, centre - d])  # (2C, B, n_1): plus half, minus half
        rest = [{name: np.concatenate([c[name] + s[name], c[name] - s[name]]) for name in c}
                for c, s in zip(centre_views[1:], views[1:])]
        h = _stacked_layers(net.layers[1:], a, rest)
        out[start:start + C] = h[:C]
        out[n + start:n + start + C] = h[C:]
    return out


def _stacked_layers(layers, h: np.ndarray, params: list[dict[str, np.ndarray]]) -> np.ndarray:
    """``layers`` for a stacked population: h (C, B, ...) or a shared (B, ...), params per layer
    {name: (C, *shape)} -> (C, B, n_out). No weights are copied."""
    for layer, p in zip(layers, params):
        h = layer.population_forward(h, p)
    return h


def antithetic_flops(net, n: int, batch: int) -> int:
    """Forward FLOPs of ``antithetic_outputs`` for n pairs: the first layer's product once for
    the centre and once per pair (plus the +- adds), the later layers per individual."""
    first = net.layers[0]
    if first.kind != "dense" or not net.capabilities.supports("chain"):  # every candidate's whole pass
        return int(2 * n * net.flops(batch))
    product = 2 * batch * first.n_in * first.n_out
    per_individual = net.flops(batch) - product
    return int((n + 1) * product + 2 * n * per_individual)


def _loop_outputs(net, pop: np.ndarray, x: np.ndarray) -> np.ndarray:
    """Fallback for any network: load each individual, ``net.predict``, restore the net."""
    params = leaves(net.params)
    layout = ParamLayout.of(params)
    saved = [p.copy() for p in params]
    try:
        outs = []
        for row in pop:
            layout.load(row, params)
            outs.append(net.predict(x))  # (B, n_out)
    finally:
        for p, s in zip(params, saved):
            np.copyto(p, s)
    return np.stack(outs)


def loop_outputs(net, pop: np.ndarray, x: np.ndarray) -> np.ndarray:
    """The Python loop over individuals (the fallback), exposed for tests and benchmarks."""
    return _loop_outputs(net, pop, x)


def _first_argmax(columns: np.ndarray) -> np.ndarray:
    """argmax over the first axis of (K, N), first maximum wins -> (N,); column by column, which
    for small K is faster than ``argmax(axis=1)`` on (N, K). Agrees with argmax wherever a row
    has no NaN or +inf (rows that do get an infinite loss, and their error is discarded)."""
    best = columns[0].copy()
    index = np.zeros(columns.shape[1], dtype=np.intp)
    for k in range(1, columns.shape[0]):
        better = columns[k] > best
        index[better] = k
        np.maximum(best, columns[k], out=best)
    return index


def population_fitness(
    outputs: np.ndarray, y: np.ndarray, loss: str = "cross_entropy"
) -> tuple[np.ndarray, np.ndarray]:
    """Per-individual mean loss and error rate: outputs (P, B, K), y (B,) or (B, K) -> two (P,).

    Losses follow ``learning_rules.losses`` (stable log-softmax for cross-entropy; half squared
    error for mse). The error rate is the fraction of argmax mistakes for integer labels
    (for regression targets it equals the loss). Non-finite outputs give non-finite losses, which
    the population rules treat as the worst fitness."""
    P, B, K = outputs.shape
    columns = np.ascontiguousarray(outputs.reshape(P * B, K).T)  # (K, P B)
    with np.errstate(over="ignore", invalid="ignore"):
        if loss == "cross_entropy":
            # log_softmax's arithmetic, with the row max taken column by column (numpy's
            # reduction over a short last axis is slow) and only the labels' entries kept
            row_max = np.maximum.reduce(columns, axis=0)
            shifted = outputs.reshape(P * B, K) - row_max[:, None]
            lse = np.log(np.exp(shifted).sum(axis=1)).reshape(P, B)
            picked = shifted.reshape(P, B, K)[:, np.arange(B), y]
            picked -= lse  # in place: keeps the gather's memory order, so the mean sums alike
            losses = -picked.mean(axis=1)
        elif loss == "mse":
            from .losses import one_hot

            t = one_hot(y, K, outputs.dtype) if y.ndim == 1 else y.reshape(B, K)
            diff = outputs - t
            losses = 0.5 * (diff * diff).sum(axis=2).mean(axis=1)
        else:
            raise ValueError(f"loss: {loss!r} not allowed; allowed: cross_entropy, mse")
    if y.ndim == 1 and np.issubdtype(y.dtype, np.integer):
        errors = (_first_argmax(columns).reshape(P, B) != y[None, :]).mean(axis=1)
        errors = np.where(np.isfinite(losses), errors, np.inf)
    else:
        errors = losses
    return losses.astype(np.float64), errors.astype(np.float64)
