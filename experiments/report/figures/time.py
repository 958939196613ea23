"""Figures of learning in time: accuracy against the delay a task asks to bridge, the critical
path of one training step in time, and (from the memory benchmark's rows) memory against T.

- ``accuracy_against_delay(res)``: final test accuracy (mean, 95% CI) against the delay task's
  ``data.delay``, one line per rule, chance as a dotted line and each truncated rule's window
  marked where it meets the axis: where BPTT holds and truncated or online rules fall.
- ``critical_path_in_time(res)``: per rule, one training step as a bar of sequential layer
  operations: the forward sweep through T steps and L layers (T + L - 1), then what the rule
  must still do before its first layer can change (BPTT: the whole sweep back; truncated BPTT:
  its window; online rules: one operation).
- ``memory_against_steps(rows)``: peak memory of one step against T per rule, and RTRL's FLOPs
  per step against the hidden size, from ``benchmarks/bench_recurrent_memory.py --csv``.
"""

from __future__ import annotations

import matplotlib
import numpy as np
import pandas as pd

from ...studies.critical_paths import depth_and_steps, spec_critical_path
from ..statistics import mean_ci
from .common import chance_line, legend_outside, new_figure, percent_axis, resolve

DELAY = "data.delay"


def accuracy_against_delay(res, *, controls=None, styles=None, chance: float | None = None):
    """See the module docstring; None unless the results sweep the delay task's delay."""
    summary = res.summary
    if DELAY not in summary or summary[DELAY].nunique(dropna=True) < 2:
        return None
    controls, styles = resolve(summary, controls, styles)
    ok = summary[summary["status"] == "complete"]
    fig, axes = new_figure(1, 1, width=7.5, height=4.2)
    ax = axes[0, 0]
    windows = _truncation_windows(res)
    for label in [*sorted(set(summary["label"]) - set(controls)), *sorted(controls)]:
        rows = ok[ok["label"] == label]
        if rows.empty:
            continue
        pts = [(d, *mean_ci(g["test_accuracy"])[:2]) for d, g in rows.groupby(DELAY)]
        d, mean, half = (np.array(v, dtype=float) for v in zip(*pts))
        st = styles[label]
        ax.errorbar(d, mean, yerr=np.nan_to_num(half), marker=st.marker, markersize=4, capsize=3, label=label,
                    lw=1.2 if label in controls else 1.6, **st.line())
        if label in windows:
            ax.axvline(windows[label], color=st.color, ls=":", lw=1.0)
    chance_line(ax, chance if chance is not None else _chance(res))
    ax.set_xscale("log", base=2)
    ax.set_xticks(sorted(ok[DELAY].dropna().unique()))  # the delays measured, not powers of two
    ax.xaxis.set_major_formatter(matplotlib.ticker.ScalarFormatter())
    ax.xaxis.set_minor_formatter(matplotlib.ticker.NullFormatter())
    ax.set(xlabel="delay (steps the cue must be held; dotted: a truncated rule's window)",
           ylabel="final test accuracy (mean, 95% CI)")
    percent_axis(ax)
    legend_outside(fig, axes)
    return fig


def _truncation_windows(res) -> dict[str, int]:
    return {m["spec"]["label"]: int(m["spec"]["hyperparameters"]["truncation"])
            for m in res.runs.values() if m["spec"]["hyperparameters"].get("truncation")}


def _chance(res) -> float | None:
    cues = {int(m["spec"]["data"].get("n_cues", 0)) for m in res.runs.values() if m["spec"]["data"]["name"] == "delay"}
    return 1.0 / cues.pop() if len(cues) == 1 and 0 not in cues else None


def critical_path_in_time(res, *, controls=None, styles=None):
    """See the module docstring; None unless some run's network runs in time (T > 1)."""
    rows = {}
    for meta in res.runs.values():
        spec = meta["spec"]
        try:
            L, T = depth_and_steps(meta)
            path = spec_critical_path(meta)
        except (KeyError, ValueError):  # a failed layer stack or an unknown rule: no structure to draw
            continue
        if spec["label"] not in rows or T > rows[spec["label"]][0]:  # each rule at its longest sequence
            rows[spec["label"]] = (T, T + L - 1, path.length, path.first_layer_latency)
    if not rows or max(r[0] for r in rows.values()) < 2:
        return None
    controls, styles = resolve(res.summary, controls, styles)
    order = sorted(rows, key=lambda k: (rows[k][3], k))
    fig, axes = new_figure(1, 1, width=7.5, height=0.45 * len(order) + 1.4)
    ax = axes[0, 0]
    for y, label in enumerate(order):
        T, forward, length, wait = rows[label]
        color = styles[label].color if label in styles else "0.5"
        ax.barh(y, forward, color=color, alpha=0.35)
        if wait > forward:  # what the rule still does after the forward sweep
            ax.barh(y, wait - forward, left=forward, color=color)
        else:  # its first layer may change before the forward sweep ends: a mark where it may
            ax.plot([wait, wait], [y - 0.4, y + 0.4], color=color, lw=2.5, solid_capstyle="butt")
        ax.text(max(wait, forward), y, f" {wait}", va="center", fontsize=8)
    ax.set_yticks(range(len(order)), order)
    Ts = sorted({r[0] for r in rows.values()})
    ax.set(xlabel=f"layer operations before the first layer can change (T = {', '.join(map(str, Ts))} steps)")
    ax.invert_yaxis()
    return fig


def memory_against_steps(rows: pd.DataFrame):
    """Peak memory of one step against T (log-log, per rule), and RTRL's FLOPs per time step
    against the hidden size n with n^3 and n^4 guides; None without rows."""
    if rows is None or rows.empty:
        return None
    steps, hidden = rows[rows["study"] == "steps"], rows[rows["study"] == "hidden"]
    fig, axes = new_figure(1, 2, width=10.0, height=4.0)
    ax = axes[0, 0]
    for rule, g in steps.groupby("rule", sort=False):
        g = g.sort_values("T")
        ax.plot(g["T"], g["peak_bytes"] / 2**20, marker="o", markersize=3, label=rule)
    ax.set(xscale="log", yscale="log", xlabel="sequence length T", ylabel="peak memory of one step (MiB)",
           title="Memory against T (the BPTT family's lines coincide)")
    ax.legend(fontsize=7, loc="center right")
    ax = axes[0, 1]
    if not hidden.empty:
        g = hidden.sort_values("n")
        n, per_step = g["n"].to_numpy(float), (g["flops"] / g["T"]).to_numpy(float)
        ax.plot(n, per_step, marker="o", label="RTRL, measured")
        for power, ls in ((3, ":"), (4, "--")):
            ax.plot(n, per_step[-1] * (n / n[-1]) ** power, color="0.5", ls=ls, lw=1.0, label=f"~ n^{power}")
        ax.set(xscale="log", yscale="log", xlabel="hidden units n", ylabel="FLOPs per time step",
               title="RTRL's cost per step")
        ax.set_xticks(n, [str(int(v)) for v in n])
        ax.xaxis.set_minor_formatter(matplotlib.ticker.NullFormatter())
        ax.legend(fontsize=8)
    return fig


def time_figures(res, curves: pd.DataFrame, summary: pd.DataFrame, kw: dict) -> list[tuple]:
    """The report's specs (name, title, make, caption, why it can be missing) for the figures above."""
    return [
        ("accuracy_vs_delay", "Accuracy against delay", lambda: accuracy_against_delay(res, **kw),
         "Final test accuracy against the delay task's delay, one line per rule (mean, 95% CI; dashed: "
         "chance; dotted: a truncated rule's window): where a rule stops carrying the cue.",
         "data.delay was not swept over two or more delays"),
        ("critical_path_in_time", "Critical path in time", lambda: critical_path_in_time(
            res, controls=kw.get("controls"), styles=kw.get("styles")),
         "Sequential layer operations of one training step before the first layer can change, from each "
         "rule's structure and the network's T and depth (light: the forward sweep through time; dark: what the "
         "rule still does after it, or a mark where a local rule's first layer may change before it ends), the "
         "count at the end of each bar.",
         "no network ran in time (T > 1)"),
    ]
