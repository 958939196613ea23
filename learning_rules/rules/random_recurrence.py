"""Control: the recurrent weights stay random; only the input weights and the readout learn
(by BPTT). A reservoir with a trained input (cf. echo state networks, Jaeger 2001; liquid state
machines, Maass et al. 2002):

    dU = 0,   dW, db, dW_out, db_out as BPTT's

A rule that claims to learn in time must beat this score: it shows what learning the recurrent
pathway adds to a random dynamical system read out and driven by learned weights.
"""

from __future__ import annotations

from ..optimizers import Optimizer
from .bptt import BPTT
from .plausibility import PlausibilityCard


class RandomRecurrence(BPTT):
    """BPTT with every recurrent weight matrix U frozen at its random initialisation."""

    name = "random_recurrence"
    card = PlausibilityCard(
        no_weight_transport=False, local_errors=False, no_update_locking=False, spiking=False,
        no_separate_error_phase=False, single_network=True,
        notes="control: recurrent weights stay random; input weights and readout learn by BPTT",
    )

    def __init__(self, optimizer: Optimizer | None = None, loss: str = "cross_entropy", truncation: int = 0,
                 surrogate: str = "fast_sigmoid", slope: float = 10.0) -> None:
        super().__init__(optimizer=optimizer, loss=loss, truncation=truncation, surrogate=surrogate, slope=slope)

    @property
    def exact_gradient(self) -> bool:
        return False

    def keep(self, grads):
        return [None if g is None else ({k: v for k, v in g.items() if k != "U"} or None) for g in grads]
