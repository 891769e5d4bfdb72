"""qsample: learning hardware-embedded probabilistic graphical models with
quantum annealers and fast classical samplers (Benedetti et al., PRX 2017)."""

from . import exact
from .exact import ExactSampler
from .ising import IsingArrays, energies
from .sa import SimulatedAnnealingSampler

__version__ = "0.1.0"

__all__ = [
    "ExactSampler",
    "IsingArrays",
    "SimulatedAnnealingSampler",
    "energies",
    "exact",
]
