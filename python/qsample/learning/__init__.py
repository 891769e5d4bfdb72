"""Moment-matching learning: the trainer, its negative phases and the moments
both phases reduce samples to."""

from .checkpoints import Checkpoint, PeriodicCheckpoint, read_checkpoint
from .history import History, RangeEvent
from .moments import sample_moments
from .phases import (
    DEFAULT_SA_PARAMETERS,
    ExactMoments,
    NegativePhase,
    PhaseResult,
    SampledMoments,
)
from .trainer import (
    RANGE_POLICIES,
    Hyperparameters,
    Trainer,
    embedded_trainer,
    logical_complete_graph,
)

__all__ = [
    "DEFAULT_SA_PARAMETERS",
    "Checkpoint",
    "RANGE_POLICIES",
    "ExactMoments",
    "History",
    "Hyperparameters",
    "NegativePhase",
    "PhaseResult",
    "PeriodicCheckpoint",
    "RangeEvent",
    "SampledMoments",
    "Trainer",
    "embedded_trainer",
    "logical_complete_graph",
    "read_checkpoint",
    "sample_moments",
]
