"""Spiking networks: LIF neurons, input encodings, surrogate derivatives, the network itself,
BPTT and the online eligibility-trace engine (docs/spiking.md)."""

from .encoding import ENCODINGS, encode
from .neurons import LIF, LIFState, lif_step, simulate
from .network import SpikingNetwork
from .surrogates import SURROGATES, Surrogate

__all__ = ["ENCODINGS", "LIF", "LIFState", "SURROGATES", "SpikingNetwork", "Surrogate", "encode",
           "lif_step", "simulate"]
