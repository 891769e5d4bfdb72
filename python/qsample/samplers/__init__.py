"""qsample's samplers: dimod samplers over the native core."""

from .annealing import SimulatedAnnealingSampler
from .emulated import EmulatedDevice
from .exact import ExactSampler
from .persistent import PersistentChainSampler
from .sqa import SimulatedQuantumAnnealingSampler
from .tempering import ParallelTemperingSampler

__all__ = [
    "EmulatedDevice",
    "ExactSampler",
    "ParallelTemperingSampler",
    "PersistentChainSampler",
    "SimulatedAnnealingSampler",
    "SimulatedQuantumAnnealingSampler",
]
