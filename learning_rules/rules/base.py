"""The learning-rule interface (docs/architecture.md) and the base every rule shares.

    rule = RuleClass(**hyperparameters)   # stores hyperparameters only (checked, one-line errors)
    rule.init(net, rng)                   # creates rule-owned state
    info = rule.step(net, x, y)           # one learning step; returns a dict of floats

A rule declares what it needs: ``requires`` (the network capabilities: "backward", "spiking",
"goodness", "population", "chain", ...; see learning_rules.networks.capabilities), from which
``network_kinds`` follows (the registered kinds that may offer them; the first is built for it
when an experiment does not choose one: no rule lists kind names), ``update_dependency`` (its
critical path) and its ``hyperparameters`` (one ``learning_rules.hyperparameters`` constraint per
constructor argument).
"""

from __future__ import annotations

import inspect
from abc import ABC, abstractmethod
from typing import Any, ClassVar

import numpy as np

from ..hyperparameters import Constraint, check
from ..networks.capabilities import offers, require, requirements
from .plausibility import PlausibilityCard


#: the convolutional example network of the conformance kit, on inputs of shape (1, n_features)
EXAMPLE_CONV_LAYERS = [{"type": "conv1d", "channels": 8, "kernel": 3, "padding": 1, "activation": "tanh"},
                       {"type": "maxpool1d", "kernel": 2},
                       {"type": "conv1d", "channels": 8, "kernel": 3, "padding": 1, "activation": "tanh"}]


#: the residual example network of the conformance kit (a graph: rules that train graphs run on it)
EXAMPLE_RESIDUAL_LAYERS = [{"type": "dense", "units": 16, "activation": "tanh"},
                           {"type": "residual", "layers": [{"type": "dense", "units": 16, "activation": "tanh"},
                                                           {"type": "dense", "units": 16}]}, "tanh"]


class _KindsOffering:
    """``rule.network_kinds``: the registered kinds that may offer what the rule ``requires``."""

    def __get__(self, obj, cls) -> tuple[str, ...]:
        from ..networks import kinds_offering

        return kinds_offering(cls.requires)


class LearningRule(ABC):
    """Base of every rule: a name, a plausibility card, hyperparameters, init and step."""

    name: ClassVar[str]
    card: ClassVar[PlausibilityCard]

    #: where a layer's learning signal comes from, which decides how long a training step's
    #: critical path is (see learning_rules.critical_path): "backward_chain" (delta_l needs
    #: delta_{l+1}), "output" (delta_l needs the output error), "local" (layer l's own signal),
    #: "readout" (only the output layer learns), "population" (candidates scored by forward passes),
    #: "forward_only" (perturbed or forward-mode passes beside the forward pass, no backward sweep),
    #: "two_forward_passes" (a second, modulated forward pass after the first), "relaxation"
    #: (every layer learns from its own state once the network has settled)
    update_dependency: ClassVar[str] = "backward_chain"

    #: the network capabilities this rule needs, one name or a tuple of them (see
    #: learning_rules.networks.capabilities)
    requires: ClassVar[str | tuple[str, ...]] = "backward"

    #: the network kinds (``[model] kind``) this rule can train, derived from ``requires``; the
    #: first one is built for it when an experiment does not choose a kind
    network_kinds: ClassVar[tuple[str, ...]] = _KindsOffering()

    #: steps the conformance kit trains for in its loss-falls check (population rules need more)
    conformance_steps: ClassVar[int] = 150

    #: constraints on the constructor's arguments, by name; subclasses add theirs (merged over
    #: the class hierarchy, so a base's declarations hold for every subclass)
    hyperparameters: ClassVar[dict[str, Constraint]] = {}

    def __init__(self, **hyperparameters: Any) -> None:
        self.store(**hyperparameters)

    def store(self, **hyperparameters: Any) -> None:
        """Check every hyperparameter against its declared constraint, then store it as an
        attribute of its own name (nothing else: state belongs in ``init``)."""
        check(type(self).name, self.constraints(), hyperparameters)
        for key, value in hyperparameters.items():
            setattr(self, key, value)

    @classmethod
    def constraints(cls) -> dict[str, Constraint]:
        """Every declared constraint, the subclass's overriding its bases'."""
        merged: dict[str, Constraint] = {}
        for klass in reversed(cls.__mro__):
            merged.update(vars(klass).get("hyperparameters", {}))
        return merged

    @classmethod
    def example_network(cls, sizes: list[int], rng: np.random.Generator):
        """A dense network this rule can train, for the conformance kit (of its first kind)."""
        from ..networks import make_network

        return make_network(cls.network_kinds[0], sizes, rng)

    @classmethod
    def example_networks(cls, n_features: int, n_classes: int, rng_seed: int) -> dict[str, Any]:
        """The networks the conformance kit checks this rule on, by name: a dense one, and for
        rules of layered networks (a first kind built on the layered ``Network``) a convolutional
        one too (inputs of shape (1, n_features))."""
        from ..networks import Network, network_class

        nets = {"dense": cls.example_network([n_features, 16, 16, n_classes], np.random.default_rng(rng_seed))}
        layered = network_class(cls.network_kinds[0])
        if issubclass(layered, Network):
            nets["conv"] = layered([n_features, n_classes], np.random.default_rng(rng_seed),
                                   layers=EXAMPLE_CONV_LAYERS, input_shape=(1, n_features))
        if issubclass(layered, Network) and "graph" in offers(layered):
            residual = layered([n_features, n_classes], np.random.default_rng(rng_seed), layers=EXAMPLE_RESIDUAL_LAYERS)
            if requirements(cls.requires) <= residual.capabilities.families:  # rules that train graphs
                nets["residual"] = residual
        return nets

    def get_params(self) -> dict[str, Any]:
        """The constructor's hyperparameters by name, as stored (scikit-learn style)."""
        sig = inspect.signature(type(self).__init__)
        return {k: getattr(self, k) for k in sig.parameters if k != "self" and hasattr(self, k)}

    def check_network(self, net) -> None:
        """A one-line ValueError when ``net`` lacks the capability this rule needs (rules not
        defined on some layers refuse them here too); experiment files run it on their layer
        stacks before any run starts."""
        require(type(self).name, type(self).requires, net)

    @abstractmethod
    def init(self, net, rng: np.random.Generator) -> None:
        """Create the rule-owned state for ``net``; all randomness comes from ``rng``."""

    @abstractmethod
    def step(self, net, x: np.ndarray, y: np.ndarray) -> dict[str, float]:
        """One learning step on the batch x (B, n_in), y (B,) or (B, K); updates net in place.

        Returns at least ``loss`` (the batch loss before the update) and ``flops`` (the step's
        floating-point operations)."""

    def inner_steps(self, depth: int) -> int:
        """Sequential layer operations this rule iterates inside one step before a layer can
        update (relaxation, training of inverses) on a network of ``depth`` weight layers: they
        lengthen its critical path (learning_rules.critical_path). 0: no inner iterations."""
        return 0

    def layer_diagnostics(self, net, x: np.ndarray, y: np.ndarray) -> dict[str, float]:
        """Rule-specific diagnostics ("name/L" keys) on a probe batch; changes no state."""
        return {}

    def __repr__(self) -> str:
        args = ", ".join(f"{k}={v!r}" for k, v in self.get_params().items())
        return f"{type(self).__name__}({args})"
