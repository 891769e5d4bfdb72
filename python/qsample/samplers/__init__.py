"""qsample's samplers: dimod samplers over the native core."""

from .annealing import SimulatedAnnealingSampler
from .emulated import EmulatedDevice
from .exact import ExactSampler

__all__ = ["EmulatedDevice", "ExactSampler", "SimulatedAnnealingSampler"]
