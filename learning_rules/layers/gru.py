"""The gated recurrent unit (Cho et al. 2014, "Learning phrase representations using RNN
encoder-decoder for statistical machine translation"), in torch's formulation, so the MNIST-1D
paper's bidirectional GRU (Greydanus 2020) is the same model here:

    [A_r, A_z, A_n] = x_t W + b,     [M_r, M_z, M_n] = h_{t-1} U + bu       (B, 3n) each
    r = sigmoid(A_r + M_r),   z = sigmoid(A_z + M_z),   n_t = tanh(A_n + r * M_n)
    h_t = (1 - z) n_t + z h_{t-1}

(W, U, b, bu are torch's weight_ih^T, weight_hh^T, bias_ih, bias_hh.) Local derivatives
(layers/cell.py), with g_n = (1 - z)(1 - n_t^2):

    D_in = [g_n M_n r (1 - r),  (h_{t-1} - n_t) z (1 - z),  g_n]
    D_m  = [the same,           the same,                   g_n r]
    D_h  = z
"""

from __future__ import annotations

import numpy as np

from ..activations import get_activation
from .cell import GatedCell

_SIGMOID = get_activation("sigmoid").f


class GRUCell(GatedCell):
    """Reset gate r, update gate z, candidate n; h_t = (1 - z) n + z h_{t-1}."""

    kind = "gru"
    gates = 3
    recurrent_bias = True

    def new_record(self, T, B, dtype):
        n = self.n
        return {"rz": np.empty((T, B, 2 * n), dtype), "n": np.empty((T, B, n), dtype),
                "mn": np.empty((T, B, n), dtype)}

    def step(self, a, h, m, record, t):
        n = self.n
        rz = record["rz"][t]
        if m is None:
            rz[...] = _SIGMOID(a[:, : 2 * n])
            mn = record["mn"][t]
            mn[...] = 0
        else:
            rz[...] = _SIGMOID(a[:, : 2 * n] + m[:, : 2 * n])
            mn = record["mn"][t]
            mn[...] = m[:, 2 * n:]
        cand = record["n"][t]
        cand[...] = np.tanh(a[:, 2 * n:] + rz[:, :n] * mn)
        z = rz[:, n:]
        return cand + z * (h - cand)

    def derivatives(self, record, Hprev):
        n = self.n
        r, z = record["rz"][..., :n], record["rz"][..., n:]
        cand, mn = record["n"], record["mn"]
        gn = (1 - z) * (1 - cand * cand)
        dr = gn * mn * r * (1 - r)
        dz = (Hprev - cand) * z * (1 - z)
        D_in = np.concatenate([dr, dz, gn], axis=-1)
        D_m = np.concatenate([dr, dz, gn * r], axis=-1)
        return D_in, D_m, np.ascontiguousarray(z)

    def step_ops(self) -> int:
        return 25  # two sigmoids, tanh, the sums and products of the gates and the mix
