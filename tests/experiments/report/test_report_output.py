"""report.html is self-contained with the summary first; the CLI's one-line errors; provenance."""

from __future__ import annotations

import json
import re

import pytest

from experiments.cli import main
from experiments.report import write_report
from learning_rules.rules import CONSTRAINTS, get_rule


def test_html_is_self_contained_with_summary_first(results_dir):
    page = (results_dir / "report.html").read_text()
    assert page.startswith("<!DOCTYPE html>") and page.rstrip().endswith("</html>")
    figures = sorted((results_dir / "figures").glob("*.png"))
    assert page.count('src="data:image/png;base64,') == len(figures) > 0
    assert not re.search(r'src="(?!data:)', page)  # nothing loaded from elsewhere
    first_table = page.index("<table>")
    assert page.index('<h2 id="summary">Summary</h2>') < first_table < page.index('<h2 id="plausibility-and-cost">')
    assert "report_fails" in page[first_table:page.index("</table>", first_table)].replace("<wbr>", "")


def test_plausibility_table_shows_each_rules_card(results_dir):
    md = (results_dir / "report.md").read_text()
    table = md.split("## Plausibility and cost")[1].split("## Figures")[0]
    header = next(line for line in table.splitlines() if line.startswith("| rule"))
    cols = [c.strip() for c in header.strip("|").split(" | ")]
    rows = {line.strip("|").split(" | ")[0].strip(): [c.strip() for c in line.strip("|").split(" | ")]
            for line in table.splitlines() if line.startswith("| ") and not line.startswith("| rule")}
    for label, rule in (("backprop", "backprop"), ("readout_only", "readout_only")):
        card = get_rule(rule).card
        for key in CONSTRAINTS:
            assert rows[label][cols.index(key.replace("_", " "))] == ("yes" if getattr(card, key) else "no")
    # the linear control's card describes the control: with no hidden layer, every constraint
    # about hidden layers holds vacuously, and its notes say what it is
    linear = rows["linear"]
    for key in ("no weight transport", "local errors", "no update locking", "no separate error phase"):
        assert linear[cols.index(key)] == "yes"
    assert linear[cols.index("spiking")] == "no" and linear[cols.index("single network")] == "yes"
    assert linear[cols.index("notes")] == "control: linear model, no hidden layer; the readout learns by the delta rule"
    assert "reference: exact gradient" not in linear[cols.index("notes")]


def test_provenance_from_run_json(results_dir):
    md = (results_dir / "report.md").read_text()
    prov = md.split("## Provenance")[1]
    metas = [json.loads(p.read_text()) for p in (results_dir / "runs").glob("*/run.json")]
    assert f"- first run started: {min(m['started'] for m in metas)}" in prov
    assert f"- last run finished: {max(m['finished'] for m in metas)}" in prov
    assert f"- python: {metas[0]['environment']['python']}" in prov
    assert f"| numpy | {metas[0]['environment']['packages']['numpy']} |" in prov
    assert "[config.toml](config.toml)" in prov and 'name = "report_tiny"' not in prov  # linked, not dumped


def test_contents_link_every_section_and_figure(results_dir):
    from experiments.report.contents import md_anchor

    md = (results_dir / "report.md").read_text()
    toc = md.split("Contents:", 1)[1].split("## Summary", 1)[0]
    links = [line.split("](#", 1)[1].rstrip(")") for line in toc.splitlines() if "](#" in line]
    headings = [line.lstrip("#").strip() for line in md.splitlines() if line.startswith(("## ", "### "))]
    assert links == [md_anchor(h) for h in headings]  # every heading, in page order, and nothing else
    assert "hyperparameters" in links and "learning-curves" in links
    page = (results_dir / "report.html").read_text()
    nav = page.split('<nav class="toc">', 1)[1].split("</nav>", 1)[0]
    for target in re.findall(r'href="#([^"]+)"', nav):
        assert f'id="{target}"' in page


def test_hyperparameter_table_per_rule_and_the_data_sizes(results_dir):
    from md_tables import md_rows

    rows = {r["rule"]: r for r in md_rows((results_dir / "report.md").read_text(), "Hyperparameters")}
    assert set(rows) == {"backprop", "readout_only", "linear", "report_probe", "report_fails", "report_diverges"}
    assert rows["linear"]["learning rule"] == "backprop" and rows["backprop"]["optimizer"] == "adam, lr 0.01"
    assert "loss = cross_entropy" in rows["backprop"]["defaults"]
    md = (results_dir / "report.md").read_text()
    meta = json.loads(next((results_dir / "runs").glob("backprop-*/run.json")).read_text())
    sizes = meta["data_sizes"]
    assert (f"Data: blobs, {sizes['train']} training and {sizes['test']} test samples, {sizes['classes']} classes; "
            f"chance (always answering the test split's largest class): {100 * sizes['chance']:.2f}%.") in md
    assert md.index("Data: blobs") < md.index("## Plausibility")


def test_statistics_csv_has_a_row_per_label(results_dir):
    import pandas as pd

    table = pd.read_csv(results_dir / "statistics.csv")
    assert sorted(table["label"]) == sorted(["backprop", "readout_only", "linear", "report_probe",
                                             "report_fails", "report_diverges"])
    assert {"acc_mean", "acc_ci", "p_holm", "hedges_g", "gain_over_readout", "failed", "diverged"} <= set(table.columns)


def test_report_of_a_folder_with_only_failed_runs(make_results):
    text = """
[experiment]
name = "report_all_failed"
seeds = [0]
epochs = 1
[data]
name = "blobs"
[model]
hidden = [4]
[[rules]]
name = "report_fails"
label = "fails_a"
[[rules]]
name = "report_fails"
label = "fails_b"
[[rules]]
name = "report_fails"
label = "fails_c"
"""
    root = make_results(text)  # three rules: enough for the update-locking figure, were there accuracies
    paths = write_report(root)
    md = paths[0].read_text()
    assert "0 ok, 1 failed" in md and "RuntimeError: report test: this rule always fails" in md
    assert "3 of 3 runs did not complete" in md
    assert not list((root / "figures").glob("*.png"))  # nothing to draw: every figure skipped, none empty
    skipped = md.split("Not drawn (no data for them in these results):")[1].split("## Failures")[0]
    lines = [line for line in skipped.splitlines() if line.strip()]
    assert len(lines) == 19 and all(line.startswith("- ") and line.count(": ") >= 1 for line in lines)
    assert "- Final test accuracy per rule: no run completed or diverged." in lines
    assert "- Update locking: fewer than three rules completed a run." in lines
    page = paths[1].read_text()
    assert page.count("<li>Update locking: fewer than three rules completed a run.</li>") == 1


@pytest.mark.parametrize("make", ["missing", "empty", "other", "no_runs"])
def test_cli_report_on_a_non_results_folder_is_one_line_and_exit_2(tmp_path, capsys, make):
    target = tmp_path / "x"
    if make != "missing":
        target.mkdir()
    if make == "other":
        (target / "notes.txt").write_text("hello")
    if make == "no_runs":
        (target / "runs").mkdir()
        (target / "summary.csv").write_text("run_id,rule,label,seed,status\n")
    assert main(["report", str(target)]) == 2
    err = capsys.readouterr().err
    assert err.startswith("error: ") and err.count("\n") == 1


def test_without_backprop_the_tests_and_target_are_undefined_not_invented(make_results):
    text = """
[experiment]
name = "report_no_reference"
seeds = [0, 1]
epochs = 2
[data]
name = "blobs"
[model]
hidden = [4]
[[rules]]
name = "readout_only"
[[rules]]
name = "backprop"
label = "linear"
model = { hidden = [] }
"""
    from experiments import load_results
    from experiments.report.build import _notes
    from experiments.report.statistics import find_controls, reference_label, rule_statistics
    from experiments.report.tables import summary_table

    res = load_results(make_results(text))  # statistics and tables only: no figures to draw here
    controls = find_controls(res.summary, res.runs)
    reference = reference_label(res.summary, controls)
    assert reference is None  # the linear model is a control, not a reference
    stats = rule_statistics(res.summary, res.metrics, controls=controls, reference=reference)
    table = summary_table(stats, reference).set_index("rule")
    row = table.loc["linear (linear model)"]
    assert row["p vs reference (Welch, Holm)"] == row["Hedges' g vs reference (95% CI)"] == "—"
    assert row["epochs to target"] == "—"
    assert any(n.startswith("Target accuracy: undefined") for n in _notes(stats, reference, None, {}))


def test_learning_rules_run_ends_with_the_report(tmp_path, capsys, report_rules):
    config = tmp_path / "exp.toml"
    config.write_text('[experiment]\nname = "report_cli"\nseeds = [0, 1]\nepochs = 1\n'
                      '[data]\nname = "blobs"\n[model]\nhidden = [4]\n[[rules]]\nname = "backprop"\n')
    assert main(["run", str(config), "--out", str(tmp_path / "out"), "--quiet"]) == 0
    assert (tmp_path / "out" / "report_cli" / "report.html").is_file()
    assert f"report: {tmp_path / 'out' / 'report_cli' / 'report.html'}" in capsys.readouterr().out.splitlines()[-1]
