"""What a block represents: similarity, dimensionality and linear decodability of its outputs.

- ``linear_cka(X, Y)``: linear centred kernel alignment (Kornblith, Norouzi, Lee & Hinton 2019,
  "Similarity of neural network representations revisited"), for two representations X (n, p)
  and Y (n, q) of the same n samples, columns centred:

      CKA(X, Y) = ||Y^T X||_F^2 / (||X^T X||_F ||Y^T Y||_F)

  1 for representations equal up to an orthogonal transform and an isotropic scale, 0 when every
  feature of one is uncorrelated with every feature of the other. With few samples it is biased
  upwards: independent isotropic random representations of n samples with p and q features give
  about sqrt(pq / ((n + p)(n + q))) (0.5 for n = p = q), so it is compared between rules on one
  probe set, not read as an absolute number; ``debiased=True`` uses the unbiased HSIC estimator
  (Song et al. 2012), near 0 for independent representations at any sample size (it can be
  slightly negative).
- ``effective_rank(X)``: the participation ratio of the covariance spectrum,
  (sum_i lambda_i)^2 / sum_i lambda_i^2, between 1 (one direction holds all the variance) and
  min(n - 1, p) (variance spread evenly).
- ``linear_probe_accuracy(X, y, X_held, y_held)``: how linearly decodable the classes are:
  ridge regression on one-hot targets (one-vs-rest least squares) fitted on (X, y), features
  centred, scored (argmax) on the held-out samples. Closed form, so cheap and deterministic.

``representation_diagnostics(net, x, y)`` logs, per block k, ``effective_rank/k``,
``linear_probe_accuracy/k`` and the unit health of ``unit_health.py`` (``dead_fraction/k``,
``saturated_fraction/k``) on a probe batch, from one forward pass in evaluation mode.
"""

from __future__ import annotations

import numpy as np

from ..networks.blocks import BlockedNetwork
from .unit_health import block_pre_activation, unit_health

#: the linear probe's ridge penalty, relative to the mean eigenvalue of the fitted features'
#: (centred) second-moment matrix; chosen on MNIST-1D, where a readout fitted on 1024 samples
#: then comes within 2-5 points of one fitted on all 4000 (docs/representations.md)
RIDGE = 0.1


def _centred(X: np.ndarray) -> np.ndarray:
    X = np.asarray(X, dtype=np.float64).reshape(X.shape[0], -1)
    return X - X.mean(axis=0)


def _gram_norm_sq(Xc: np.ndarray) -> float:
    """||Xc^T Xc||_F^2 = ||Xc Xc^T||_F^2, through the smaller of the two products."""
    G = Xc.T @ Xc if Xc.shape[1] <= Xc.shape[0] else Xc @ Xc.T
    return float(np.sum(G * G))


def _debiased(cross: float, rows_x: np.ndarray, rows_y: np.ndarray, n: int) -> float:
    """The unbiased HSIC estimator of Song et al. (2012) for linear kernels, up to the factor
    1 / (n (n - 3)) that cancels in CKA: from ||Y^T X||_F^2 and the rows' squared norms (n,)."""
    return cross - n / (n - 2.0) * float(rows_x @ rows_y) + float(rows_x.sum() * rows_y.sum()) / ((n - 1.0) * (n - 2.0))


def linear_cka(X: np.ndarray, Y: np.ndarray, debiased: bool = False) -> float:
    """Linear CKA of X (n, p) and Y (n, q) (any trailing shape is flattened); nan when either
    has no variance. ``debiased``: from the unbiased HSIC estimator (needs n >= 4), which removes
    the small-sample bias towards 1 (Kornblith et al. 2019, section 3 and appendix)."""
    if X.shape[0] != Y.shape[0]:
        raise ValueError(f"linear_cka: X has {X.shape[0]} samples, Y {Y.shape[0]}")
    Xc, Yc = _centred(X), _centred(Y)
    n, p, q = Xc.shape[0], Xc.shape[1], Yc.shape[1]
    if debiased and n < 4:
        raise ValueError(f"linear_cka: the debiased estimator needs at least 4 samples, got {n}")
    if p * q <= n * n:
        cross = Yc.T @ Xc                                                   # (q, p)
        num = float(np.sum(cross * cross))
    else:  # fewer samples than features: the same number from the (n, n) Gram matrices
        num = float(np.sum((Xc @ Xc.T) * (Yc @ Yc.T)))
    xx, yy = _gram_norm_sq(Xc), _gram_norm_sq(Yc)
    if debiased:
        rx, ry = np.einsum("ij,ij->i", Xc, Xc), np.einsum("ij,ij->i", Yc, Yc)   # (n,) squared row norms
        num, xx, yy = _debiased(num, rx, ry, n), _debiased(xx, rx, rx, n), _debiased(yy, ry, ry, n)
    den = np.sqrt(xx * yy) if xx > 0 and yy > 0 else 0.0
    return float(num / den) if den > 0 else float("nan")


def effective_rank(X: np.ndarray) -> float:
    """Participation ratio of the covariance spectrum of X (n, p): tr(C)^2 / tr(C^2); 0 for a
    representation without variance."""
    return _rank_of(_centred(X))


def _rank_of(Xc: np.ndarray, gram: np.ndarray | None = None) -> float:
    """effective_rank of centred Xc, from its (p, p) second-moment matrix ``gram`` when given."""
    total = float(np.sum(Xc * Xc))
    if total <= 0:
        return 0.0
    return total * total / (float(np.sum(gram * gram)) if gram is not None else _gram_norm_sq(Xc))


def linear_probe_accuracy(X: np.ndarray, y: np.ndarray, X_held: np.ndarray | None = None,
                          y_held: np.ndarray | None = None, ridge: float = RIDGE) -> float:
    """Accuracy on (X_held (m, p), y_held (m,)) of a ridge one-vs-rest linear readout fitted on
    (X (n, p), y (n,)), integer labels; without a held-out set, fitted on the first n // 2
    samples of X and scored on the rest. Any trailing shape of X is flattened."""
    X = np.asarray(X, dtype=np.float64).reshape(X.shape[0], -1)
    y = np.asarray(y)
    if X_held is None:
        half = X.shape[0] // 2
        if half < 1:
            raise ValueError(f"linear_probe_accuracy: needs at least 2 samples, got {X.shape[0]}")
        X, X_held, y, y_held = X[:half], X[half:], y[:half], y[half:]
    X_held = np.asarray(X_held, dtype=np.float64).reshape(X_held.shape[0], -1)
    mean = X.mean(axis=0)
    return _probe(X - mean, y, X_held - mean, np.asarray(y_held), ridge)


def _probe(A: np.ndarray, y: np.ndarray, B: np.ndarray, y_held: np.ndarray, ridge: float,
           gram: np.ndarray | None = None) -> float:
    """linear_probe_accuracy on centred features A (n, p) and B (m, p) (B centred with A's
    mean); ``gram``: A^T A when already computed."""
    classes = np.unique(y)
    T = (y[:, None] == classes[None, :]).astype(np.float64)                 # (n, K) one-hot
    t_mean = T.mean(axis=0)
    # lambda = ridge x the mean eigenvalue of A^T A: the same fit for any isotropic scale of X
    lam = ridge * max(float(np.sum(A * A)) / A.shape[1], np.finfo(np.float64).tiny)
    n, p = A.shape
    if p <= n:
        G = (A.T @ A if gram is None else gram) + lam * np.eye(p)
        W = np.linalg.solve(G, A.T @ (T - t_mean))                          # (p, K)
    else:  # the dual form: an (n, n) system instead of (p, p)
        W = A.T @ np.linalg.solve(A @ A.T + lam * np.eye(n), T - t_mean)
    predicted = classes[np.argmax(B @ W + t_mean, axis=1)]
    return float(np.mean(predicted == y_held))


def block_outputs(net, x: np.ndarray) -> list[np.ndarray] | None:
    """Every block's output on x (B, D), flattened to (B, F_k), from one forward pass in
    evaluation mode; None for a network that is not a stack of blocks (a network in time, whose
    states are (B, T, ...) per step, or spiking) or whose trace keeps no layer outputs."""
    if not isinstance(net, BlockedNetwork):
        return None
    _, trace = net.forward(x, train=False)
    if trace.outputs is None:
        return None
    return [net.block_output(trace, k).reshape(x.shape[0], -1) for k in range(net.depth)]


def representation_diagnostics(net, x: np.ndarray, y: np.ndarray, x_held: np.ndarray | None = None,
                               y_held: np.ndarray | None = None) -> dict[str, float]:
    """Per block k, on the probe x (B, D), y (B,) or (B, K): ``effective_rank/k``,
    ``dead_fraction/k`` and ``saturated_fraction/k`` (blocks with a known activation; see
    unit_health.py), and for integer labels ``linear_probe_accuracy/k``, fitted on the probe and
    scored on (x_held, y_held) (without them, on the probe's second half). Changes no state.
    Empty for a network that is not a stack of blocks (in time, spiking)."""
    if not isinstance(net, BlockedNetwork):
        return {}
    _, trace = net.forward(x, train=False)
    if trace.outputs is None:
        return {}
    held = block_outputs(net, x_held) if x_held is not None and y.ndim == 1 else None
    out: dict[str, float] = {}
    for k in range(net.depth):
        h = np.asarray(net.block_output(trace, k), dtype=np.float64).reshape(x.shape[0], -1)
        mean = h.mean(axis=0)
        hc = h - mean
        gram = hc.T @ hc if hc.shape[1] <= hc.shape[0] else None  # shared by the rank and the probe
        out[f"effective_rank/{k}"] = _rank_of(hc, gram)
        if held is not None:
            out[f"linear_probe_accuracy/{k}"] = _probe(hc, y, np.asarray(held[k], dtype=np.float64) - mean,
                                                       np.asarray(y_held), RIDGE, gram)
        elif y.ndim == 1:
            out[f"linear_probe_accuracy/{k}"] = linear_probe_accuracy(h, y)
        pre = block_pre_activation(net, trace, k)
        if pre is not None:
            for name, value in unit_health(*pre).items():
                out[f"{name}_fraction/{k}"] = value
    return out
