"""Discrete-time leaky integrate-and-fire (LIF) neurons with an optional current-based synapse.

A layer of n neurons, driven for a batch of B samples by input currents c_t (B, n), follows at each
time step t = 0 .. T-1 (Gerstner et al. 2014, "Neuronal Dynamics", ch. 1 and 5; the discrete form of
Zenke & Ganguli 2018 and snnTorch's ``Synaptic``/``Leaky``):

    I_t = alpha I_{t-1} + c_t                  synaptic current (alpha = 0: no synapse, I_t = c_t)
    v_t = beta u_{t-1} + I_t                   membrane before the spike (held at u_{t-1} while refractory)
    s_t = H(v_t - threshold)                   spike (0 while refractory)
    u_t = v_t - threshold s_t                  reset "subtract"
    u_t = v_t (1 - s_t)                        reset "zero"

with u_{-1} = I_{-1} = 0, beta = exp(-dt / tau_mem) and alpha = exp(-dt / tau_syn). This is the exact
integration of tau_mem du/dt = -u + tau_mem I(t) sampled every dt, so a constant sub-threshold
current c gives u_t = c (1 - beta^(t+1)) / (1 - beta). After a spike the neuron is refractory for
``refractory`` steps: its membrane is held and it cannot fire. A neuron model is a small frozen
value object; the state lives in arrays owned by whoever simulates it.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Callable

import numpy as np

from .surrogates import heaviside

RESETS = ("subtract", "zero")


@dataclass(frozen=True)
class LIF:
    """Decays per step ``beta`` (membrane) in (0, 1] and ``alpha`` (synapse) in [0, 1] (0: none),
    ``threshold`` > 0, ``reset`` "subtract" | "zero", ``refractory`` steps >= 0."""

    beta: float
    alpha: float = 0.0
    threshold: float = 1.0
    reset: str = "subtract"
    refractory: int = 0

    def __post_init__(self) -> None:
        if not 0.0 < self.beta <= 1.0:
            raise ValueError(f"LIF beta (membrane decay): {self.beta!r} not allowed; must be in (0, 1]")
        if not 0.0 <= self.alpha <= 1.0:
            raise ValueError(f"LIF alpha (synaptic decay): {self.alpha!r} not allowed; must be in (0, 1], or 0 for no synapse")
        if not (math.isfinite(self.threshold) and self.threshold > 0):
            raise ValueError(f"LIF threshold: {self.threshold!r} not allowed; must be a finite number > 0")
        if self.reset not in RESETS:
            raise ValueError(f"LIF reset: {self.reset!r} not allowed; allowed: {', '.join(RESETS)}")
        if int(self.refractory) != self.refractory or self.refractory < 0:
            raise ValueError(f"LIF refractory: {self.refractory!r} not allowed; must be an integer >= 0 (steps)")

    @classmethod
    def from_time_constants(cls, tau_mem: float, tau_syn: float = 0.0, dt: float = 1.0,
                            threshold: float = 1.0, reset: str = "subtract", refractory: int = 0) -> "LIF":
        """beta = exp(-dt / tau_mem) (tau_mem = inf: no leak), alpha = exp(-dt / tau_syn) (tau_syn = 0: no synapse)."""
        if not (math.isfinite(dt) and dt > 0):
            raise ValueError(f"LIF dt: {dt!r} not allowed; must be a finite number > 0")
        if not tau_mem > 0:
            raise ValueError(f"LIF tau_mem: {tau_mem!r} not allowed; must be > 0 (decay exp(-dt/tau_mem) in (0, 1])")
        if not tau_syn >= 0:
            raise ValueError(f"LIF tau_syn: {tau_syn!r} not allowed; must be >= 0 (0: no synaptic filter)")
        beta = math.exp(-dt / tau_mem)
        alpha = math.exp(-dt / tau_syn) if tau_syn > 0 else 0.0
        return cls(beta, alpha, threshold, reset, int(refractory))

    @property
    def ops_per_step(self) -> int:
        """Floating-point operations per neuron per time step (decays, adds, compare, reset)."""
        return 5 + (2 if self.alpha > 0 else 0) + (2 if self.refractory else 0)


@dataclass
class LIFState:
    """One layer's state for B samples: u (B, n) membrane after reset, I (B, n) synaptic current,
    ref (B, n) int remaining refractory steps (None when refractory is 0)."""

    u: np.ndarray
    I: np.ndarray
    ref: np.ndarray | None

    @classmethod
    def zeros(cls, lif: LIF, batch: int, n: int, dtype) -> "LIFState":
        ref = np.zeros((batch, n), dtype=np.int32) if lif.refractory else None
        return cls(np.zeros((batch, n), dtype), np.zeros((batch, n), dtype), ref)


def synaptic_current(lif: LIF, state, c: np.ndarray) -> np.ndarray:
    """This step's input current: with a synaptic filter (alpha > 0), I <- alpha I + c in place in
    ``state.I``; without one, c itself."""
    if lif.alpha > 0:
        state.I *= lif.alpha
        state.I += c
        return state.I
    return c


def lif_step(lif: LIF, state: LIFState, c: np.ndarray,
             spike_fn: Callable[[np.ndarray], np.ndarray] = heaviside,
             v_out: np.ndarray | None = None, s_out: np.ndarray | None = None):
    """Advance ``state`` one step in place under input current c (B, n).

    Returns (v (B, n) membrane before the spike, s (B, n) spikes, active (B, n) 1 where not
    refractory, or None), written into ``v_out`` / ``s_out`` when given (no temporaries on the
    hot path). ``spike_fn`` replaces H (tests use a smooth step)."""
    current = synaptic_current(lif, state, c)
    v = np.multiply(state.u, lif.beta, out=v_out)
    v += current
    active = None
    if state.ref is not None:
        held = state.ref > 0
        np.copyto(v, state.u, where=held)  # held while refractory
        active = (~held).astype(v.dtype)
    if spike_fn is heaviside:
        fired = v >= lif.threshold
        if s_out is None:
            s = fired.astype(v.dtype)
        else:
            np.copyto(s_out, fired)
            s = s_out
    else:
        s = spike_fn(v - lif.threshold)
        if s_out is not None:
            s_out[...] = s
            s = s_out
    if active is not None:
        s *= active
        state.ref = np.where(s >= 0.5, lif.refractory, np.maximum(state.ref - 1, 0)).astype(np.int32)
    if lif.reset == "subtract":
        np.multiply(s, lif.threshold, out=state.u)
        np.subtract(v, state.u, out=state.u)
    else:
        np.subtract(1, s, out=state.u)
        state.u *= v
    return v, s, active


def simulate(lif: LIF, currents: np.ndarray, steps: int, record: bool = True,
             spike_fn: Callable[[np.ndarray], np.ndarray] = heaviside) -> dict[str, np.ndarray | None]:
    """Run a layer for ``steps`` steps under currents (B, n) (constant) or (T, B, n).

    Returns {"v": (T, B, n) membranes before the spike, "s": (T, B, n) spikes, "active": (T, B, n)
    or None}; with ``record=False`` only the spike counts {"count": (B, n)} are kept."""
    static = currents.ndim == 2
    B, n = currents.shape[-2:]
    state = LIFState.zeros(lif, B, n, currents.dtype)
    if record:
        V = np.empty((steps, B, n), currents.dtype)
        S = np.empty((steps, B, n), currents.dtype)
        A = np.empty((steps, B, n), currents.dtype) if lif.refractory else None
    count = np.zeros((B, n), currents.dtype)
    v_buf, s_buf = (None, None) if record else (np.empty((B, n), currents.dtype), np.empty((B, n), currents.dtype))
    for t in range(steps):
        c = currents if static else currents[t]
        if record:  # the step writes straight into the records
            _, _, active = lif_step(lif, state, c, spike_fn, V[t], S[t])
            if A is not None:
                A[t] = active
        else:
            _, s, _ = lif_step(lif, state, c, spike_fn, v_buf, s_buf)
            count += s
    if record:
        return {"v": V, "s": S, "active": A}
    return {"count": count}
