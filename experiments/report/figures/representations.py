"""What each rule learns inside: similarity to backprop's representations, unit health, the
first layer's weights as receptive fields, and the similarity between every pair of rules.

The data come from runs that stored representations (``[diagnostics] representation_samples``);
``experiments.studies.representations`` computes the CKA rows and matrices these draw.
"""

from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd

from .common import RC, new_figure
from .layers import layer_panels

SIMILARITY_METRICS = {"cka_to_backprop": "linear CKA to\nbackprop (same seed)",
                      "debiased_cka_to_backprop": "debiased linear CKA\nto backprop"}
HEALTH_METRICS = {"linear_probe_accuracy": "linear-probe\naccuracy", "effective_rank": "effective rank\n(participation ratio)",
                  "dead_fraction": "dead fraction", "saturated_fraction": "saturated fraction"}
HEALTH_BOUNDED = {"linear_probe_accuracy": "accuracy", "dead_fraction": "fraction", "saturated_fraction": "fraction"}
#: receptive fields drawn per rule: the same first units for every rule (one seed's runs share
#: their initial weights, so unit j starts as the same filter under every rule)
FIELD_UNITS = 12
FIELD_CMAP = "RdBu_r"


def cka_to_backprop(cka: pd.DataFrame, *, controls=None, styles=None):
    """Linear CKA between each rule's block output and backprop's (same seed, same initial weights,
    same batches), per block, over training (rows of ``studies.representations.cka_to_reference``)."""
    low = min(0.0, float(cka["value"].min())) if len(cka) else 0.0  # the debiased one can dip below 0
    return layer_panels(cka, SIMILARITY_METRICS, "linear CKA", controls=controls, styles=styles,
                        ylim=(low - 0.02, 1.02))


def unit_health(metrics: pd.DataFrame, *, controls=None, styles=None, chance: float | None = None):
    """Per block, over training: linear-probe accuracy (with ``chance`` as a dashed line),
    effective rank, dead and saturated fractions (on [0, 1])."""
    return layer_panels(metrics, HEALTH_METRICS, "", controls=controls, styles=styles, bounded=HEALTH_BOUNDED,
                        chance=chance)


def similarity_matrices(matrices: dict[tuple[str, int], pd.DataFrame]):
    """One heat map per (network, block): CKA between every pair of rules at the end of training
    (mean over seeds). None when there is none."""
    if not matrices:
        return None
    n = len(matrices)
    size = max(len(m) for m in matrices.values())
    cell = 0.42 if size > 6 else 0.6
    side = max(2.6, cell * size + 1.6)
    ncols = min(n, 3)
    nrows = -(-n // ncols)
    fig, axes = new_figure(nrows, ncols, width=side * ncols + 1.0, height=side * nrows + 0.6)
    image = None
    for ax, ((net, layer), m) in zip(axes.flat, sorted(matrices.items())):
        values = m.to_numpy(dtype=float)
        image = ax.imshow(values, vmin=0, vmax=1, cmap="viridis")
        if size <= 10:
            for (i, j), v in np.ndenumerate(values):
                if np.isfinite(v):
                    ax.text(j, i, f"{v:.2f}", ha="center", va="center", fontsize=6.5,
                            color="white" if v < 0.6 else "black")
        ax.set_xticks(range(len(m)), m.columns, rotation=60, ha="right", fontsize=7)
        ax.set_yticks(range(len(m)), m.index, fontsize=7)
        ax.set_title(f"layer {int(layer) + 1}" + (f"\n{net}" if len({k[0] for k in matrices}) > 1 else ""), fontsize=9)
        ax.grid(False)
    for ax in axes.flat[n:]:
        ax.set_visible(False)
    with plt.rc_context(RC):
        fig.colorbar(image, ax=axes, shrink=0.8, label="linear CKA")
    return fig


def _filters(W: np.ndarray, input_shape: tuple[int, ...], units: int) -> np.ndarray:
    """The first ``units`` filters of a first weight layer as (units, *filter shape): a dense W
    (n_in, n_out) column reshaped to the input's shape, a convolution kernel (C_out, C_in, *k) as
    it is; the first input channel of each (the only one for the bundled datasets)."""
    if W.ndim == 2 and int(np.prod(input_shape)) == W.shape[0]:
        f = W.T.reshape(W.shape[1], *input_shape)
    else:  # a convolution's kernels
        f = W
    f = f[:units]
    if f.ndim >= 3 and f.shape[1] >= 1 and len(input_shape) > 1:  # (units, C, ...) -> channel 0
        f = f[:, 0]
    return f


def _mosaic(filters: np.ndarray) -> np.ndarray:
    """(units, H, W) images side by side in one (H, units x (W + 1) - 1) array, NaN between them."""
    units, h, w = filters.shape
    out = np.full((h, units * (w + 1) - 1), np.nan)
    for j in range(units):
        out[:, j * (w + 1):j * (w + 1) + w] = filters[j]
    return out


def _strip(filters: np.ndarray) -> tuple[np.ndarray, np.ndarray, int]:
    """(units, L) 1-D filters one after another: x and y with NaN in the gaps between them (one
    line), and the stride from one filter's start to the next."""
    units, length = filters.shape
    stride = length + max(2, length // 4)
    x = np.arange(units * stride, dtype=float).reshape(units, stride)
    y = np.full(x.shape, np.nan)
    y[:, :length] = filters
    return x.ravel(), y.ravel(), stride


def receptive_fields(weights: dict[str, np.ndarray], input_shape, *, units: int = FIELD_UNITS,
                     title: str | None = None):
    """One row per rule: the first ``units`` filters of its first layer side by side (images for
    2-D inputs or kernels, lines for 1-D signals), the same units and one colour (or y) scale for
    every rule. ``weights``: label -> the first weight layer's W; ``title`` (which runs) goes
    above the first row, after the units shown. None when there is none."""
    if not weights:
        return None
    shape = tuple(int(s) for s in input_shape)
    filters = {label: _filters(np.asarray(W, dtype=float), shape, units) for label, W in sorted(weights.items())}
    n = min(f.shape[0] for f in filters.values())
    filters = {label: f[:n].reshape(n, -1) if f.ndim != 3 else f[:n] for label, f in filters.items()}
    scale = max(float(np.max(np.abs(f))) for f in filters.values()) or 1.0
    images = next(iter(filters.values())).ndim == 3
    fig, axes = new_figure(len(filters), 1, width=7.5, height=0.75 * len(filters) + 1.0, sharex=True)
    image = None
    for ax, (label, f) in zip(axes[:, 0], filters.items()):
        if images:
            image = ax.imshow(_mosaic(f), cmap=FIELD_CMAP, vmin=-scale, vmax=scale, interpolation="nearest",
                              aspect="equal")
        else:
            x, y, stride = _strip(f)
            for j in range(n):  # each filter's zero line, so the gaps show where one ends
                ax.plot([j * stride, j * stride + f.shape[1] - 1], [0, 0], color="#bbbbbb", lw=0.5)
            ax.plot(x, y, color="#332288", lw=0.8)
            ax.set_ylim(-scale, scale)
        ax.spines[:].set_visible(False)
        ax.set_xticks([])
        ax.set_yticks([])
        ax.grid(False)
        ax.set_ylabel(label, rotation=0, ha="right", va="center", fontsize=8)
    axes[0, 0].set_title(f"units 1-{n} of the first layer, left to right" + (f" ({title})" if title else ""),
                         fontsize=8)
    if image is not None:
        with plt.rc_context(RC):
            fig.colorbar(image, ax=axes, shrink=0.6, label="weight")
    return fig
