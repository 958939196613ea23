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

from scipy.special import expit

from .cell import GatedCell


class GRUCell(GatedCell):
    """Reset gate r, update gate z, candidate n; h_t = (1 - z) n + z h_{t-1}."""

    kind = "gru"
    gates = 3
    recurrent_bias = True

    def new_record(self, T, B, dtype):
        n = self.n
        return {"rz": np.empty((T, B, 2 * n), dtype), "n": np.empty((T, B, n), dtype),
                "mn": np.empty((T, B, n), dtype)}

    def input_drive(self, x):
        """x W + b, with bu's reset and update parts folded in (they add to A_r and A_z anyway)."""
        A = x @ self.params["W"]
        A += self.params["b"]
        if self.recurrent:
            A[:, : 2 * self.n] += self.params["bu"][: 2 * self.n]
        return A

    def recurrent_drive(self, h):
        """h_{t-1} U with bu's candidate part (the only part of bu inside the reset gate)."""
        if not self.recurrent:
            return None
        m = h @ self.params["U"]
        m[:, 2 * self.n:] += self.params["bu"][2 * self.n:]
        return m

    def step(self, a, h, m, record, t, out):
        n = self.n
        rz, mn, cand = record["rz"][t], record["mn"][t], record["n"][t]
        if m is None:
            rz[...] = a[:, : 2 * n]
            mn[...] = 0
        else:
            np.add(a[:, : 2 * n], m[:, : 2 * n], out=rz)
            mn[...] = m[:, 2 * n:]
        expit(rz, out=rz)
        np.multiply(rz[:, :n], mn, out=cand)
        cand += a[:, 2 * n:]
        np.tanh(cand, out=cand)
        np.subtract(h, cand, out=out)      # h_t = n + z (h_{t-1} - n)
        out *= rz[:, n:]
        out += cand
        return out

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
