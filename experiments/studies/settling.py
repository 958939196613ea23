"""How much settling buys: the inner iterations of the rules that settle before they learn,
against final accuracy and cost (docs/settling.md).

Each settling rule iterates inside its step: predictive coding's inference steps
(``iterations``), equilibrium propagation's free phase (``free_iterations``), target
propagation's training rounds of its inverses (``feedback_iterations``). ``iterations_table``
reads a stored sweep over them; ``iterations_figure`` draws accuracy against the iterations and
against the FLOPs of the whole training, with ``readout_only`` as the reference band.
``angle_table`` gives each rule's update angle to backprop per block at the last diagnosed epoch.

    python -m experiments.studies.settling RESULTS_FOLDER [FIGURE.png]

prints the tables (Markdown) and, for a sweep over the iterations, writes the figure.
"""

from __future__ import annotations

import sys

import pandas as pd

from learning_rules.rules.registry import get_rule

from ..report.figures.common import control_bands, legend_outside, new_figure, percent_axis, resolve
from ..report.statistics import mean_ci
from .critical_paths import depth_and_steps, spec_inner_steps

#: the hyperparameter that counts each settling rule's inner iterations
ITERATION_KEYS = {"predictive_coding": "iterations", "equilibrium_propagation": "free_iterations",
                  "target_propagation": "feedback_iterations"}


def iterations_table(results) -> pd.DataFrame:
    """Per (label, iterations): the rule, the key, inner steps on its network, the FLOPs of the
    whole training (mean over runs), and the final test accuracy (mean, 95% CI half-width, runs) over complete runs."""
    done = results.summary[results.summary["status"] == "complete"].set_index("run_id")
    groups: dict[tuple[str, int], dict] = {}
    for run_id, meta in results.runs.items():
        spec = meta["spec"]
        key = ITERATION_KEYS.get(spec["rule"])
        if key is None or run_id not in done.index:
            continue
        n = int(getattr(get_rule(spec["rule"])(**spec.get("hyperparameters", {})), key))
        row = groups.setdefault((spec["label"], n), {
            "label": spec["label"], "rule": spec["rule"], "key": key, "iterations": n,
            "inner steps": spec_inner_steps(spec, depth_and_steps(meta)[0]), "acc": [], "flops": []})
        row["acc"].append(done.loc[run_id, "test_accuracy"])
        row["flops"].append(done.loc[run_id, "flops"])
    rows = []
    for row in groups.values():
        mean, half, n = mean_ci(row.pop("acc"))
        row["training FLOPs"] = float(pd.Series(row.pop("flops")).mean())
        rows.append({**row, "test accuracy": mean, "ci95": half, "runs": n})
    columns = ["label", "rule", "key", "iterations", "inner steps", "training FLOPs", "test accuracy", "ci95", "runs"]
    return pd.DataFrame(rows, columns=columns).sort_values(["label", "iterations"]).reset_index(drop=True)


def iterations_figure(results):
    """Two panels: final test accuracy against inner iterations, and against the FLOPs of the
    whole training; one line per settling label (95% CI bars), readout_only as the reference band
    and backprop, where it ran, as a dashed line."""
    table = iterations_table(results)
    if table.empty:
        return None
    controls, styles = resolve(results.summary, None, None)
    done = results.summary[results.summary["status"] == "complete"]
    backprop = done.loc[done["rule"] == "backprop", "test_accuracy"]
    fig, axes = new_figure(1, 2, width=10.5, height=4.0, sharey=True)
    for ax, column in zip(axes[0], ("iterations", "training FLOPs")):
        control_bands(ax, results.summary, controls, styles)
        if len(backprop):
            ax.axhline(backprop.mean(), color="black", ls="--", lw=1.0, label="backprop")
        for label, rows in table.groupby("label"):
            st = styles[label]
            ax.errorbar(rows[column], rows["test accuracy"], yerr=rows["ci95"].fillna(0.0), marker=st.marker,
                        markersize=4, capsize=3, label=label, **st.line())
        ax.set_xscale("symlog", linthresh=1.0) if column == "iterations" else ax.set_xscale("log")
        percent_axis(ax)
    axes[0, 0].set(xlabel="inner iterations per step",
                   ylabel="final test accuracy (mean, 95% CI)")
    axes[0, 1].set(xlabel="FLOPs of the whole training")
    fig.suptitle("How much settling buys")
    legend_outside(fig, axes)
    return fig


def angle_table(results) -> pd.DataFrame:
    """Per label, the update angle to backprop of every hidden block at the last epoch the
    diagnostics ran: mean over the label's runs (and sweep points), in degrees, one column per
    block."""
    m = results.metrics
    m = m[m["metric"] == "update_angle"]
    if m.empty:
        return pd.DataFrame()
    last = m[m["epoch"] == m.groupby("run_id")["epoch"].transform("max")]
    table = last.groupby(["label", "epoch", "layer"])["value"].mean().unstack("layer")
    table.columns = [f"block {int(c)}" for c in table.columns]
    return table.reset_index()


def markdown(table: pd.DataFrame, digits: int = 1) -> str:
    """A DataFrame as a Markdown table (numbers rounded to ``digits``)."""
    def cell(v):
        return f"{v:.{digits}f}" if isinstance(v, float) else str(v)
    lines = ["| " + " | ".join(map(str, table.columns)) + " |", "|" + "---|" * len(table.columns)]
    lines += ["| " + " | ".join(cell(v) for v in row) + " |" for row in table.itertuples(index=False)]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> None:
    from ..results import load_results

    args = sys.argv[1:] if argv is None else argv
    if len(args) not in (1, 2):
        raise SystemExit("usage: python -m experiments.studies.settling RESULTS_FOLDER [FIGURE.png]")
    results = load_results(args[0])
    table = iterations_table(results)
    angles = angle_table(results)
    if not angles.empty:
        print(markdown(angles), end="\n\n")
    if not table.empty:
        table["test accuracy"] *= 100
        table["ci95"] *= 100
        print(markdown(table.assign(**{"training FLOPs": table["training FLOPs"].map(lambda v: f"{v:.3g}")})))
    if len(args) == 2:
        fig = iterations_figure(results)
        if fig is None:
            raise SystemExit(f"{args[0]}: no sweep over a settling rule's iterations to draw")
        fig.savefig(args[1], dpi=120)
        print(f"figure: {args[1]}")


if __name__ == "__main__":
    from .entry import study_main

    sys.exit(study_main(main))
