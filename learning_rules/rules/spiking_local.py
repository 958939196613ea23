"""An online local rule for the spiking network: eligibility traces times a randomly fed-back
output error, with no backpropagation through time and no weight transport (random e-prop,
Bellec et al. 2020, "A solution to the learning dilemma for recurrent networks of spiking
neurons"; event-driven random backpropagation, Neftci et al. 2017).

The network runs its T steps once, all layers advancing together (spiking/online.py). At each
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
"""

from __future__ import annotations

import math

import numpy as np

from ..hyperparameters import Options, Real
from ..losses import get_loss
from ..optimizers import Optimizer
from ..spiking.activity import activity_metrics
from ..spiking.encoding import encode_step, is_static
from ..spiking.neurons import LIFState, lif_step
from ..spiking.online import LayerEligibility, RunningReadout
from ..spiking.surrogates import SURROGATES, Surrogate
from .gradient import GradientRule
from .plausibility import PlausibilityCard


class SpikingLocal(GradientRule):
    """Online eligibility-trace learning with fixed random feedback of the output error."""

    name = "spiking_local"
    update_dependency = "output"
    conformance_steps = 150
    network_kinds = ("spiking",)
    requires = "spiking"
    card = PlausibilityCard(
        no_weight_transport=True,
        local_errors=False,
        no_update_locking=True,
        spiking=True,
        no_separate_error_phase=True,
        single_network=True,
        notes="online: eligibility traces x output error broadcast by fixed random feedback",
    )

    hyperparameters = {"surrogate": Options(*SURROGATES), "slope": Real(0, None, low_open=True),
                       "error_window": Real(0, 1, low_open=True),  # a fraction of the T steps
                       "feedback_scale": Real(0, None, low_open=True)}

    def __init__(self, optimizer: Optimizer | None = None, loss: str = "cross_entropy",
                 surrogate: str = "fast_sigmoid", slope: float = 10.0, error_window: float = 0.2,
                 feedback_scale: float = 1.0) -> None:
        super().__init__(optimizer=optimizer, loss=loss, surrogate=surrogate, slope=slope,
                         error_window=error_window, feedback_scale=feedback_scale)

    @classmethod
    def example_network(cls, sizes: list[int], rng: np.random.Generator):
        from ..spiking.network import SpikingNetwork

        return SpikingNetwork(sizes, rng, steps=10)

    def init_state(self, net, rng: np.random.Generator) -> None:
        K = net.layers[-1].n_out
        # B_l (K, n_l): fixed random feedback, scaled like a Xavier-initialised transposed readout
        self.feedback = [
            (self.feedback_scale * math.sqrt(2.0 / (K + l.n_out)) * rng.standard_normal((K, l.n_out))).astype(net.dtype)
            for l in net.layers[: len(net.layers) - 1]
        ]

    def window(self, net) -> int:
        return max(1, math.ceil(self.error_window * net.steps))

    def step(self, net, x: np.ndarray, y: np.ndarray) -> dict[str, float]:
        loss_fn = get_loss(self.loss)
        sur = Surrogate(self.surrogate, self.slope)
        T, B = net.steps, x.shape[0]
        x = np.asarray(x, net.dtype)
        n_lif, lif = net.spiking_layers, net.lif
        static0 = is_static(net.encoding)
        states = [LIFState.zeros(lif, B, net.layers[l].n_out, net.dtype) for l in range(n_lif)]
        elig = [LayerEligibility(lif, net.layers[l].n_in, net.layers[l].n_out, B, net.dtype, static0 and l == 0)
                for l in range(n_lif)]
        counts = [np.zeros((B, net.layers[l].n_out), net.dtype) for l in range(n_lif)]
        leaky = n_lif < len(net.layers)
        readout = RunningReadout(net.beta_out, B, net.layers[-1].n_in, net.dtype) if leaky else None
        shares = net.readout_weights() if leaky else np.ones(T, net.dtype)
        c0 = net.currents(0, x) if static0 else None
        in_events = 0.0
        first = T - self.window(net)
        for t in range(T):
            h = None if static0 else encode_step(net.encoding, x, t, T, self.rng)
            if h is not None:
                in_events += float(h.sum())
            for l in range(n_lif):
                c = c0 if (l == 0 and static0) else net.currents(l, h)
                elig[l].advance(h)
                v, s, active = lif_step(lif, states[l], c)
                if t >= first:  # the pseudo-derivative is only needed where an error arrives
                    psi = sur.grad(v - lif.threshold)
                    elig[l].psi = psi if active is None else psi * active
                counts[l] += s
                h = s
            if leaky:  # h: the last LIF layer's spikes, or the input itself without hidden layers
                readout.advance(x if h is None else h)
            if t < first:
                continue
            scores = self._scores(net, readout, counts, t)  # (B, K) the output so far
            _, E = loss_fn(scores, y)  # (B, K), already / B
            for l in range(len(self.feedback)):
                elig[l].accumulate(shares[t] * (E @ self.feedback[l]))  # (B, n_l)
            if not leaky:
                elig[-1].accumulate(shares[t] * E)  # the output LIF neurons' own error
        loss, E = loss_fn(scores, y)
        grads: list[dict[str, np.ndarray]] = []
        for l in range(n_lif):
            gW, gb = elig[l].gradients(x if elig[l].static else None)
            grads.append({"W": gW, "b": gb})
        if leaky:
            r = readout.rate()
            grads.append({"W": r.T @ E, "b": E.sum(axis=0)})  # the readout's exact delta rule
        self.apply_gradients(net, grads)
        events = in_events * net.layers[0].n_out + sum(
            float(counts[l].sum()) * net.layers[l + 1].n_out for l in range(min(n_lif, len(net.layers) - 1)))
        info = {"loss": loss, "flops": float(self.step_flops(net, B))}
        info.update(activity_metrics(counts, events / B))
        return info

    @staticmethod
    def _scores(net, readout, counts, t: int) -> np.ndarray:
        """Leaky: r_t W + b (equals the network's output at t = T - 1); count: spikes so far,
        extrapolated to T steps."""
        last = net.layers[-1]
        if readout is not None:
            return readout.rate() @ last.W + last.b
        return counts[-1] * (net.steps / (t + 1))

    def step_flops(self, net, batch: int) -> int:
        """What the online pass computes: the LIF layers' forward pass and presynaptic traces at
        every step, the running readout; at each error step the scores, the loss gradient, the
        feedback products, the pseudo-derivatives and the accumulated updates; at the end the
        first layer's deferred product (direct current) and the readout's delta rule."""
        T, B, W = net.steps, batch, self.window(net)
        K = net.layers[-1].n_out
        total = 0
        for l in range(net.spiking_layers):
            layer = net.layers[l]
            static = l == 0 and is_static(net.encoding)
            reps = 1 if static else T
            total += reps * B * (2 * layer.n_in * layer.n_out + layer.n_out)  # currents
            total += T * B * layer.n_out * (net.lif.ops_per_step + 1)  # neurons, spike counts
            total += 0 if static else 4 * T * B * layer.n_in  # q and xbar traces
            feedback = 2 * K * layer.n_out if l < len(net.layers) - 1 else 0
            total += W * B * (feedback + 10 * layer.n_out)  # E B, psi (6), L * psi * w, bias sum
            total += 2 * B * layer.n_in * layer.n_out * (1 if static else W)  # xbar^T (L psi)
        if net.spiking_layers < len(net.layers):
            last = net.layers[-1]
            n = last.n_in
            total += 3 * T * B * n  # m and A
            total += W * B * (n + 2 * n * K + 7 * K)  # r_t, scores, softmax error
            total += 2 * B * n * K + B * K  # r^T E, sum of E
        return int(total)
