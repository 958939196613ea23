"""E-prop (Bellec, Scherr, Subramoney, Hajek, Salaj, Legenstein & Maass 2020, "A solution to the
learning dilemma for recurrent networks of spiking neurons", Nature Communications 11:3625).

The gradient of the loss by a weight W_ji of unit j factorises into a learning signal of j and
an eligibility trace of the synapse, when the dependence of the loss on unit j's future through
the *other* units (the recurrent weights) is dropped:

    dL/dW_ji ~= sum_t L_j^t e_ji^t,     L_j^t = dL/dh_j^t (its direct part),
    e_ji^t = dh_j^t/dW_ji through unit j's own dynamics only (credit/eligibility.py)

With the loss on the readout's scores at the end, L_j^t = sum_k e_k M_t[j, k] with e = dL/d scores
and M_t = d score / d h_t, the readout's weights for step t (w_t W_out for a time weighting,
W_out's block t for a readout of every step). Both traces and their readout-weighted sums
sum_t w_t e^t (Bellec's eligibility filtered by the readout) run forward in time, so memory does
not grow with T; the learning signal arrives once, when the label does:

    dW_ji = sum_b (e_b F^T)_j  sum_t w_t e_ji^t          (F = W_out: symmetric e-prop;
                                                          F random of W_out's shape: random e-prop)

With a readout of every step (``every_step``: y_t = m_t W_out + b, m_t = kappa m_{t-1} + h_t, a
target at every step: pattern generation) the learning signal arrives at every step,
L_t = e_t F^T, and meets the trace filtered by the readout's leak (the paper's e-bar):

    dW_ji = sum_t sum_b L_j^t ebar_ji^t,    ebar^t = kappa ebar^{t-1} + e^t    (ALIF and rate cells)

The readout learns by its exact delta rule. Without recurrent weights and with one cell level the
factorisation is exact, and symmetric e-prop equals BPTT (with a LIF cell: BPTT with the reset
detached and no refractoriness, the approximations the LIF traces make). With recurrent weights
the error through other units' futures is lost; the diagnostics log the angle to BPTT. Symmetric
feedback reaches only the cells the readout reads (one level); deeper cells need random feedback.
"""

from __future__ import annotations

import numpy as np

from ..credit.chain import Sweep
from ..credit.online import OnlinePass
from ..hyperparameters import Options, Real
from ..losses import get_loss
from ..optimizers import Optimizer
from ..spiking.surrogates import Surrogate
from ..trace import Trace
from .feedback import random_feedback
from .plausibility import PlausibilityCard
from .temporal import TemporalRule

FEEDBACK = ("symmetric", "random")


class EProp(TemporalRule):
    """Eligibility traces times a learning signal through the readout's weights (or random ones)."""

    name = "eprop"
    update_dependency = "output"
    cells = ("elman", "gru", "lif", "alif")
    online = True
    card = PlausibilityCard(
        no_weight_transport=False, local_errors=False, no_update_locking=True, spiking=False,
        no_separate_error_phase=True, single_network=True,
        notes="traces forward in time x learning signal; symmetric feedback needs W_out^T (random does not)",
    )
    hyperparameters = {"feedback": Options(*FEEDBACK), "feedback_scale": Real(0, None, low_open=True)}

    def __init__(self, optimizer: Optimizer | None = None, loss: str = "cross_entropy", feedback: str = "symmetric",
                 feedback_scale: float = 1.0, surrogate: str = "fast_sigmoid", slope: float = 10.0) -> None:
        super().__init__(optimizer=optimizer, loss=loss, surrogate=surrogate, slope=slope, feedback=feedback,
                         feedback_scale=feedback_scale)

    def check_network(self, net) -> None:
        super().check_network(net)
        if net.readout == "every_step" and any(c.kind == "lif" for c in net.cells):
            raise ValueError(f"{type(self).name}: readout 'every_step' needs filtered traces, which cell = 'lif' "
                             "lacks (for plain LIF neurons use alif with adaptive = 0)")
        if self.feedback == "symmetric" and len(net.levels) > 1:
            raise ValueError(f"{type(self).name}: symmetric feedback reaches only the cells the readout reads; "
                             f"this network has {len(net.levels)} levels (use feedback = \"random\")")

    def init_state(self, net, rng: np.random.Generator) -> None:
        """F_l (width_l, K) per cell: random, at the scale of a Glorot-drawn readout (None for the
        cells the readout reads with symmetric feedback, and for a count readout's output cells)."""
        K, self.signals = (net.layers[-1].n_out if net.reduction.dense else net.n_outputs), []
        for l, cell in enumerate(net.cells):
            top = l == len(net.cells) - 1
            if top and (self.feedback == "symmetric" or not net.reduction.dense):
                self.signals.append(None)
                continue
            width = net.reduction.width(cell.n)
            self.signals.append(random_feedback(rng, (K, width), "uniform", self.feedback_scale, net.dtype).T)

    def signal_map(self, net, l: int) -> np.ndarray | None:
        """The (width, K) tensor that carries the output error to cell l (the live readout W for
        symmetric feedback; None: the cell is the output)."""
        F = self.signals[l]
        if F is None and net.reduction.dense:
            return net.layers[-1].W
        return F

    def compute_gradients(self, net, x: np.ndarray, y: np.ndarray, train: bool = True):
        T, B = net.steps, x.shape[0]
        pas = OnlinePass(net, x, self.rng if train else None, Surrogate(self.surrogate, self.slope))
        maps = [self.signal_map(net, l) for l in range(len(pas.runners))]
        if net.readout == "every_step":
            return self.every_step_gradients(net, pas, maps, y)
        weights = net.reduction.weights() if net.reduction.weighted else np.ones(T, net.dtype)
        for t in range(T):
            pas.step(t)
            for trace, F in zip(pas.traces, maps):
                if net.readout == "flatten":
                    trace.weigh(pas.score.credit(t, F))
                elif weights[t] != 0:
                    trace.weigh(float(weights[t]))
        scores = pas.score.scores(T - 1)
        loss, e = get_loss(self.loss)(scores, y)
        grads = []
        for runner, F in zip(pas.runners, maps):
            L = e if (F is None or net.readout == "flatten") else e @ F.T  # (B, n) or (B, K)
            grads.append(runner.final(L, pas.x))
        if net.reduction.dense:
            grads.append(net.layers[-1].backward_params(pas.score.rate(T - 1), e))
        flops = online_flops(net, B, pas) + sum(2 * B * F.size for F in maps if F is not None)
        return loss, grads, Trace([], extra=spiking_extra(pas)), Sweep(grads, [None] * len(grads), flops)


    def every_step_gradients(self, net, pas: OnlinePass, maps: list, y: np.ndarray):
        """A target at every step (the module docstring): y (B, T K) time-major per sample."""
        T, B, K = net.steps, y.shape[0], net.layers[-1].n_out
        loss_fn, kappa = get_loss(self.loss), net.reduction.beta
        loss, dW, db = 0.0, None, None
        for t in range(T):
            pas.step(t)
            out = pas.score.step_output()                                  # (B, K)
            part, e = loss_fn(out, y[:, t * K:(t + 1) * K])                 # the loss of step t; e (B, K)
            loss += part
            for trace, F in zip(pas.traces, maps):
                trace.accumulate_filtered(e @ F.T, kappa)
            g = pas.score.m.T @ e                                           # the readout's delta rule
            dW, db = (g, e.sum(axis=0)) if dW is None else (dW + g, db + e.sum(axis=0))
        grads = [runner.final(None, pas.x) for runner in pas.runners] + [{"W": dW, "b": db}]
        flops = online_flops(net, B, pas) + T * sum(2 * B * F.size for F in maps) + T * 2 * B * K * net.top_width
        return float(loss), grads, Trace([], extra=spiking_extra(pas)), Sweep(grads, [None] * len(grads), flops)


def online_flops(net, batch: int, pas: OnlinePass) -> int:
    """The forward pass (each layer's formula), the running score, and what the traces cost."""
    K, T, n = net.n_outputs, net.steps, net.top_width
    score = 3 * T * batch * n + (2 * T * batch * n * K if net.readout == "flatten" else 0)
    return int(net.flops(batch) + score + sum(t.flops for t in pas.traces))


def spiking_extra(pas: OnlinePass) -> dict:
    """Spike counts and synaptic events of an online pass over LIF cells (empty otherwise)."""
    counts = [r.counts for r in pas.runners if r.cell.spiking]
    if not counts:
        return {}
    net, B = pas.net, pas.x.shape[0]
    events = pas.in_events * net.layers[0].n_out + sum(
        float(c.sum()) * (net.layers[l + 1].n_out + (cell.n if cell.recurrent else 0))
        for l, (c, cell) in enumerate(zip(counts, net.cells)) if l + 1 < len(net.layers))
    return {"spike_counts": counts, "synaptic_events": events / B}
