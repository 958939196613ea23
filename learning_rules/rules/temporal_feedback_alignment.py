"""Feedback alignment in time: BPTT whose backward pathways carry the error through fixed random
tensors instead of the forward weights (Lillicrap et al. 2016, "Random synaptic feedback weights
support error backpropagation for deep learning", applied to recurrent networks as in Murray 2019
and Marschall et al. 2020):

    dr = e B_out^T,   g_t = dL/dh_t|direct + g_{t+1} D_h + (D_m g_{t+1}) B_U^T,   dX_t = dA_t B_W^T

with B_out, B_U and B_W of the shapes of W_out, U and W (credit/bptt.py), drawn once at the scale
of a Glorot-initialised weight. The error still sweeps back through the stored history (update
locking, memory linear in T), but no weight is transported: the recurrent pathway's feedback is
random, and U must come to align with it for the error to carry information back in time.
"""

from __future__ import annotations

import numpy as np

from ..hyperparameters import Options, Real
from ..optimizers import Optimizer
from .bptt import BPTT
from .feedback import DISTRIBUTIONS, random_feedback
from .plausibility import PlausibilityCard


class TemporalFeedbackAlignment(BPTT):
    """BPTT through fixed random feedback for the readout, the recurrent and the input pathways."""

    name = "temporal_feedback_alignment"
    card = PlausibilityCard(
        no_weight_transport=True, local_errors=False, no_update_locking=False, spiking=False,
        no_separate_error_phase=False, single_network=True,
        notes="BPTT's sweep through fixed random B_out, B_U, B_W; still the stored history and a backward phase",
    )
    hyperparameters = {"distribution": Options(*DISTRIBUTIONS), "scale": Real(0, None, low_open=True)}
    has_feedback = True
    conformance_steps = 300  # random feedback aligns slowly, as in the static family

    def __init__(self, optimizer: Optimizer | None = None, loss: str = "cross_entropy", distribution: str = "uniform",
                 scale: float = 1.0, truncation: int = 0, surrogate: str = "fast_sigmoid", slope: float = 10.0) -> None:
        super().__init__(optimizer=optimizer, loss=loss, truncation=truncation, surrogate=surrogate, slope=slope)
        self.store(distribution=distribution, scale=scale)

    @property
    def exact_gradient(self) -> bool:
        return False

    def init_state(self, net, rng: np.random.Generator) -> None:
        """Per layer {"W": ..., "U": ...}: random tensors of the weights' shapes (the first level's
        W never carries an error further down, so it gets none)."""
        first = set(net.levels[0]) if net.levels else set()
        self.tensors: list[dict | None] = []
        for i, params in enumerate(net.params):
            names = [k for k in ("W", "U") if k in params and not (k == "W" and i in first)]
            self.tensors.append({k: self._draw(rng, params[k]) for k in names} or None)

    def _draw(self, rng: np.random.Generator, P: np.ndarray) -> np.ndarray:
        # drawn in the backward pathway's orientation (out, in) and kept in P's shape
        return random_feedback(rng, P.shape[::-1], self.distribution, self.scale, P.dtype).T

    def feedback(self, net, i: int) -> dict | None:
        return self.tensors[i]

    def feedback_tensors(self, net) -> list[np.ndarray | None]:
        """Per layer the feedback standing in for W (for the diagnostics' feedback angles)."""
        return [None if t is None else t.get("W") for t in self.tensors]
