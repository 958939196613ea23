"""Random-feedback local online learning, RFLO (Murray 2019, "Local online learning in recurrent
networks with random feedback", eLife 8:e43299).

For leaky rate units h_t = (1 - alpha) h_{t-1} + alpha f(x_t W + h_{t-1} U + b) (the Elman cell
with ``leak``; Murray's tau = dt / alpha) each synapse keeps the trace of its own influence,

    p_ji^t = (1 - alpha) p_ji^{t-1} + alpha f'(a_j^t) x~_i^t       x~ = x_t for W, h_{t-1} for U

and at every step of the error window the output error of the readout so far, E_t = dL(score_t,
y)/d score_t (B, K), reaches unit j through a fixed random matrix B (W_out's shape) in place of
W_out^T:

    dW_ji = sum_t (E_t B_t^T)_j p_ji^t                   B_t = d score_t/d h_t with B for W_out

applied as the steps go by (credit/online.py; the GRU's traces follow its gate mix in place of
the leak). Nothing is propagated through the recurrent weights and no weight is transported:
everything a synapse needs is local but the error, broadcast by fixed feedback. On this cell
p is e-prop's eligibility trace, so RFLO is random-feedback e-prop with an online error
(Marschall, Cho & Savin 2020 lay the family side by side); it differs from ``eprop`` by learning
from the running error at every step instead of the final error. The readout learns by its
exact delta rule with the final error.

``error_window`` is the fraction of the last steps whose running error is learnt from (at least
one step). Murray's tasks have a target at every step; a classification has one at the end, and
the running errors of early steps, when the readout has not yet seen the sequence, pull every
trace toward the class mean. Hence the default 0.01 (on a sequence of T < 100 steps, the last
step): on scikit-learn's two-class blobs read one feature per step (12 units, 10 epochs, 3 seeds)
the rule reached 75-89% training accuracy at 1.0 and 92-94% at 0.01, which passes
scikit-learn's check_classifiers_train. For a trajectory task (a target at every step) give 1.0.

With a readout of every step (``every_step``: y_t = m_t W_out + b, m_t = kappa m_{t-1} + h_t, a
target y*_t at every step: Murray's periodic output and trajectory tasks) the error of step t is
E_t = dL_t/dy_t, and since y_t reads every h_s (s <= t) through kappa^(t-s) W_out, the trace meets
it filtered by the readout's leak, as e-prop's e-bar:

    dW_ji = sum_t (E_t B^T)_j pbar_ji^t,    pbar^t = kappa pbar^{t-1} + p^t

(kappa = 0, ``tau_out`` -> 0: Murray's instantaneous readout y_t = W_out h_t and his update
exactly). The window counts here too: give ``error_window = 1.0`` to learn from every step. The
readout learns by its delta rule, dW_out = sum_t m_t^T E_t.
"""

from __future__ import annotations

import numpy as np

from ..credit.chain import Sweep
from ..credit.online import OnlinePass, error_steps
from ..hyperparameters import Real
from ..losses import get_loss
from ..optimizers import Optimizer
from ..spiking.surrogates import Surrogate
from ..trace import Trace
from .eprop import online_flops
from .feedback import random_feedback
from .plausibility import PlausibilityCard
from .temporal import TemporalRule


class RFLO(TemporalRule):
    """Online: eligibility traces x the running output error through fixed random feedback."""

    name = "rflo"
    update_dependency = "output"
    cells = ("elman", "gru")
    online = True
    card = PlausibilityCard(
        no_weight_transport=True, local_errors=False, no_update_locking=True, spiking=False,
        no_separate_error_phase=True, single_network=True,
        notes="online: local traces x the output error of every step through fixed random feedback",
    )
    hyperparameters = {"error_window": Real(0, 1, low_open=True), "feedback_scale": Real(0, None, low_open=True)}

    def __init__(self, optimizer: Optimizer | None = None, loss: str = "cross_entropy", error_window: float = 0.01,
                 feedback_scale: float = 1.0) -> None:
        super().__init__(optimizer=optimizer, loss=loss, error_window=error_window, feedback_scale=feedback_scale)

    def init_state(self, net, rng: np.random.Generator) -> None:
        K = net.step_outputs  # the outputs of one step (n_outputs but for every_step)
        self.signals = [random_feedback(rng, (K, net.reduction.width(c.n)), "uniform", self.feedback_scale,
                                        net.dtype).T for c in net.cells]

    def window(self, net) -> int:
        """How many of the last steps' errors are learnt from."""
        return error_steps(self.error_window, net.steps)

    def compute_gradients(self, net, x: np.ndarray, y: np.ndarray, train: bool = True):
        loss_fn = get_loss(self.loss)
        T, B = net.steps, x.shape[0]
        pas = OnlinePass(net, x, self.rng if train else None, Surrogate(self.surrogate, self.slope))
        if net.readout == "every_step":
            return self.every_step_gradients(net, pas, y)
        first, flops = T - self.window(net), 0
        for t in range(T):
            pas.step(t)
            if t < first:
                continue
            _, E = loss_fn(pas.score.scores(t), y)  # (B, K): the error of the output so far
            for trace, F in zip(pas.traces, self.signals):
                M = pas.score.credit(t, F)  # (n, K)
                trace.accumulate(E @ M.T)
                flops += 2 * B * M.size
        loss, e = loss_fn(pas.score.scores(T - 1), y)
        grads = [r.final(None, pas.x) for r in pas.runners]
        grads.append(net.layers[-1].backward_params(pas.score.rate(T - 1), e))
        flops += online_flops(net, B, pas) + self.window(net) * B * net.n_outputs * (2 * net.top_width + 7)
        return loss, grads, Trace([]), Sweep(grads, [None] * len(grads), flops)

    def every_step_gradients(self, net, pas: OnlinePass, y: np.ndarray):
        """A target at every step (the module docstring): y (B, T K) time-major per sample."""
        T, B, K = net.steps, y.shape[0], net.step_outputs
        loss_fn, kappa = get_loss(self.loss), net.reduction.beta
        first = T - self.window(net)
        loss, dW, db, flops = 0.0, 0.0, 0.0, 0
        for t in range(T):
            pas.step(t)
            out = pas.score.step_output()                                  # (B, K)
            part, E = loss_fn(out, y[:, t * K:(t + 1) * K])                 # the loss of step t; E (B, K)
            loss += part
            if t < first:
                if kappa:  # outside the window no error, but the filtered trace still runs
                    E = np.zeros_like(E)
                else:
                    continue
            for trace, F in zip(pas.traces, self.signals):
                trace.accumulate_filtered(E @ F.T, kappa)  # pbar = kappa pbar + p meets E_t B^T
                flops += 2 * B * F.size
            dW, db = dW + pas.score.m.T @ E, db + E.sum(axis=0)            # the readout's delta rule
        grads = [runner.final(None, pas.x) for runner in pas.runners]
        grads.append({"W": np.asarray(dW, net.dtype), "b": np.asarray(db, net.dtype)})
        flops += online_flops(net, B, pas) + (T - first) * 2 * B * K * net.top_width
        return float(loss), grads, Trace([]), Sweep(grads, [None] * len(grads), flops)

