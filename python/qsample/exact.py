"""Exact results for small Ising models by enumerating all 2^n states.

Functions take a dimod ``BinaryQuadraticModel`` (either vartype; it is read as
the equivalent SPIN model) or a pair ``(h, J)`` with ``J`` an (n, n) matrix of
which the strict upper triangle is read. Arrays follow the model's variable
order (``list(bqm.variables)``) or the index order of ``h``.

With a BQM, log Z includes the offset: ``Z = sum_s exp(-beta (E(s) + offset))``,
so probabilities and the proxy agree with ``bqm.energies``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from . import _core
from ._validate import MAX_EXACT_SPINS as MAX_EXACT_SPINS
from ._validate import (  # re-exported: the public bound
    check_beta,
    check_exact_size,
    check_int,
    check_num_reads,
    check_seed,
)
from .ising import IsingArrays, ModelLike, as_ising, check_sample_memory, native_model, spin_samples


@dataclass(frozen=True)
class Moments:
    """Exact Boltzmann moments: ``mean[i] = <s_i>``, ``correlation[i, j] = <s_i s_j>``."""

    log_partition: float
    mean: np.ndarray
    correlation: np.ndarray
    variables: list[Any]


def _prepare(model: ModelLike | IsingArrays, beta: Any) -> tuple[IsingArrays, float]:
    ising = as_ising(model)
    beta = check_beta(beta)
    check_exact_size(ising.num_variables)
    return ising, beta


def log_partition(model: ModelLike | IsingArrays, beta: float = 1.0) -> float:
    """log Z(beta) by a stable log-sum-exp over every state."""
    ising, beta = _prepare(model, beta)
    return _core.exact_log_partition(native_model(ising), beta) - beta * ising.offset


def moments(model: ModelLike | IsingArrays, beta: float = 1.0) -> Moments:
    """Exact first and second moments and log Z in one enumeration."""
    ising, beta = _prepare(model, beta)
    log_z, mean, correlation = _core.exact_moments(native_model(ising), beta)
    return Moments(log_z - beta * ising.offset, mean, correlation, list(ising.variables))


def log_probabilities(
    model: ModelLike | IsingArrays, samples: Any, beta: float = 1.0
) -> np.ndarray:
    """log P(s) = -beta E(s) - log Z for each row of ±1 ``samples``."""
    ising, beta = _prepare(model, beta)
    s = spin_samples(samples, ising.num_variables)
    return _core.exact_log_probs(native_model(ising), beta, s)


def log_likelihood_proxy(model: ModelLike | IsingArrays, samples: Any, beta: float = 1.0) -> float:
    """Lambda_av(S) = (1/L) sum_l log P(s_l) = -beta <E>_S - log Z."""
    ising, beta = _prepare(model, beta)
    s = spin_samples(samples, ising.num_variables)
    if s.shape[0] == 0:
        raise ValueError("'samples' must hold at least one state")
    return _core.log_likelihood_proxy(native_model(ising), beta, s)


def sample(
    model: ModelLike | IsingArrays,
    num_reads: int,
    beta: float = 1.0,
    seed: int | None = None,
    read_offset: int = 0,
) -> np.ndarray:
    """``num_reads`` exact i.i.d. Boltzmann samples, int8 ±1 of shape (num_reads, n).
    Sample d of a seed is drawn from its own stream, so ``read_offset`` gives
    samples ``read_offset ..`` of the same sequence."""
    ising, beta = _prepare(model, beta)
    num_reads = check_num_reads(num_reads)
    read_offset = check_int("read_offset", read_offset, 0, 2**64 - 1 - num_reads)
    check_sample_memory(num_reads, ising.num_variables, copies=1)
    return _core.exact_sample(native_model(ising), beta, num_reads, check_seed(seed), read_offset)
