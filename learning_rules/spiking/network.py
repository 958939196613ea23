"""The spiking network: layers of LIF neurons simulated for T steps, with a leaky or count readout.

Same interface as the layered network (docs/architecture.md): ``layers`` (W (n_in, n_out), b (n_out,)),
``forward(x, train, rng) -> (out, Trace)``, ``predict``, ``params``, ``flops``, ``capabilities``
and ``synaptic_events``. Sizes [n_in, *hidden, n_out]: every hidden layer is a LIF population
(neurons.py) driven by c_t = h_t W + b, where h_t is the encoded input (encoding.py) or the spikes
of the layer below. The output layer is either

- ``readout="leaky"``: a non-spiking leaky integrator m_t = beta_out m_{t-1} + s_t W + b whose
  time-averaged membrane, divided by the integrator's gain so that b stays a plain bias, is the
  class score: out = r W + b with r = sum_t w_t s_t, w_t = g_t / sum_k g_k,
  g_t = (1 - beta_out^(T - t)) / (1 - beta_out) (a spike counts for as long as it stays in m);
- ``readout="count"``: a LIF layer like the hidden ones; the score is its spike count over T steps.

Whole batches are simulated at once, layer after layer: a layer's currents for all T steps are one
(T B, n_in) x (n_in, n_out) product (one (B, n_in) product for direct-current input), and only the
elementwise neuron update loops over time. The trace's ``layers`` hold time-averaged quantities
(input rates, spike rates, the mean surrogate derivative as ``derivative()``), so a rate rule can
be tried on this network; ``trace.extra`` holds the time-resolved records that BPTT needs.

Rate-coded input needs random numbers: ``forward(train=True)`` takes the run's generator;
evaluation (``predict``, ``forward(train=False)`` without rng) draws from a fresh generator seeded
at construction, so predictions are deterministic (a sample's noise depends on its row in the batch).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ..activations import get_activation
from ..dtypes import resolve_dtype
from ..initializers import init_weight
from ..networks.capabilities import Capabilities
from ..trace import LayerTrace, Trace
from .encoding import check_encoding, encode, input_events, is_static
from .neurons import LIF, simulate
from .surrogates import Surrogate, heaviside

READOUTS = ("leaky", "count")
TRACE_SURROGATE = Surrogate("fast_sigmoid", 10.0)  # for the rate view's derivative()
_LINEAR = get_activation("linear")


class SpikingDense:
    """One layer of synapses: params {"W": (n_in, n_out), "b": (n_out,)}."""

    def __init__(self, W: np.ndarray, b: np.ndarray) -> None:
        self.params = {"W": W, "b": b}

    @property
    def W(self) -> np.ndarray:
        return self.params["W"]

    @property
    def b(self) -> np.ndarray:
        return self.params["b"]

    @property
    def n_in(self) -> int:
        return self.W.shape[0]

    @property
    def n_out(self) -> int:
        return self.W.shape[1]


@dataclass
class SpikingLayerTrace(LayerTrace):
    """Rate view of a spiking layer: input (B, n_in) and output (B, n_out) time-averaged (the
    output times ``gain``); derivative() is the mean over time of the surrogate at v - threshold."""

    potentials: np.ndarray | None = None  # (T, B, n_out)
    active: np.ndarray | None = None
    threshold: float = 1.0
    gain: float = 1.0

    def derivative(self) -> np.ndarray:
        g = TRACE_SURROGATE.grad(self.potentials - self.threshold)
        if self.active is not None:
            g = g * self.active
        return self.gain * g.mean(axis=0)


class SpikingNetwork:
    """LIF layers [n_in, *hidden, n_out] simulated for ``steps`` time steps of ``dt``."""

    SUPPORTS = frozenset({"spiking", "population"})

    def __init__(self, sizes: list[int], rng: np.random.Generator, steps: int = 20,
                 tau_mem: float = 10.0, tau_syn: float = 0.0, tau_out: float | None = None,
                 dt: float = 1.0, threshold: float = 1.0, reset: str = "subtract",
                 refractory: int = 0, encoding: str = "current", readout: str = "leaky",
                 init: str = "xavier", init_gain: float = 1.0, dtype: str = "float32") -> None:
        if len(sizes) < 2 or any(int(s) < 1 for s in sizes):
            raise ValueError(f"network sizes must be >= 2 positive integers, got {sizes}")
        if isinstance(steps, bool) or int(steps) != steps or steps < 1:
            raise ValueError(f"spiking steps (T): {steps!r} not allowed; must be an integer >= 1")
        if readout not in READOUTS:
            raise ValueError(f"spiking readout: {readout!r} not allowed; allowed: {', '.join(READOUTS)}")
        self.encoding = check_encoding(encoding)
        self.lif = LIF.from_time_constants(tau_mem, tau_syn, dt, threshold, reset, refractory)
        tau_o = tau_mem if tau_out is None else tau_out
        if not tau_o > 0:
            raise ValueError(f"spiking tau_out: {tau_out!r} not allowed; must be > 0")
        self.beta_out = float(np.exp(-dt / tau_o))
        self.steps, self.readout, self.dtype = int(steps), readout, resolve_dtype(dtype)
        self.layers: list[SpikingDense] = [
            SpikingDense(init_weight(init, rng, n_in, n_out, self.dtype, init_gain),
                         np.zeros(n_out, self.dtype))
            for n_in, n_out in zip(sizes[:-1], sizes[1:])
        ]
        self.eval_seed = int(rng.integers(2**32))  # evaluation's own noise (rate coding)

    # -- the network interface ---------------------------------------------------------------
    @property
    def capabilities(self) -> Capabilities:
        # a leaky readout is a plain dense layer on the spike averages: its gradient is exact
        readout = {"readout"} if self.readout == "leaky" else set()
        return Capabilities(self.SUPPORTS | readout, time_steps=self.steps)

    def readout_gradients(self, trace: Trace, e: np.ndarray) -> list[dict | None]:
        """The leaky readout's exact gradient, dW = r^T e, db = sum_b e (e = dL/d scores (B, K));
        None for every LIF layer."""
        r = trace.layers[-1].input
        return [None] * (len(self.layers) - 1) + [{"W": r.T @ e, "b": e.sum(axis=0)}]

    @property
    def time_steps(self) -> int:
        return self.steps

    @property
    def weight_layers(self) -> list[int]:
        return list(range(len(self.layers)))

    def weight_layer(self, k: int) -> SpikingDense:
        return self.layers[k]

    @property
    def depth(self) -> int:
        return len(self.layers)

    @property
    def n_outputs(self) -> int:
        return self.layers[-1].n_out

    def describe(self) -> str:
        return f"spiking {'-'.join(map(str, self.sizes))}, T = {self.steps}"

    @property
    def sizes(self) -> list[int]:
        return [self.layers[0].n_in] + [l.n_out for l in self.layers]

    @property
    def params(self) -> list[dict[str, np.ndarray]]:
        """One {"W", "b"} dict of live arrays per layer, so in-place updates reach the net."""
        return [layer.params for layer in self.layers]

    @property
    def spiking_layers(self) -> int:
        """How many layers are LIF populations (all but a leaky readout)."""
        return len(self.layers) - (1 if self.readout == "leaky" else 0)

    def readout_weights(self) -> np.ndarray:
        """w (T,): each step's share of the leaky readout's score (sums to 1)."""
        k = np.arange(self.steps)
        bo = self.beta_out
        g = (self.steps - k).astype(np.float64) if bo == 1.0 else (1 - bo ** (self.steps - k)) / (1 - bo)
        return (g / g.sum()).astype(self.dtype)

    def encode(self, x: np.ndarray, train: bool, rng: np.random.Generator | None) -> np.ndarray:
        x = np.asarray(x, self.dtype)
        if self.encoding == "rate" and rng is None:
            if train:
                raise ValueError("forward(train=True) with rate encoding needs an rng")
            rng = np.random.default_rng(self.eval_seed)
        return encode(self.encoding, x, self.steps, rng)

    def currents(self, l: int, h: np.ndarray) -> np.ndarray:
        """Layer l's input currents from h (B, n_in) or (T, B, n_in): one matrix product."""
        layer = self.layers[l]
        if h.ndim == 2:
            return h @ layer.W + layer.b
        T, B, _ = h.shape
        return (h.reshape(T * B, -1) @ layer.W + layer.b).reshape(T, B, -1)

    def forward(self, x: np.ndarray, train: bool = False, rng: np.random.Generator | None = None,
                *, spike_fn=heaviside) -> tuple[np.ndarray, Trace]:
        """x (B, n_in) -> scores (B, n_out) and the trace. ``trace.extra``: "inputs" (per spiking layer,
        its input (B, n_in) or (T, B, n_in)), "potentials", "spikes", "active" (T, B, n) each,
        "spike_counts" (B, n) per layer, "synaptic_events" (events per sample, float)."""
        h = self.encode(x, train, rng)
        extra = {"inputs": [], "potentials": [], "spikes": [], "active": [], "spike_counts": []}
        records: list[LayerTrace] = []
        events = input_events(self.encoding, h) * self.layers[0].n_out  # (B,)
        for l in range(self.spiking_layers):
            c = self.currents(l, h)
            sim = simulate(self.lif, c, self.steps, record=True, spike_fn=spike_fn)
            S = sim["s"]
            count = S.sum(axis=0)
            gain = float(self.steps) if l == len(self.layers) - 1 else 1.0
            records.append(SpikingLayerTrace(
                input=h if h.ndim == 2 else h.mean(axis=0), pre=c if c.ndim == 2 else c.mean(axis=0),
                activated=gain * count / self.steps, output=gain * count / self.steps,
                activation=_LINEAR, potentials=sim["v"], active=sim["active"],
                threshold=self.lif.threshold, gain=gain))
            for key, value in (("inputs", h), ("potentials", sim["v"]), ("spikes", S),
                               ("active", sim["active"]), ("spike_counts", count)):
                extra[key].append(value)
            if l + 1 < len(self.layers):
                events = events + count.sum(axis=1) * self.layers[l + 1].n_out
            h = S
        if self.readout == "leaky":
            # (B, n_last); a constant input (no LIF layer, direct current) is its own average
            r = h if h.ndim == 2 else np.tensordot(self.readout_weights(), h, axes=(0, 0))
            out = r @ self.layers[-1].W + self.layers[-1].b
            records.append(LayerTrace(r, out, out, out, _LINEAR))
        else:
            out = records[-1].output
        extra["synaptic_events"] = float(events.mean())
        return out, Trace(records, extra=extra)

    def predict(self, x: np.ndarray) -> np.ndarray:
        """x (B, n_in) -> class scores (B, n_out), deterministic (see the module docstring)."""
        return self.forward(x, train=False)[0]

    # -- cost ------------------------------------------------------------------------------------
    def flops(self, batch: int = 1) -> int:
        """FLOPs of one forward pass of ``batch`` samples, counting spike inputs as dense products
        (what numpy computes): 2 n_in n_out per product and sample (once for direct current, at
        each step otherwise), the bias, and the neuron updates; the leaky readout adds the time
        weighting (2 T n) and one product."""
        T, B = self.steps, batch
        total = 0
        for l in range(self.spiking_layers):
            layer = self.layers[l]
            reps = 1 if (l == 0 and is_static(self.encoding)) else T
            total += reps * B * (2 * layer.n_in * layer.n_out + layer.n_out)
            total += T * B * layer.n_out * self.lif.ops_per_step
        if self.readout == "leaky":
            last = self.layers[-1]
            total += 2 * T * B * last.n_in + B * (2 * last.n_in * last.n_out + last.n_out)
        return int(total)

    def synaptic_events(self, trace: Trace) -> float:
        """Synaptic events per sample in the pass that made ``trace``: every spike (input spikes
        included) times the number of synapses it drives."""
        return float(trace.extra["synaptic_events"])

    def copy(self) -> "SpikingNetwork":
        """A deep copy with independent parameter arrays."""
        clone = object.__new__(SpikingNetwork)
        clone.__dict__.update(self.__dict__)
        clone.layers = [SpikingDense(l.W.copy(), l.b.copy()) for l in self.layers]
        return clone
