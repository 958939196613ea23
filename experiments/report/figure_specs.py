"""The report's figures: what each is drawn from, its title, caption, and why it can be missing."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from ..results import Results
from ..studies.critical_paths import critical_path_table
from . import figures as F
from .budgets import with_descriptions
from .data_sizes import chance_level, data_sentence
from .figures.time import time_figures
from .palette import palette
from .statistics import at_points, best_sweep_points, find_controls


@dataclass
class FigureInputs:
    """What the figures are drawn from (as ``build`` computes it)."""

    summary: pd.DataFrame       # summary.csv with each run's budget and network
    curves: pd.DataFrame        # metrics of complete runs, each label at its best sweep point
    controls: dict[str, str]
    styles: dict
    points: dict[str, dict]     # label -> its best sweep point ({} without a sweep)
    paths: pd.DataFrame | None  # the critical-path table; None when it cannot be counted,
    why_no_paths: str           # and why
    chance: float | None = None  # the chance level every run shares (data_sizes.py)
    data: str = ""              # the data's sizes in words, for the captions


def figure_inputs(res: Results) -> FigureInputs:
    summary = with_descriptions(res.summary, res.runs)
    controls = find_controls(summary, res.runs)
    points = best_sweep_points(summary)
    complete = summary.loc[summary["status"] == "complete", "run_id"]
    curves = at_points(res.metrics[res.metrics["run_id"].isin(complete)], points)
    paths, why_no_paths = _critical_paths(res)
    return FigureInputs(summary, curves, controls, palette(summary["label"].unique(), controls), points,
                        paths, why_no_paths, chance_level(res.runs), data_sentence(res.runs))


def _critical_paths(res: Results) -> tuple[pd.DataFrame | None, str]:
    """The critical-path table (one row per label), or None and why it cannot be counted."""
    try:
        return critical_path_table(res), ""
    except ValueError as err:  # a rule not installed here, or a stored run without its network's depth
        return None, f"a rule's or a network's structure is unknown here ({str(err).splitlines()[0]})"


def figure_specs(res: Results, inputs: FigureInputs) -> list[tuple]:
    """(name, title, draw: () -> Figure | None, caption, why it can be missing) of every figure."""
    summary, curves, paths = inputs.summary, inputs.curves, inputs.paths
    kw = {"controls": inputs.controls, "styles": inputs.styles}
    acc = {**kw, "chance": inputs.chance}  # the accuracy figures also draw the chance level
    best = "; each rule at its best sweep point" if inputs.points else ""
    data = _data_caption(inputs)
    runs = list(curves["run_id"].unique())
    budgets = curves[curves["metric"] == "test_accuracy"].groupby("label")["epoch"].max().nunique() > 1
    return [
        ("final_accuracy", "Final test accuracy per rule", lambda: F.final_accuracy(
            at_points(summary, inputs.points), **acc),
         "Every seed is a point (x: diverged), the bar is the mean with its 95% CI; controls are "
         "vertical reference bands; each rule's budget and network under its name" + best + "." + data,
         "no run completed or diverged"),
        ("learning_curves", "Learning curves", lambda: F.learning_curves(curves, **acc),
         "Test accuracy and training loss " + ("against the share of each rule's budget (the rules' budgets "
                                               "differ: each rule's epochs in the legend)" if budgets else "per epoch")
         + ": mean over seeds (complete runs) with 95% band; controls as reference bands (left) and grey "
         "curves (right)" + best + "." + data, "no run completed"),
        ("accuracy_vs_compute", "Accuracy against compute", lambda: F.accuracy_vs_compute(curves, **acc),
         "Mean test accuracy after each epoch against cumulative training FLOPs and wall time" + best
         + ": rules given different budgets compare here at equal cost." + data, "no run completed"),
        ("sweeps", "Sweeps", lambda: F.sweeps(summary, **acc),
         "Final test accuracy against each swept hyperparameter, one line per rule (mean, 95% CI), other "
         "sweep keys held at each rule's best point; a rule that a key does not apply to has no line in that "
         "key's panel." + data, "nothing was swept over two or more values"),
        ("alignment", "Alignment with the backprop gradient", lambda: F.alignment(curves, **kw),
         "Per layer (1 = the first weight layer): angle between each rule's update and the true backprop "
         "gradient on a probe batch (and between feedback and forward weights where logged); below the "
         "dotted 90° line the update descends the loss. A layer whose update no rule logs has no panel.",
         "no complete run logged update or feedback angles ([diagnostics] every = 0, or no rule logs them)"),
        ("spiking_activity", "Spiking activity", lambda: F.spiking_activity(curves, **kw),
         "Mean spikes per neuron per sample in each layer (1 = the first) over training.",
         "no spiking run completed"),
        ("spike_raster", "Spike raster", lambda: _raster(res, summary),
         "Spikes of one test sample in each LIF layer of a trained spiking network (" + _raster_run(res, summary)
         + "): a dot per spike at its time step and neuron, for up to 40 neurons of a layer, evenly spaced.",
         "no complete run stored a spike raster"),
        ("evolution", "Evolution", lambda: F.evolution(curves, **kw),
         "Population rules: best and mean fitness (batch loss) per epoch.", "no population rule completed"),
        ("depth", "Accuracy against depth", lambda: F.accuracy_vs_depth(summary, **acc),
         "Final test accuracy against the number of hidden layers (mean, 95% CI), per activation." + data,
         "model.hidden was not swept over several depths"),
        ("layer_signals", "Per-layer learning signal", lambda: F.layer_signals(res.metrics, summary, **kw),
         "Norm of each layer's learning signal ||x^T delta|| on a probe batch, at initialisation (hollow) and "
         "after training (filled), in the experiment's deepest network: do the early layers still learn?",
         "no run logged learning-signal norms ([diagnostics] every = 0)"),
        ("forgetting", "Forgetting", lambda: F.forgetting(res, **acc),
         "Test accuracy on each task over the whole run (phase boundaries dotted), and the forgetting "
         "score: best accuracy on a task before the last phase minus its final accuracy (mean, 95% CI).",
         "no run has two or more phases"),
        ("sensitivity", "Sensitivity to learning rate and initial scale", lambda: F.sensitivity(summary, **kw),
         "Final test accuracy (%) per rule over the learning-rate x init-gain grid; hatched: no complete run.",
         "optimizer.lr and model.init_gain were not both swept"),
        ("cka_to_backprop", "Similarity to backprop's representations", lambda: F.cka_to_backprop(
            _study().cka_to_reference(res, run_ids=runs), **kw),
         "Per block: linear CKA (Kornblith et al. 2019) between each rule's block output and that of backprop "
         "trained from the same initial weights on the same batches (same seed), on fixed test samples; 1 at "
         "epoch 0, since every rule of a seed starts from the same network" + best + ".",
         "no run stored representations ([diagnostics] representation_samples = 0) or no backprop run to compare with"),
        ("similarity_matrix", "Similarity between rules", lambda: F.similarity_matrices(
            _study().similarity_matrices(_study().similarity_pairs(res, run_ids=runs))),
         "Linear CKA between every pair of rules' block outputs at the end of training, on the same test "
         "samples, mean over seeds; one panel per layer (1 = the first)" + best + ".",
         "no two runs of one seed and network stored representations"),
        ("unit_health", "Decodability, dimension and unit health", lambda: F.unit_health(curves, **acc),
         "Per layer (1 = the first; a layer that does not log a quantity has no panel for it), on 1024 training "
         "samples: accuracy of a ridge linear readout fitted there and scored on "
         "512 test samples; effective rank of the block output (participation ratio of its covariance "
         "spectrum); fraction of dead units (in the activation's flat region on every sample: relu off, "
         "|a| > 2 for tanh) and of saturated ones (tanh, sigmoid: flat on most samples), on [0, 1]" + best
         + "." + data,
         "no complete run logged representation diagnostics ([diagnostics] every = 0, or no layered network)"),
        ("receptive_fields", "Receptive fields", lambda: _receptive_fields(res, runs),
         "The first layer's weights after training, the same first units under every rule (they start from "
         "the same weights: readout_only's row is that start) on one colour scale: images for 2-D inputs and "
         "convolution kernels, lines for 1-D signals.", "no run stored representations"),
        ("update_locking", "Update locking", lambda: None if paths is None else F.accuracy_vs_critical_path(
            res, table=paths, **acc),
         "Final test accuracy against the critical path of one training step in sequential layer "
         "operations (o) and the first layer's wait before it can update (x), from each rule's structure; "
         "each rule named at its circle (rules whose circles coincide share one name)." + data,
         "fewer than three rules completed a run" if paths is not None else inputs.why_no_paths),
    ] + time_figures(res, curves, summary, acc)  # learning in time: delay, critical path in time


def _data_caption(inputs: FigureInputs) -> str:
    """The captions' sentence on the data and the chance line ('' when no run recorded its sizes)."""
    if not inputs.data:
        return ""
    line = " Dashed grey line: chance." if inputs.chance is not None else ""
    return f" {inputs.data}{line}"


def _study():
    """The representations study (imported here: it reads the report's statistics)."""
    from ..studies import representations

    return representations


def _receptive_fields(res: Results, run_ids: list[str]):
    weights, shape, which = _study().first_layer_weights(res, run_ids=run_ids)
    return F.receptive_fields(weights, shape, title=which)


def _raster(res: Results, summary: pd.DataFrame):
    """The raster of the first complete run that stored ``spikes.csv`` (rows: layer, neuron, step;
    the shape, T steps and n neurons per layer, from run.json's ``spikes``)."""
    for run_id in sorted(summary.loc[summary["status"] == "complete", "run_id"]):
        path, shape = res.root / "runs" / run_id / "spikes.csv", res.runs.get(run_id, {}).get("spikes")
        if path.is_file() and isinstance(shape, dict):
            events = pd.read_csv(path)
            spikes = {f"layer {layer + 1}": np.zeros((shape["steps"], n), dtype=bool)
                      for layer, n in enumerate(shape["neurons"])}
            for layer, rows in events.groupby("layer"):
                spikes[f"layer {layer + 1}"][rows["step"].to_numpy(), rows["neuron"].to_numpy()] = True
            return F.spike_raster(spikes)
    return None


def _raster_run(res: Results, summary: pd.DataFrame) -> str:
    """Which run and sample the raster shows, in words."""
    for run_id in sorted(summary.loc[summary["status"] == "complete", "run_id"]):
        shape = res.runs.get(run_id, {}).get("spikes")
        if (res.root / "runs" / run_id / "spikes.csv").is_file() and isinstance(shape, dict):
            return f"test sample {shape.get('sample', 0)}, run {run_id}"
    return "no run"
