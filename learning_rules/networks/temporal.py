"""The temporal network (network kind ``recurrent``): cells run over T steps, then a readout.

    x (B, T D) --encoding--> X (T, B, D) --cells, level by level--> H (T, B, n) --readout--> scores

- **Input.** Sequence data declare their shape (T, D) and arrive as flat rows (B, T D); the
  ``sequence`` encoding reads step t as x[:, t]. Data of shape (D,) are held for ``steps`` steps
  by one of the spiking network's encodings (``current``: the same x at every step; ``rate``,
  ``latency``: spikes; learning_rules/spiking/encoding.py).
- **Cells** (learning_rules/layers/cell.py): ``elman`` (tanh, optional ``leak``), ``gru``, ``lif``
  (parameters in ``neuron``: tau_mem, tau_syn, dt, threshold, reset, refractory), ``alif``
  (adaptive LIF, layers/alif.py: the LIF keys but refractory, and tau_adapt, beta_adapt,
  adaptive). ``hidden`` gives one level of cells per entry; ``recurrent = false`` drops every U
  (each unit then only keeps its own state: the GRU's gate mix, the leak, the membrane);
  ``bidirectional`` adds a reversed cell per level and concatenates the two outputs at every step
  (width 2 n).
- **Readout** (time_readout.py): ``last``, ``mean``, ``leaky`` (time constant ``tau_out``),
  ``window`` (the mean over the last ``window`` steps), ``flatten`` (every step's output),
  ``every_step`` (a leaky readout neuron's output at every step, for a target of every step) or
  ``count``, then a dense layer to the outputs (none for ``count``, whose top cells are the
  output).

Layers are the cells in order (a bidirectional level: forward cell, then reverse cell) and the
dense readout; every layer is a block with its own weight layer, so ``update_angle/k`` is cell
k's input weight W and diagnostics address cells as they address a layered network's blocks.
The trace holds each layer's cache; ``trace.extra`` the encoded input and, for LIF cells, the
spiking records (potentials, spikes, counts, synaptic events).
"""

from __future__ import annotations

import math
from typing import ClassVar

import numpy as np

from ..dtypes import resolve_dtype
from ..layers import Dense
from ..layers.elman import ElmanCell
from ..layers.gru import GRUCell
from ..layers.alif import ALIFCell
from ..layers.lif import LIFCell
from ..spiking.encoding import ENCODINGS, check_encoding, encode, input_events, is_static
from ..spiking.adaptive import ALIF
from ..spiking.neurons import LIF
from ..spiking.surrogates import heaviside
from ..trace import Trace
from .capabilities import Capabilities
from .time_readout import READOUTS, TimeReadout

CELLS = ("elman", "gru", "lif", "alif")
SEQUENCE = "sequence"
NEURON_KEYS = ("tau_mem", "tau_syn", "dt", "threshold", "reset", "refractory")
#: the adaptive threshold's keys (cell = "alif"; learning_rules/spiking/adaptive.py)
ADAPT_KEYS = ("tau_adapt", "beta_adapt", "adaptive")
SPIKING_CELLS = ("lif", "alif")


def _error(message: str) -> ValueError:
    return ValueError(f"recurrent network: {message}")


class TemporalNetwork:
    """Cells in time with an input encoding and a readout (see the module docstring)."""

    SUPPORTS = frozenset({"temporal", "population", "cells"})
    MAY_OFFER = frozenset({"spiking", "readout"})
    PRIMARY = frozenset({"cells"})
    #: the runner passes the data's declared shape as ``input_shape``
    reads_data_shape: ClassVar[bool] = True
    #: readout "window": the decision window's steps (a class default for subclasses that set
    #: up their own readout, such as the spiking network)
    window: int = 1

    def __init__(self, sizes: list[int], rng: np.random.Generator, cell: str = "elman",
                 recurrent: bool = True, bidirectional: bool = False, readout: str = "last",
                 leak: float = 1.0, activation: str = "tanh", tau_out: float = 10.0,
                 encoding: str = SEQUENCE, steps: int = 20, neuron: dict | None = None,
                 init: str = "xavier", init_gain: float = 1.0, dtype: str = "float32",
                 input_shape: list[int] | tuple[int, ...] | None = None, window: int = 1) -> None:
        if len(sizes) < 2 or any(isinstance(s, bool) or int(s) != s or s < 1 for s in sizes):
            raise _error(f"sizes must be >= 2 positive integers, got {sizes}")
        if cell not in CELLS:
            raise _error(f"cell {cell!r} not allowed; allowed: {', '.join(CELLS)}")
        if readout not in READOUTS:
            raise _error(f"readout {readout!r} not allowed; allowed: {', '.join(READOUTS)}")
        if encoding not in (SEQUENCE, *ENCODINGS):
            raise _error(f"encoding {encoding!r} not allowed; allowed: {SEQUENCE}, {', '.join(ENCODINGS)}")
        if readout == "count" and cell not in SPIKING_CELLS:
            raise _error("readout 'count' counts spikes: it needs cell = 'lif' or 'alif'")
        if bidirectional and cell in SPIKING_CELLS:
            raise _error("bidirectional needs cell 'elman' or 'gru' (LIF cells run forward in time)")
        if not (isinstance(tau_out, (int, float)) and not isinstance(tau_out, bool) and tau_out > 0):
            raise _error(f"tau_out {tau_out!r} not allowed; must be a number > 0")
        self.dtype = resolve_dtype(dtype)
        self.encoding = encoding
        self.steps, self.n_step_features = self._time_shape(sizes[0], encoding, steps, input_shape)
        self.input_shape = (self.steps, self.n_step_features) if encoding == SEQUENCE else (int(sizes[0]),)
        self.cell_kind, self.bidirectional = cell, bool(bidirectional)
        self.alif = self._adaptive(neuron) if cell == "alif" else None
        self.lif = self.alif.lif if cell == "alif" else self._neuron(neuron) if cell == "lif" else None
        if neuron is not None and cell not in SPIKING_CELLS:
            raise _error("neuron parameters are for cell = 'lif' or 'alif'")
        self.readout = readout
        self.beta_out = float(np.exp(-1.0 / tau_out))
        self.window = window  # readout "window": the decision window's last steps
        if encoding == SEQUENCE and input_shape is None and isinstance(window, int) and window > self.steps:
            self.window = self.steps  # built without data (a configuration check): one step
        hidden = [int(n) for n in sizes[1:-1]]
        if readout == "count":  # the top cells are the output population
            hidden = [*hidden, int(sizes[-1])]
        layers, levels, width = [], [], self.n_step_features
        for depth, n in enumerate(hidden):
            level = []
            for reverse in ((False, True) if self.bidirectional else (False,)):
                level.append(len(layers))
                layers.append(self._cell(width, n, rng, recurrent, reverse, depth == 0, leak, activation,
                                         init, init_gain))
            levels.append(level)
            width = n * len(level)
        self._assemble(layers, levels, width, int(sizes[-1]), rng, init, init_gain)

    # -- construction -------------------------------------------------------------------------
    def _time_shape(self, n_features: int, encoding: str, steps, input_shape) -> tuple[int, int]:
        """(T, D) from the data's shape: (T, D) for sequences, (D,) held for ``steps`` steps."""
        if encoding != SEQUENCE:
            if isinstance(steps, bool) or int(steps) != steps or steps < 1:
                raise _error(f"steps {steps!r} not allowed; must be an integer >= 1")
            if input_shape is not None and len(input_shape) != 1 and math.prod(input_shape) != n_features:
                raise _error(f"input shape {tuple(input_shape)} does not hold {n_features} features")
            return int(steps), int(n_features)
        if input_shape is None:  # built without data (a configuration check): one step
            return 1, int(n_features)
        shape = tuple(int(s) for s in input_shape)
        if len(shape) != 2 or math.prod(shape) != n_features:
            raise _error(f"the sequence encoding reads data of shape (T, D); got {shape} (choose a sequence "
                         "dataset, or encoding current, rate or latency with steps for data of shape (D,))")
        if shape[0] < 2:
            raise _error(f"data of shape {shape} give 1 time step of {shape[1]} features; a sequence dataset "
                         "such as sequential_mnist1d (40 steps of 1) has a time axis")
        return shape

    def _neuron(self, neuron: dict | None) -> LIF:
        neuron = dict(neuron or {})
        unknown = sorted(set(neuron) - set(NEURON_KEYS))
        if unknown:
            raise _error(f"neuron: unknown key {unknown[0]!r}; allowed: {', '.join(NEURON_KEYS)}")
        defaults = {"tau_mem": 10.0, "tau_syn": 0.0, "dt": 1.0, "threshold": 1.0, "reset": "subtract", "refractory": 0}
        return LIF.from_time_constants(**{**defaults, **neuron})

    def _adaptive(self, neuron: dict | None) -> ALIF:
        """The ALIF model: the LIF keys plus ``ADAPT_KEYS`` (an unknown key is a one-line error)."""
        neuron = dict(neuron or {})
        unknown = sorted(set(neuron) - set(NEURON_KEYS) - set(ADAPT_KEYS))
        if unknown:
            raise _error(f"neuron: unknown key {unknown[0]!r}; allowed: {', '.join(NEURON_KEYS + ADAPT_KEYS)}")
        adapt = {k: neuron.pop(k) for k in ADAPT_KEYS if k in neuron}
        return ALIF.from_time_constants(self._neuron(neuron), **adapt, dt=neuron.get("dt", 1.0))

    def _cell(self, n_in, n, rng, recurrent, reverse, first, leak, activation, init, gain):
        T, dt = self.steps, self.dtype
        if self.cell_kind == "elman":
            return ElmanCell(n_in, n, rng, recurrent, reverse, T, activation, leak, init, gain, dt)
        if self.cell_kind == "gru":
            return GRUCell(n_in, n, rng, recurrent, reverse, T, init, gain, dt)
        static = first and is_static(self.encoding) and self.encoding != SEQUENCE
        if self.cell_kind == "alif":
            return ALIFCell(n_in, n, rng, self.alif, recurrent, T, init, gain, dt, static_input=static)
        return LIFCell(n_in, n, rng, self.lif, recurrent, T, init, gain, dt, static_input=static)

    def _assemble(self, layers, levels, width, n_out, rng, init, init_gain) -> None:
        """Attach the time readout and the dense readout; draw the evaluation noise seed."""
        try:
            self.reduction = TimeReadout(self.readout, self.steps, self.dtype, self.beta_out, self.window)
        except ValueError as err:
            raise _error(str(err)) from None
        if self.reduction.dense:
            layers.append(Dense(self.reduction.width(width), self._step_outputs(n_out), rng, init, init_gain,
                                self.dtype))
        self.layers, self.levels, self.top_width = layers, levels, width
        self.eval_seed = int(rng.integers(2**32))  # evaluation's own noise (rate coding)

    def _step_outputs(self, n_out: int) -> int:
        """The dense readout's width: n_out, or n_out / T outputs per step for ``every_step``
        (whose scores are every step's outputs; 1 in a configuration check built without data)."""
        if self.readout != "every_step" or n_out == 1:
            return n_out
        if n_out % self.steps:
            raise _error(f"readout 'every_step' reads a target of every step: {n_out} outputs are not a "
                         f"multiple of the {self.steps} steps")
        return n_out // self.steps

    # -- the network interface -----------------------------------------------------------------
    @property
    def cells(self) -> list:
        return [self.layers[i] for level in self.levels for i in level]

    @property
    def capabilities(self) -> Capabilities:
        families = set(self.SUPPORTS)
        if any(c.spiking for c in self.cells):
            families.add("spiking")
        if self.reduction.dense:
            families.add("readout")  # a dense layer on r: its gradient is exact
        return Capabilities(frozenset(families), time_steps=self.steps)

    @property
    def time_steps(self) -> int:
        return self.steps

    @property
    def params(self) -> list[dict[str, np.ndarray]]:
        return [layer.params for layer in self.layers]

    @property
    def weight_layers(self) -> list[int]:
        return list(range(len(self.layers)))

    def weight_layer(self, k: int):
        return self.layers[k]

    @property
    def depth(self) -> int:
        return len(self.layers)

    @property
    def n_outputs(self) -> int:
        """The scores' width (T K for ``every_step``; ``step_outputs`` is K)."""
        return self.layers[-1].n_out * (self.steps if self.readout == "every_step" else 1)

    @property
    def step_outputs(self) -> int:
        """The dense readout's outputs (per step for ``every_step``)."""
        return self.layers[-1].n_out

    @property
    def sizes(self) -> list[int]:
        return [math.prod(self.input_shape)] + [self.layers[level[0]].n * len(level) for level in self.levels] + (
            [self.n_outputs] if self.reduction.dense else [])

    @property
    def readout_layer(self) -> Dense | None:
        return self.layers[-1] if self.reduction.dense else None

    def describe(self) -> str:
        cells = ", ".join(" + ".join(self.layers[i].describe() for i in level) for level in self.levels)
        return f"recurrent {cells or 'no cells'}, T = {self.steps}, readout {self.readout}"

    # -- forward -------------------------------------------------------------------------------
    def encode(self, x: np.ndarray, train: bool = False, rng: np.random.Generator | None = None) -> np.ndarray:
        """Flat x (B, D_total) -> (T, B, D) for sequences, else the static encoding's output."""
        x = np.asarray(x, self.dtype)
        if self.encoding == SEQUENCE:
            B = x.shape[0]
            return np.ascontiguousarray(x.reshape(B, self.steps, self.n_step_features).transpose(1, 0, 2))
        if self.encoding == "rate" and rng is None:
            if train:
                raise ValueError("forward(train=True) with rate encoding needs an rng")
            rng = np.random.default_rng(self.eval_seed)
        return encode(check_encoding(self.encoding), x, self.steps, rng)

    def forward(self, x: np.ndarray, train: bool = False, rng: np.random.Generator | None = None,
                *, spike_fn=heaviside) -> tuple[np.ndarray, Trace]:
        """x (B, D) -> scores (B, n_out) and the trace (every layer's cache, every cell's output;
        ``spike_fn`` replaces H in LIF cells, as a testing aid)."""
        X = self.encode(x, train, rng)
        caches, outputs = [None] * len(self.layers), [None] * len(self.layers)
        H = X
        for level in self.levels:
            outs = []
            for i in level:
                h, caches[i] = self.layers[i].forward(H, steps=self.steps, spike_fn=spike_fn)
                outputs[i] = h
                outs.append(h)
            H = outs[0] if len(outs) == 1 else np.concatenate(outs, axis=-1)
        r = self.reduction.reduce(H)
        if self.reduction.dense:
            out, caches[-1] = self.layers[-1].forward(r)
            out = self.reduction.outputs(out, X.shape[1])
            outputs[-1] = out
        else:
            out = r
        extra = {"encoded": X, "top": H}
        if self.lif is not None:
            extra.update(self._spiking_records(X, caches))
        return out, Trace(caches, outputs, extra)

    def _spiking_records(self, X: np.ndarray, caches: list) -> dict:
        """Per LIF layer its input, potentials, spikes, active masks and spike counts, and the
        synaptic events per sample (input spikes included: each spike times its fan-out)."""
        extra = {"inputs": [], "potentials": [], "spikes": [], "active": [], "spike_counts": []}
        events = input_events(self.encoding, X) * self.layers[0].n_out if self.encoding != SEQUENCE else (
            np.zeros(X.shape[1], X.dtype))
        cells = self.cells
        for l, cell in enumerate(cells):
            c = caches[l]
            count = c.S.sum(axis=0)
            for key, value in (("inputs", c.X), ("potentials", c.V), ("spikes", c.S), ("active", c.A),
                               ("spike_counts", count)):
                extra[key].append(value)
            fan_out = (self.layers[l + 1].n_out if l + 1 < len(self.layers) else 0) + (cell.n if cell.recurrent else 0)
            if fan_out:
                events = events + count.sum(axis=1) * fan_out
        extra["synaptic_events"] = float(events.mean())
        return extra

    def predict(self, x: np.ndarray) -> np.ndarray:
        """x (B, D) -> scores (B, n_out), deterministic (rate coding draws from ``eval_seed``)."""
        return self.forward(x, train=False)[0]

    def readout_gradients(self, trace: Trace, e: np.ndarray) -> list[dict | None]:
        """The dense readout's exact gradient from e = dL/d scores (B, K); None for every cell."""
        grads: list[dict | None] = [None] * len(self.layers)
        grads[-1] = self.layers[-1].backward_params(trace.layers[-1], self.reduction.output_error(e))
        return grads

    def synaptic_events(self, trace: Trace) -> float:
        return float(trace.extra["synaptic_events"])

    # -- cost ----------------------------------------------------------------------------------
    def flops(self, batch: int = 1) -> int:
        """FLOPs of one forward pass: every cell's formula, the time readout and the dense layer."""
        total = sum(cell.flops(batch) for cell in self.cells)
        total += self.reduction.flops(batch, self.top_width)
        if self.reduction.dense:
            total += self.layers[-1].flops(batch)
        return int(total)

    def copy(self) -> "TemporalNetwork":
        clone = object.__new__(type(self))
        clone.__dict__.update(self.__dict__)
        clone.layers = [layer.copy() for layer in self.layers]
        return clone
