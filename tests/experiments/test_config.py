import numpy as np
import pytest

from experiments.config import load_config, parse_override
from experiments.errors import ConfigError



def test_tiny_config_expands_to_rules_times_seeds(write_config):
    config = load_config(write_config())
    assert config.name == "tiny"
    assert [(s.label, s.seed) for s in config.specs] == [
        ("backprop", 0), ("backprop", 1), ("readout_only", 0), ("readout_only", 1)]
    spec = config.specs[0]
    assert spec.optimizer["lr"] == 0.01 and spec.model["hidden"] == [8] and spec.epochs == 3
    assert len({s.run_id for s in config.specs}) == 4


def test_set_overrides_are_typed(write_config):
    config = load_config(write_config(), ["optimizer.lr=0.5", "experiment.epochs=2",
                                          "rules.backprop.optimizer.name=sgd", "data.name=xor"])
    bp = [s for s in config.specs if s.label == "backprop"][0]
    ro = [s for s in config.specs if s.label == "readout_only"][0]
    assert bp.optimizer == {**bp.optimizer, "lr": 0.5, "name": "sgd"}
    assert ro.optimizer["name"] == "adam" and ro.epochs == 2 and ro.data["name"] == "xor"
    assert parse_override("model.hidden=[4, 4]") == ("model.hidden", [4, 4])


def test_per_rule_overrides_and_labels(write_config, TINY):
    text = TINY + '\n[[rules]]\nname = "backprop"\nlabel = "linear"\nmodel = { hidden = [] }\nepochs = 1\n'
    specs = {s.label: s for s in load_config(write_config(text)).specs}
    assert specs["linear"].model["hidden"] == [] and specs["linear"].epochs == 1
    assert specs["backprop"].model["hidden"] == [8] and specs["backprop"].epochs == 3


def test_sweep_is_cartesian_and_changes_run_ids(write_config, TINY):
    text = TINY + '\n[sweep]\n"optimizer.lr" = [0.1, 0.01]\n"model.hidden" = [[4], [8, 8]]\n'
    config = load_config(write_config(text))
    assert len(config.specs) == 2 * 2 * 2 * 2
    assert {(s.optimizer["lr"], tuple(s.model["hidden"])) for s in config.specs} == {
        (0.1, (4,)), (0.1, (8, 8)), (0.01, (4,)), (0.01, (8, 8))}
    assert len({s.run_id for s in config.specs}) == 16


def test_run_id_stable_and_independent_of_other_runs(write_config, TINY):
    a = {s.label: s.run_id for s in load_config(write_config()).specs if s.seed == 0}
    text = TINY.replace('[[rules]]\nname = "readout_only"\n', "")
    b = {s.label: s.run_id for s in load_config(write_config(text, "b.toml")).specs if s.seed == 0}
    assert a["backprop"] == b["backprop"]


@pytest.mark.parametrize("change, message", [
    (("epochs = 3", "epochs = 3\nepohcs = 4"), "experiment: unknown key 'epohcs' (did you mean 'epochs'?); allowed: batch_size, description, epochs"),
    (("epochs = 3", 'epochs = "three"'), "experiment.epochs: expected an integer, got 'three'"),
    (('name = "backprop"', 'name = "backpropp"'), "rules[0].name: unknown rule 'backpropp' (did you mean 'backprop'?); allowed: "),
    (('name = "blobs"', 'name = "cifar"'), "data.name: unknown dataset 'cifar'; allowed: "),
    (('activation = "tanh"', 'activation = "swish"'), "unknown activation 'swish'; allowed: "),
    (('lr = 0.01', 'lr = -0.01'), "optimizer.lr: -0.01 not allowed; must be a finite number > 0"),
    (('hidden = [8]', 'hidden = [8, "x"]'), "model.hidden: expected a list of positive integers"),
    (("seeds = [0, 1]", "seeds = []"), "experiment.seeds: expected a non-empty list"),
    (('name = "readout_only"', 'name = "readout_only"\nscale = 2.0'), "rules.readout_only: unknown key 'scale'"),
    (('name = "readout_only"', 'name = "backprop"'), "label 'backprop' used twice"),
])
def test_bad_configs_give_one_line_naming_the_key(write_config, TINY, change, message):
    with pytest.raises(ConfigError) as err:
        load_config(write_config(TINY.replace(*change, 1)))
    assert message in str(err.value) and "\n" not in str(err.value)


@pytest.mark.parametrize("sweep, message", [
    ('"optimizer.lrr" = [0.1]', "optimizer: unknown key 'lrr'"),
    ('"optimizer.lr" = []', "expected a non-empty list"),
    ('"optimizer.lr" = ["fast"]', "optimizer.lr: expected a number, got 'fast'"),
    ('"rules.nope.lr" = [1.0]', "no rule labelled 'nope'"),
    ('"widget.size" = [1]', "unknown section 'widget'"),
])
def test_bad_sweep_keys(write_config, TINY, sweep, message):
    with pytest.raises(ConfigError, match=message):
        load_config(write_config(TINY + "\n[sweep]\n" + sweep + "\n"))


def test_missing_file_and_bad_toml(tmp_path, write_config):
    with pytest.raises(ConfigError, match="config file not found"):
        load_config(tmp_path / "nope.toml")
    with pytest.raises(ConfigError, match="not valid TOML"):
        load_config(write_config("[experiment\n"))
    with pytest.raises(ConfigError, match="expected KEY=VALUE"):
        load_config(write_config(), ["optimizer.lr"])


def test_rule_with_another_network_kind_takes_only_the_shared_keys_it_understands(write_config, TINY):
    text = TINY.replace('activation = "tanh"', 'activation = "tanh"\ninit_gain = 0.5') + \
        '\n[[rules]]\nname = "spiking_surrogate"\nmodel = { kind = "spiking", steps = 5 }\n'
    specs = {s.label: s for s in load_config(write_config(text)).specs}
    assert "activation" not in specs["spiking_surrogate"].model
    assert specs["spiking_surrogate"].model["hidden"] == [8]
    assert specs["backprop"].model["activation"] == "tanh"
    bad = text.replace("steps = 5", "steps = 5, activation = 'relu'")
    with pytest.raises(ConfigError, match="unknown key 'activation'"):
        load_config(write_config(bad, "bad.toml"))


RECURRENT = """
[experiment]
name = "seq"
seeds = [0]
epochs = 1
[data]
name = "delay"
n_samples = 40
delay = 3
[model]
kind = "recurrent"
cell = "gru"
hidden = [4]
[[rules]]
name = "bptt"
"""


def test_a_temporal_network_is_checked_against_the_data_shape(write_config):
    with pytest.raises(ConfigError, match="model: recurrent network: data of shape \\(1, 40\\) give 1 time step"):
        load_config(write_config(RECURRENT.replace('name = "delay"', 'name = "mnist1d"')
                                 .replace("n_samples = 40\ndelay = 3\n", "")))
    with pytest.raises(ConfigError, match="data: 'delay' for dataset 'delay' must be an integer >= 1, got 0"):
        load_config(write_config(RECURRENT.replace("delay = 3", "delay = 0")))
    assert load_config(write_config(RECURRENT)).specs[0].model["cell"] == "gru"


@pytest.mark.parametrize("model, rule, message", [
    ('bidirectional = true', "eprop", "rules.eprop: eprop: learns online, forward in time"),
    ('bidirectional = true', "rflo", "rules.rflo: rflo: learns online, forward in time"),
    ('hidden = [4, 4]', "rtrl", "rules.rtrl: rtrl: needs one level of cells"),
    ('cell = "lif"', "rtrl", "rules.rtrl: rtrl: cannot train lif cells; it trains elman, gru"),
])
def test_a_rule_that_cannot_train_the_temporal_network_is_refused_in_one_line(write_config, model, rule, message):
    key = model.split(" = ")[0]
    text = RECURRENT.replace('name = "bptt"', f'name = "{rule}"')
    text = "\n".join(line for line in text.splitlines() if not line.startswith(key + " ")).replace(
        "[model]", f"[model]\n{model}")
    with pytest.raises(ConfigError) as err:
        load_config(write_config(text))
    assert str(err.value).startswith(message) and "\n" not in str(err.value)


def test_the_runner_hands_a_temporal_network_the_data_shape(write_config):
    from experiments.runs.worker import build_network, dataset_for

    spec = load_config(write_config(RECURRENT)).specs[0]
    net = build_network(spec.model, dataset_for(spec), np.random.default_rng(0))
    assert net.steps == 4 and net.input_shape == (4, 6)


def test_a_rule_without_a_chosen_kind_gets_the_first_network_kind_it_can_train(write_config, TINY):
    # threshold 0.5: tanh's goodness cannot reach the default 2.0 (refused, see the test below)
    text = TINY + '\n[[rules]]\nname = "spiking_surrogate"\n\n[[rules]]\nname = "forward_forward"\nthreshold = 0.5\n'
    specs = {s.label: s for s in load_config(write_config(text)).specs}
    assert specs["spiking_surrogate"].model["kind"] == "spiking"
    assert "activation" not in specs["spiking_surrogate"].model  # a rate key the spiking network does not take
    assert specs["forward_forward"].model["kind"] == "forward_forward"
    assert specs["forward_forward"].model["activation"] == "tanh"  # forward_forward networks take it
    assert specs["backprop"].model["kind"] == "rate"


def test_a_dense_network_the_rule_refuses_is_one_line_before_any_run(write_config, TINY):
    """Dense models are checked by the rule too (on a tiny copy): forward-forward's default
    threshold with the experiment's tanh units, whose goodness cannot reach it."""
    with pytest.raises(ConfigError, match="^rules.forward_forward: forward_forward: threshold 2.0 not allowed with tanh"):
        load_config(write_config(TINY + '\n[[rules]]\nname = "forward_forward"\n'))


@pytest.mark.parametrize("text, key", [
    ('[model]\nhidden = [8]\nkind = "rate"', "model.kind: 'rate' not allowed for rule 'spiking_surrogate'"),
    ('[model]\nhidden = [8]\n\n[[rules]]\nname = "forward_forward"\nmodel = { kind = "spiking" }',
     "rules.forward_forward.model.kind: 'spiking' not allowed for rule 'forward_forward'"),
])
def test_an_explicit_kind_the_rule_cannot_train_is_one_line(write_config, text, key):
    base = '[experiment]\nname = "k"\n[data]\nname = "blobs"\n' + text + '\n[[rules]]\nname = "spiking_surrogate"\n'
    with pytest.raises(ConfigError) as err:
        load_config(write_config(base))
    assert str(err.value).startswith(key) and "\n" not in str(err.value)


def test_smoke_cuts_every_budget_to_the_minimum_and_renames(write_config, TINY):
    text = TINY.replace('name = "readout_only"', 'name = "readout_only"\nepochs = 7\nseeds = [4, 5]') + \
        '\n[sweep]\n"experiment.epochs" = [2, 5]\n"optimizer.lr" = [0.01, 0.1]\n'
    full = load_config(write_config(text))
    smoke = load_config(write_config(text), smoke=True)
    assert smoke.name == "tiny-smoke" and full.name == "tiny"
    assert {(s.label, s.seed, s.epochs) for s in smoke.specs} == {("backprop", 0, 1), ("readout_only", 4, 1)}
    assert len(smoke.specs) == 4  # the lr grid is kept: 2 rules x 1 seed x 2 learning rates
    assert {s.optimizer["lr"] for s in smoke.specs} == {0.01, 0.1}
    phased = TINY + '\n[[phases]]\nname = "a"\nepochs = 4\n\n[[phases]]\nname = "b"\nepochs = 6\n'
    assert {s.epochs for s in load_config(write_config(phased, "p.toml"), smoke=True).specs} == {2}


def test_a_bundled_config_can_be_named_and_a_wrong_path_says_where_they_are(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    assert load_config("depth").name == load_config("depth.toml").name == "depth"
    (tmp_path / "depth.toml").write_text('[experiment]\nname = "mine"\n[[rules]]\nname = "backprop"\n')
    assert load_config("depth.toml").name == "mine"  # a file of that name here comes first
    with pytest.raises(ConfigError, match=r"config file not found: nope; the bundled configs are .*configs/\*\.toml"):
        load_config("nope")
    with pytest.raises(ConfigError, match="is a directory; give an experiment file"):
        load_config(tmp_path)
