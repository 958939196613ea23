"""Find learning rules by name.

Built-in rules are listed here as ``name -> "module:Class"`` and imported on first use.
Rules in other installed packages join through the entry-point group ``learning_rules.rules``:

    [project.entry-points."learning_rules.rules"]
    my_rule = "my_package.my_module:MyRule"

``register`` adds a class at run time (for notebooks and tests).
"""

from __future__ import annotations

import importlib
from importlib.metadata import entry_points

ENTRY_POINT_GROUP = "learning_rules.rules"

_BUILTIN: dict[str, str] = {
    "backprop": "learning_rules.rules.backprop:Backprop",
    "readout_only": "learning_rules.rules.readout_only:ReadoutOnly",
    "feedback_alignment": "learning_rules.rules.feedback_alignment:FeedbackAlignment",
    "direct_feedback_alignment": "learning_rules.rules.direct_feedback_alignment:DirectFeedbackAlignment",
    "sign_symmetry": "learning_rules.rules.sign_symmetry:SignSymmetry",
    "kolen_pollack": "learning_rules.rules.kolen_pollack:KolenPollack",
    "local_random_classifier": "learning_rules.rules.local_random_classifier:LocalRandomClassifier",
    "local_learned_classifier": "learning_rules.rules.local_learned_classifier:LocalLearnedClassifier",
    "forward_forward": "learning_rules.rules.forward_forward:ForwardForward",
    "spiking_surrogate": "learning_rules.rules.spiking_surrogate:SpikingSurrogate",
    "spiking_local": "learning_rules.rules.spiking_local:SpikingLocal",
    "bptt": "learning_rules.rules.bptt:BPTT",
    "temporal_feedback_alignment": "learning_rules.rules.temporal_feedback_alignment:TemporalFeedbackAlignment",
    "random_recurrence": "learning_rules.rules.random_recurrence:RandomRecurrence",
    "rtrl": "learning_rules.rules.rtrl:RTRL",
    "eprop": "learning_rules.rules.eprop:EProp",
    "rflo": "learning_rules.rules.rflo:RFLO",
    "genetic": "learning_rules.rules.genetic:Genetic",
    "evolution_strategy": "learning_rules.rules.evolution_strategy:EvolutionStrategy",
    "predictive_coding": "learning_rules.rules.predictive_coding:PredictiveCoding",
    "equilibrium_propagation": "learning_rules.rules.equilibrium_propagation:EquilibriumPropagation",
    "target_propagation": "learning_rules.rules.target_propagation:TargetPropagation",
    "weight_perturbation": "learning_rules.rules.weight_perturbation:WeightPerturbation",
    "node_perturbation": "learning_rules.rules.node_perturbation:NodePerturbation",
    "forward_gradient": "learning_rules.rules.forward_gradient:ForwardGradient",
    "pepita": "learning_rules.rules.pepita:Pepita",
}
_REGISTERED: dict[str, type] = {}


def _entry_point_names() -> dict[str, object]:
    return {ep.name: ep for ep in entry_points(group=ENTRY_POINT_GROUP)}


class PluginError(ValueError):
    """A rule plugin (an entry point of ``learning_rules.rules``) that cannot be imported: one
    line naming the plugin, where it points and the first line of what went wrong."""


def _load_plugin(ep) -> type:
    """The class an entry point names; any failure to import it becomes one PluginError line
    (a plugin with a syntax error, or written for an older rule interface, must not print a
    traceback for every command)."""
    try:
        return ep.load()
    except Exception as err:  # a broken plugin is the plugin's fault, whatever it raised
        where = f", line {err.lineno}" if isinstance(err, SyntaxError) and err.lineno else ""
        detail = (str(err.msg if isinstance(err, SyntaxError) else err).splitlines() or [""])[0]
        raise PluginError(f"rule plugin {ep.name!r} ({ep.value}) cannot be loaded: {type(err).__name__}"
                          f"{where}: {detail} (fix or uninstall the package that provides it)") from None


def register(name: str, cls: type) -> type:
    """Make ``cls`` available as ``name`` for this process; returns ``cls`` (usable as decorator helper)."""
    _REGISTERED[name] = cls
    return cls


def unregister(name: str) -> None:
    """Remove a rule added with ``register`` (tests use it to clean up)."""
    _REGISTERED.pop(name, None)


def available_rules() -> list[str]:
    """Every rule name: built-in, registered at run time, and from installed entry points."""
    return sorted(set(_BUILTIN) | set(_REGISTERED) | set(_entry_point_names()))


def get_rule(name: str) -> type:
    """The rule class called ``name``; unknown names raise ValueError listing the allowed ones."""
    if name in _REGISTERED:
        return _REGISTERED[name]
    if name in _BUILTIN:
        module, _, attr = _BUILTIN[name].partition(":")
        return getattr(importlib.import_module(module), attr)
    eps = _entry_point_names()
    if name in eps:
        return _load_plugin(eps[name])
    from ..suggest import did_you_mean

    allowed = available_rules()
    raise ValueError(f"unknown rule {name!r}{did_you_mean(name, allowed)}; allowed: {', '.join(allowed)}")
