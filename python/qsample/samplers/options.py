"""Argument checks shared by the Markov-chain samplers (tempering, persistent
chains, SQA): the options they have in common with the annealer, checked the
same way."""

from __future__ import annotations

from collections.abc import Hashable, Mapping
from typing import Any

import dimod
import numpy as np

from .. import _core
from .._validate import check_positive_int
from ..ising import IsingArrays
from .annealing import ACCEPTANCE_CRITERIA, PRECISIONS
from .annealing import _criterion as _annealing_criterion
from .annealing import _fixed_array as _annealing_fixed_array


def check_reads(num_reads: Any) -> int:
    """dimod's rule: None means one read."""
    return 1 if num_reads is None else check_positive_int("num_reads", num_reads)


def check_threads(num_threads: Any) -> int:
    """None: all cores (0 for the core)."""
    if num_threads is None:
        return 0
    return check_positive_int("num_threads", num_threads, _core.MAX_THREADS)


def check_precision(precision: Any) -> str:
    if not isinstance(precision, str) or precision not in PRECISIONS:
        raise ValueError(f"'precision' must be one of {PRECISIONS}: value = {precision!r}")
    return precision


def is_gibbs(criterion: Any) -> bool:
    """'Metropolis' or 'Gibbs' in any case (dwave-samplers' rule)."""
    return _annealing_criterion(criterion) == "Gibbs"


def check_bool(name: str, value: Any) -> bool:
    if not isinstance(value, (bool, np.bool_)):
        raise TypeError(f"'{name}' must be True or False: value = {value!r}")
    return bool(value)


def fixed_array(model: IsingArrays, fixed: Mapping[Hashable, int] | None,
                bqm: dimod.BinaryQuadraticModel | None) -> np.ndarray | None:
    """The core's vector of held values (0 free, ±1 held) from ``{label: value}``
    in the vartype of the model the user gave."""
    vartype = dimod.SPIN if bqm is None else bqm.vartype
    return _annealing_fixed_array(model, fixed, vartype)


__all__ = ["ACCEPTANCE_CRITERIA", "PRECISIONS", "check_bool", "check_precision", "check_reads",
           "check_threads", "fixed_array", "is_gibbs"]
