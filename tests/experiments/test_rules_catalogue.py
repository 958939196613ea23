"""`learning-rules rules` groups the rules by family in 100 columns; `learning-rules rules NAME`
says what a rule is and what it takes; a broken plugin is one error line, not a traceback."""

import importlib.metadata
import subprocess
import sys

import pytest

from experiments.cli import main
from learning_rules.rules import available_rules, registry


def test_the_listing_groups_every_rule_by_family_within_100_columns(capsys):
    assert main(["rules"]) == 0
    text = capsys.readouterr().out
    assert max(len(line) for line in text.splitlines()) <= 100
    families = [line[:-1] for line in text.splitlines() if line and not line.startswith(" ") and line.endswith(":")]
    assert {"backward pathway", "local errors", "population", "spiking", "in time", "controls"} <= set(families)
    rows = {line.split()[0]: line for line in text.splitlines() if line.startswith("  ") and line.split()}
    assert set(available_rules()) <= set(rows)
    assert rows["feedback_alignment"].split()[1:3] == ["yes", "-"]  # no weight transport; errors not local
    assert "Lillicrap et al. 2016" in rows["feedback_alignment"]
    backward = text.index("backward pathway:"), text.index("local errors:")
    assert backward[0] < text.index("  backprop ") < backward[1]


def test_rules_backprop_names_its_paper_equation_card_and_kinds(capsys):
    assert main(["rules", "backprop"]) == 0
    text = capsys.readouterr().out
    assert text.startswith("backprop  (backward pathway)")
    assert "Rumelhart, Hinton & Williams 1986" in text
    assert "delta_k = (delta_{k+1} W_{k+1}^T) * f'(a_k)" in text
    assert " -   no_weight_transport: " in text and "yes  single_network: " in text
    assert "hyperparameters" in text and "(none)" in text
    assert "network kinds: rate" in text


def test_rules_eprop_lists_its_hyperparameters_with_defaults_and_ranges(capsys):
    assert main(["rules", "eprop"]) == 0
    text = capsys.readouterr().out
    assert text.startswith("eprop  (in time)") and "Bellec" in text and "e_ji^t" in text
    rows = {line.split()[0]: line for line in text.splitlines() if line.startswith("  ") and "default" in line}
    assert 'default "symmetric"' in rows["feedback"] and "one of symmetric, random" in rows["feedback"]
    assert "default 1.0" in rows["feedback_scale"] and "a finite number > 0" in rows["feedback_scale"]
    assert "optimizer" not in rows and "loss" not in rows  # the experiment supplies those
    assert "network kinds: recurrent" in text


def test_an_unknown_rule_name_is_one_error_line_with_the_name_meant(capsys):
    assert main(["rules", "feedback_alignmnet"]) == 2
    err = capsys.readouterr().err
    assert err.startswith("error: unknown rule 'feedback_alignmnet' (did you mean 'feedback_alignment'?)")
    assert err.count("\n") == 1


BROKEN = {
    "syntax": "class Rule(:\n    pass\n",
    "old-interface": ("from learning_rules.rules import CreditAssignmentRule\n\n"
                      "class Rule(CreditAssignmentRule):\n    name = 'old'\n\n"
                      "    def layer_errors(self, net, trace, e):\n        return []\n"),
}


@pytest.mark.parametrize("kind", sorted(BROKEN))
@pytest.mark.parametrize("argv", [["rules"], ["rules", "broken"]])
def test_a_broken_plugin_is_one_error_line_naming_it(tmp_path, monkeypatch, capsys, kind, argv):
    module = f"broken_plugin_{kind.replace('-', '_')}"
    (tmp_path / f"{module}.py").write_text(BROKEN[kind])
    monkeypatch.syspath_prepend(str(tmp_path))
    ep = importlib.metadata.EntryPoint(name="broken", value=f"{module}:Rule", group=registry.ENTRY_POINT_GROUP)
    monkeypatch.setattr(registry, "_entry_point_names", lambda: {"broken": ep})
    assert main(argv) == 2
    err = capsys.readouterr().err
    assert err.startswith(f"error: rule plugin 'broken' ({module}:Rule) cannot be loaded: ")
    assert err.count("\n") == 1 and "Traceback" not in err
    assert ("SyntaxError, line 1" if kind == "syntax" else "layer_errors") in err


def test_rules_in_a_fresh_process_prints_no_traceback():
    result = subprocess.run([sys.executable, "-m", "experiments", "rules", "nope"], capture_output=True, text=True)
    assert result.returncode == 2 and result.stderr.startswith("error: unknown rule 'nope'")
    assert "Traceback" not in result.stderr
