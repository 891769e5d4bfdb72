"""qsample: learning hardware-embedded probabilistic graphical models with
quantum annealers and fast classical samplers (Benedetti et al., PRX 2017)."""

from . import exact, hardware
from ._core import __version__ as __version__  # the build's: Cargo.toml is the one source
from .chains import ChainLayout, Decoded, decode, encode
from .embedding import Embedding, clique_embedding, find_embedding
from .estimator import EmbeddedBoltzmannMachine
from .hardware import Target
from .ising import IsingArrays, energies
from .learning import ExactMoments, Hyperparameters, SampledMoments, Trainer, embedded_trainer
from .model import HardwareModel
from .samplers import (
    EmulatedDevice,
    ExactSampler,
    ParallelTemperingSampler,
    PersistentChainSampler,
    SimulatedAnnealingSampler,
    SimulatedQuantumAnnealingSampler,
)

__all__ = [
    "ChainLayout",
    "Decoded",
    "EmbeddedBoltzmannMachine",
    "Embedding",
    "EmulatedDevice",
    "ExactMoments",
    "ExactSampler",
    "HardwareModel",
    "Hyperparameters",
    "IsingArrays",
    "ParallelTemperingSampler",
    "PersistentChainSampler",
    "SampledMoments",
    "SimulatedAnnealingSampler",
    "SimulatedQuantumAnnealingSampler",
    "Target",
    "Trainer",
    "clique_embedding",
    "decode",
    "embedded_trainer",
    "encode",
    "energies",
    "exact",
    "find_embedding",
    "hardware",
]
