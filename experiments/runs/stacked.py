"""The seeds of one rule and configuration trained together, on a leading seed axis S.

Each seed builds its own network, rule and batch order exactly as a solo run does
(worker.train_spec); the stack then owns their parameters as (S, ...) arrays, and each seed's
network keeps views into them (learning_rules.seed_axis), so one forward pass, one backward sweep
and one optimizer step on (S, B, ...) arrays train every seed, while each seed's evaluation,
diagnostics and records come from its own network, as in train.train. A seed whose run diverges,
and every group this loop cannot stack, is run alone again (worker.execute_run), so a stored run
is always the solo run's (float64 to rounding; docs/reproducibility.md).

Stacked: backprop, feedback alignment and the local random classifiers on chains of dense, convolutional,
pooling, flatten and activation layers, one
training phase, no stored representations, no gradient clipping, cross-entropy or MSE.
"""

from __future__ import annotations

import copy
import math
import time
import warnings
from collections import defaultdict
from typing import Callable

import numpy as np

from learning_rules.credit.chain import backward_sweep
from learning_rules.divergence import Divergence
from learning_rules.networks import graph
from learning_rules.seed_axis import stack_into, stacked_loss

from ..config.rules import build_rule
from .phases import phase_streams
from .spec import RunSpec, canonical_json
from .train import (LOSS_BOUND, PARAMETER_BOUND, EvalSet, TrainOutcome, _evaluation, _parameter_norm, _Probe, _row,
                    _split_key, instability)
from .worker import build_network, dataset_for, execute_run, fill_result, loss_for, started_result

#: the rules whose seeds train stacked (tested equal to their solo runs)
STACKABLE_RULES = ("backprop", "feedback_alignment", "local_random_classifier")
#: the layer kinds a stacked network may hold
STACKABLE_LAYERS = ("dense", "activation", "conv1d", "conv2d", "flatten", "maxpool1d", "maxpool2d",
                    "avgpool1d", "avgpool2d")
#: what ``[experiment] stack_seeds`` may be
STACK_CHOICES = (True, False, "auto")
#: rule state stacked beside the parameters: lists of fixed tensors, one or None per block
FIXED_STATE = ("feedback", "readout_W", "readout_b")


class NotStackable(Exception):
    """This group must run seed by seed."""


def group_key(spec: dict) -> str:
    """Specs with one key differ only by seed."""
    return canonical_json({k: v for k, v in spec.items() if k != "seed"})


def stackable(spec: RunSpec) -> bool:
    """Whether a spec's run can join a stack (before its network is built)."""
    return (spec.rule in STACKABLE_RULES and not spec.phases and not spec.representation_samples
            and spec.optimizer.get("clip_norm") is None and spec.model.get("kind") == "rate")


def seed_groups(specs: list[dict], stack) -> list[list[dict]]:
    """The specs in groups to run together (one spec a group when ``stack`` is False), in order
    of their first member."""
    if stack is False:
        return [[s] for s in specs]
    groups: dict[str, list[dict]] = {}
    for spec in specs:
        key = group_key(spec) if stackable(RunSpec.from_dict(spec)) else canonical_json(spec)
        groups.setdefault(key, []).append(spec)
    return list(groups.values())


def execute_group(specs: list[dict], on_epoch: Callable | None = None) -> list[dict]:
    """The results of a group's runs (``seed_groups``): stacked when it can, else one by one."""
    if len(specs) > 1:
        try:
            return train_stacked(specs, on_epoch)
        except NotStackable:
            pass
        except Exception as error:  # noqa: BLE001 - alone, each run fails (or not) with its own traceback
            # said, not silent: a bug in the stacked loop would otherwise show only as lost speed
            warnings.warn(f"stack_seeds: the stacked run of {specs[0]['rule']} failed "
                          f"({type(error).__name__}: {error}); its seeds run one by one", RuntimeWarning,
                          stacklevel=2)
    return [execute_run(spec, on_epoch=on_epoch) for spec in specs]


class _Seed:
    """One seed of the stack: its spec, data, network, rule, batch order and outcome."""

    def __init__(self, spec_dict: dict) -> None:
        self.spec = spec = RunSpec.from_dict(spec_dict)
        self.result = started_result(spec_dict)
        self.data = dataset_for(spec)
        classification = self.data.n_classes is not None
        self.loss = loss_for(spec, classification)
        self.net = build_network(spec.model, self.data, spec.generator("network"))
        if not self.net.is_chain or any(layer.kind not in STACKABLE_LAYERS for layer in self.net.layers):
            raise NotStackable
        self.rule = build_rule(spec.rule, spec.hyperparameters, spec.optimizer, self.loss)
        self.rule.init(self.net, spec.generator("rule"))
        self.shuffle = spec.generator("shuffle")
        (self.phase,) = list(phase_streams(spec, self.data, classification))
        held_out = EvalSet(self.data.x_test, self.data.y_test, classification)  # as worker.train_spec's
        self.probe = _Probe(self.phase.x, self.phase.y, held_out, None)
        self.out = TrainOutcome()
        self.alive = True  # False once it diverged: it is then rerun alone


def stack_runs(nets: list, rules: list):
    """A network and rule whose arrays are the seeds' stacked (S, ...); each seed's network keeps
    views into them (its optimizer state stays its own: stacked_step updates seed by seed)."""
    net = copy.deepcopy(nets[0])
    for i, layer in enumerate(net.layers):
        for name in layer.params:
            stacked, views = stack_into([n.layers[i].params[name] for n in nets])
            layer.params[name] = stacked
            for n, view in zip(nets, views):
                n.layers[i].params[name] = view
    rule = copy.copy(rules[0])
    for attr in FIXED_STATE:  # fixed tensors (never moved): stacked copies serve
        if hasattr(rule, attr):
            setattr(rule, attr, [None if t is None else np.stack([getattr(r, attr)[k] for r in rules])
                                 for k, t in enumerate(getattr(rule, attr))])
    rule.opt_state = rule.guard = None  # each seed's own are used (stacked_step)
    return net, rule


def stacked_step(net, rule, xs: np.ndarray, ys: np.ndarray, members: list) -> tuple[list[dict], list[bool]]:
    """One step of every seed on xs (S, B, D), ys (S, B[, K]): the forward pass and the backward
    sweep stacked, then each seed's own optimizer step, through its own network's views, state
    and divergence guard (``members``: (network, rule) per seed, None for a seed that stopped).
    The update is elementwise work, not overhead: run per seed, its arrays stay in cache (one
    update over the whole (S, ...) stack measured 5x a seed's, not 3x). Returns (each seed's
    step floats but the FLOPs, as its solo ``rule.step`` reports them; whether each seed's guard
    saw its gradient explode)."""
    S, B = xs.shape[:2]
    h = net.shaped_inputs(xs.reshape(S * B, -1))  # each seed's rows as its own network shapes them
    out, trace = graph.forward(net, h.reshape(S, B, *h.shape[1:]), train=True, rng=None)
    trace.extra["targets"] = ys
    losses, e = stacked_loss(rule.loss, out, ys)
    sweep = backward_sweep(net, trace, e, rule)
    exploded = []
    for s, member in enumerate(members):
        if member is None:
            exploded.append(False)
            continue
        seed_net, seed_rule = member
        grads = [None if g is None else {k: v[s] for k, v in g.items()} for g in sweep.grads]
        try:
            seed_rule.apply_gradients(seed_net, grads, lambda updates: seed_rule.before_apply(seed_net, updates))
            exploded.append(False)
        except Divergence:
            exploded.append(True)
    rule.after_update(net, trace, sweep)
    local = sorted(trace.extra.get("local_losses", {}).items())  # the local rules' step_info, per seed
    infos = [{"loss": float(losses[s]), **{f"local_loss/{k}": float(v[s]) for k, v in local}} for s in range(S)]
    return infos, exploded


def train_stacked(specs: list[dict], on_epoch: Callable | None = None) -> list[dict]:
    """Train the seeds of ``specs`` (one rule and configuration) together; results as execute_run's."""
    t0 = time.perf_counter()
    seeds = [_Seed(spec) for spec in specs]
    first = seeds[0]
    n, batch, epochs = first.phase.x.shape[0], first.spec.batch_size, first.phase.epochs
    if any(s.phase.x.shape != first.phase.x.shape or s.phase.y.shape != first.phase.y.shape for s in seeds):
        raise NotStackable
    net, rule = stack_runs([s.net for s in seeds], [s.rule for s in seeds])
    starts = list(range(0, n - batch + 1 if n >= batch else 1, batch))
    size = min(batch, n)
    _, _, _, sweep = first.rule.compute_gradients(first.net, first.phase.x[:size], first.phase.y[:size], train=False)
    flops = float(first.rule.step_flops(first.net, size, sweep))  # every seed's step: one network shape
    for s in seeds:
        s.start_norm, s.first_loss = _parameter_norm(s.net), None
        s.out.records += _evaluation(s.net, s.rule, 0, s.phase.eval_sets, s.loss, s.probe,
                                     s.spec.diagnostics_every, s.out)
        s.out.records += [_row(0, "flops", 0.0), _row(0, "wall_time", s.out.wall_time)]
    with np.errstate(over="ignore", invalid="ignore", divide="ignore"):  # a dead seed's numbers
        for epoch in range(1, epochs + 1):
            _epoch(seeds, net, rule, epoch, epochs, starts, batch, flops)
            if on_epoch is not None:
                on_epoch(epoch)
            if not any(s.alive for s in seeds):
                break
    results = []
    share = (time.perf_counter() - t0) / len(seeds)
    for s in seeds:
        if not s.alive:  # its solo run says where and why it diverged
            results.append(execute_run(s.result["spec"]))
            continue
        s.out.flag, s.out.flag_reason = instability(s.out.records)
        fill_result(s.result, s.spec, s.out, s.net, s.data)
        s.result["wall_time"] = share
        results.append(s.result)
    return results


def _epoch(seeds: list[_Seed], net, rule, epoch: int, last: int, starts: list[int], batch: int, flops: float) -> None:
    """One epoch of every seed still alive, as train.train runs it for one."""
    start = time.perf_counter()
    orders = [s.shuffle.permutation(s.phase.x.shape[0]) for s in seeds]
    sums: list[dict[str, float]] = [defaultdict(float) for _ in seeds]
    for i in starts:
        picks = [order[i : i + batch] for order in orders]
        xs = np.stack([s.phase.x[idx] for s, idx in zip(seeds, picks)])
        ys = np.stack([s.phase.y[idx] for s, idx in zip(seeds, picks)])
        infos, exploded = stacked_step(net, rule, xs, ys, [(s.net, s.rule) if s.alive else None for s in seeds])
        for j, s in enumerate(seeds):
            loss = infos[j]["loss"]
            if not s.alive or exploded[j] or not math.isfinite(loss):
                s.alive = False
                continue
            s.first_loss = loss if s.first_loss is None else s.first_loss
            if loss > LOSS_BOUND * max(s.first_loss, 1e-3):
                s.alive = False
            s.out.flops += flops
            for k, v in infos[j].items():  # in the order train.train adds them
                sums[j][k] += v
    share = (time.perf_counter() - start) / len(seeds)
    for j, s in enumerate(seeds):
        if not s.alive:
            continue
        s.out.wall_time += share
        norm = _parameter_norm(s.net)
        if not math.isfinite(norm) or (s.start_norm > 0 and norm > PARAMETER_BOUND * s.start_norm):
            s.alive = False
            continue
        steps = len(starts)
        rows = [_row(epoch, "step_loss", sums[j].pop("loss") / steps)]
        for key, total in sorted(sums[j].items()):
            name, layer = _split_key(key)
            rows.append(_row(epoch, name, total / steps, layer))
        t0 = time.perf_counter()
        every = s.spec.diagnostics_every
        diag = every and (epoch % every == 0 or epoch == last)
        rows += _evaluation(s.net, s.rule, epoch, s.phase.eval_sets, s.loss, s.probe, diag, s.out)
        s.out.wall_time += time.perf_counter() - t0
        rows += [_row(epoch, "flops", s.out.flops), _row(epoch, "wall_time", s.out.wall_time)]
        s.out.records += rows
        s.out.epochs_completed = epoch
        if not all(math.isfinite(r["value"]) for r in rows if r["metric"].endswith("_loss")):
            s.alive = False
