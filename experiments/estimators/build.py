"""From an estimator's parameters to the lab's objects: the network, the rule and its optimizer,
and the random streams, each checked by the code that checks an experiment file.

Every check runs in ``fit`` (scikit-learn estimators accept anything in ``__init__`` and
``set_params``), and every bad value is a one-line ValueError naming the parameter.
"""

from __future__ import annotations

import inspect
import numbers
from dataclasses import dataclass
from typing import Any

import numpy as np

from learning_rules.hyperparameters import Boolean, InstanceOf, Integer, Options, check
from learning_rules.layers import LayerError
from learning_rules.networks import NETWORK_KINDS, network_class
from learning_rules.rules import available_rules, get_rule

from ..config.rules import RUNNER_SUPPLIED, build_rule
from ..config.sections import check_model, check_optimizer
from ..config.types import check_table, signature_schema
from ..runs.worker import build_network

#: estimator parameters that configure the network (besides ``hidden``, ``layers``, ``input_shape``)
NETWORK_PARAMS = ("activation", "init", "init_gain", "dtype")
#: estimator parameters that configure the optimizer, by the optimizer's own field names
OPTIMIZER_PARAMS = {"optimizer": "name", "lr": "lr", "momentum": "momentum", "nesterov": "nesterov",
                    "beta1": "beta1", "beta2": "beta2", "eps": "eps", "weight_decay": "weight_decay",
                    "clip_norm": "clip_norm"}


def plain(value: Any) -> Any:
    """numpy scalars (as a parameter grid holds them) as Python numbers; lists and tuples of
    them as lists; dicts value by value; anything else unchanged."""
    if isinstance(value, np.generic):
        return value.item()
    if isinstance(value, (list, tuple)):
        return [plain(v) for v in value]
    if isinstance(value, dict):
        return {k: plain(v) for k, v in value.items()}
    return value


def check_estimator_params(owner: str, params: dict[str, Any]) -> None:
    """The types and ranges of an estimator's own parameters (one-line ValueError naming ``owner``);
    the rule's, the optimizer's and the network's are checked as they are built."""
    try:
        get_rule(params["rule"])  # looks among installed packages' rules only for unknown names
    except (ValueError, TypeError):
        raise ValueError(f"{owner}: rule {params['rule']!r} not allowed; must be one of {', '.join(available_rules())}") from None
    check(owner, {
        "rule_params": InstanceOf(dict),
        "network": Options(*NETWORK_KINDS), "network_params": InstanceOf(dict),
        "layers": InstanceOf(list), "epochs": Integer(1), "batch_size": Integer(1),
        "verbose": Boolean(),
    }, {k: v for k, v in params.items() if k != "rule" and not (v is None and k in NULLABLE)})
    if not _positive_ints(params["hidden"]):
        raise ValueError(f"{owner}: hidden {params['hidden']!r} not allowed; must be a tuple of positive integers")
    shape = params["input_shape"]
    if shape is not None and not _positive_ints(shape):
        raise ValueError(f"{owner}: input_shape {shape!r} not allowed; "
                         "must be None or a tuple of positive integers: (D,), (C, L) or (C, H, W)")


#: parameters whose None means "not given"
NULLABLE = ("rule_params", "network", "network_params", "layers")


def _positive_ints(value: Any) -> bool:
    return isinstance(value, (list, tuple)) and all(
        isinstance(v, numbers.Integral) and not isinstance(v, bool) and v >= 1 for v in value)


def make_rule(name: str, rule_params: dict | None, optimizer: dict, loss: str):
    """Rule ``name`` with ``rule_params`` checked against its constructor, the optimizer
    (``OPTIMIZER_PARAMS`` values) checked like an experiment file's ``[optimizer]``."""
    hyper = plain(rule_params or {})
    signature = signature_schema(get_rule(name).__init__)
    if "loss" not in signature and loss != "cross_entropy":  # such rules score classes their own way
        raise ValueError(f"rule {name!r} learns classes only (it takes no loss), so it cannot minimise {loss}")
    checked = check_table("rule_params", hyper, {k: v for k, v in signature.items() if k not in RUNNER_SUPPLIED})
    opt = check_optimizer(plain({OPTIMIZER_PARAMS[k]: v for k, v in optimizer.items()}), section="optimizer")
    return build_rule(name, {k: checked[k] for k in hyper}, opt, loss)


@dataclass(frozen=True)
class DataShape:
    """What ``build_network`` reads off a dataset: its width, outputs and row shape."""

    n_features: int
    n_outputs: int
    shape: tuple[int, ...]


def make_network(params: dict[str, Any], defaults: dict[str, Any], n_features: int, n_outputs: int,
                 rng: np.random.Generator):
    """The network the estimator's parameters describe (``defaults``: their defaults), for rows
    of ``n_features`` and ``n_outputs`` outputs; ``network`` None means the rule's first kind."""
    kind = params["network"] or get_rule(params["rule"]).network_kinds[0]
    cls = network_class(kind)
    accepted = inspect.signature(cls.__init__).parameters
    model: dict[str, Any] = {"kind": kind}
    for key in NETWORK_PARAMS:
        if key in accepted:
            model[key] = plain(params[key])
        elif params[key] != defaults[key]:
            raise ValueError(f"{key}: the {kind} network takes no {key}; "
                             f"its options: {', '.join(k for k in accepted if k not in ('self', 'sizes', 'rng'))}")
    extra = plain(params["network_params"] or {})
    clash = sorted(set(extra) & {*NETWORK_PARAMS, "kind", "hidden", "layers", "input_shape"})
    if clash:
        raise ValueError(f"network_params: {clash[0]!r} is an estimator parameter of its own; set {clash[0]}=... instead")
    model.update(extra)
    if params["layers"] is None:
        model["hidden"] = plain(params["hidden"])
    else:
        model["layers"] = plain(params["layers"])
    model = check_model(model, section="network")
    if params["input_shape"] is not None:
        shape = tuple(params["input_shape"])
    elif getattr(cls, "reads_data_shape", False) and model.get("encoding", "sequence") == "sequence":
        if n_features < 2:  # scikit-learn's wording, which its check_fit2d_1feature looks for
            raise ValueError(f"{n_features} feature(s) (shape=(n_samples, {n_features})) while a minimum of 2 is "
                             f"required by the {kind} network, which reads a row one feature per time step")
        shape = (n_features, 1)  # a recurrent network reads a row one feature per step (as sequential MNIST-1D)
    else:
        shape = (n_features,)
    if int(np.prod(shape)) != n_features:
        raise ValueError(f"input_shape {shape} does not hold the {n_features} features of X")
    try:
        return build_network(model, DataShape(n_features, n_outputs, shape), rng)
    except LayerError as err:
        hint = "; set input_shape=(C, L) or (C, H, W)" if params["input_shape"] is None else ""
        raise LayerError(f"{err}{hint}") from None


def seed_sequence(random_state: Any) -> np.random.SeedSequence:
    """None (fresh entropy), an integer >= 0, or a numpy Generator or RandomState (one draw
    from it) -> the SeedSequence every random stream of a fit is spawned from."""
    if random_state is None:
        return np.random.SeedSequence()
    if isinstance(random_state, numbers.Integral) and not isinstance(random_state, bool) and random_state >= 0:
        return np.random.SeedSequence(int(random_state))
    if isinstance(random_state, np.random.Generator):
        return np.random.SeedSequence(int(random_state.integers(2**63)))
    if isinstance(random_state, np.random.RandomState):
        return np.random.SeedSequence(int(random_state.randint(2**31)))
    raise ValueError(f"random_state {random_state!r} not allowed; must be None, an integer >= 0, "
                     "a numpy Generator or a RandomState")
