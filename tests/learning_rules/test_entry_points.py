"""A rule in another installed package joins the registry through the entry-point group.

The test installs the worked example of docs/extending.md (examples/drtp_rule) the way pip would leave it:
its package and a .dist-info folder with entry_points.txt on sys.path.
"""

import shutil
import sys
from pathlib import Path

import pytest

from learning_rules import available_rules, get_rule
from learning_rules.testing import check_rule

EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "drtp_rule"


@pytest.fixture
def installed_plugin(tmp_path, monkeypatch):
    shutil.copytree(EXAMPLE / "drtp_rule", tmp_path / "drtp_rule")
    info = tmp_path / "drtp_rule-0.1.0.dist-info"
    info.mkdir()
    (info / "METADATA").write_text("Metadata-Version: 2.1\nName: drtp-rule\nVersion: 0.1.0\n")
    (info / "entry_points.txt").write_text(
        "[learning_rules.rules]\ndrtp = drtp_rule.drtp:DirectRandomTargetProjection\n")
    monkeypatch.syspath_prepend(str(tmp_path))
    yield
    for name in [m for m in sys.modules if m.startswith("drtp_rule")]:
        del sys.modules[name]


def test_entry_point_rule_is_found_and_conforms(installed_plugin):
    assert "drtp" in available_rules()
    cls = get_rule("drtp")
    assert cls.__name__ == "DirectRandomTargetProjection"
    check_rule(cls(scale=1.0))


def test_entry_point_rule_runs_in_an_experiment(installed_plugin, write_config_text):
    from experiments import load_config, run_experiment

    path = write_config_text('''
[experiment]
name = "plugin"
seeds = [0]
epochs = 5
batch_size = 16
[data]
name = "blobs"
[model]
hidden = [16]
[optimizer]
lr = 0.01
[[rules]]
name = "drtp"
scale = 0.5
''')
    outcome = run_experiment(load_config(path), path.parent / "out", quiet=True)
    assert outcome.summary[0]["status"] == "complete" and outcome.summary[0]["test_accuracy"] > 0.8


@pytest.fixture
def write_config_text(tmp_path):
    def write(text):
        path = tmp_path / "exp.toml"
        path.write_text(text)
        return path
    return write
