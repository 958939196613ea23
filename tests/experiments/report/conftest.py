"""A small results folder for the report tests: real runs of a tiny experiment on blobs.

Besides backprop and the two controls it holds a probe rule that logs the per-layer and
population metrics other rules will log (update_angle, spikes_per_neuron, fitness), a rule whose
every run fails, and a rule whose every run diverges, so the report sees every case.
"""

from __future__ import annotations

import textwrap

import pytest

import experiments
from learning_rules.rules import register, unregister
from learning_rules.rules.backprop import Backprop

EXPERIMENT = """
[experiment]
name = "report_tiny"
seeds = [0, 1, 2]
epochs = 4
batch_size = 32

[data]
name = "blobs"

[model]
hidden = [8, 6]
activation = "tanh"

[optimizer]
name = "adam"
lr = 0.01

[diagnostics]
every = 0          # the probe rule logs fixed angles itself; the real diagnostics would add theirs

[[rules]]
name = "backprop"

[[rules]]
name = "readout_only"

[[rules]]
name = "backprop"
label = "linear"
model = { hidden = [] }

[[rules]]
name = "report_probe"

[[rules]]
name = "report_fails"

[[rules]]
name = "report_diverges"
"""


class ProbeRule(Backprop):
    """Backprop that also reports fixed per-layer and population metrics (known values)."""

    name = "report_probe"

    def step(self, net, x, y):
        info = super().step(net, x, y)
        info.update({"update_angle/0": 40.0, "update_angle/1": 20.0, "spikes_per_neuron/0": 3.0,
                     "best_fitness": info["loss"], "mean_fitness": 2.0 * info["loss"]})
        return info


class FailingRule(Backprop):
    name = "report_fails"

    def step(self, net, x, y):
        raise RuntimeError("report test: this rule always fails")


class DivergingRule(Backprop):
    """Diverges in its second epoch (after 30 steps: blobs has 800 training samples, 25 batches)."""

    name = "report_diverges"

    def init(self, net, rng):
        super().init(net, rng)
        self.steps = 0

    def step(self, net, x, y):
        info = super().step(net, x, y)
        self.steps += 1
        return {**info, "loss": float("nan")} if self.steps > 30 else info


RULES = {"report_probe": ProbeRule, "report_fails": FailingRule, "report_diverges": DivergingRule}


@pytest.fixture(autouse=True)
def _close_figures():
    yield
    import matplotlib.pyplot as plt

    plt.close("all")


@pytest.fixture(scope="session")
def report_rules():
    for name, cls in RULES.items():
        register(name, cls)
    yield RULES
    for name in RULES:
        unregister(name)


@pytest.fixture(scope="session")
def make_results(tmp_path_factory, report_rules):
    """Run an experiment text into a fresh folder; returns the results folder (report not written)."""

    def make(text: str = EXPERIMENT, extra: str = ""):
        folder = tmp_path_factory.mktemp("results")
        path = folder / "exp.toml"
        path.write_text(textwrap.dedent(text + extra))
        outcome = experiments.run_experiment(experiments.load_config(path), folder / "out", quiet=True)
        return outcome.results_dir

    return make


@pytest.fixture(scope="session")
def results_dir(make_results):
    """The tiny experiment's results folder, with its report written once."""
    from experiments.report import write_report

    root = make_results()
    write_report(root)
    return root
