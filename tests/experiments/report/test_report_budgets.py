"""Budgets and networks in every table and the final-accuracy figure; controls' cards; provenance."""

from __future__ import annotations

import matplotlib.pyplot as plt
import pytest
from md_tables import md_rows

from experiments import load_results
from experiments.report import write_report
from experiments.report.budgets import budget_text, network_text
from experiments.report.build import draw_figures
from experiments.report.provenance import blas_entry, cpu_name, load_note, provenance
from experiments.report.tables import card_answers, wall_time

MIXED = """
[experiment]
name = "report_mixed_budgets"
seeds = [0, 1]
epochs = 2
batch_size = 32
[data]
name = "blobs"
[model]
hidden = [5]
[[rules]]
name = "backprop"
[[rules]]
name = "feedback_alignment"
epochs = 1
batch_size = 64
"""


def test_each_table_names_the_budget_and_network(results_dir):
    md = (results_dir / "report.md").read_text()
    for section in ("Summary", "Plausibility and cost"):
        rows = {r["rule"].split(" (")[0]: r for r in md_rows(md, section)}
        assert rows["backprop"]["budget"] == "4 epochs"
        assert rows["backprop"]["network"] == "rate 2-8-6-3"  # blobs: 2 features, 3 classes
        assert rows["linear"]["network"] == "rate 2-3"
    failures = md_rows(md, "Failures")
    assert {r["network"] for r in failures} == {"rate 2-8-6-3"}
    assert "rules compared here were given different budgets" not in md  # one budget for all


def test_final_accuracy_figure_names_each_rules_budget(results_dir):
    figures = draw_figures(load_results(results_dir))
    try:
        ticks = [t.get_text() for t in figures["final_accuracy"].axes[0].get_yticklabels()]
    finally:
        plt.close("all")
    assert "backprop (3 ok)\n4 epochs, rate 2-8-6-3" in ticks


def test_unequal_budgets_are_said_above_the_summary_with_a_pointer_to_the_flops_figure(make_results):
    root = make_results(MIXED)
    write_report(root)
    md = (root / "report.md").read_text()
    summary = md.split("## Summary", 1)[1].split("| rule", 1)[0]
    assert "given different budgets (1 or 2 epochs, 32 or 64 samples per batch; see the budget column)" in summary
    assert "[the accuracy-against-FLOPs figure](#accuracy-against-compute) compares" in summary
    assert "### Accuracy against compute" in md
    rows = {r["rule"]: r for r in md_rows(md, "Summary")}
    assert rows["feedback_alignment"]["budget"] == "1 epoch, batch 64" and rows["backprop"]["budget"] == "2 epochs"
    page = (root / "report.html").read_text()
    head = page.split('<h2 id="summary">Summary</h2>', 1)[1].split("<table>", 1)[0]
    assert '<a href="#accuracy_vs_compute">the accuracy-against-FLOPs figure</a>' in head
    assert '<figure id="accuracy_vs_compute">' in page


def test_one_number_format_stated_once_above_the_summary(results_dir):
    md = (results_dir / "report.md").read_text()
    line = "Accuracies: mean ± 95% CI half-width over 3 seeds, %"
    assert md.count(line) == 1 and md.index(line) < md.index("| rule")
    row = next(r for r in md_rows(md, "Summary") if r["rule"] == "backprop")
    mean, half = row["final test acc. (%)"].split(" ± ")
    assert 0 < float(mean) <= 100 and 0 <= float(half) < 100  # percent, with its half-width


@pytest.mark.parametrize("spec, usual, text", [
    ({"rule": "backprop", "epochs": 50, "batch_size": 32, "model": {"kind": "rate"}}, 32, "50 epochs"),
    ({"rule": "spiking_local", "epochs": 5, "batch_size": 32, "model": {"kind": "spiking", "steps": 10}}, 32,
     "5 epochs, T = 10 steps"),
    ({"rule": "genetic", "epochs": 3, "batch_size": 256, "model": {"kind": "rate"},
      "hyperparameters": {"population_size": 32}}, 32, "3 epochs, batch 256, population 32"),
    ({"rule": "backprop", "epochs": 9, "batch_size": 32, "model": {},
      "phases": [{"name": "a", "epochs": 3}, {"name": "b", "epochs": 4}]}, 32, "7 epochs in 2 phases"),
])
def test_budget_in_words(spec, usual, text):
    assert budget_text(spec, usual) == text


def test_network_in_words():
    spec = {"data": {"name": "mnist1d"}, "model": {"kind": "rate", "hidden": [256, 256]}}
    assert network_text({"spec": spec}) == "rate 40-256-256-10"
    assert network_text({"spec": {**spec, "data": {"name": "mystery"}}}) == "rate ?-256-256-10"
    cnn = [{"type": "conv1d", "channels": 25, "kernel": 5, "stride": 2, "padding": 1, "activation": "relu"},
           {"type": "conv1d", "channels": 25, "kernel": 3, "stride": 2}, "flatten", {"type": "dense", "units": 64}]
    layered = {"spec": {**spec, "model": {"kind": "rate", "layers": cnn}}}
    assert network_text(layered) == "rate 1x40-conv25k5s2-conv25k3s2-64-10"  # input shape, then the stack
    assert network_text({"spec": {"data": {"name": "digits"}, "model": {"kind": "rate", "layers": []}}}) == "rate 1x8x8-10"
    assert network_text({"spec": spec, "layer_sizes": [7, 256, 256, 3]}) == "rate 7-256-256-3"  # recorded wins
    delay = {"data": {"name": "delay", "delay": 9, "n_cues": 3}, "model": {"kind": "recurrent", "hidden": [32]}}
    assert network_text({"spec": delay}) == "recurrent 10x5-32-3"  # T x D steps in, one output per cue


def test_cards_of_controls_describe_the_control():
    answers, notes = card_answers("backprop", "linear")
    assert all(answers[k] for k in ("no_weight_transport", "local_errors", "no_update_locking",
                                    "no_separate_error_phase"))
    assert notes == "control: linear model, no hidden layer; the readout learns by the delta rule"
    answers, notes = card_answers("genetic", "linear")
    assert not answers["single_network"] and notes.endswith("the readout is evolved by genetic")
    answers, notes = card_answers("backprop")
    assert not answers["no_weight_transport"] and notes.startswith("reference")
    assert card_answers("not_installed_rule") == (None, "card unavailable: rule not installed")


def test_provenance_says_what_each_blas_entry_is_and_names_the_cpu(results_dir):
    entry = {"internal_api": "openblas", "version": "0.3.30", "num_threads": 2, "threading_layer": "pthreads",
             "architecture": "SkylakeX", "filepath": "/x/site-packages/scipy.libs/libscipy_openblas.so"}
    assert blas_entry(entry) == ("library openblas 0.3.30, kernel SkylakeX, threading pthreads, 2 threads, "
                                 "loaded by scipy")
    assert cpu_name({"environment": {"cpu_model": "AMD EPYC 7B13", "cpu_count": 2, "processor": ""}}) == (
        "AMD EPYC 7B13 (2 logical cores)")
    assert cpu_name({"environment": {"processor": "x86_64 Intel"}}) == "x86_64 Intel"  # older runs
    assert cpu_name({"environment": {"processor": ""}}) is None
    one, two = {"internal_api": "openblas", "version": "0.3.31"}, {"internal_api": "openblas", "version": "0.3.30"}
    runs = {"a": {"environment": {"blas": [one, two]}}, "b": {"environment": {"blas": [one, two]}},
            "c": {"environment": {"blas": [one]}}}
    facts = dict(provenance(results_dir, runs)["facts"])
    blas = next(v for k, v in facts.items() if k.startswith("BLAS"))
    assert blas == ("in 2 of 3 runs: [1] library openblas 0.3.31; [2] library openblas 0.3.30 | "
                    "in 1 of 3 runs: [1] library openblas 0.3.31")  # runs that loaded different sets, counted
    assert facts["CPU"].startswith("not recorded")
    md = (results_dir / "report.md").read_text()
    line = next(x for x in md.splitlines() if x.startswith("- BLAS libraries loaded"))
    assert "(each: library version, kernel architecture, threading, threads)" in line and "[1] library " in line


def test_wall_times_come_with_their_spread_or_the_machines_load():
    row = {"wall_time": 12.3, "wall_min": 8.1, "wall_max": 15.0, "complete": 3}
    assert wall_time(row) == "12.3 (8.1–15)"
    assert wall_time({**row, "complete": 1}) == "12.3"
    runs = {"a": {"environment": {"load_average": [1.5, 1.0, 0.5], "cpu_count": 2}},
            "b": {"environment": {"load_average": [3.0, 2.0, 1.0], "cpu_count": 2}}}
    assert "Load average (1 min) when the runs started: 1.50 to 3.00 (median 2.25) on 2 logical cores." in load_note(runs)
    assert "load was not recorded" in load_note({"a": {"environment": {}}})


def test_an_empty_layer_stack_is_the_linear_control():
    import pandas as pd

    from experiments.report.statistics import find_controls

    summary = pd.DataFrame({"label": ["backprop", "linear"], "rule": ["backprop", "backprop"]})
    runs = {"a": {"spec": {"label": "backprop", "model": {"layers": [{"type": "dense", "units": 8}]}}},
            "b": {"spec": {"label": "linear", "model": {"layers": []}}}}
    assert find_controls(summary, runs) == {"linear": "linear"}
