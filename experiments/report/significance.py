"""Significance and effect size of one comparison of final accuracies: Welch's t-test, Holm's
step-down correction, Hedges' g and its confidence interval (experiments/report/statistics.py
applies them per comparison group)."""

from __future__ import annotations

import math
import warnings

import numpy as np
from scipy import stats

CONFIDENCE = 0.95


def hedges_g(a, b) -> float:
    """Hedges' g of sample ``a`` against sample ``b`` (positive when a's mean is larger)."""
    a, b = np.asarray(a, float), np.asarray(b, float)
    n1, n2 = a.size, b.size
    if n1 < 2 or n2 < 2:
        return math.nan
    pooled = math.sqrt(((n1 - 1) * a.var(ddof=1) + (n2 - 1) * b.var(ddof=1)) / (n1 + n2 - 2))
    if pooled == 0:
        return math.nan
    return float((a.mean() - b.mean()) / pooled * (1 - 3 / (4 * (n1 + n2) - 9)))


def welch_p(a, b) -> float:
    """Two-sided p-value of Welch's t-test; NaN with fewer than two values on a side."""
    a, b = np.asarray(a, float), np.asarray(b, float)
    if a.size < 2 or b.size < 2 or (a.var() == 0 and b.var() == 0):
        return math.nan  # undefined: no spread to test against
    with warnings.catch_warnings():  # scipy warns on near-identical samples; the p-value stands
        warnings.simplefilter("ignore", RuntimeWarning)
        return float(stats.ttest_ind(a, b, equal_var=False).pvalue)


def holm(pvalues) -> np.ndarray:
    """Holm's step-down adjusted p-values; NaN entries stay NaN and are not counted in the family."""
    p = np.asarray(pvalues, dtype=float)
    out = np.full(p.shape, np.nan)
    idx = np.flatnonzero(np.isfinite(p))
    m = idx.size
    order = idx[np.argsort(p[idx], kind="stable")]
    running = 0.0
    for k, i in enumerate(order):
        running = max(running, (m - k) * p[i])  # monotone: never below an earlier adjusted value
        out[i] = min(1.0, running)
    return out


#: fewer seeds than this on either side of a comparison: its effect size comes with a caution
FEW_SEEDS = 5


def hedges_g_interval(g: float, n1: int, n2: int) -> tuple[float, float]:
    """The 95% confidence interval of Hedges' g by its large-sample standard error
    ``sqrt((n1 + n2) / (n1 n2) + g^2 / (2 (n1 + n2)))`` (Hedges & Olkin 1985); NaN where g is.
    With 3 seeds a side it is g ± 1.96 sqrt(2/3 + g^2/12): ± 1.6 at g = 0, ± 9.8 at g = -17."""
    if not math.isfinite(g) or n1 < 2 or n2 < 2:
        return math.nan, math.nan
    se = math.sqrt((n1 + n2) / (n1 * n2) + g * g / (2 * (n1 + n2)))
    z = stats.norm.ppf(0.5 + CONFIDENCE / 2)
    return float(g - z * se), float(g + z * se)
