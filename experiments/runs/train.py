"""The training loop: one function of (network, rule, data stream, evaluation sets).

It knows nothing about files, configs or executors, so a run made of several phases (train on
task A, then on task B, evaluating on both) calls it once per phase. Records are tidy rows
``{"epoch", "metric", "value", "layer"}``; epoch 0 is the evaluation before any learning.

Diagnostics run at epoch 0, every ``diagnostics_every`` epochs and after the last epoch. The
rule's diagnostics read the first PROBE_SIZE training samples; the representation diagnostics
(unit health, effective rank) the first REPRESENTATION_FIT, on which the linear probes are fitted
and then scored on the held-out set (the first HELD_OUT_PROBE test samples). A ``stored_probe``
(rows of the test split) has every block's output on it kept at each diagnostic epoch, for
comparing representations across runs afterwards.
"""

from __future__ import annotations

import math
import time
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Callable

import numpy as np

from learning_rules.diagnostics import block_outputs, epoch_diagnostics
from learning_rules.divergence import Divergence
from learning_rules.losses import get_loss
from learning_rules.params import leaves

#: how many training samples the diagnostics and the train-set evaluation look at
PROBE_SIZE = 256
#: training samples the representation diagnostics read and the linear probes are fitted on
REPRESENTATION_FIT = 1024
#: held-out samples the linear probes are scored on
HELD_OUT_PROBE = 512
EVAL_CHUNK = 2048


#: divergence bounds relative to the run's start (docs/report.md): a step loss this many times
#: the first step's, or a parameter norm this many times the initial one, stops the run as diverged
LOSS_BOUND = 1e3
PARAMETER_BOUND = 1e4
#: a complete run is flagged unstable when its final training loss is more than UNSTABLE_RATIO
#: times its lowest and has climbed back more than UNSTABLE_FRACTION of the way to its start
UNSTABLE_RATIO = 1.5
UNSTABLE_FRACTION = 0.25


@dataclass
class EvalSet:
    """Arrays to evaluate on: x (N, D), y (N,) int labels or (N, K) regression targets."""

    x: np.ndarray
    y: np.ndarray
    classification: bool


@dataclass
class TrainOutcome:
    """What a call of ``train`` produced."""

    records: list[dict] = field(default_factory=list)
    status: str = "complete"  # complete | diverged
    reason: str = ""
    flag: str = ""  # "unstable" (see instability) for a complete run whose training loss climbed back
    flag_reason: str = ""
    epochs_completed: int = 0
    flops: float = 0.0
    wall_time: float = 0.0
    diagnostics_time: float = 0.0  # seconds of wall_time spent on diagnostics
    #: (epoch, every block's output on the stored probe (N, F_k) float32) per diagnostic epoch
    representations: list[tuple[int, list[np.ndarray]]] = field(default_factory=list)


def evaluate(net, data: EvalSet, loss_name: str) -> dict[str, float]:
    """Mean loss and (for classification) accuracy of ``net.predict`` on ``data``."""
    loss_fn = get_loss(loss_name)
    total_loss, correct, n = 0.0, 0, data.x.shape[0]
    for i in range(0, n, EVAL_CHUNK):
        out = net.predict(data.x[i : i + EVAL_CHUNK])
        yb = data.y[i : i + EVAL_CHUNK]
        total_loss += loss_fn(out, yb)[0] * out.shape[0]
        if data.classification:
            correct += int((out.argmax(axis=1) == yb).sum())
    result = {"loss": total_loss / n}
    if data.classification:
        result["accuracy"] = correct / n
    return result


def _row(epoch: int, metric: str, value: float, layer=None) -> dict:
    return {"epoch": epoch, "metric": metric, "value": float(value), "layer": layer}


def _split_key(key: str) -> tuple[str, int | None]:
    name, _, layer = key.partition("/")
    return (name, int(layer)) if layer.isdigit() else (key, None)


def train(
    net,
    rule,
    x: np.ndarray,
    y: np.ndarray,
    *,
    epochs: int,
    batch_size: int,
    shuffle_rng: np.random.Generator,
    eval_sets: dict[str, EvalSet],
    loss_name: str,
    diagnostics_every: int = 1,
    first_epoch: int = 1,
    flops_so_far: float = 0.0,
    wall_so_far: float = 0.0,
    on_epoch: Callable[[int], None] | None = None,
    held_out: EvalSet | None = None,
    stored_probe: np.ndarray | None = None,
) -> TrainOutcome:
    """Train ``net`` with ``rule`` on (x, y) for ``epochs`` shuffled passes of whole batches.

    Logs per epoch: step_loss (mean of the step losses), for each evaluation set ``<name>_loss``
    and ``<name>_accuracy``, cumulative ``flops`` and ``wall_time`` (seconds of training and
    evaluation), the epoch mean of every other float a step reports (a key ``"m/L"`` is metric
    ``m`` of layer ``L``), and the diagnostics (see the module docstring): ``held_out`` is where
    the linear probes are scored (None: half the fitted samples), ``stored_probe`` (N, D) the
    samples whose block outputs are kept in ``representations``.
    Stops with status ``diverged`` when the loss, the gradients or the parameters stop being
    finite or explode (LOSS_BOUND, PARAMETER_BOUND, learning_rules.divergence.GRADIENT_BOUND:
    bounds relative to the run's start); a complete run whose training loss climbs back far
    above its minimum is flagged ``unstable`` (``instability``).
    """
    out = TrainOutcome(flops=flops_so_far, wall_time=wall_so_far)
    n = x.shape[0]
    start_norm = _parameter_norm(net)
    first_loss = None
    probe = _Probe(x, y, held_out, stored_probe)
    if first_epoch == 1:
        out.records += _evaluation(net, rule, 0, eval_sets, loss_name, probe, diagnostics_every, out)
        out.records += [_row(0, "flops", out.flops), _row(0, "wall_time", out.wall_time)]
    last = first_epoch + epochs - 1
    for epoch in range(first_epoch, first_epoch + epochs):
        start = time.perf_counter()
        order = shuffle_rng.permutation(n)
        sums: dict[str, float] = defaultdict(float)
        steps = 0
        for i in range(0, n - batch_size + 1 if n >= batch_size else 1, batch_size):
            idx = order[i : i + batch_size]
            try:
                info = rule.step(net, x[idx], y[idx])
            except Divergence as err:  # the rule saw its own numbers explode (learning_rules.divergence)
                out.status, out.reason = "diverged", f"{err} in epoch {epoch}"
                break
            loss = info["loss"]
            if not math.isfinite(loss):
                out.status, out.reason = "diverged", f"loss became {loss} in epoch {epoch}"
                break
            first_loss = loss if first_loss is None else first_loss
            if loss > LOSS_BOUND * max(first_loss, 1e-3):
                out.status, out.reason = "diverged", (f"loss exploded to {loss:.3g} in epoch {epoch}, more than "
                                                      f"{LOSS_BOUND:g} times the first step's {first_loss:.3g}")
                break
            out.flops += info.get("flops", 0.0)
            for k, v in info.items():
                sums[k] += v
            steps += 1
        out.wall_time += time.perf_counter() - start
        if out.status == "complete":
            norm = _parameter_norm(net)
            if not math.isfinite(norm):
                out.status, out.reason = "diverged", f"parameters became non-finite in epoch {epoch}"
            elif start_norm > 0 and norm > PARAMETER_BOUND * start_norm:
                out.status, out.reason = "diverged", (f"parameters exploded in epoch {epoch}: norm {norm:.3g}, more "
                                                      f"than {PARAMETER_BOUND:g} times the initial {start_norm:.3g}")
        if out.status != "complete":
            return out
        rows = [_row(epoch, "step_loss", sums.pop("loss") / steps)]
        sums.pop("flops", None)
        for key, total in sorted(sums.items()):
            name, layer = _split_key(key)
            rows.append(_row(epoch, name, total / steps, layer))
        t0 = time.perf_counter()
        diag = diagnostics_every and (epoch % diagnostics_every == 0 or epoch == last)
        rows += _evaluation(net, rule, epoch, eval_sets, loss_name, probe, diag, out)
        out.wall_time += time.perf_counter() - t0
        rows += [_row(epoch, "flops", out.flops), _row(epoch, "wall_time", out.wall_time)]
        out.records += rows
        out.epochs_completed = epoch
        if not all(math.isfinite(r["value"]) for r in rows if r["metric"].endswith("_loss")):
            out.status, out.reason = "diverged", f"evaluation loss became non-finite in epoch {epoch}"
            return out
        if on_epoch is not None:
            on_epoch(epoch)
    out.flag, out.flag_reason = instability(out.records)
    return out


def _parameter_norm(net) -> float:
    """The Euclidean norm of all of ``net``'s parameters (inf when one is not finite)."""
    with np.errstate(over="ignore", invalid="ignore"):
        squared = sum(float(np.vdot(p, p).real) for p in leaves(net.params))
    return math.sqrt(squared) if math.isfinite(squared) else math.inf


def instability(records: list[dict]) -> tuple[str, str]:
    """("unstable", why) when the training loss (``train_loss``, else ``step_loss``) per epoch ends
    more than UNSTABLE_RATIO times its minimum and more than UNSTABLE_FRACTION of the way back up
    from that minimum to its first value; ("", "") otherwise."""
    for metric in ("train_loss", "step_loss"):
        curve = sorted((r["epoch"], r["value"]) for r in records if r["metric"] == metric and r["layer"] is None)
        if len(curve) >= 3:
            break
    else:
        return "", ""
    first, (last_epoch, last) = curve[0][1], curve[-1]
    low_epoch, low = min(curve, key=lambda e: e[1])
    if last > UNSTABLE_RATIO * low and last - low > UNSTABLE_FRACTION * (first - low) and first > low:
        return "unstable", (f"{metric.replace('_', ' ')} rose from its minimum {low:.3g} (epoch {low_epoch}) "
                            f"to {last:.3g} at the end (epoch {last_epoch}); it started at {first:.3g}")
    return "", ""


class _Probe:
    """The fixed samples diagnostics read (see the module docstring)."""

    def __init__(self, x, y, held_out: EvalSet | None, stored: np.ndarray | None) -> None:
        self.x, self.y = x[:PROBE_SIZE], y[:PROBE_SIZE]
        fit_x, fit_y = x[:REPRESENTATION_FIT], y[:REPRESENTATION_FIT]
        held = (None, None) if held_out is None else (held_out.x[:HELD_OUT_PROBE], held_out.y[:HELD_OUT_PROBE])
        self.representation = (fit_x, fit_y, *held)
        self.stored = stored


def _evaluation(net, rule, epoch, eval_sets, loss_name, probe: _Probe, diagnostics, out: TrainOutcome) -> list[dict]:
    rows = []
    for name, data in eval_sets.items():
        for metric, value in evaluate(net, data, loss_name).items():
            rows.append(_row(epoch, f"{name}_{metric}", value))
    if diagnostics:
        t0 = time.perf_counter()
        values = epoch_diagnostics(rule, net, probe.x, probe.y, probe.representation)
        for key, value in sorted(values.items()):
            metric, layer = _split_key(key)
            rows.append(_row(epoch, metric, value, layer))
        if probe.stored is not None:
            stored = block_outputs(net, probe.stored)
            if stored is not None:
                out.representations.append((epoch, [h.astype(np.float32) for h in stored]))
        out.diagnostics_time += time.perf_counter() - t0
    return rows
