"""Errors that direct: a misspelt name gets the name meant, a key in the wrong section gets its
section, an override's error names the key that was set, a layer that needs spatial axes names
the datasets that have them. Each is one line, before any run."""

import pytest

from experiments.config import load_config
from experiments.errors import ConfigError
from learning_rules.suggest import did_you_mean, suggest

MODEL = '[model]\nhidden = [8]\nactivation = "tanh"'


def error_of(write_config, text, overrides=()):
    with pytest.raises(ConfigError) as err:
        load_config(write_config(text), list(overrides))
    message = str(err.value)
    assert "\n" not in message
    return message


def test_suggest_finds_the_close_name_and_only_a_close_one():
    assert suggest("feedback_alignmnet", ["backprop", "feedback_alignment", "sign_symmetry"]) == "feedback_alignment"
    assert suggest("depht", ["depth", "width"]) == "depth"
    assert suggest("Conv1D", ["conv1d", "dense"]) == "conv1d"
    assert suggest("nope", ["backprop", "feedback_alignment"]) is None
    assert did_you_mean("nope", ["backprop"]) == ""


@pytest.mark.parametrize("change, needle", [
    (('name = "backprop"', 'name = "feedback_alignmnet"'),
     "rules[0].name: unknown rule 'feedback_alignmnet' (did you mean 'feedback_alignment'?); allowed: "),
    (("epochs = 3", "epochs = 3\nepohcs = 3"), "experiment: unknown key 'epohcs' (did you mean 'epochs'?)"),
    (('name = "blobs"', 'name = "fashion_mnsit"'), "data.name: unknown dataset 'fashion_mnsit' (did you mean 'fashion_mnist'?)"),
    ((MODEL, '[model]\nlayers = [{ type = "conv1", channels = 2, kernel = 3 }]'),
     "model.layers[0]: unknown layer type 'conv1' (did you mean 'conv1d'?)"),
])
def test_did_you_mean_for_rules_keys_datasets_and_layers(write_config, TINY, change, needle):
    assert change[0] in TINY
    assert needle in error_of(write_config, TINY.replace(*change, 1))


@pytest.mark.parametrize("change, needle", [
    ((MODEL, MODEL + "\nlr = 0.1"), "model: unknown key 'lr' (it belongs in [optimizer])"),
    (("batch_size = 16", "batch_size = 16\nhidden = [4]"), "experiment: unknown key 'hidden' (it belongs in [model])"),
    (('[[rules]]\nname = "backprop"', '[[rules]]\nname = "backprop"\nmodel = { lr = 0.1 }'),
     "rules.backprop.model: unknown key 'lr' (it belongs in [rules.backprop.optimizer])"),
])
def test_a_key_in_the_wrong_section_names_its_section(write_config, TINY, change, needle):
    assert change[0] in TINY
    assert needle in error_of(write_config, TINY.replace(*change, 1))


@pytest.mark.parametrize("value, needle", [
    ("abc", "rules.backprop.epochs: expected an integer, got 'abc'"),
    ("0", "rules.backprop.epochs: 0 not allowed; must be >= 1"),
])
def test_a_rule_override_blames_the_key_that_was_set(write_config, TINY, value, needle):
    assert error_of(write_config, TINY, [f"rules.backprop.epochs={value}"]).startswith(needle)


def test_conv1d_on_data_without_a_spatial_axis_names_the_datasets_that_have_one(write_config, TINY):
    text = TINY.replace(MODEL, '[model]\nlayers = [{ type = "conv1d", channels = 2, kernel = 3 }]')
    message = error_of(write_config, text)
    assert "needs an input of 1 spatial axes" in message
    names = message.split("datasets with such inputs: ")[1].split(", ")
    assert "mnist1d" in names and "blobs" not in names and "digits" not in names


def test_a_misspelt_bundled_experiment_gets_its_name():
    with pytest.raises(ConfigError, match=r"config file not found: depht \(did you mean 'depth'\?\)"):
        load_config("depht")


def test_smoke_does_not_hide_a_bad_value_it_would_shrink_away(write_config, TINY):
    with pytest.raises(ConfigError, match=r"^rules.backprop.epochs: expected an integer, got 'abc'$"):
        load_config(write_config(TINY), ["rules.backprop.epochs=abc"], smoke=True)
