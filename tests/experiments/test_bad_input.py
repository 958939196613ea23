"""Bad input of every kind is refused before any run: exactly one ``error:`` line on stderr naming
what is wrong, exit status 2, no traceback, nothing written (a new results folder is not created,
an existing one stays byte-identical)."""

from __future__ import annotations

import shutil

import pytest

from experiments.cli import main
from tiny import TINY, snapshot

BASE = TINY.replace("seeds = [0, 1]", "seeds = [0]").replace("epochs = 3", "epochs = 1").replace(
    'name = "readout_only"', 'name = "feedback_alignment"')
FA = '[[rules]]\nname = "feedback_alignment"\n'
#: from the model's widths to the end: a case that changes both the network and a rule
TAIL = BASE[BASE.index("hidden = [8]"):]
TUNE = '\n[tune]\ntrials = 2\nseeds = [100]\n\n[tune.space]\n"optimizer.lr" = { log_uniform = [1e-3, 1e-1] }\n'


def tune(old: str, new: str) -> tuple[str, str]:
    """The replacement that adds [tune] to the file, with ``old`` replaced by ``new`` in it."""
    assert old in TUNE
    return FA, FA + TUNE.replace(old, new)


def sets(*overrides: str) -> list[str]:
    return [a for o in overrides for a in ("--set", o)]


# (id, extra command-line arguments, (old, new) replacement in the experiment file or None, needle)
CASES = [
    # [experiment]
    ("experiment-unknown-key", [], ("epochs = 1", "epochs = 1\nepohcs = 1"), "experiment: unknown key 'epohcs'"),
    ("experiment-epochs-type", sets("experiment.epochs=three"), None, "experiment.epochs: expected an integer"),
    ("experiment-epochs-zero", sets("experiment.epochs=0"), None, "experiment.epochs: 0 not allowed"),
    ("experiment-batch-size-zero", sets("experiment.batch_size=0"), None, "experiment.batch_size: 0 not allowed"),
    ("experiment-seeds-empty", sets("experiment.seeds=[]"), None, "experiment.seeds: expected a non-empty list"),
    ("experiment-seeds-repeated", sets("experiment.seeds=[1, 1]"), None, "experiment.seeds: repeated seed"),
    ("experiment-seeds-negative", sets("experiment.seeds=[-1]"), None, "experiment.seeds: expected a non-empty list of integers >= 0"),
    ("experiment-name-path", sets("experiment.name=a/b"), None, "experiment.name: 'a/b' is not a usable folder name"),
    ("target-accuracy-percent", sets("experiment.target_accuracy=60"), None, "experiment.target_accuracy: 60.0 not allowed; must be a fraction in (0, 1]"),
    ("stack-seeds-word", sets('experiment.stack_seeds="yes"'), None, "experiment.stack_seeds: 'yes' not allowed; must be true, false or \"auto\""),
    ("target-accuracy-nan", sets("experiment.target_accuracy=nan"), None, "experiment.target_accuracy: nan not allowed"),
    # [data], and each dataset's parameters (checked without loading or downloading anything)
    ("data-unknown-dataset", sets("data.name=cifar"), None, "data.name: unknown dataset 'cifar'; allowed: "),
    ("data-unknown-key", sets("data.foo=1"), None, "data: unknown key 'foo'; allowed: "),
    ("data-wrong-type", sets("data.n_samples=many"), None, "data.n_samples: expected an integer, got 'many'"),
    ("digits-test-fraction", sets("data.name=digits", "data.test_fraction=1.5"), None, "'test_fraction' for dataset 'digits' must be a number strictly between 0 and 1, got 1.5"),
    ("blobs-n-classes", sets("data.n_classes=0"), None, "'n_classes' for dataset 'blobs' must be an integer >= 2, got 0"),
    ("blobs-empty-test-split", sets("data.test_fraction=0.0001"), None, "'test_fraction' 0.0001 leaves an empty train or test split of 1000 blobs samples"),
    ("mnist-n-train", sets("data.name=mnist", "data.n_train=70000"), None, "'n_train' for dataset 'mnist' is 70000 but the split has only 60000 samples"),
    ("mnist1d-num-samples", sets("data.name=mnist1d", "data.num_samples=25"), None, "'num_samples' for dataset 'mnist1d' must be a multiple of 10"),
    ("xor-noise", sets("data.name=xor", "data.noise=-1.0"), None, "'noise' for dataset 'xor' must be a finite number >= 0.0"),
    ("teacher-task", sets("data.name=teacher", "data.task=ranking"), None, "'task' for dataset 'teacher' must be one of classification, regression"),
    # [model]
    ("model-activation", sets("model.activation=swish"), None, "model: unknown activation 'swish'; allowed: "),
    ("model-hidden-type", sets('model.hidden=[8, "x"]'), None, "model.hidden: expected a list of positive integers"),
    ("model-hidden-too-large", sets("model.hidden=[1000000000000]"), None, "model.hidden: [1000000000000] needs at least"),
    ("model-kind-unknown", sets("model.kind=convnet"), None, "model.kind: unknown network kind 'convnet'; allowed: "),
    ("model-init-gain-inf", sets("model.init_gain=inf"), None, "init_gain"),
    ("model-dtype", sets("model.dtype=int8"), None, "int8"),
    ("model-loss", sets("model.loss=hinge"), None, "model.loss: unknown loss 'hinge'; allowed: "),
    ("model-unknown-key", sets("model.widths=[4]"), None, "model: unknown key 'widths'; allowed: "),
    # [optimizer]
    ("optimizer-name", sets("optimizer.name=rmsprop"), None, "optimizer.name: unknown optimizer 'rmsprop'; allowed: "),
    ("optimizer-lr-inf", sets("optimizer.lr=inf"), None, "optimizer.lr: inf not allowed; must be a finite number > 0"),
    ("optimizer-lr-nan", sets("optimizer.lr=nan"), None, "optimizer.lr: nan not allowed; must be a finite number > 0"),
    ("optimizer-weight-decay-inf", sets("optimizer.weight_decay=inf"), None, "optimizer.weight_decay: inf not allowed"),
    ("optimizer-clip-norm-nan", sets("optimizer.clip_norm=nan"), None, "optimizer.clip_norm: nan not allowed"),
    ("optimizer-momentum-one", sets("optimizer.momentum=1.0"), None, "optimizer.momentum: 1.0 not allowed; must be a finite number in [0, 1)"),
    ("optimizer-lr-type", sets("optimizer.lr=fast"), None, "optimizer.lr: expected a number, got 'fast'"),
    # [diagnostics] and unknown sections
    ("diagnostics-every", sets("diagnostics.every=-1"), None, "diagnostics.every: -1 not allowed"),
    ("representation-samples-negative", sets("diagnostics.representation_samples=-1"), None,
     "diagnostics.representation_samples: -1 not allowed; must be 0 (none) or between 4 and 4096"),
    ("representation-samples-without-diagnostics", sets("diagnostics.representation_samples=64", "diagnostics.every=0"),
     None, "diagnostics.representation_samples: 64 needs diagnostics.every >= 1"),
    ("unknown-section", [], ("[optimizer]", "[widget]\nsize = 1\n\n[optimizer]"), "unknown section 'widget'; allowed: "),
    # [[rules]]: names, labels, hyperparameters, per-rule sections, network kinds
    ("rule-unknown", [], ('name = "feedback_alignment"', 'name = "nope"'), "rules[1].name: unknown rule 'nope'; allowed: "),
    ("rule-missing", [], ('[[rules]]\nname = "backprop"\n\n' + FA, ""), "rules: expected at least one [[rules]] entry"),
    ("rule-label-twice", [], ('name = "feedback_alignment"', 'name = "backprop"'), "label 'backprop' used twice"),
    ("rule-label-characters", [], ('name = "feedback_alignment"', 'name = "feedback_alignment"\nlabel = "f a"'), "rules[1].label: 'f a' not allowed"),
    ("rule-optimizer-key-at-rule-level", sets("rules.backprop.lr=0.1"), None, "rules.backprop: unknown key 'lr'; allowed: backprop's hyperparameters (it has none), the tables data, model, optimizer, diagnostics, and seeds, epochs, batch_size; lr is a key of [optimizer]"),
    ("rule-hyperparameter-type", sets("rules.feedback_alignment.scale=big"), None, "rules.feedback_alignment.scale: expected a number, got 'big'"),
    ("rule-hyperparameter-value", sets("rules.feedback_alignment.scale=-1.0"), None, "rules.feedback_alignment: feedback_alignment: scale -1.0 not allowed"),
    ("rule-epochs-zero", sets("rules.backprop.epochs=0"), None, "rules.backprop.epochs: 0 not allowed"),
    ("rule-own-optimizer-inf", sets("rules.backprop.optimizer.lr=inf"), None, "rules.backprop.optimizer.lr: inf not allowed"),
    ("rule-kind-incompatible", sets("model.kind=rate"), ('name = "feedback_alignment"', 'name = "spiking_surrogate"'), "model.kind: 'rate' not allowed for rule 'spiking_surrogate'; it trains networks of kind 'spiking'"),
    ("rule-own-kind-incompatible", [], ('name = "feedback_alignment"', 'name = "forward_forward"\nmodel = { kind = "spiking" }'), "rules.forward_forward.model.kind: 'spiking' not allowed for rule 'forward_forward'"),
    ("rule-undefined-on-layer-stack", [], (TAIL, TAIL.replace("hidden = [8]", 'layers = [{ type = "dense", units = 8, activation = "tanh" }, { type = "layernorm" }]').replace('name = "feedback_alignment"', 'name = "target_propagation"')), "rules.target_propagation: target_propagation: not defined for layer 2 (layernorm)"),
    # [sweep] and [[phases]]
    ("sweep-empty-list", [], (FA, FA + '\n[sweep]\n"optimizer.lr" = []\n'), 'sweep "optimizer.lr": expected a non-empty list of values'),
    ("sweep-unknown-key", [], (FA, FA + '\n[sweep]\n"optimizer.lrr" = [0.1]\n'), "optimizer: unknown key 'lrr'"),
    ("sweep-value-type", [], (FA, FA + '\n[sweep]\n"optimizer.lr" = [0.1, "fast"]\n'), "optimizer.lr: expected a number, got 'fast' (at sweep point"),
    ("phase-epochs-zero", [], (FA, FA + '\n[[phases]]\nname = "a"\nepochs = 0\n'), "phases.a.epochs: 0 not allowed"),
    ("phase-unknown-class", [], (FA, FA + '\n[[phases]]\nname = "a"\nepochs = 1\nclasses = [7]\n'), "phases.a.classes: unknown class 7; allowed: 0..2"),
    # [tune]
    ("tune-unknown-distribution", [], tune("log_uniform = [1e-3, 1e-1]", "normal = [0, 1]"), 'tune.space "optimizer.lr": unknown distribution \'normal\'; allowed: log_uniform = [lo, hi], uniform = [lo, hi], choice = [a, b, ...]'),
    ("tune-empty-range", [], tune("log_uniform = [1e-3, 1e-1]", "uniform = [0.1, 0.01]"), 'tune.space "optimizer.lr": uniform range [0.1, 0.01] is empty; expected [lo, hi] with lo < hi'),
    ("tune-log-range-through-zero", [], tune("[1e-3, 1e-1]", "[0.0, 0.1]"), 'tune.space "optimizer.lr": log_uniform range [0.0, 0.1] reaches 0 or below'),
    ("tune-range-not-numbers", [], tune("[1e-3, 1e-1]", '[1e-3, "big"]'), 'tune.space "optimizer.lr": log_uniform expects [lo, hi], two finite numbers'),
    ("tune-choice-of-one", [], tune("log_uniform = [1e-3, 1e-1]", "choice = [0.1]"), "choice expects a list of at least two distinct values"),
    ("tune-not-a-distribution", [], tune("{ log_uniform = [1e-3, 1e-1] }", "0.1"), 'tune.space "optimizer.lr": expected a table with one distribution'),
    ("tune-key-of-no-section", [], tune("optimizer.lr", "optimizer.lrr"), "optimizer: unknown key 'lrr' (did you mean 'lr'?); allowed: "),
    ("tune-key-no-rule-has", [], tune('"optimizer.lr"', '"rules.backprop.scale"'), "rules.backprop: unknown key 'scale'; allowed: backprop's hyperparameters (it has none)"),
    ("tune-key-of-no-rule", [], tune('"optimizer.lr"', '"rules.nope.scale"'), "tune.space key 'rules.nope.scale': no rule labelled 'nope'; rules here: backprop, feedback_alignment"),
    ("tune-key-changes-no-run", sets("rules.backprop.optimizer.lr=0.01", "rules.feedback_alignment.optimizer.lr=0.01"), tune("", ""), "tune.space \"optimizer.lr\": changes no rule's runs"),
    ("tune-value-of-wrong-type", [], tune('"optimizer.lr" = { log_uniform = [1e-3, 1e-1] }', '"experiment.batch_size" = { uniform = [8, 32] }'), "experiment.batch_size: expected an integer, got 17.84 (at tune trial 0: {'experiment.batch_size': 17.84})"),
    ("tune-seeds-searched", [], tune('"optimizer.lr"', '"experiment.seeds"'), 'tune.space "experiment.seeds": seeds says which runs exist'),
    ("tune-trials-zero", sets("tune.trials=0"), tune("", ""), "tune.trials: 0 not allowed; must be an integer in [1, 1000]"),
    ("tune-trials-huge", sets("tune.trials=100000000"), tune("", ""), "tune.trials: 100000000 not allowed; must be an integer in [1, 1000]"),
    ("tune-validation-fraction-one", sets("tune.validation_fraction=1.0"), tune("", ""), "tune.validation_fraction: 1.0 not allowed; must be a fraction in (0, 1)"),
    ("tune-validation-fraction-zero", sets("tune.validation_fraction=0"), tune("", ""), "tune.validation_fraction: 0.0 not allowed"),
    ("tune-select", sets("tune.select=last"), tune("", ""), "tune.select: 'last' not allowed; allowed: final, best"),
    ("tune-sampler", sets("tune.sampler=tpe"), tune("", ""), "tune.sampler: 'tpe' not allowed; allowed: sobol, random, grid"),
    ("tune-grid-of-a-range", sets("tune.sampler=grid"), tune("", ""), 'tune.sampler "grid": every key of [tune.space] must be a choice'),
    ("tune-seeds-overlap", sets("tune.seeds=[0]"), tune("", ""), "tune.seeds: seed 0 is also in experiment.seeds"),
    ("tune-unknown-key", [], tune("trials = 2", "trails = 2"), "tune: unknown key 'trails' (did you mean 'trials'?); allowed: "),
    ("tune-missing-trials", [], tune("trials = 2\n", ""), "tune: missing required key 'trials'"),
    ("tune-with-sweep", [], (FA, FA + TUNE + '\n[sweep]\n"optimizer.beta1" = [0.9]\n'), "tune: [tune] and [sweep] do not combine"),
    # --set itself
    ("set-without-value", ["--set", "optimizer.lr"], None, "--set 'optimizer.lr': expected KEY=VALUE"),
    ("set-undotted-key", sets("epochs=5"), None, "--set key 'epochs': expected a dotted path such as optimizer.lr or rules.<label>.<key>; did you mean experiment.epochs?"),
    ("set-unknown-rule", sets("rules.nope.lr=1"), None, "--set key 'rules.nope.lr': no rule labelled 'nope'; rules here: backprop, feedback_alignment"),
    ("set-misspelt-rule", sets("rules.feedback_alignmnet.scale=2"), None, "--set key 'rules.feedback_alignmnet.scale': no rule labelled 'feedback_alignmnet' (did you mean 'feedback_alignment'?); rules here: backprop, feedback_alignment"),
    ("set-unknown-section", sets("widget.size=1"), None, "--set key 'widget.size': unknown section 'widget'"),
    # command-line flags and paths
    ("dask-nonsense", ["--dask", "nonsense"], None, "--dask 'nonsense': expected a scheduler address such as tcp://host:8786"),
    ("dask-local-zero", ["--dask", "local:0"], None, "--dask 'local:0': expected local:N with N >= 1"),
    ("dask-with-workers", ["--dask", "local:2", "--workers", "2"], None, "--workers and --dask do not combine"),
    ("workers-zero", ["--workers", "0"], None, "--workers 0: must be >= 1"),
    ("workers-not-a-number", ["--workers", "two"], None, "argument --workers: invalid int value: 'two'"),
    ("unknown-flag", ["--wrokers", "2"], None, "unrecognized arguments: --wrokers 2"),
    ("config-not-found", ["CONFIG=missing"], None, "config file not found: "),
    ("config-is-a-directory", ["CONFIG=directory"], None, " is a directory; give an experiment file (.toml)"),
    ("config-not-toml", [], ("[experiment]", "[experiment"), "not valid TOML"),
]


@pytest.fixture(scope="module")
def stored(tmp_path_factory):
    """A results folder of the base experiment, computed once (tests work on copies)."""
    root = tmp_path_factory.mktemp("stored")
    (root / "exp.toml").write_text(BASE)
    assert main(["run", str(root / "exp.toml"), "--out", str(root / "out"), "--quiet", "--no-report",
                 "--workers", "1"]) == 0
    return root / "out"


def command(tmp_path, args, change, out) -> list[str]:
    text = BASE if change is None else BASE.replace(*change, 1)
    assert change is None or text != BASE, "the case's replacement must change the file"
    config = tmp_path / "exp.toml"
    config.write_text(text)
    extra = []
    for a in args:
        if a == "CONFIG=missing":
            config = tmp_path / "missing.toml"
        elif a == "CONFIG=directory":
            config = tmp_path
        else:
            extra.append(a)
    return ["run", str(config), "--out", str(out), "--no-report", *extra]


def test_at_least_thirty_kinds_of_bad_input():
    assert len({case[0] for case in CASES}) == len(CASES) >= 30


@pytest.mark.parametrize("args, change, needle", [c[1:] for c in CASES], ids=[c[0] for c in CASES])
def test_bad_input_is_one_error_line_exit_2_and_writes_nothing(tmp_path, stored, capsys, args, change, needle):
    existing = tmp_path / "existing"
    shutil.copytree(stored, existing)
    before = snapshot(existing)
    for out in (tmp_path / "fresh", existing):
        code = main(command(tmp_path, args, change, out))
        captured = capsys.readouterr()
        assert code == 2
        assert captured.err.startswith("error: ") and captured.err.count("\n") == 1, captured.err
        assert needle in captured.err and "Traceback" not in captured.err
        assert captured.out == ""
    assert not (tmp_path / "fresh").exists()
    assert snapshot(existing) == before


def test_an_unwritable_results_folder_is_one_error_and_the_blocker_is_untouched(tmp_path, capsys):
    (tmp_path / "exp.toml").write_text(BASE)
    blocker = tmp_path / "blocker"
    blocker.write_text("keep me")
    assert main(["run", str(tmp_path / "exp.toml"), "--out", str(blocker / "x"), "--quiet"]) == 2
    err = capsys.readouterr().err
    assert err.startswith("error: output directory") and "not writable" in err and err.count("\n") == 1
    assert blocker.read_text() == "keep me"
