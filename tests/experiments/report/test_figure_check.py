"""The layout check finds each fault it names, on small figures built to have it (and none on
the same figures built right)."""

from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np
import pytest

from experiments.report.figure_check import layout_faults
from experiments.report.figures.common import declare_range, fraction_axis, label_points, new_figure


def _points_figure():
    """Two series: A's point at (1, 0.5), B's at (1.6, 0.5)."""
    fig, axes = new_figure(1, 1, width=5, height=3)
    ax = axes[0, 0]
    ax.scatter([1.0], [0.5], color="#332288", label="_A")
    ax.scatter([1.6], [0.5], color="#117733", label="_B")
    ax.set(xlim=(0, 3), ylim=(0, 1))
    return fig, ax


def test_a_name_beside_another_series_point_is_a_fault():
    fig, ax = _points_figure()
    ax.annotate("A", (1.0, 0.5), xytext=(1.45, 0.5), va="center", ha="right")  # right next to B's point
    assert any("nearer another series' point" in f for f in layout_faults(fig))
    plt.close(fig)


def test_names_placed_by_label_points_are_their_own_points():
    fig, ax = _points_figure()
    label_points(ax, [(1.0, 0.5, "A", "#332288"), (1.6, 0.5, "B", "#117733")])
    assert layout_faults(fig) == []
    plt.close(fig)


def test_a_point_that_hides_another_series_marker_is_a_fault_unless_its_name_names_both():
    fig, axes = new_figure(1, 1, width=5, height=3)
    ax = axes[0, 0]
    ax.scatter([1.0], [0.5], color="#332288")
    ax.scatter([1.0], [0.5], color="#117733")
    ax.set(xlim=(0, 3), ylim=(0, 1))
    ax.annotate("A", (1.0, 0.5), xytext=(6, 0), textcoords="offset points", va="center")
    assert any("covers another series' marker" in f for f in layout_faults(fig))
    plt.close(fig)
    fig, axes = new_figure(1, 1, width=5, height=3)
    ax = axes[0, 0]
    ax.scatter([1.0], [0.5], color="#332288")
    ax.scatter([1.0], [0.5], color="#117733")
    ax.set(xlim=(0, 3), ylim=(0, 1))
    label_points(ax, [(1.0, 0.5, "A", "#332288"), (1.0, 0.5, "B", "#117733")])
    assert [t.get_text() for t in ax.texts] == ["A, B"] and layout_faults(fig) == []
    plt.close(fig)


@pytest.mark.parametrize("declared", [True, False])
def test_a_fraction_on_an_axis_below_zero_is_a_fault(declared):
    fig, axes = new_figure(1, 1, width=5, height=3)
    ax = axes[0, 0]
    ax.plot(np.arange(5), np.zeros(5))  # all zero: autoscaled to about -0.05..0.05
    ax.set(xlabel="epoch", ylabel="fraction" if not declared else "dead units")
    if declared:
        declare_range(ax, "y", 0.0, 1.0)
    assert any("outside its quantity's range" in f for f in layout_faults(fig))
    fraction_axis(ax)
    assert layout_faults(fig) == []
    plt.close(fig)


def test_an_empty_panel_and_a_baked_in_title_are_faults():
    fig, axes = new_figure(1, 2, width=6, height=3)
    axes[0, 0].plot([0, 1], [0, 1])
    axes[0, 1].text(0.5, 0.5, "not logged", transform=axes[0, 1].transAxes)
    axes[0, 1].set_axis_off()
    fig.suptitle("A figure's title")
    faults = layout_faults(fig)
    assert any(f.startswith("empty panel") for f in faults)
    assert any(f.startswith("baked-in title") for f in faults)
    plt.close(fig)
