"""Stored results are believed only when they can be verified: a damaged run is named (id and
file, one line each), left out of reports and recomputed, and every other run stays byte-identical."""

import json
import shutil
import warnings

import pytest

from experiments import load_results
from experiments.cli import main
from experiments.errors import UserError
from experiments.results import ResultsWarning
from experiments.verify import METRIC_COLUMNS, damage, read_meta
from tiny import TINY, snapshot

EXPERIMENT = TINY.replace("seeds = [0, 1]", "seeds = [0, 1, 2, 3, 4, 5]").replace(
    '[[rules]]\nname = "readout_only"\n', "")


def cut_mid_row(path):
    text = path.read_text()
    path.write_text(text[: text.rindex("\n", 0, len(text) - 1) + 7])  # the last line, cut after 6 characters


def garbage(path):
    path.write_bytes(bytes(range(256)) * 4)


def drop_last_epoch(path):
    lines = path.read_text().splitlines(keepends=True)
    last = max(int(line.split(",")[0]) for line in lines[1:])
    path.write_text("".join(line for line in lines if not line.startswith(f"{last},")))


def empty(path):
    path.write_text("")


DAMAGES = (cut_mid_row, garbage, drop_last_epoch, empty)


@pytest.fixture(scope="module")
def stored(tmp_path_factory):
    """A results folder of six complete runs (module-wide; tests work on copies)."""
    root = tmp_path_factory.mktemp("stored")
    (root / "exp.toml").write_text(EXPERIMENT)
    assert main(["run", str(root / "exp.toml"), "--out", str(root / "out"), "--quiet", "--no-report",
                 "--workers", "1"]) == 0
    return root


def rerun(root, out, capsys):
    code = main(["run", str(root / "exp.toml"), "--out", str(out), "--quiet", "--no-report", "--workers", "1"])
    return code, capsys.readouterr()


def test_run_json_records_what_metrics_csv_holds(stored):
    run_dir = next((stored / "out" / "tiny" / "runs").iterdir())
    meta = read_meta(run_dir)
    record = meta["files"]["metrics.csv"]
    lines = (run_dir / "metrics.csv").read_text().splitlines()
    assert lines[0] == ",".join(METRIC_COLUMNS) and record["rows"] == len(lines) - 1
    assert max(int(line.split(",")[0]) for line in lines[1:]) == meta["epochs_completed"] == 3
    assert len(record["sha256"]) == 64 and damage(run_dir, meta) is None


def test_each_damage_is_named_recomputed_and_the_other_runs_stay_byte_identical(stored, tmp_path, capsys):
    out = tmp_path / "out"
    shutil.copytree(stored / "out", out)
    runs = sorted((out / "tiny" / "runs").iterdir())
    damaged = dict(zip((r.name for r in runs), DAMAGES))
    for run_dir in runs:
        if run_dir.name in damaged:
            damaged[run_dir.name](run_dir / "metrics.csv")
    untouched = {r.name: snapshot(r) for r in runs if r.name not in damaged}
    assert len(untouched) == 2

    code, captured = rerun(stored, out, capsys)
    assert code == 0 and "Traceback" not in captured.err
    lines = [line for line in captured.err.splitlines() if line.startswith("damaged stored run")]
    assert len(lines) == len(damaged)
    for run_id in damaged:
        assert sum(f"damaged stored run {run_id}: runs/{run_id}/metrics.csv:" in line for line in lines) == 1
    assert f"({len(damaged)} computed, 2 already done)" in captured.out
    for run_id, files in untouched.items():
        assert snapshot(out / "tiny" / "runs" / run_id) == files
    for run_id in damaged:  # recomputed whole: as many rows as when first computed
        meta = read_meta(out / "tiny" / "runs" / run_id)
        first = read_meta(stored / "out" / "tiny" / "runs" / run_id)
        assert meta["files"]["metrics.csv"]["rows"] == first["files"]["metrics.csv"]["rows"]
        assert damage(out / "tiny" / "runs" / run_id, meta) is None
    assert rerun(stored, out, capsys)[1].out.count("6 already done") == 1


@pytest.mark.parametrize("harm", DAMAGES, ids=lambda f: f.__name__)
def test_runs_stored_before_digests_are_checked_by_parsing(stored, tmp_path, harm):
    out = tmp_path / "out"
    shutil.copytree(stored / "out", out)
    run_dir = next((out / "tiny" / "runs").iterdir())
    meta = read_meta(run_dir)
    del meta["files"]  # as the driver wrote run.json before it recorded digests
    (run_dir / "run.json").write_text(json.dumps(meta))
    assert damage(run_dir, meta) is None, "an old, whole run is still believed"
    harm(run_dir / "metrics.csv")
    assert damage(run_dir, meta).startswith("metrics.csv: ")


def test_report_leaves_out_damaged_and_unlisted_runs_with_one_warning_each(stored, tmp_path, capsys):
    out = tmp_path / "out"
    shutil.copytree(stored / "out", out)
    root = out / "tiny"
    runs = sorted((root / "runs").iterdir())
    garbage(runs[0] / "metrics.csv")
    (runs[1] / "run.json").unlink()
    assert main(["report", str(root)]) == 0
    err = capsys.readouterr().err
    assert "Traceback" not in err and len(err.splitlines()) == 2
    assert f"warning: run {runs[0].name}: runs/{runs[0].name}/metrics.csv: does not match" in err
    assert f"lists run '{runs[1].name}', which has no readable runs/{runs[1].name}/run.json" in err
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        res = load_results(root)
    assert len([w for w in caught if w.category is ResultsWarning]) == 2
    assert set(res.summary["run_id"]) == {r.name for r in runs[2:]} == set(res.metrics["run_id"])


def test_report_rebuilds_a_summary_row_cut_mid_row(stored, tmp_path, capsys):
    out = tmp_path / "out"
    shutil.copytree(stored / "out", out)
    root = out / "tiny"
    whole = load_results(root).summary
    text = (root / "summary.csv").read_text()
    (root / "summary.csv").write_text(text[: text.rindex(",complete,") + 10])  # the last row, cut after its status
    assert main(["report", str(root)]) == 0
    assert "is cut; rebuilt from runs/" in capsys.readouterr().err
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ResultsWarning)
        rebuilt = load_results(root).summary
    assert rebuilt.drop(columns="reason").equals(whole.drop(columns="reason"))


def test_a_summary_that_is_not_text_is_one_error(stored, tmp_path, capsys):
    out = tmp_path / "out"
    shutil.copytree(stored / "out", out)
    garbage(out / "tiny" / "summary.csv")
    assert main(["report", str(out / "tiny")]) == 2
    err = capsys.readouterr().err
    assert err.startswith("error: ") and err.count("\n") == 1 and "summary.csv" in err
    with pytest.raises(UserError, match="summary.csv is not a readable CSV"):
        load_results(out / "tiny")
