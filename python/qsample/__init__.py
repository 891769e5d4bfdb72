"""qsample: learning hardware-embedded probabilistic graphical models with
quantum annealers and fast classical samplers (Benedetti et al., PRX 2017)."""

from . import exact, hardware
from .chains import ChainLayout, Decoded, decode, encode
from .embedding import Embedding, clique_embedding, find_embedding
from .exact import ExactSampler
from .hardware import Target
from .ising import IsingArrays, energies
from .model import HardwareModel
from .sa import SimulatedAnnealingSampler

__version__ = "0.1.0"

__all__ = [
    "ChainLayout",
    "Decoded",
    "Embedding",
    "ExactSampler",
    "HardwareModel",
    "IsingArrays",
    "SimulatedAnnealingSampler",
    "Target",
    "clique_embedding",
    "decode",
    "encode",
    "energies",
    "exact",
    "find_embedding",
    "hardware",
]
