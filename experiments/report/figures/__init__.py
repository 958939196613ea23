"""The report's figures: one function per figure, each taking a results DataFrame and returning a
matplotlib Figure (or None when the results hold nothing for it).

    from experiments import load_results
    from experiments.report.figures import learning_curves
    res = load_results("results/quickstart")
    fig = learning_curves(res.metrics)
    fig.savefig("curves.png")

Each function accepts ``controls`` (label -> 'readout' | 'linear') and ``styles`` (label -> Style,
see ``experiments.report.palette``); without them they are inferred from the frame.
"""

from .common import RC, new_figure
from .compute import accuracy_vs_compute
from .curves import learning_curves
from .evolution import evolution
from .final_accuracy import final_accuracy
from .layers import alignment, spike_raster, spiking_activity
from .sweeps import sweeps

__all__ = ["RC", "accuracy_vs_compute", "alignment", "evolution", "final_accuracy", "learning_curves",
           "new_figure", "spike_raster", "spiking_activity", "sweeps"]
