"""report.html in a real headless browser at 1280 px: nothing clipped, nothing overlapping.

Runs scripts/check_report_layout.py; skipped where no Chromium is installed."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from synthetic_results import write_results

from experiments.report import write_report

SCRIPT = Path(__file__).resolve().parents[3] / "scripts" / "check_report_layout.py"
pytestmark = pytest.mark.skipif(
    not any(shutil.which(b) for b in ("chromium", "chromium-browser", "google-chrome", "chrome")),
    reason="no Chromium installed (apt-get install -y chromium)")


def check(page: Path, *extra: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, str(SCRIPT), str(page), *extra], capture_output=True, text=True,
                          timeout=300)


def test_the_tiny_experiments_report_has_no_layout_fault(results_dir, tmp_path):
    done = check(results_dir / "report.html", "--screenshots", str(tmp_path))
    assert done.returncode == 0 and done.stdout.rstrip().endswith("0 faults"), done.stdout + done.stderr
    assert sorted(p.name for p in tmp_path.glob("page-*.png"))[0] == "page-01.png"


def test_a_report_of_twenty_rules_over_a_sweep_has_no_layout_fault(tmp_path):
    root = write_results(tmp_path / "results", "grid")
    write_report(root)
    done = check(root / "report.html")
    assert done.returncode == 0 and done.stdout.rstrip().endswith("0 faults"), done.stdout + done.stderr


def test_a_table_wider_than_the_page_is_a_fault(tmp_path):
    page = tmp_path / "wide.html"
    cells = "".join(f'<td style="white-space:nowrap">{"wide " * 12}</td>' for _ in range(6))
    page.write_text(f"<!DOCTYPE html><html><body><h2>Summary</h2><table><tr>{cells}</tr></table></body></html>")
    done = check(page)
    assert done.returncode == 1 and "fault: " in done.stdout, done.stdout + done.stderr


def test_a_deep_networks_row_wraps_inside_the_page(tmp_path):
    import pandas as pd

    from experiments.report.html import CSS, html_table

    row = {"rule": "direct_feedback_alignment", "model.hidden": str([64] * 8), "budget": "20 epochs",
           "network": "rate 40-" + "-".join(["64"] * 8) + "-10", "final test acc. (%)": "55.43 ± 5.98",
           **{f"a number column {i}": "1.51e+10" for i in range(10)}}
    page = tmp_path / "deep.html"
    page.write_text(f"<!DOCTYPE html><html><head><style>{CSS}</style></head><body><h2>Summary</h2>"
                    f"{html_table(pd.DataFrame([row] * 3))}</body></html>")
    done = check(page)
    assert done.returncode == 0 and done.stdout.rstrip().endswith("0 faults"), done.stdout + done.stderr
