"""Progress that tells the truth: a line per finished run (rule, seed, accuracy, time), plain
lines where the terminal's width is unknown or zero, an estimate from the runs' budgets, the
report step's own line, and the last line naming report.html."""

import io
import os
import pty
import subprocess
import sys
from pathlib import Path

import pytest

from experiments.estimate import Estimate, budgets
from experiments.progress import Progress, run_line, terminal_width

ROOT = Path(__file__).resolve().parents[2]


def _result(label, seed, accuracy, wall, run_id="r", status="complete", reason=""):
    records = [{"epoch": 0, "metric": "test_accuracy", "value": 0.1},
               {"epoch": 3, "metric": "test_accuracy", "value": accuracy}]
    return {"run_id": run_id, "spec": {"label": label, "seed": seed, "sweep_point": {}}, "status": status,
            "reason": reason, "wall_time": wall, "records": records}


def test_each_finished_run_is_a_line_with_rule_seed_accuracy_and_time():
    stream = io.StringIO()
    progress = Progress(total=2, done=0, quiet=False, stream=stream)
    progress.run_finished(_result("backprop", 0, 0.714, 3.94))
    progress.run_finished(_result("genetic", 1, 0.2, 1.0, status="diverged", reason="loss became nan\nmore"))
    lines = stream.getvalue().splitlines()
    assert lines[0] == "computing 2 runs"
    assert lines[1].startswith("[1/2] backprop seed 0: test accuracy 71.40% in 3.9 s (elapsed ")
    assert lines[2].startswith("[2/2] genetic seed 1: diverged in 1.0 s (loss became nan) (elapsed ")
    assert run_line({**_result("a", 0, 0.5, 1.0), "spec": {"label": "a", "seed": 0, "sweep_point": {"optimizer.lr": 0.01}}}) \
        == "a seed 0 optimizer.lr=0.01: test accuracy 50.00% in 1.0 s"


def test_the_time_left_counts_the_workers():
    """Without budgets, after the first of ten runs of 10 s on two workers: nine runs, two at a time."""
    progress = Progress(total=10, done=0, quiet=False, stream=io.StringIO(), workers=2)
    assert progress.seconds_left() is None
    progress.run_finished(_result("a", 0, 0.5, 10.0))
    assert progress.seconds_left() == 45.0
    assert "about 45 s left" in progress.stream.getvalue()


def test_the_estimate_follows_the_budgets_not_the_first_run():
    """A cheap first run (budget 1, 1 s) does not make a run of budget 10 cost 1 s; a label's own
    finished runs predict its other seeds."""
    est = Estimate({"a0": 1.0, "b0": 10.0, "b1": 10.0}, {"a0": "a", "b0": "b", "b1": "b"})
    assert est.seconds_left() is None
    est.finished("a0", 1.0)
    assert est.seconds_left() == pytest.approx(20.0)
    est.finished("b0", 5.0)  # b runs faster per unit than a: its own rate predicts b1
    assert est.seconds_left() == pytest.approx(5.0)
    est.finished("b1", 5.0)
    assert est.seconds_left() == 0.0
    two = Estimate({"a0": 1.0, "b0": 10.0, "b1": 10.0}, {"a0": "a", "b0": "b", "b1": "b"}, workers=2)
    two.finished("a0", 1.0)
    assert two.seconds_left() == pytest.approx(10.0)


def test_budgets_grow_with_epochs_and_network_size(write_config, TINY):
    from experiments.config import load_config

    text = TINY.replace('name = "readout_only"', 'name = "backprop"\nlabel = "long"\nepochs = 6\n'
                        '[[rules]]\nname = "backprop"\nlabel = "wide"\nmodel = { hidden = [256, 256] }')
    specs = {s.label: s for s in load_config(write_config(text)).specs if s.seed == 0}
    b = budgets(specs.values())
    assert b[specs["long"].run_id] == pytest.approx(2 * b[specs["backprop"].run_id])
    assert b[specs["wide"].run_id] > 2 * b[specs["backprop"].run_id]


def _run_on_pty(args, columns, cwd):
    """Run the CLI with stdout and stderr on a pty of ``columns`` columns (0: a fresh pty's
    unknown size); returns (exit status, everything it printed)."""
    import fcntl
    import struct
    import termios

    master, slave = pty.openpty()
    if columns:
        fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", 24, columns, 0, 0))
    with os.fdopen(os.dup(slave), "w") as probe:
        assert terminal_width(probe) == columns  # what the child will see
    proc = subprocess.Popen([sys.executable, "-m", "experiments", *args], stdout=slave, stderr=slave,
                            stdin=subprocess.DEVNULL, cwd=cwd,
                            env={**os.environ, "PYTHONPATH": str(ROOT), "PYTHONWARNINGS": "ignore"})
    os.close(slave)
    chunks = []
    while True:
        try:
            chunk = os.read(master, 65536)
        except OSError:  # the child closed its end
            break
        if not chunk:
            break
        chunks.append(chunk)
    os.close(master)
    return proc.wait(), b"".join(chunks).decode().replace("\r\n", "\n")


def test_a_zero_column_terminal_gets_plain_lines_and_the_last_names_report_html(tmp_path, write_config):
    code, text = _run_on_pty(["run", str(write_config()), "--out", str(tmp_path / "out"), "--workers", "1"], 0,
                             tmp_path)
    assert code == 0, text
    lines = text.strip().splitlines()
    assert "computing 4 runs" in lines
    done = [line for line in lines if line.startswith("[")]
    assert [line.split()[0] for line in done] == ["[1/4]", "[2/4]", "[3/4]", "[4/4]"]
    assert all(" seed " in line and "test accuracy " in line and "% in " in line for line in done)
    assert "\r" not in text and "runs:" not in text  # no bar drawn into zero columns
    assert "writing the report (statistics and figures)..." in lines
    assert lines[-1].startswith("report: ") and lines[-1].split()[1].endswith("report.html")


def test_a_terminal_of_known_width_gets_bars_and_the_same_run_lines(tmp_path, write_config):
    code, text = _run_on_pty(["run", str(write_config()), "--out", str(tmp_path / "out"), "--workers", "1",
                              "--no-report"], 100, tmp_path)
    assert code == 0, text
    assert "runs:" in text and "\r" in text
    assert sum(f"[{i}/4] " in text for i in range(1, 5)) == 4


def test_a_finished_run_rewrites_no_report_and_run_report_rebuilds_it(write_config, tmp_path, capsys):
    from experiments.cli import main

    args = ["run", str(write_config()), "--out", str(tmp_path / "out"), "--quiet"]
    assert main(args) == 0
    page = next((tmp_path / "out").glob("*/report.html"))
    written = page.stat().st_mtime_ns
    assert main(args) == 0
    assert page.stat().st_mtime_ns == written  # nothing changed: nothing rewritten
    assert main(args + ["--report"]) == 0
    assert page.stat().st_mtime_ns > written  # --report forces the rebuild


def test_the_report_line_counts_the_figures():
    from experiments.progress import ReportProgress

    step = ReportProgress(io.StringIO(), quiet=True)
    step.figure_done(3, 12, "learning_curves")
    assert step.figures == ", figures 3/12"


def test_report_and_no_report_do_not_combine(write_config, capsys):
    from experiments.cli import main

    assert main(["run", str(write_config()), "--report", "--no-report"]) == 2
    assert capsys.readouterr().err.startswith("error: --report (rebuild the report) and --no-report")
