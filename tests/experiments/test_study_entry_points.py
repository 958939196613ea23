"""Every entry point, given bad input, prints one ``error:`` line and exits 2, never a traceback:
the study modules (a folder that is not a results folder, a missing argument, a bad option),
the report and the CLI's own commands."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


def run(*args, cwd):
    return subprocess.run([sys.executable, *args], capture_output=True, text=True, cwd=cwd,
                          env={**os.environ, "PYTHONPATH": str(ROOT), "PYTHONWARNINGS": "ignore"})


@pytest.mark.parametrize("argv, needle", [
    (["-m", "experiments.studies.convolution", "no_such_folder"], "no_such_folder is not a folder"),
    (["-m", "experiments.studies.representations", "no_such_folder"], "no_such_folder is not a folder"),
    (["-m", "experiments.studies.settling", "no_such_folder"], "no_such_folder is not a folder"),
    (["-m", "experiments.studies.settling"], "usage: python -m experiments.studies.settling RESULTS_FOLDER"),
    (["-m", "experiments.studies.perturbation_variance", "--widths", "x"], "argument --widths: invalid int value"),
    (["-m", "experiments.studies.convolution", "empty"], "is not a results directory"),
    (["-m", "experiments", "report", "empty"], "is not a results directory"),
    (["-m", "experiments", "rules", "nope"], "unknown rule 'nope'"),
    (["-m", "experiments", "run", "nope"], "config file not found: nope"),
    (["-m", "experiments", "run", "--workers", "x"], "argument --workers: invalid int value"),
])
def test_bad_input_to_an_entry_point_is_one_error_line_and_exit_2(tmp_path, argv, needle):
    (tmp_path / "empty").mkdir()
    result = run(*argv, cwd=tmp_path)
    assert result.returncode == 2, result.stderr
    assert result.stderr.startswith("error: ") and needle in result.stderr
    assert result.stderr.count("\n") == 1 and "Traceback" not in result.stderr
