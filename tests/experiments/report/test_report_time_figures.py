"""The figures of learning in time: accuracy against delay (one line per rule, chance, the
truncation window), the critical path in time, memory against T; and the report draws the first
two for a delay study."""

from __future__ import annotations

import matplotlib
import pandas as pd
import pytest

from experiments import load_results, run_experiment
from experiments.config.load import parse_config
from experiments.report import write_report
from experiments.report.figures.time import accuracy_against_delay, critical_path_in_time, memory_against_steps

DELAY_STUDY = {
    "experiment": {"name": "delay_tiny", "seeds": [0, 1], "epochs": 2, "batch_size": 32},
    "data": {"name": "delay", "n_samples": 120, "n_cues": 3, "distractors": 1},
    "model": {"kind": "recurrent", "cell": "elman", "hidden": [6], "readout": "last"},
    "optimizer": {"name": "adam", "lr": 0.01},
    "diagnostics": {"every": 0},
    "sweep": {"data.delay": [2, 3, 5]},
    "rules": [{"name": "bptt"}, {"name": "bptt", "label": "tbptt_1", "truncation": 1}, {"name": "eprop"},
              {"name": "readout_only"}],
}


@pytest.fixture(scope="module")
def delay_results(tmp_path_factory):
    root = tmp_path_factory.mktemp("time")
    run_experiment(parse_config(DELAY_STUDY), root, quiet=True)
    return load_results(root / "delay_tiny")


def test_accuracy_against_delay_draws_every_rule_chance_and_the_window(delay_results):
    fig = accuracy_against_delay(delay_results)
    ax = fig.axes[0]
    labels = {t.get_text() for t in fig.legends[0].get_texts()}
    assert {"bptt", "tbptt_1", "eprop", "readout_only", "chance (33.3%)"} <= labels
    (chance,) = [ln for ln in ax.get_lines() if ln.get_label().startswith("chance")]
    assert abs(chance.get_ydata()[0] - 1 / 3) < 1e-9                                      # chance
    assert any(list(ln.get_xdata()) == [1, 1] for ln in ax.get_lines())                   # the window
    matplotlib.pyplot.close(fig)


def test_accuracy_against_delay_needs_a_delay_sweep(results_dir):
    assert accuracy_against_delay(load_results(results_dir)) is None


def test_critical_path_in_time_orders_rules_by_their_wait(delay_results):
    fig = critical_path_in_time(delay_results)
    ax = fig.axes[0]
    order = [t.get_text() for t in ax.get_yticklabels()]
    assert order.index("eprop") < order.index("tbptt_1") < order.index("bptt")
    T = 6  # delay 5: the longest sequence
    widths = {order[int(round(p.get_y() + p.get_height() / 2))]: p.get_x() + p.get_width() for p in ax.patches}
    assert widths["bptt"] == 2 * (T + 2 - 1) and widths["tbptt_1"] == (T + 2 - 1) + (1 + 2 - 1)
    matplotlib.pyplot.close(fig)


def test_memory_against_steps_reads_the_benchmark_rows():
    rows = pd.DataFrame([{"rule": r, "T": T, "n": 8, "peak_bytes": (T if r == "bptt" else 1) * 1e5, "flops": 1e6 * T,
                          "study": "steps"} for r in ("bptt", "eprop") for T in (10, 100)]
                        + [{"rule": "rtrl", "T": 20, "n": n, "peak_bytes": n ** 3, "flops": 20 * n ** 4,
                            "study": "hidden"} for n in (4, 8)])
    fig = memory_against_steps(rows)
    assert len(fig.axes) == 2 and len(fig.axes[0].get_lines()) == 2
    assert memory_against_steps(pd.DataFrame()) is None
    matplotlib.pyplot.close(fig)


def test_the_report_of_a_delay_study_holds_both_figures(delay_results):
    write_report(delay_results.root)
    figures = delay_results.root / "figures"
    assert (figures / "accuracy_vs_delay.png").is_file() and (figures / "critical_path_in_time.png").is_file()
    assert "Accuracy against delay" in (delay_results.root / "report.md").read_text()


def test_a_study_in_time_is_compared_with_bptt(delay_results):
    from experiments.report.statistics import find_controls, reference_label

    summary = delay_results.summary
    assert reference_label(summary, find_controls(summary, delay_results.runs)) == "bptt"
    renamed = summary.assign(label=summary["label"].replace({"bptt": "exact"}))
    assert reference_label(renamed, find_controls(renamed, delay_results.runs)) == "exact"
