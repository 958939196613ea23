"""Adaptive leaky integrate-and-fire (ALIF) neurons: a LIF neuron whose threshold rises with each
of its spikes and decays back (Bellec, Salaj, Subramoney, Legenstein & Maass 2018, "Long
short-term memory and learning-to-learn in networks of spiking neurons"; the ALIF of Bellec et
al. 2020, "A solution to the learning dilemma for recurrent networks of spiking neurons", Methods).

A layer of n neurons driven by input currents c_t (B, n) follows, at t = 0 .. T-1, the LIF update
of ``neurons.py`` with a moving threshold A_t:

    a_t = rho a_{t-1} + s_{t-1}                adaptation: every spike adds 1, decaying by rho
    A_t = threshold + beta_j a_t               the threshold (beta_j = 0: a plain LIF neuron)
    I_t = alpha I_{t-1} + c_t                  synaptic current (alpha = 0: no synapse)
    v_t = beta u_{t-1} + I_t                   membrane before the spike
    s_t = H(v_t - A_t)                         spike
    u_t = v_t - threshold s_t                  reset "subtract" (by the base threshold, as the
    u_t = v_t (1 - s_t)                        paper's equations) | reset "zero"

with a_{-1} = s_{-1} = u_{-1} = I_{-1} = 0 and rho = exp(-dt / tau_adapt). So one spike raises the
threshold by beta_j from the next step on, and that rise decays by rho per step. ``adaptive`` is
the fraction of the layer's neurons that adapt (the first round(adaptive n) of them; the paper's
evidence-accumulation network is half LIF, half ALIF); the others have beta_j = 0. ALIF neurons
have no refractory period here.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Callable

import numpy as np

from .neurons import LIF, synaptic_current
from .surrogates import heaviside


@dataclass(frozen=True)
class ALIF:
    """The LIF part ``lif`` (refractory 0), the adaptation decay ``rho`` in [0, 1), its strength
    ``beta_adapt`` >= 0 and the fraction ``adaptive`` in [0, 1] of neurons that adapt."""

    lif: LIF
    rho: float
    beta_adapt: float = 1.8
    adaptive: float = 1.0

    def __post_init__(self) -> None:
        if self.lif.refractory:
            raise ValueError(f"ALIF refractory: {self.lif.refractory!r} not allowed; ALIF neurons have none (use 0)")
        if not 0.0 <= self.rho < 1.0:
            raise ValueError(f"ALIF rho (adaptation decay): {self.rho!r} not allowed; must be in [0, 1)")
        if not (math.isfinite(self.beta_adapt) and self.beta_adapt >= 0):
            raise ValueError(f"ALIF beta_adapt: {self.beta_adapt!r} not allowed; must be a finite number >= 0")
        if not 0.0 <= self.adaptive <= 1.0:
            raise ValueError(f"ALIF adaptive: {self.adaptive!r} not allowed; must be in [0, 1] (a fraction)")

    @classmethod
    def from_time_constants(cls, lif: LIF, tau_adapt: float = 200.0, beta_adapt: float = 1.8,
                            adaptive: float = 1.0, dt: float = 1.0) -> "ALIF":
        """The LIF part ``lif`` with rho = exp(-dt / tau_adapt) (dt: the LIF's step)."""
        if isinstance(tau_adapt, bool) or not (isinstance(tau_adapt, (int, float)) and tau_adapt > 0):
            raise ValueError(f"ALIF tau_adapt: {tau_adapt!r} not allowed; must be a number > 0 (steps of dt)")
        for key, value in (("beta_adapt", beta_adapt), ("adaptive", adaptive)):
            if isinstance(value, bool) or not isinstance(value, (int, float)):
                raise ValueError(f"ALIF {key}: {value!r} not allowed; must be a number")
        return cls(lif, math.exp(-dt / tau_adapt), float(beta_adapt), float(adaptive))

    @property
    def threshold(self) -> float:
        return self.lif.threshold

    def betas(self, n: int, dtype=np.float32) -> np.ndarray:
        """beta_j (n,): ``beta_adapt`` for the first round(adaptive n) neurons, 0 for the rest."""
        out = np.zeros(n, dtype)
        out[:int(round(self.adaptive * n))] = self.beta_adapt
        return out

    @property
    def ops_per_step(self) -> int:
        """The LIF's operations plus the adaptation's decay, add, scale and threshold add."""
        return self.lif.ops_per_step + 4


@dataclass
class ALIFState:
    """u, I (B, n) as for LIF; a (B, n) the adaptation; s (B, n) the last step's spikes."""

    u: np.ndarray
    I: np.ndarray
    a: np.ndarray
    s: np.ndarray

    @classmethod
    def zeros(cls, batch: int, n: int, dtype) -> "ALIFState":
        return cls(*(np.zeros((batch, n), dtype) for _ in range(4)))


def alif_step(model: ALIF, betas: np.ndarray, state: ALIFState, c: np.ndarray,
              spike_fn: Callable[[np.ndarray], np.ndarray] = heaviside):
    """Advance ``state`` one step in place under input current c (B, n); betas (n,).

    Returns (v (B, n) membrane before the spike, A (B, n) the threshold, s (B, n) spikes)."""
    lif = model.lif
    state.a *= model.rho
    state.a += state.s
    A = lif.threshold + betas * state.a
    current = synaptic_current(lif, state, c)
    v = state.u * lif.beta + current
    s = (v >= A).astype(v.dtype) if spike_fn is heaviside else np.asarray(spike_fn(v - A), v.dtype)
    state.u = v - lif.threshold * s if lif.reset == "subtract" else v * (1 - s)
    state.s = s
    return v, A, s
