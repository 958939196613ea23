"""Equilibrium propagation (Scellier & Bengio 2017, "Equilibrium propagation: bridging the gap
between energy-based models and backpropagation"), with the symmetric nudging of Laborieux,
Ernoult, Scellier, Bengio, Grollier & Querlioz 2021 ("Scaling equilibrium propagation to deep
ConvNets by drastically reducing its gradient estimator bias").

The network is read as an energy-based model: the layered Hopfield-like energy E(s) of its
hidden blocks, with the blocks' own weights as symmetric couplings, and the readout's loss as
the cost C (learning_rules.credit.energy documents E, C and the dynamics). One step:

1. free phase: from the feedforward pass, ``free_iterations`` sweeps of the dynamics of E
   towards a fixed point s^0 (the readout does not act on the state);
2. nudged phase(s): from s^0, ``nudged_iterations`` sweeps of the dynamics of E + beta C, which
   pulls the top state towards a lower cost (per sample: -beta dC/ds); with
   ``nudging = "symmetric"`` a second phase with -beta;
3. the update, local and contrastive (Hebbian in the nudged phase, anti-Hebbian in the other):

       one-sided:   g = (dE/dtheta(s^beta) - dE/dtheta(s^0)) / beta
       symmetric:   g = (dE/dtheta(s^beta) - dE/dtheta(s^-beta)) / (2 beta)

   averaged over the batch; the readout gets its exact gradient dC/dtheta at s^0.

As beta -> 0 (and at fixed points), g tends to the gradient of C(s^0(theta)), the cost at the
free fixed point, with a bias of order beta for one-sided nudging and of order beta^2 for
symmetric nudging (the first-order term cancels): tested, with fitted slopes, in
tests/learning_rules/test_equilibrium_propagation.py and docs/settling.md.

It trains the network kind ``hopfield`` (learning_rules.networks.hopfield): the layered network
whose ``predict`` settles in the same energy, so the lab evaluates the model this rule trains.
(Evaluated by its feedforward pass instead, the free phase's starting point, an EP-trained
40-256-256-10 tanh network scored 23% on MNIST-1D after 13 epochs while its settled readout
scored 44%.) The step's ``loss`` is the cost at s^0; ``feedforward_loss`` is the loss of the
feedforward pass, and ``free_residual`` how far the free phase still moved in its last sweep.

Where defined: hidden blocks of a weight layer (dense or convolution), a monotone activation, and
optionally pooling or flatten (Laborieux et al. 2021 train such ConvNets); dropout and
normalisation layers are refused with a one-line error at init. Cost: every sweep updates each
hidden state once (a bottom-up and a top-down product per block), in the free phase and in every
nudged phase; the critical path grows by one layer operation per half-sweep (two per sweep with
two or more hidden blocks).
"""

from __future__ import annotations

import numpy as np

from ..credit import energy
from ..credit.chain import Sweep
from ..credit.relax import block_gradients
from ..hyperparameters import Integer, Options, Real
from ..optimizers import Optimizer
from .credit_assignment import CreditAssignmentRule
from .plausibility import PlausibilityCard


class EquilibriumPropagation(CreditAssignmentRule):
    """Contrast a free and a nudged equilibrium of the network's energy."""

    name = "equilibrium_propagation"
    update_dependency = "relaxation"
    requires = "energy"
    conformance_steps = 40  # each step settles 20+ iterations; the loss falls below 0.45x of its start by 30
    card = PlausibilityCard(
        no_weight_transport=False,
        local_errors=True,
        no_update_locking=False,
        spiking=False,
        no_separate_error_phase=False,
        single_network=True,
        notes="symmetric couplings (W both ways); two phases of one dynamics; contrastive Hebbian update",
    )
    hyperparameters = {
        "beta": Real(0.0, None, low_open=True),
        "free_iterations": Integer(0, None),
        "nudged_iterations": Integer(1, None),
        "nudging": Options("symmetric", "one_sided"),
    }

    def __init__(self, beta: float = 0.5, free_iterations: int = 20, nudged_iterations: int = 10,
                 nudging: str = "symmetric", optimizer: Optimizer | None = None, loss: str = "cross_entropy") -> None:
        super().__init__(beta=beta, free_iterations=free_iterations, nudged_iterations=nudged_iterations,
                         nudging=nudging, optimizer=optimizer, loss=loss)

    def init_state(self, net, rng: np.random.Generator) -> None:
        self.blocks = energy.hidden_blocks(net, self.name)

    @property
    def betas(self) -> tuple[float, float]:
        """The two nudging strengths whose equilibria are contrasted."""
        return (self.beta, -self.beta) if self.nudging == "symmetric" else (self.beta, 0.0)

    def inner_steps(self, depth: int) -> int:
        """One layer operation per half-sweep, in the free phase and in each nudged phase."""
        half_sweeps = min(2, depth - 1)
        phases = 2 if self.nudging == "symmetric" else 1
        return half_sweeps * (self.free_iterations + phases * self.nudged_iterations)

    def settle(self, net, x: np.ndarray, y: np.ndarray, train: bool = False):
        """The free phase: (loss of the feedforward pass, its trace, s^0, residual, FLOPs)."""
        loss, _, trace = self.output_error(net, x, y, train)
        start = energy.state_from_trace(net, self.blocks, trace, net.shaped_inputs(x))
        free, residual, flops = energy.relax(net, self.blocks, start, self.free_iterations)
        return loss, trace, free, residual, flops

    def compute_gradients(self, net, x: np.ndarray, y: np.ndarray, train: bool = True):
        feedforward_loss, trace, free, residual, flops = self.settle(net, x, y, train)
        B, L = x.shape[0], net.depth
        free_loss, e, caches, f = energy.cost(net, free, y, self.loss)
        grads = [None] * len(net.layers)
        flops += f + block_gradients(net, L - 1, caches, e, grads)
        states = {0.0: free}
        for beta in self.betas:
            if beta not in states:
                states[beta], _, f = energy.relax(net, self.blocks, free, self.nudged_iterations, beta, y, self.loss)
                flops += f
        high, low = self.betas
        scale = 1.0 / ((high - low) * B)
        flops += energy.energy_gradients(net, self.blocks, states[high], scale, grads)
        flops += energy.energy_gradients(net, self.blocks, states[low], -scale, grads)
        deltas = [-(a - b) * scale for a, b in zip(states[high].s, states[low].s)] + [e]
        trace.extra.update(feedforward_loss=feedforward_loss, free_residual=residual)
        return free_loss, grads, trace, Sweep(grads, deltas, flops)

    def step_info(self, trace) -> dict[str, float]:
        return {"feedforward_loss": float(trace.extra["feedforward_loss"]),
                "free_residual": float(trace.extra["free_residual"])}
