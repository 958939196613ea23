"""Forward-mode sensitivities of a gated cell: real-time recurrent learning's P_t = dh_t/dtheta
(Williams & Zipser 1989, "A learning algorithm for continually running fully recurrent neural
networks").

For a gated cell (layers/cell.py) with parameters theta = (W, U, b, bu) flattened (p numbers):

    P_t = J_t P_{t-1} + I_t                                     P_t (B, n, p)
    J_t[b, j, i] = D_h,t[b, j] delta_ij + sum_g D_m,t[b, (g, j)] U[i, (g, j)]     (B, n, n)
    I_t: the immediate dh_t/dtheta: D_in x_t for W, D_m h_{t-1} for U, D_in for b, D_m for bu

so P_t is exact, forward in time, with nothing stored per step: memory O(B n p) = O(B n^3) and
J_t P_{t-1} costs 2 B n^2 p = O(B n^4) per step for p ~ n^2 recurrent weights. The readout
contracts it as the steps go by: Q = sum_t M_t^T P_t (per sample, with M_t = d score / d h_t), so
that at the end dL/dtheta = sum_b e_b Q_b.
"""

from __future__ import annotations

import numpy as np


class Sensitivities:
    """P = dh_t/dtheta for one gated cell and a batch of B sequences."""

    def __init__(self, cell, batch: int, dtype) -> None:
        self.cell, self.B = cell, batch
        self.names = list(cell.params)
        self.sizes = [cell.params[k].size for k in self.names]
        self.p = int(sum(self.sizes))
        self.P = np.zeros((batch, cell.n, self.p), dtype)
        self.Q: np.ndarray | None = None
        self.flops = 0

    def advance(self, x: np.ndarray, h_prev: np.ndarray, D_in, D_m, D_h) -> None:
        """One step from the local derivatives (B, G n), (B, G n) or None, (B, n) or None."""
        cell, B, n, G = self.cell, self.B, self.cell.n, self.cell.gates
        D_m = D_in if D_m is None else D_m
        if cell.recurrent:
            U = cell.params["U"].reshape(n, G, n)
            J = np.einsum("bgj,igj->bji", D_m.reshape(B, G, n), U)      # (B, n, n)
            if D_h is not None:
                J[:, np.arange(n), np.arange(n)] += D_h
            self.P = np.matmul(J, self.P)
            self.flops += 2 * B * n * n * self.p + 2 * B * G * n * n
        elif D_h is not None:
            self.P *= D_h[:, :, None]
            self.flops += self.P.size
        else:
            self.P[...] = 0
        self._immediate(x, h_prev, D_in.reshape(B, G, n), D_m.reshape(B, G, n))

    def _immediate(self, x, h_prev, Din, Dm) -> None:
        """Add I_t: only unit j's own gates depend directly on its parameters, so each entry is
        written where theta's flat index is (i, g, j) for unit j."""
        n, G = self.cell.n, self.cell.gates
        j = np.arange(n)
        drive = {"W": (x, Din), "U": (h_prev, Dm), "b": (None, Din), "bu": (None, Dm)}
        offset = 0
        for name, size in zip(self.names, self.sizes):
            pre, D = drive[name]
            gate = np.arange(G)[None, :] * n + j[:, None]                        # (n, G): g n + j
            if pre is None:  # b[(g, j)]
                self.P[:, j[:, None], offset + gate] += D.transpose(0, 2, 1)
            else:  # W[i, (g, j)] at i G n + g n + j
                rows = np.arange(pre.shape[1])[None, :, None] * (G * n)
                self.P[:, j[:, None, None], offset + rows + gate[:, None, :]] += np.einsum("bi,bgj->bjig", pre, D)
            offset += size
            self.flops += 2 * self.B * size // n

    def weigh(self, M) -> None:
        """Q += M_t^T P_t per sample: M a float share (then Q is (B, n, p)) or (n, K) (Q (B, K, p))."""
        part = M * self.P if np.isscalar(M) else np.einsum("jk,bjp->bkp", M, self.P)
        self.Q = part if self.Q is None else self.Q + part
        self.flops += 2 * part.size * (1 if np.isscalar(M) else M.shape[0])

    def gradients(self, L: np.ndarray) -> dict[str, np.ndarray]:
        """dL/dtheta by name from the end-of-sequence signal: L (B, n) after shares, or the
        output error (B, K) after maps."""
        flat = np.einsum("bj,bjp->p", L, self.Q)
        self.flops += 2 * self.Q.size
        out, offset = {}, 0
        for name, size in zip(self.names, self.sizes):
            out[name] = flat[offset:offset + size].reshape(self.cell.params[name].shape)
            offset += size
        return out
