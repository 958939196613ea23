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
from .depth import accuracy_vs_depth, layer_signals
from .evolution import evolution
from .final_accuracy import final_accuracy
from .forgetting import forgetting
from .layers import alignment, spike_raster, spiking_activity
from .locking import accuracy_vs_critical_path
from .representations import cka_to_backprop, receptive_fields, similarity_matrices, unit_health
from .sensitivity import sensitivity
from .sweeps import sweeps

__all__ = ["RC", "accuracy_vs_compute", "accuracy_vs_critical_path", "accuracy_vs_depth", "alignment",
           "cka_to_backprop", "evolution", "final_accuracy", "forgetting", "layer_signals", "learning_curves",
           "new_figure", "receptive_fields", "sensitivity", "similarity_matrices", "spike_raster",
           "spiking_activity", "sweeps", "unit_health"]
