"""How errors reach the layers: the one backward sweep shared by every credit-assignment rule."""

from .chain import Sweep, backward_sweep

__all__ = ["Sweep", "backward_sweep"]
