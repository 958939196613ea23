"""Spiking networks: LIF and adaptive LIF (ALIF) neurons, input encodings, surrogate derivatives and the spiking network
(a temporal network of LIF cells; docs/spiking.md)."""

from .adaptive import ALIF, ALIFState, alif_step
from .encoding import ENCODINGS, encode
from .neurons import LIF, LIFState, lif_step, simulate
from .surrogates import SURROGATES, Surrogate


def __getattr__(name: str):
    # the network is built from LIF cells, which import the neurons above: imported on first use
    if name == "SpikingNetwork":
        from .network import SpikingNetwork

        return SpikingNetwork
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


__all__ = ["ALIF", "ALIFState", "ENCODINGS", "LIF", "LIFState", "SURROGATES", "SpikingNetwork", "Surrogate", "alif_step",
           "encode", "lif_step", "simulate"]
