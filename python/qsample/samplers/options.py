"""Argument checks shared by qsample's Markov-chain samplers (annealing,
tempering, persistent chains, SQA): the options they have in common, checked
the same way everywhere."""

from __future__ import annotations

from collections.abc import Hashable, Mapping
from numbers import Integral
from typing import Any

import dimod
import numpy as np

from .. import _core
from .._validate import check_num_reads, check_positive_int
from ..ising import IsingArrays

ACCEPTANCE_CRITERIA = ("Metropolis", "Gibbs")
PRECISIONS = ("auto", "single", "double")


def check_reads(num_reads: Any) -> int:
    """dimod's rule: None means one read."""
    return 1 if num_reads is None else check_num_reads(num_reads)


def check_threads(num_threads: Any) -> int:
    """None: all cores (0 for the core)."""
    if num_threads is None:
        return 0
    return check_positive_int("num_threads", num_threads, _core.MAX_THREADS)


def check_precision(precision: Any) -> str:
    if not isinstance(precision, str) or precision not in PRECISIONS:
        raise ValueError(f"'precision' must be one of {PRECISIONS}: value = {precision!r}")
    return precision


def check_bool(name: str, value: Any) -> bool:
    if not isinstance(value, (bool, np.bool_)):
        raise TypeError(f"'{name}' must be True or False: value = {value!r}")
    return bool(value)


def criterion(value: Any, name: str = "proposal_acceptance_criteria") -> str:
    """'Metropolis' or 'Gibbs', the name given in any case (dwave-samplers' rule)."""
    if not isinstance(value, str):
        raise TypeError(f"'{name}' must be one of {ACCEPTANCE_CRITERIA}: value = {value!r}")
    for known in ACCEPTANCE_CRITERIA:
        if value.lower() == known.lower():
            return known
    raise ValueError(f"'{name}' must be one of {ACCEPTANCE_CRITERIA} (any case): value = {value!r}")


def is_gibbs(value: Any, name: str = "proposal_acceptance_criteria") -> bool:
    return criterion(value, name) == "Gibbs"


def fixed_array(
    model: IsingArrays, fixed: Mapping[Hashable, int] | None, bqm: dimod.BinaryQuadraticModel | None
) -> np.ndarray | None:
    """The core's vector of held values (0 free, ±1 held) from ``{label: value}``,
    values in the vartype of the model the user gave (SPIN without one)."""
    vartype = dimod.SPIN if bqm is None else bqm.vartype
    if fixed is None or (isinstance(fixed, Mapping) and not fixed):
        return None
    if not isinstance(fixed, Mapping):
        raise TypeError(f"'fixed_variables' must be a mapping {{variable: value}}: got {fixed!r}")
    allowed = (-1, 1) if vartype is dimod.SPIN else (0, 1)
    index = {v: i for i, v in enumerate(model.variables)}
    out = np.zeros(model.num_variables, dtype=np.int8)
    for v, value in fixed.items():
        if v not in index:
            raise ValueError(f"'fixed_variables' names {v!r}, which is not a variable of the model")
        if isinstance(value, bool) or not isinstance(value, Integral) or value not in allowed:
            raise ValueError(
                f"'fixed_variables' value for {v!r} must be one of {allowed} for a "
                f"{vartype.name} model: value = {value!r}"
            )
        out[index[v]] = value if vartype is dimod.SPIN else 2 * value - 1
    return out
