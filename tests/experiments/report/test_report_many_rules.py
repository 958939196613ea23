"""Every figure of a quickstart-like report and of 20-rule reports passes the layout check (nothing
clipped or overlapping, names at their own points, axes inside their quantity's range, no empty
panel, no baked-in title), every rule keeps its own look, and every accuracy figure shows chance."""

from __future__ import annotations

import itertools

import matplotlib.colors as mcolors
import matplotlib.pyplot as plt
import numpy as np
import pytest
from experiments.report.figure_check import layout_faults
from synthetic_results import LABELS, write_results

from experiments import load_results
from experiments.report.build import draw_figures
from experiments.report.palette import CONTROL_STYLES, palette

#: the figures each synthetic folder has data for
#: (runs record their network's critical path, so the grid's layer stack has an update-locking figure too;
#: both folders' spiking runs run in time, so they have the critical path in time)
DRAWN = {"grid": ["final_accuracy", "learning_curves", "accuracy_vs_compute", "sweeps", "alignment", "spiking_activity",
                  "evolution", "layer_signals", "sensitivity", "update_locking", "critical_path_in_time"],
         "depth": ["final_accuracy", "learning_curves", "accuracy_vs_compute", "sweeps", "alignment", "spiking_activity",
                   "evolution", "depth", "layer_signals", "forgetting", "update_locking", "critical_path_in_time"],
         "quickstart": ["final_accuracy", "learning_curves", "accuracy_vs_compute", "alignment", "spiking_activity",
                        "spike_raster", "evolution", "layer_signals", "unit_health", "update_locking",
                        "critical_path_in_time"]}
#: the figures whose axis is an accuracy: each draws the chance level the runs recorded
ACCURACY = {"final_accuracy", "learning_curves", "accuracy_vs_compute", "sweeps", "depth", "forgetting",
            "unit_health", "update_locking"}


@pytest.fixture(scope="module", params=sorted(DRAWN))
def drawn(request, tmp_path_factory):
    seeds = (0, 1, 2) if request.param == "quickstart" else (0, 1)
    res = load_results(write_results(tmp_path_factory.mktemp("many") / "results", request.param, seeds=seeds))
    figures = draw_figures(res)
    yield request.param, figures
    plt.close("all")


def test_every_figure_is_drawn_without_layout_faults(drawn):
    kind, figures = drawn
    assert sorted(name for name, fig in figures.items() if fig is not None) == sorted(DRAWN[kind])
    faults = {name: layout_faults(fig) for name, fig in figures.items() if fig is not None}
    assert not any(faults.values()), {k: v[:5] for k, v in faults.items() if v}


def test_every_rule_has_its_own_look_in_every_legend(drawn):
    _, figures = drawn
    for name, fig in figures.items():
        for legend in (fig.legends if fig is not None else []):
            looks = {}
            for handle, text in zip(legend.legend_handles, legend.get_texts()):
                if hasattr(handle, "get_marker"):
                    looks[text.get_text()] = (mcolors.to_hex(handle.get_color()), handle.get_marker(),
                                              handle.get_linestyle())
            assert len(set(looks.values())) == len(looks), (name, looks)


def test_every_accuracy_figure_draws_the_chance_level(drawn):
    _, figures = drawn
    for name in ACCURACY & {n for n, fig in figures.items() if fig is not None}:
        lines = [line for ax in figures[name].axes for line in ax.get_lines() if line.get_label() == "chance (10.6%)"]
        assert lines, name
        assert all(0.106 in (*line.get_xdata(), *line.get_ydata()) for line in lines), name


def test_short_budgets_span_the_learning_curves(drawn):
    """Rules given 2 to 50 epochs: each curve runs over the whole x axis (its share of its budget)."""
    kind, figures = drawn
    if kind != "quickstart":
        pytest.skip("one budget: the x axis is epochs")
    acc_ax = figures["learning_curves"].axes[0]
    curves = {line.get_label(): line for line in acc_ax.get_lines() if "epochs)" in line.get_label()}
    assert "evolution_strategy (2 epochs)" in curves and "backprop (50 epochs)" in curves
    for line in curves.values():
        assert line.get_xdata()[0] == 0 and line.get_xdata()[-1] == pytest.approx(1.0)


def test_the_raster_shows_a_few_dozen_neurons_as_dots(drawn):
    kind, figures = drawn
    if kind != "quickstart":
        pytest.skip("no raster stored")
    for ax in figures["spike_raster"].axes:
        (dots,) = ax.collections
        assert dots.get_paths() and set(np.unique(dots.get_offsets()[:, 1])) <= set(range(40))
        assert ax.get_ylabel() == "neuron (40 of 256, by index)"


def _lab(colour: str) -> np.ndarray:
    """CIELAB (D65) of a colour, for distances as the eye sees them."""
    rgb = np.array(mcolors.to_rgb(colour))
    lin = np.where(rgb > 0.04045, ((rgb + 0.055) / 1.055) ** 2.4, rgb / 12.92)
    xyz = np.array([[0.4124, 0.3576, 0.1805], [0.2126, 0.7152, 0.0722], [0.0193, 0.1192, 0.9505]]) @ lin
    f = np.cbrt(xyz / np.array([0.95047, 1.0, 1.08883]))
    return np.array([116 * f[1] - 16, 500 * (f[0] - f[1]), 200 * (f[1] - f[2])])


def test_twenty_labels_get_twenty_distinct_colours_none_grey():
    labels = [label for label, _ in LABELS]
    controls = {"readout_only": "readout", "linear": "linear"}
    styles = palette(labels, controls)
    rules = [styles[label] for label in labels if label not in controls]
    many = palette([f"rule_{i:02d}" for i in range(20)])
    colours = [s.color for s in many.values()]
    assert len(set(colours)) == 20  # no colour repeats up to twenty rules
    greys = [c for c, _, _ in CONTROL_STYLES.values()]
    for a, b in itertools.combinations(colours + greys, 2):
        assert np.linalg.norm(_lab(a) - _lab(b)) > 20, (a, b)  # far enough apart to tell as thin lines
    assert len({(s.color, s.marker) for s in rules}) == len(rules)
    assert {styles["readout_only"].color, styles["linear"].color} == set(greys)
