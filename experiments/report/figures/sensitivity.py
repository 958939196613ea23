"""The sensitivity study's figure: final accuracy over learning rate x initial weight scale."""

from __future__ import annotations

import math

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from matplotlib.patches import Rectangle
from matplotlib.ticker import PercentFormatter

from .common import RC, new_figure

LR, GAIN = "optimizer.lr", "model.init_gain"


def sensitivity(summary: pd.DataFrame, *, controls=None, styles=None):
    """One heat map per rule: mean final test accuracy for each (learning rate, init gain); failed
    or diverged cells are hatched. None unless both were swept."""
    if LR not in summary or GAIN not in summary or summary[LR].nunique() < 2 or summary[GAIN].nunique() < 2:
        return None
    lrs, gains = sorted(summary[LR].unique()), sorted(summary[GAIN].unique())
    labels = sorted(summary["label"].unique())
    ncols = min(5, len(labels))
    nrows = math.ceil(len(labels) / ncols)
    fig, axes = new_figure(nrows, ncols, width=2.3 * ncols + 1.2, height=2.2 * nrows + 0.8,
                           sharex=True, sharey=True)
    ok = summary[summary["status"] == "complete"]
    image = None
    for ax, label in zip(axes.flat, labels):
        grid = ok[ok["label"] == label].pivot_table(index=GAIN, columns=LR, values="test_accuracy")
        grid = grid.reindex(index=gains, columns=lrs)
        image = ax.imshow(grid.to_numpy(dtype=float), origin="lower", vmin=0, vmax=1, cmap="viridis",
                          aspect="auto")
        for (i, j), v in np.ndenumerate(grid.to_numpy(dtype=float)):
            if np.isnan(v):
                ax.add_patch(Rectangle(
                    (j - 0.5, i - 0.5), 1, 1, fill=False, hatch="xx", color="#bbbbbb", lw=0))
            else:
                ax.text(j, i, f"{100 * v:.0f}", ha="center", va="center", fontsize=7,
                        color="white" if v < 0.55 else "black")
        ax.set_title(label, fontsize=9)
        ax.set_xticks(range(len(lrs)), [f"{v:g}" for v in lrs], rotation=45)
        ax.set_yticks(range(len(gains)), [f"{v:g}" for v in gains])
        ax.grid(False)
    for ax in axes.flat[len(labels):]:
        ax.set_visible(False)
    for ax in axes[-1]:
        ax.set_xlabel("learning rate")
    for ax in axes[:, 0]:
        ax.set_ylabel("init gain")
    with plt.rc_context(RC):  # the cells and the colour bar both in percent
        fig.colorbar(image, ax=axes, shrink=0.8, label="final test accuracy (%)",
                     format=PercentFormatter(xmax=1.0, decimals=0, symbol=""))
    return fig
