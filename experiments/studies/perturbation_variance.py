"""The variance of forward-only gradient estimates against the number of perturbed quantities.

On one MNIST-1D batch (B = 32) and networks 40-w-w-10 (tanh, float64) of growing width w, the
relative variance of ONE estimate (one perturbation or tangent),

    V = E ||g_hat - g||^2 / ||g||^2,      g = backprop's gradient on the same batch,

for weight perturbation and weight-tangent forward gradients (D perturbed weights), node
perturbation and activity-tangent forward gradients (N = 2w + 10 perturbed units per sample),
and for reference backprop's own minibatch noise (a batch of 32 against the whole training set).
Theory, drawn as lines: V = D + 1 for weight tangents (E[(g.v) v] = g, E||(g.v) v||^2 =
(D + 2)||g||^2); for activity tangents, from the per-sample gradients g_b (all units of sample b)
and g_ib (layer i's units) and the layer inputs x_ib,

    V = sum_i sum_b (||x_ib||^2 + 1) (n_i ||g_b||^2 + ||g_ib||^2) / ||g||^2,

which grows like the units, not the weights (Werfel, Xie & Seung 2005; Ren et al. 2022).
The perturbation rules are the finite-difference twins of the forward-mode ones (same variance
as sigma -> 0). Measures estimators; trains nothing.

    python -m experiments.studies.perturbation_variance --out /tmp/study_perturbation_variance.png
"""

from __future__ import annotations

import math
import sys
from pathlib import Path

import numpy as np
import pandas as pd

from learning_rules import Network
from learning_rules.credit.chain import backward_sweep
from learning_rules.params import aligned_leaves
from learning_rules.rules.backprop import Backprop
from learning_rules.rules.forward_gradient import ForwardGradient
from learning_rules.rules.node_perturbation import NodePerturbation
from learning_rules.rules.weight_perturbation import WeightPerturbation

WIDTHS = (8, 16, 32, 64, 128, 256)
ESTIMATORS = {
    "weight_perturbation": (lambda: WeightPerturbation(sigma=1e-5), "weights"),
    "forward_gradient (weights)": (lambda: ForwardGradient("weights"), "weights"),
    "node_perturbation": (lambda: NodePerturbation(sigma=1e-5), "units"),
    "forward_gradient (activities)": (lambda: ForwardGradient("activities"), "units"),
}


def _flat(net, grads) -> np.ndarray:
    return np.concatenate([g.ravel() for g in aligned_leaves(net.params, grads)])


def _gradient(net, x, y) -> np.ndarray:
    rule = Backprop()
    rule.init(net, np.random.default_rng(0))
    return _flat(net, rule.compute_gradients(net, x, y, train=False)[1])


def activity_theory(net, x, y) -> float:
    """V for one activity tangent on every weight layer's output (see the module docstring)."""
    rule = Backprop()
    rule.init(net, np.random.default_rng(0))
    loss, e, trace = rule.output_error(net, x, y, train=False)
    deltas = backward_sweep(net, trace, e, rule).deltas                 # dL/da_k (B, n_k), batch loss
    per_sample = sum((d.reshape(d.shape[0], -1) ** 2).sum(axis=1) for d in deltas)   # ||g_b||^2 (B,)
    total = 0.0
    for k, d in enumerate(deltas):
        inputs = trace.layers[net.weight_layers[k]]                      # x_k (B, n_in) of dense block k
        n_k = d[0].size
        total += float((((inputs ** 2).sum(axis=1) + 1.0) * (n_k * per_sample + (d ** 2).sum(axis=1))).sum())
    g = _gradient(net, x, y)
    return total / float(g @ g)


def measure(x_train: np.ndarray, y_train: np.ndarray, widths=WIDTHS, estimates: int = 300,
            batch: int = 32, seed: int = 0) -> pd.DataFrame:
    """One row per (width, estimator): D, N, the measured V and its theory, in float64."""
    rng = np.random.default_rng(seed)
    pick = rng.choice(x_train.shape[0], batch, replace=False)
    x, y = x_train[pick].astype(np.float64), y_train[pick]
    rows = []
    for w in widths:
        net = Network([x.shape[1], w, w, int(y_train.max()) + 1], np.random.default_rng(seed), dtype="float64")
        g = _gradient(net, x, y)
        D, N = g.size, 2 * w + net.n_outputs
        theory = {"weights": D + 1.0, "units": activity_theory(net, x, y)}
        for name, (make, kind) in ESTIMATORS.items():
            rule = make()
            rule.init(net, np.random.default_rng(seed + 1))
            errors = [_flat(net, rule.estimate(net, x, y).grads) - g for _ in range(estimates)]
            v = float(np.mean([err @ err for err in errors]) / (g @ g))
            rows.append({"width": w, "estimator": name, "perturbed": kind, "D": D, "N": N,
                         "relative_variance": v, "theory": theory[kind]})
        full = _gradient(net, x_train.astype(np.float64), y_train)
        batches = [rng.choice(x_train.shape[0], batch, replace=False) for _ in range(estimates)]
        noise = [_gradient(net, x_train[b].astype(np.float64), y_train[b]) - full for b in batches]
        rows.append({"width": w, "estimator": "backprop (minibatch noise)", "perturbed": "none", "D": D, "N": N,
                     "relative_variance": float(np.mean([n @ n for n in noise]) / (full @ full)),
                     "theory": math.nan})
    return pd.DataFrame(rows)


def plot(table: pd.DataFrame, path: str) -> None:
    """Relative variance against width (left) and against the number of perturbed quantities (right)."""
    from experiments.report.figures.common import new_figure
    from experiments.report.palette import TOL_MUTED

    fig, axes = new_figure(1, 2, width=10.0, height=4.0)
    colours = dict(zip(list(ESTIMATORS) + ["backprop (minibatch noise)"], TOL_MUTED))
    markers = {"weight_perturbation": "o", "forward_gradient (weights)": "x", "node_perturbation": "s",
               "forward_gradient (activities)": "+", "backprop (minibatch noise)": "D"}
    for name, part in table.groupby("estimator", sort=False):
        kind = part["perturbed"].iloc[0]
        for ax, x in ((axes[0, 0], part["width"]), (axes[0, 1], part["D"] if kind == "weights" else part["N"])):
            if kind == "none" and ax is axes[0, 1]:
                continue
            ax.plot(x, part["relative_variance"], marker=markers[name], color=colours[name], linestyle="none",
                    markersize=7, label=name)
    for kind, style, text in (("weights", "--", "theory: D + 1"), ("units", ":", "theory: activity tangents")):
        part = table[table["perturbed"] == kind].drop_duplicates("width")
        axes[0, 0].plot(part["width"], part["theory"], style, color="#555555", label=text)
        axes[0, 1].plot(part["D"] if kind == "weights" else part["N"], part["theory"], style, color="#555555")
    for ax, xlabel in ((axes[0, 0], "hidden width w (network 40-w-w-10)"),
                       (axes[0, 1], "perturbed quantities (D weights, or N units per sample)")):
        ax.set_xscale("log")
        ax.set_yscale("log")
        ax.set_xlabel(xlabel)
    axes[0, 0].set_ylabel("relative variance of one estimate")
    axes[0, 1].legend(*axes[0, 0].get_legend_handles_labels(), loc="upper left", fontsize=8)
    fig.suptitle("Forward-only gradient estimates on one MNIST-1D batch (B = 32): variance grows with "
                 "what is perturbed", fontsize=10)
    fig.savefig(path, dpi=110)


def main(argv: list[str] | None = None) -> pd.DataFrame:
    from ..cli import _Parser  # a mistake in the options is one error: line, as in the CLI

    ap = _Parser(prog="python -m experiments.studies.perturbation_variance", description=__doc__.split("\n\n")[0])
    ap.add_argument("--out", default="results/study_perturbation_variance.png",
                    help="the figure (default: results/, which git ignores)")
    ap.add_argument("--widths", type=int, nargs="+", default=list(WIDTHS))
    ap.add_argument("--estimates", type=int, default=300, help="single estimates per point")
    args = ap.parse_args(argv)
    from experiments.datasets.registry import load_dataset

    data = load_dataset("mnist1d", seed=0)
    table = measure(data.x_train, data.y_train, args.widths, args.estimates)
    Path(args.out).parent.mkdir(parents=True, exist_ok=True)
    plot(table, args.out)
    with pd.option_context("display.width", 160, "display.float_format", "{:.4g}".format):
        print(table.to_string(index=False))
    return table


if __name__ == "__main__":
    from .entry import study_main

    sys.exit(study_main(main))
