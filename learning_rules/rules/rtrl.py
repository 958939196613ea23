"""Real-time recurrent learning (Williams & Zipser 1989, "A learning algorithm for continually
running fully recurrent neural networks"): the exact gradient, forward in time.

Each step carries the sensitivities of the state to every parameter forward (credit/rtrl.py),

    P_t = dh_t/dtheta = J_t P_{t-1} + I_t,     dL/dtheta = sum_t (dL/dh_t|direct) P_t,

so the gradient is ready when the sequence ends, with nothing stored per step: the online
oracle. The price is the cost: O(n^3) numbers per sample and O(n^4) operations per step for n
recurrent units, which restricts it to small networks (one level of Elman or GRU cells, forward
in time). Its gradient equals BPTT's to round-off; it needs the whole Jacobian of the dynamics
at every synapse (no locality at all), and no update waits for a backward sweep.
"""

from __future__ import annotations

import numpy as np

from ..credit.chain import Sweep
from ..credit.online import OnlinePass
from ..credit.rtrl import Sensitivities
from ..losses import get_loss
from ..optimizers import Optimizer
from ..trace import Trace
from .eprop import online_flops
from .plausibility import PlausibilityCard
from .temporal import TemporalRule


class RTRL(TemporalRule):
    """Exact forward-mode gradients through time for one level of gated cells."""

    name = "rtrl"
    update_dependency = "output"
    online = True
    cells = ("elman", "gru")
    exact_gradient = True
    card = PlausibilityCard(
        no_weight_transport=False, local_errors=False, no_update_locking=True, spiking=False,
        no_separate_error_phase=True, single_network=True,
        notes="online oracle: exact gradient forward in time; every synapse needs dh/dtheta of all units (O(n^3))",
    )

    def __init__(self, optimizer: Optimizer | None = None, loss: str = "cross_entropy") -> None:
        super().__init__(optimizer=optimizer, loss=loss)

    def check_network(self, net) -> None:
        super().check_network(net)
        if len(net.levels) != 1 or net.bidirectional:
            raise ValueError("rtrl: needs one level of cells running forward in time (hidden = [n], "
                             "bidirectional = false)")

    def compute_gradients(self, net, x: np.ndarray, y: np.ndarray, train: bool = True):
        T, B = net.steps, x.shape[0]
        pas = OnlinePass(net, x, self.rng if train else None, None, traces=False)
        cell, runner = net.cells[0], pas.runners[0]
        sens = Sensitivities(cell, B, net.dtype)
        weights = net.reduction.weights() if net.reduction.weighted else None
        W_out = net.layers[-1].W
        for t in range(T):
            pas.step(t)
            x_t, h_prev, D_in, D_m, D_h = runner.last_step
            sens.advance(x_t, h_prev, D_in, D_m, D_h)
            if weights is None:
                sens.weigh(pas.score.credit(t, W_out))
            elif weights[t] != 0:
                sens.weigh(float(weights[t]))
        loss, e = get_loss(self.loss)(pas.score.scores(T - 1), y)
        grads = [sens.gradients(e if weights is None else e @ W_out.T),
                 net.layers[-1].backward_params(pas.score.rate(T - 1), e)]
        flops = online_flops(net, B, pas) + sens.flops
        return loss, grads, Trace([]), Sweep(grads, [None, e], flops)
