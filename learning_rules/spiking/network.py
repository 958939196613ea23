"""The spiking network (network kind ``spiking``): a temporal network of LIF cells.

Sizes [n_in, *hidden, n_out]: every hidden layer is a population of LIF neurons
(layers/lif.py, neurons.py) driven by c_t = h_t W + b, where h_t is the encoded input
(encoding.py) or the spikes of the layer below; T = ``steps``. The output is either

- ``readout="leaky"``: a non-spiking leaky integrator m_t = beta_out m_{t-1} + s_t W + b whose
  time-averaged membrane, divided by the integrator's gain so that b stays a plain bias, is the
  class score: out = r W + b with r = sum_t w_t s_t, w_t = g_t / sum_k g_k,
  g_t = (1 - beta_out^(T - t)) / (1 - beta_out) (a spike counts for as long as it stays in m);
- ``readout="count"``: a LIF layer like the hidden ones; the score is its spike count over T steps.

It is ``networks.temporal.TemporalNetwork`` built from a static input: everything but the
construction (forward, the trace's spiking records, FLOPs, copies) is the temporal network's, so
surrogate BPTT (credit/bptt.py) and the online rules (credit/online.py) run on it unchanged.
Whole batches are simulated at once, layer after layer: a layer's currents for all T steps are one
(T B, n_in) x (n_in, n_out) product (one (B, n_in) product for direct-current input), and only the
elementwise neuron update loops over time.

Rate-coded input needs random numbers: ``forward(train=True)`` takes the run's generator;
evaluation (``predict``, ``forward(train=False)`` without rng) draws from a fresh generator seeded
at construction, so predictions are deterministic (a sample's noise depends on its row in the batch).
"""

from __future__ import annotations

import numpy as np

from ..dtypes import resolve_dtype
from ..layers.lif import LIFCell
from ..networks.temporal import TemporalNetwork
from .encoding import check_encoding, is_static
from .neurons import LIF

READOUTS = ("leaky", "count")


class SpikingNetwork(TemporalNetwork):
    """LIF layers [n_in, *hidden, n_out] simulated for ``steps`` time steps of ``dt``."""

    SUPPORTS = frozenset({"spiking", "temporal", "population"})
    reads_data_shape = False  # reads flat rows (D,), whatever their declared shape

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
        self.n_step_features = int(sizes[0])
        self.input_shape = (int(sizes[0]),)
        self.cell_kind, self.bidirectional = "lif", False
        n_lif = len(sizes) - (2 if readout == "leaky" else 1)
        layers = [LIFCell(int(n_in), int(n), rng, self.lif, False, self.steps, init, init_gain, self.dtype,
                          static_input=l == 0 and is_static(self.encoding))
                  for l, (n_in, n) in enumerate(zip(sizes[:n_lif], sizes[1:n_lif + 1]))]
        width = int(sizes[n_lif])
        self._assemble(layers, [[l] for l in range(n_lif)], width, int(sizes[-1]), rng, init, init_gain)

    def describe(self) -> str:
        return f"spiking {'-'.join(map(str, self.sizes))}, T = {self.steps}"

    @property
    def sizes(self) -> list[int]:
        return [self.n_step_features] + [layer.n_out for layer in self.layers]

    @property
    def spiking_layers(self) -> int:
        """How many layers are LIF populations (all but a leaky readout)."""
        return len(self.cells)

    def readout_weights(self) -> np.ndarray:
        """w (T,): each step's share of the leaky readout's score (sums to 1)."""
        return self.reduction.weights()

    def currents(self, l: int, h: np.ndarray) -> np.ndarray:
        """Layer l's input currents from h (B, n_in) or (T, B, n_in): one matrix product."""
        return self.layers[l].currents(h)
