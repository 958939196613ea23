"""The layered Hopfield network (network kind ``hopfield``): the layered network read as an
energy-based model, whose prediction is where its activity settles.

It is the layered network (networks/sequential.py: the same layers, blocks and parameters, dense
or convolutional), with the energy of learning_rules.credit.energy over its hidden blocks: the
blocks' weights couple neighbouring states in both directions. ``forward`` is the feedforward
pass, where the activity starts; ``predict(x)`` lets it settle for ``settle_iterations`` sweeps of
the free dynamics and reads the readout at that state, so the lab evaluates the model that
equilibrium propagation trains (its free phase), not the feedforward pass. With one hidden block
nothing feeds back, and the two coincide.

Made for equilibrium propagation (rule family ``energy``). Other rules of the layered network can
run on it, but they train its feedforward pass while it is evaluated settled.
"""

from __future__ import annotations

import numpy as np

from ..credit import energy
from ..credit.relax import forward_block
from .capabilities import Capabilities
from .sequential import Network


class HopfieldNetwork(Network):
    """A layered network whose prediction settles in the energy of its hidden blocks."""

    #: no population scoring: candidates would be scored by the feedforward pass, not settled
    SUPPORTS = frozenset({"backward", "readout", "energy", "chain"})
    MAY_OFFER = frozenset()
    PRIMARY = frozenset({"energy"})

    def __init__(self, sizes: list[int], rng: np.random.Generator, activation: str = "tanh",
                 output_activation: str = "linear", init: str = "xavier", init_gain: float = 1.0,
                 dtype: str = "float32", layers: list | None = None, input_shape=None,
                 settle_iterations: int = 50) -> None:
        if isinstance(settle_iterations, bool) or not isinstance(settle_iterations, int) or settle_iterations < 0:
            raise ValueError(f"hopfield network: settle_iterations {settle_iterations!r} not allowed; "
                             "must be an integer >= 0")
        super().__init__(sizes, rng, activation=activation, output_activation=output_activation, init=init,
                         init_gain=init_gain, dtype=dtype, layers=layers, input_shape=input_shape)
        if not self.is_chain:
            raise ValueError("hopfield: the energy is defined for a plain stack of layers, not a graph with merges")
        self.settle_iterations = settle_iterations
        self.energy_blocks = energy.hidden_blocks(self, "hopfield network")

    @classmethod
    def conformance_examples(cls, n_features: int, n_classes: int, seed: int) -> dict:
        """One float64 dense example (an energy model is a plain stack)."""
        return {"dense": cls([n_features, 6, n_classes], np.random.default_rng(seed), dtype="float64")}

    @property
    def capabilities(self) -> Capabilities:
        return Capabilities(self.SUPPORTS, 1, False)

    def settle(self, x: np.ndarray, iterations: int | None = None):
        """The free phase from the feedforward pass of x (B, D): (state, residual, FLOPs)."""
        _, trace = self.forward(x)
        start = energy.state_from_trace(self, self.energy_blocks, trace, self.shaped_inputs(x))
        n = self.settle_iterations if iterations is None else iterations
        return energy.relax(self, self.energy_blocks, start, n)

    def predict(self, x: np.ndarray) -> np.ndarray:
        """x (B, D) -> the readout (B, n_out) at the settled state."""
        state = self.settle(x)[0]
        return forward_block(self, self.depth - 1, state.sent[-1] if state.s else state.inputs)[0]

    def describe(self) -> str:
        return super().describe().replace("rate ", "hopfield ", 1)
