"""An online local rule for the spiking network: eligibility traces times a randomly fed-back
output error, with no backpropagation through time and no weight transport (random e-prop,
Bellec et al. 2020, "A solution to the learning dilemma for recurrent networks of spiking
neurons"; event-driven random backpropagation, Neftci et al. 2017).

The network runs its T steps once, all layers advancing together (the online pass,
credit/online.py, with the LIF cells' eligibility traces of credit/eligibility.py). At each
of the last ``window`` = ceil(error_window T) steps the readout's running score gives an output
error E_t = dL(score_t, y)/d score_t (B, K), broadcast to every LIF layer l through a fixed
random matrix B_l (K, n_l) drawn at init:

    dW_l = sum_t w_t xbar_{l,t}^T ((E_t B_l) * psi_{l,t}),   db_l likewise with the bias's trace,

with xbar the presynaptic trace, psi the surrogate pseudo-derivative of the postsynaptic membrane,
and w_t the readout's share of step t's spikes (leaky readout; 1 for the count readout, whose own
LIF neurons use E_t itself in place of E_t B). The leaky readout learns by its exact local delta
rule, dW_L = r^T E_T. The approximations, exactly: (1) B_l replaces the true path from layer l to
the output (W^T of the layers above and their surrogate derivatives); (2) the error of the score
so far, E_t, replaces the final error, and step t's eligibility is credited with it only, not
through the readout's memory of later steps; (3) the eligibility ignores the reset and
refractoriness (u_t's dependence on W through past spikes), exact for a subtract reset whose
derivative is detached as in BPTT's default. Memory: O(B n) per layer, independent of T.
Recurrent LIF cells learn their recurrent synapses the same way, with the presynaptic trace of
s_{t-1}.
"""

from __future__ import annotations

import math

import numpy as np

from ..credit.chain import Sweep
from ..credit.online import OnlinePass, error_steps
from ..hyperparameters import Real
from ..losses import get_loss
from ..optimizers import Optimizer
from ..spiking.encoding import is_static
from ..spiking.surrogates import Surrogate
from ..trace import Trace
from .eprop import spiking_extra
from .plausibility import PlausibilityCard
from .temporal import TemporalRule


class SpikingLocal(TemporalRule):
    """Online eligibility-trace learning with fixed random feedback of the output error."""

    name = "spiking_local"
    update_dependency = "output"
    online = True
    conformance_steps = 300  # random feedback: over 6 feedback draws the loss fell to 0.38-0.66x by 300 steps, 0.62-0.80x by 150
    requires = "spiking"
    cells = ("lif",)
    card = PlausibilityCard(
        no_weight_transport=True,
        local_errors=False,
        no_update_locking=True,
        spiking=True,
        no_separate_error_phase=True,
        single_network=True,
        notes="online: eligibility traces x output error broadcast by fixed random feedback",
    )

    hyperparameters = {"error_window": Real(0, 1, low_open=True),  # a fraction of the T steps
                       "feedback_scale": Real(0, None, low_open=True)}

    def __init__(self, optimizer: Optimizer | None = None, loss: str = "cross_entropy",
                 surrogate: str = "fast_sigmoid", slope: float = 10.0, error_window: float = 0.2,
                 feedback_scale: float = 1.0) -> None:
        super().__init__(optimizer=optimizer, loss=loss, surrogate=surrogate, slope=slope,
                         error_window=error_window, feedback_scale=feedback_scale)

    @classmethod
    def example_networks(cls, n_features: int, n_classes: int, rng_seed: int) -> dict:
        """The spiking network (dense LIF layers, direct current) and a recurrent LIF network."""
        from .spiking_surrogate import SpikingSurrogate

        return SpikingSurrogate.example_networks(n_features, n_classes, rng_seed)

    def init_state(self, net, rng: np.random.Generator) -> None:
        K = net.n_outputs
        # B_l (K, n_l): fixed random feedback, scaled like a Xavier-initialised transposed readout
        self.feedback = [
            (self.feedback_scale * math.sqrt(2.0 / (K + l.n_out)) * rng.standard_normal((K, l.n_out))).astype(net.dtype)
            for l in net.layers[: len(net.layers) - 1]
        ]

    def check_network(self, net) -> None:
        super().check_network(net)
        if net.readout == "flatten":
            raise ValueError("spiking_local: readout 'flatten' has no running score to broadcast; "
                             "use last, mean, leaky or count")

    def window(self, net) -> int:
        return error_steps(self.error_window, net.steps)

    def compute_gradients(self, net, x: np.ndarray, y: np.ndarray, train: bool = True):
        """(loss, grads, trace, sweep): one online pass, the updates accumulated as it goes."""
        loss_fn = get_loss(self.loss)
        T, B = net.steps, x.shape[0]
        pas = OnlinePass(net, x, self.rng if train else None, Surrogate(self.surrogate, self.slope))
        dense = net.reduction.dense
        shares = net.reduction.weights() if dense else np.ones(T, net.dtype)
        first = T - self.window(net)
        for t in range(T):
            pas.step(t, need_psi=t >= first)
            if t < first:
                continue
            scores = pas.score.scores(t)  # (B, K) the output so far
            _, E = loss_fn(scores, y)  # (B, K), already / B
            for l in range(len(self.feedback)):
                pas.traces[l].accumulate(shares[t] * (E @ self.feedback[l]))  # (B, n_l)
            if not dense:
                pas.traces[-1].accumulate(shares[t] * E)  # the output LIF neurons' own error
        loss, E = loss_fn(scores, y)
        grads = [r.final(None, pas.x) for r in pas.runners]
        if dense:  # the readout's exact delta rule
            grads.append(net.layers[-1].backward_params(pas.score.rate(T - 1), E))
        trace = Trace([], extra=spiking_extra(pas))
        return loss, grads, trace, Sweep(grads, [None] * len(grads), self.step_flops(net, B))

    def step_flops(self, net, batch: int, sweep=None) -> int:
        """What the online pass computes: the LIF layers' forward pass and presynaptic traces at
        every step, the running readout; at each error step the scores, the loss gradient, the
        feedback products, the pseudo-derivatives and the accumulated updates; at the end the
        first layer's deferred product (direct current) and the readout's delta rule."""
        T, B, W = net.steps, batch, self.window(net)
        K = net.n_outputs
        total = 0
        for l, layer in enumerate(net.cells):
            static = l == 0 and is_static(net.encoding)
            reps = 1 if static else T
            total += reps * B * (2 * layer.n_in * layer.n_out + layer.n_out)  # currents
            total += T * B * layer.n_out * (net.lif.ops_per_step + 1)  # neurons, spike counts
            total += 0 if static else 4 * T * B * layer.n_in  # q and xbar traces
            feedback = 2 * K * layer.n_out if l < len(net.layers) - 1 else 0
            total += W * B * (feedback + 10 * layer.n_out)  # E B, psi (6), L * psi * w, bias sum
            total += 2 * B * layer.n_in * layer.n_out * (1 if static else W)  # xbar^T (L psi)
            if layer.recurrent:  # s_{t-1} U, its traces, and xbarU^T (L psi)
                total += T * B * (2 * layer.n * layer.n + 4 * layer.n) + 2 * W * B * layer.n * layer.n
        if net.reduction.dense:
            last = net.layers[-1]
            n = last.n_in
            total += 3 * T * B * n  # m and A
            total += W * B * (n + 2 * n * K + 7 * K)  # r_t, scores, softmax error
            total += 2 * B * n * K + B * K  # r^T E, sum of E
        return int(total)
