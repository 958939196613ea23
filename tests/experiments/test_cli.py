"""The command line: bad input gives one line and exit status 2, writes and overwrites nothing."""

import os
import re
import subprocess
import sys

import pytest

from experiments.cli import main


def cli(*args, cwd=None):
    return subprocess.run([sys.executable, "-m", "experiments", *args], capture_output=True, text=True,
                          cwd=cwd, env={**os.environ, "PYTHONWARNINGS": "ignore"})


@pytest.mark.parametrize("change, needle", [
    (("epochs = 3", "epochs = 3\nepohcs = 3"), "unknown key 'epohcs'"),
    (("epochs = 3", "epochs = 3.5"), "expected an integer"),
    (('name = "backprop"', 'name = "nope"'), "unknown rule 'nope'"),
    (('name = "blobs"', 'name = "nope"'), "unknown dataset 'nope'"),
])
def test_bad_config_exits_2_with_one_line_and_writes_nothing(tmp_path, write_config, TINY, change, needle):
    path = write_config(TINY.replace(*change, 1))
    result = cli("run", str(path), "--out", str(tmp_path / "out"))
    assert result.returncode == 2
    assert result.stderr.startswith("error: ") and needle in result.stderr
    assert result.stderr.count("\n") == 1 and "Traceback" not in result.stderr
    assert not (tmp_path / "out").exists()


def test_missing_config_file_and_unwritable_out(tmp_path, write_config):
    result = cli("run", str(tmp_path / "missing.toml"))
    assert result.returncode == 2 and "config file not found" in result.stderr
    blocker = tmp_path / "blocker"
    blocker.write_text("keep me")
    result = cli("run", str(write_config()), "--out", str(blocker / "x"))
    assert result.returncode == 2 and "not writable" in result.stderr
    assert blocker.read_text() == "keep me"


def test_bad_set_override(tmp_path, write_config):
    result = cli("run", str(write_config()), "--set", "optimizer.lr=-1", "--out", str(tmp_path))
    assert result.returncode == 2 and "optimizer.lr: -1.0 not allowed" in result.stderr


def test_run_prints_summary_and_dry_run_lists_done(tmp_path, write_config, capsys):
    path = str(write_config())
    assert main(["run", path, "--out", str(tmp_path), "--quiet", "--no-report"]) == 0
    out = capsys.readouterr().out
    assert "backprop" in out and "readout_only" in out and "±" in out
    assert main(["run", path, "--out", str(tmp_path), "--dry-run"]) == 0
    listing = capsys.readouterr().out
    assert listing.count("done ") == 4 and "todo" not in listing


def test_default_config_is_the_packaged_quickstart():
    from experiments.cli import default_config_path
    from experiments.config import load_config

    config = load_config(default_config_path())
    assert config.name == "quickstart" and {s.seed for s in config.specs} == {0, 1, 2}
    assert {"backprop", "readout_only", "linear"} <= {s.label for s in config.specs}
    from learning_rules.rules.registry import _BUILTIN, get_rule

    # the forward-only rules have their own experiment file, experiments/configs/perturbation.toml;
    # the rules in time need sequence data (experiments/configs/recurrence.toml and delay.toml);
    # the rules that settle before they learn have experiments/configs/settling.toml
    forward_only = {"weight_perturbation", "node_perturbation", "forward_gradient", "pepita"}
    in_time = {name for name in _BUILTIN if get_rule(name).network_kinds == ("recurrent",)}
    assert in_time == {"bptt", "rtrl", "eprop", "rflo", "temporal_feedback_alignment", "random_recurrence"}
    settling = {"predictive_coding", "equilibrium_propagation", "target_propagation"}
    assert set(_BUILTIN) - forward_only - in_time - settling <= {s.rule for s in config.specs}, \
        "the quickstart runs every built-in rule"
    assert settling <= {s.rule for s in load_config(default_config_path().parent / "settling.toml").specs}


def test_a_spiking_rule_without_a_kind_runs_on_a_spiking_network(tmp_path, write_config, TINY, capsys):
    text = TINY.replace("seeds = [0, 1]", "seeds = [0]").replace("epochs = 3", "epochs = 1") + \
        '\n[[rules]]\nname = "spiking_local"\n'
    path = str(write_config(text))
    assert main(["run", path, "--out", str(tmp_path), "--dry-run"]) == 0
    listing = capsys.readouterr().out
    assert "spiking_local [spiking network] seed=0" in listing and "backprop seed=0" in listing
    assert main(["run", path, "--out", str(tmp_path), "--quiet", "--no-report", "--workers", "1"]) == 0
    from experiments import load_results

    summary = load_results(tmp_path / "tiny").summary
    assert set(summary["status"]) == {"complete"} and "spiking_local" in set(summary["label"])


def test_a_dataset_that_cannot_be_loaded_is_one_error_before_any_run(tmp_path, write_config, TINY, monkeypatch,
                                                                       capsys):
    import urllib.error

    from experiments.datasets import download

    calls = []

    def offline(url, dest, timeout=0.0):
        calls.append(url)
        raise urllib.error.URLError("no network")

    monkeypatch.setattr(download, "fetch_url", offline)
    monkeypatch.setenv("LEARNING_RULES_DATA", str(tmp_path / "empty-cache"))
    path = str(write_config(TINY.replace('name = "blobs"', 'name = "mnist"\nn_train = 100\nn_test = 50')))
    assert main(["run", path, "--out", str(tmp_path / "out"), "--quiet", "--workers", "1"]) == 2
    err = capsys.readouterr().err
    assert err.startswith("error: dataset 'mnist' cannot be loaded, so no run started: data: mnist files missing")
    assert err.count("\n") == 1 and "Traceback" not in err
    assert len(calls) == len(download.MIRRORS["mnist"]), "one download attempt per mirror, not one per run"
    assert not (tmp_path / "out").exists()


def test_version_and_run_help_say_what_a_newcomer_needs(capsys):
    from learning_rules import __version__

    assert main(["--version"]) == 0
    assert capsys.readouterr().out.strip() == f"learning-rules {__version__}"
    assert main(["run", "--help"]) == 0
    text = capsys.readouterr().out
    for needle in ("examples:", "learning-rules run depth", "--smoke", "quickstart, recurrence, representations", "VALUE is TOML",
                   "repeatable", "results land in OUT/", "exit status: 0 done; 1 some runs failed", "130 interrupted"):
        assert needle in " ".join(text.split()), needle
    assert main(["--help"]) == 0
    assert "``" not in capsys.readouterr().out


def test_a_sweeps_summary_has_a_column_per_key_and_is_cut_when_long(tmp_path, write_config, TINY, capsys):
    from experiments.commands import summary_table

    text = TINY + '\n[sweep]\n"optimizer.lr" = [0.01, 0.03]\n"rules.backprop.epochs" = [1, 2]\n'
    assert main(["run", str(write_config(text)), "--out", str(tmp_path), "--quiet", "--no-report",
                 "--workers", "1"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[0] == "test accuracy (%): mean ± 95% CI half-width over 2 seeds"
    header = lines[1].split()
    assert header[:3] == ["optimizer.lr", "rules.backprop.epochs", "rule"]
    readout = [line.split() for line in lines[2:] if " readout_only " in f" {line} "]
    assert {row[1] for row in readout} == {"any"}  # the key does not apply to readout_only
    # the report's number format: two decimals, ± the 95% CI half-width
    # its budget, then the report's number format: two decimals, ± the 95% CI half-width
    assert all(row[3:5] == ["3", "ep"] and re.fullmatch(r"\d+\.\d\d", row[5]) and row[6] == "±"
               and re.fullmatch(r"\d+\.\d\d", row[7]) for row in readout), readout
    import pandas as pd

    rows = pd.read_csv(tmp_path / "tiny" / "summary.csv").to_dict("records")
    cut = summary_table(rows, max_rows=3, report="results/tiny/report.md").splitlines()
    assert len(cut) == 2 + 3 + 1 and cut[-1] == "... 3 more rows: every row is in results/tiny/report.md"


def test_the_version_is_one_in_pyproject_the_package_and_the_changelog():
    """A change of the rule interface bumps the version, and CHANGELOG.md says what changed."""
    import tomllib
    from pathlib import Path

    from learning_rules import __version__

    root = Path(__file__).resolve().parents[2]
    assert tomllib.loads((root / "pyproject.toml").read_text())["project"]["version"] == __version__
    changelog = (root / "CHANGELOG.md").read_text()
    newest = re.search(r"^## (\S+)", changelog, re.M).group(1)
    assert newest == __version__
    assert "layer_errors" in changelog and "block_error" in changelog and "feedback_weight" in changelog
