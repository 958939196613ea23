"""Divergence and instability are states, not numbers: an exploding gradient, an exploding or
non-finite loss stop a run as diverged (with the reason), a training loss that climbs back far
above its minimum flags a complete run unstable; both are listed in the report, diverged runs are
left out of the means, and ordinary runs are never flagged."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from experiments import load_results
from experiments.report import write_report
from experiments.runs.train import instability
from learning_rules.divergence import Divergence, GradientGuard
from learning_rules.rules import register, unregister
from learning_rules.rules.backprop import Backprop

EXPERIMENT = """
[experiment]
name = "instability"
seeds = [0, 1]
epochs = 6
batch_size = 32

[data]
name = "blobs"

[model]
hidden = [8]
activation = "tanh"

[optimizer]
name = "adam"
lr = 0.01

[diagnostics]
every = 0

[[rules]]
name = "backprop"

[[rules]]
name = "readout_only"

[[rules]]
name = "exploding_gradient"

[[rules]]
name = "climbing_loss"
"""


class ExplodingGradient(Backprop):
    """Backprop whose gradients grow a thousandfold each step after the first epoch: finite, so
    only the gradient bound can catch it (Adam would turn them into ordinary-sized updates)."""

    name = "exploding_gradient"

    def init(self, net, rng):
        super().init(net, rng)
        self.steps = 0

    def apply_gradients(self, net, grads, before_apply=None):
        self.steps += 1
        factor = 1e3 ** max(0, self.steps - 25)
        scaled = [None if g is None else {k: v * factor for k, v in g.items()} for g in grads]
        return super().apply_gradients(net, scaled, before_apply)


class ClimbingLoss(Backprop):
    """Backprop for two epochs, then gradient ascent: its loss falls, then climbs back up."""

    name = "climbing_loss"

    def init(self, net, rng):
        super().init(net, rng)
        self.steps = 0

    def apply_gradients(self, net, grads, before_apply=None):
        self.steps += 1
        sign = 1.0 if self.steps <= 50 else -1.0
        flipped = [None if g is None else {k: sign * v for k, v in g.items()} for g in grads]
        return super().apply_gradients(net, flipped, before_apply)


@pytest.fixture(scope="module")
def folder(make_results):
    for cls in (ExplodingGradient, ClimbingLoss):
        register(cls.name, cls)
    try:
        root = make_results(EXPERIMENT)
        write_report(root)
    finally:
        for cls in (ExplodingGradient, ClimbingLoss):
            unregister(cls.name)
    return root


def test_an_exploding_gradient_is_stored_as_diverged_with_the_reason(folder):
    s = load_results(folder).summary.set_index("label")
    rows = s.loc[["exploding_gradient"]]
    assert (rows["status"] == "diverged").all()
    assert rows["reason"].str.contains("gradient exploded").all()
    assert (rows["epochs_completed"] < 6).all()


def test_a_loss_that_climbs_back_flags_the_run_unstable_and_ordinary_runs_are_not(folder):
    s = load_results(folder).summary
    climbing = s[s["label"] == "climbing_loss"]
    assert (climbing["status"] == "complete").all() and (climbing["flag"] == "unstable").all()
    assert climbing["flag_reason"].str.contains("rose from its minimum").all()
    others = s[s["label"].isin(["backprop", "readout_only"])]
    assert (others["flag"].fillna("") == "").all()


def test_the_report_lists_both_and_leaves_diverged_runs_out_of_the_means(folder):
    md = (folder / "report.md").read_text()
    failures = md.split("## Failures", 1)[1].split("## Provenance")[0]
    assert failures.count("gradient exploded") == 2 and failures.count("complete, unstable") == 2
    summary = md.split("## Summary", 1)[1].split("## ", 1)[0]
    row = next(line for line in summary.splitlines() if line.startswith("| exploding_gradient"))
    assert "2 diverged" in row and "| — |" in row  # no accuracy: nothing completed
    climbing = next(line for line in summary.splitlines() if line.startswith("| climbing_loss"))
    assert "(2 unstable)" in climbing
    stats = pd.read_csv(folder / "statistics.csv").set_index("label")
    assert math.isnan(stats.loc["exploding_gradient", "acc_mean"])


def test_the_gradient_guard_bounds_relative_to_the_first_gradient():
    guard = GradientGuard(bound=100.0)
    guard.check([np.zeros(3)])  # a zero first gradient sets no scale
    guard.check([np.full(4, 0.5), None])  # norm 1: the scale
    guard.check([np.full(4, 40.0)])  # 80 times: allowed
    with pytest.raises(Divergence, match="exploded"):
        guard.check([np.full(4, 60.0)])  # 120 times
    with pytest.raises(Divergence, match="non-finite"):
        GradientGuard().check([np.array([1e200, 1e200])])  # its squared norm overflows


def test_instability_threshold():
    curve = lambda values: [{"epoch": e, "metric": "train_loss", "value": v, "layer": None}  # noqa: E731
                            for e, v in enumerate(values)]
    assert instability(curve([2.3, 1.24, 1.5, 2.89]))[0] == "unstable"  # PEPITA's conv -> dense run
    assert instability(curve([2.3, 0.01, 0.002, 0.004]))[0] == ""  # converged noise: 2x, but tiny
    assert instability(curve([2.3, 1.0, 1.2]))[0] == ""  # 1.2x its minimum


def test_unstable_runs_are_listed_when_no_run_failed():
    from experiments.report.tables import failures_table

    # as read back from summary.csv when every run completed: `reason` is an all-NaN float column
    summary = pd.DataFrame({"run_id": ["a", "b"], "label": ["fa", "fa"], "seed": [0, 1],
                            "status": ["complete", "complete"], "epochs_completed": [20, 20],
                            "reason": [np.nan, np.nan], "flag": ["unstable", np.nan],
                            "flag_reason": ["train loss rose from its minimum", np.nan]})
    table = failures_table(summary)
    assert table["status"].tolist() == ["complete, unstable"]
    assert table["reason"].tolist() == ["train loss rose from its minimum"]
