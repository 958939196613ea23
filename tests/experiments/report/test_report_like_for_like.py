"""Like-for-like baselines: with two networks (a GRU and an Elman network), every gain is taken
against its own network's control and every p-value against its own network's reference; a
network without a control says so in place of the gain; the network column tells them apart."""

from __future__ import annotations

import pytest

from experiments.report import write_report

EXPERIMENT = """
[experiment]
name = "two_networks"
seeds = [0, 1]
epochs = 2
batch_size = 50

[data]
name = "delay"
n_samples = 300
n_cues = 4
delay = 3
distractors = 2

[model]
kind = "recurrent"
cell = "gru"
hidden = [8]
readout = "last"

[optimizer]
name = "adam"
lr = 0.01

[diagnostics]
every = 0

[[rules]]
name = "bptt"
label = "bptt_gru"

[[rules]]
name = "readout_only"
label = "readout_gru"

[[rules]]
name = "bptt"
label = "bptt_elman"
model = { cell = "elman" }

[[rules]]
name = "readout_only"
label = "readout_elman"
model = { cell = "elman" }

[[rules]]
name = "bptt"
label = "bptt_wide"
model = { hidden = [12] }
"""


@pytest.fixture(scope="module")
def report(make_results):
    root = make_results(EXPERIMENT)
    write_report(root)
    from experiments import load_results

    return (root / "report.md").read_text(), load_results(root).summary


def _rows(md: str) -> dict[str, list[str]]:
    table = md.split("## Summary", 1)[1].split("\n\n")
    lines = next(b for b in table if b.startswith("| rule")).splitlines()
    head = [c.strip() for c in lines[0].strip("|").split(" | ")]
    rows = {}
    for line in lines[2:]:
        cells = [c.strip() for c in line.strip("|").split(" | ")]
        rows[cells[0].split(" (")[0]] = dict(zip(head, cells))
    return rows


def _mean(summary, label):
    return summary.loc[summary["label"] == label, "test_accuracy"].mean()


def test_each_gain_is_against_its_own_networks_control(report):
    md, summary = report
    rows = _rows(md)
    for net in ("gru", "elman"):
        gain = 100 * (_mean(summary, f"bptt_{net}") - _mean(summary, f"readout_{net}"))
        assert rows[f"bptt_{net}"]["gain over readout_only (pts)"] == f"{gain:+.2f}"
    assert rows["bptt_wide"]["gain over readout_only (pts)"] == "no control of this network and budget"


def test_p_values_only_within_one_network_and_the_network_column_tells_them_apart(report):
    from experiments.report.statistics import welch_p
    from experiments.report.tables import pvalue

    md, summary = report
    rows = _rows(md)
    p = next(k for k in rows["bptt_gru"] if k.startswith("p vs"))
    assert p == "p vs bptt of the same network (Welch, Holm)"
    accs = lambda label: summary.loc[summary["label"] == label, "test_accuracy"].to_numpy()  # noqa: E731
    for net in ("gru", "elman"):  # one comparison per network: Holm leaves the p-value as it is
        assert rows[f"readout_{net}"][p] == pvalue(welch_p(accs(f"readout_{net}"), accs(f"bptt_{net}")))
        assert rows[f"bptt_{net}"][p] == "—"  # the reference of its own network
    assert "gru" in rows["bptt_gru"]["network"] and "elman" in rows["bptt_elman"]["network"]
    assert rows["bptt_gru"]["network"] != rows["bptt_wide"]["network"]
