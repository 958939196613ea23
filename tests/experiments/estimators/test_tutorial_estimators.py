"""The estimators tutorial (examples/tutorial_estimators.py) runs top to bottom."""

import importlib.util
from pathlib import Path

from threadpoolctl import threadpool_limits

TUTORIAL = Path(__file__).resolve().parents[3] / "examples" / "tutorial_estimators.py"


def test_tutorial_runs_and_writes_its_figure(tmp_path, capsys):
    spec = importlib.util.spec_from_file_location("tutorial_estimators", TUTORIAL)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    with threadpool_limits(1):  # the comparison's MLPClassifier, like the rules, on one BLAS thread
        cv = module.main(["--epochs", "1", "--folds", "2", "--out", str(tmp_path)])
    assert set(cv) == {"backprop", "feedback_alignment", "direct_feedback_alignment", "MLPClassifier"}
    assert all(0.1 < acc <= 1 for acc in cv.values())
    assert (tmp_path / "learning_curves.png").stat().st_size > 10_000
    printed = capsys.readouterr().out
    assert "test accuracy: backprop" in printed and "no_weight_transport" in printed
