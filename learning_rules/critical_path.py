"""Update locking, counted: the critical path of one training step in sequential layer operations.

A layer operation is one block's forward pass or one block's error computation (a weight layer
with the activation, pooling or normalisation that follow it; on a whole batch; for a spiking
network, one layer at one time step). Operations that need each other's results run
in sequence and the rest could run in parallel. The longest chain of dependent operations before
every layer has its update is the step's critical path. The *first-layer latency* is how long the
first layer waits before it can update. Both come from the rule's declared
``update_dependency`` and the network's depth L (and time steps T):

- ``backward_chain`` (backprop, feedback alignment, sign symmetry, Kolen-Pollack, BPTT):
  L forward, then delta_L, ..., delta_1 one after another: path 2L, first-layer latency 2L.
- ``output`` (direct feedback alignment, broadcast-error rules): L forward, then every delta_l at
  once from the output error: path L + 1, first-layer latency L + 1.
- ``local`` (local-error rules, forward-forward): layer l learns after its own forward pass and one
  local operation: path L + 1, first-layer latency 2.
- ``readout`` (the readout-only control): only the output layer learns: path L + 1.
- ``population`` (genetic, evolution strategies): every candidate's forward pass, then selection:
  path L + 1, first-layer latency L + 1.
- ``forward_only`` (weight and node perturbation, forward gradients): no backward sweep. The
  perturbed passes (or the tangents of forward mode) run beside the unperturbed one, L
  operations side by side; then one number per sample (a loss difference, a directional
  derivative) is broadcast from the output to every layer, which combines it with its own
  perturbation and input: path L + 1, first-layer latency L + 1.
- ``two_forward_passes`` (PEPITA): the standard pass (L), the output error projected onto the
  input (1), then the modulated pass (L), each layer updating as soon as its own modulated
  activity is known: path 2L + 1, first-layer latency L + 2. No backward sweep, but a second
  sweep that waits for the first.
- ``relaxation`` (predictive coding, equilibrium propagation): L forward to set the state, then
  the network settles for S sequential layer operations (each one operation in every layer at
  once, reading its neighbours' state of the operation before), and every layer updates from its
  own settled state: path L + S, first-layer latency L + S.

**Inner steps.** A rule that iterates inside its step declares ``inner_steps(L)``, S, the number
of sequential layer operations its iterations add before any layer can update: for a relaxation
rule, its steps of inference times the operations each needs (predictive coding: a prediction and
an error exchange, 2 per step, or 1 with fixed predictions; equilibrium propagation: one per
half-sweep of its alternating updates, in the free phase and every nudged phase); for target
propagation, the training steps of its inverses before the targets are sent down (2 per step for
a layer-wise reconstruction, 2(L - 1) for the difference reconstruction loss, which runs a
corrupted activity up to the output and back). S adds to both lengths of every dependency, so

    critical_path(dependency, L, T, inner_steps=S) = critical_path(dependency, L, T) + S  (both lengths)

and, for a relaxation rule, the base is the forward wavefront alone: L + S for a rate network.

In a network simulated for T steps, a layer operation at time t needs the layer below at t and
itself at t - 1, so a forward sweep takes T + L - 1 operations instead of L, and BPTT's backward sweep
does too: 2 (T + L - 1). Truncated BPTT with a window of k < T steps sweeps back only k steps:
T + L - 1 + k + L - 1. An online rule (``output`` or ``local``: e-prop, RFLO, RTRL, the local
spiking rule) has its eligibility traces or sensitivities ready when the last step's error
arrives: T + L.
"""

from __future__ import annotations

from dataclasses import dataclass

DEPENDENCIES = ("backward_chain", "output", "local", "readout", "population", "forward_only",
                "two_forward_passes", "relaxation")


@dataclass(frozen=True)
class CriticalPath:
    """Lengths in sequential layer operations: the whole step, and the first layer's wait."""

    length: int
    first_layer_latency: int


def critical_path(update_dependency: str, n_layers: int, time_steps: int = 1,
                  window: int | None = None, inner_steps: int = 0) -> CriticalPath:
    """The critical path of one training step for a rule of ``update_dependency`` on a network
    of ``n_layers`` weight layers simulated for ``time_steps`` steps (1 for a rate network);
    ``window``: how many steps a backward chain sweeps back (truncated BPTT; None: all);
    ``inner_steps``: sequential layer operations of iteration inside the step (see above)."""
    if update_dependency not in DEPENDENCIES:
        raise ValueError(f"unknown update_dependency {update_dependency!r}; allowed: {', '.join(DEPENDENCIES)}")
    if n_layers < 1 or time_steps < 1 or (window is not None and window < 1) or inner_steps < 0:
        raise ValueError("n_layers, time_steps and window must be >= 1, inner_steps >= 0")
    L, T, S = n_layers, time_steps, inner_steps
    forward = T + L - 1  # the wavefront through layers and time
    if update_dependency == "backward_chain":
        backward = min(T, window or T) + L - 1
        return CriticalPath(forward + backward + S, forward + backward + S)
    if update_dependency == "local":
        return CriticalPath(forward + 1 + S, T + 1 + S)
    if update_dependency == "relaxation":
        return CriticalPath(forward + S, forward + S)
    if update_dependency == "two_forward_passes":
        return CriticalPath(2 * forward + 1 + S, forward + 1 + T + S)
    return CriticalPath(forward + 1 + S, forward + 1 + S)


def rule_critical_path(rule, net, window: int | None = None) -> CriticalPath:
    """The critical path of ``rule`` (a rule instance, or a class at its default
    hyperparameters) on ``net``: its depth in weight layers, its declared time steps, the rule's
    ``inner_steps``, and ``window`` for truncated BPTT."""
    rule = rule() if isinstance(rule, type) else rule
    return critical_path(rule.update_dependency, net.depth, net.capabilities.time_steps, window,
                         rule.inner_steps(net.depth))
