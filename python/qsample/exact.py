"""Exact results for small Ising models by enumerating all 2^n states.

Functions take a dimod ``BinaryQuadraticModel`` (either vartype; it is read as
the equivalent SPIN model) or a pair ``(h, J)`` with ``J`` an (n, n) matrix of
which the strict upper triangle is read. Arrays follow the model's variable
order (``list(bqm.variables)``) or the index order of ``h``.

With a BQM, log Z includes the offset: ``Z = sum_s exp(-beta (E(s) + offset))``,
so probabilities and the proxy agree with ``bqm.energies``.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Any

import dimod
import numpy as np

from . import _core
from ._validate import check_beta, check_positive_int, check_seed
from .ising import IsingArrays, ModelLike, as_ising, spin_samples

MAX_EXACT_SPINS: int = _core.MAX_EXACT_SPINS


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
    if ising.num_variables > MAX_EXACT_SPINS:
        raise ValueError(
            f"exact enumeration handles at most {MAX_EXACT_SPINS} variables; the model has "
            f"{ising.num_variables} (use SimulatedAnnealingSampler for larger models)"
        )
    return ising, beta


def log_partition(model: ModelLike | IsingArrays, beta: float = 1.0) -> float:
    """log Z(beta) by a stable log-sum-exp over every state."""
    ising, beta = _prepare(model, beta)
    return _core.log_partition(*ising.core_args(), beta) - beta * ising.offset


def moments(model: ModelLike | IsingArrays, beta: float = 1.0) -> Moments:
    """Exact first and second moments and log Z in one enumeration."""
    ising, beta = _prepare(model, beta)
    log_z, mean, corr = _core.exact_moments(*ising.core_args(), beta)
    return Moments(log_z - beta * ising.offset, mean, corr, list(ising.variables))


def log_probabilities(model: ModelLike | IsingArrays, samples: Any,
                      beta: float = 1.0) -> np.ndarray:
    """log P(s) = -beta E(s) - log Z for each row of ±1 ``samples``."""
    ising, beta = _prepare(model, beta)
    s = spin_samples(samples, ising.num_variables)
    return _core.exact_log_probs(*ising.core_args(), beta, s)


def log_likelihood_proxy(model: ModelLike | IsingArrays, samples: Any,
                         beta: float = 1.0) -> float:
    """Lambda_av(S) = (1/L) sum_l log P(s_l) = -beta <E>_S - log Z (design notes §1.6)."""
    ising, beta = _prepare(model, beta)
    s = spin_samples(samples, ising.num_variables)
    if s.shape[0] == 0:
        raise ValueError("'samples' must hold at least one state")
    return _core.log_likelihood_proxy(*ising.core_args(), beta, s)


def sample(model: ModelLike | IsingArrays, num_reads: int, beta: float = 1.0,
           seed: int | None = None) -> np.ndarray:
    """``num_reads`` exact i.i.d. Boltzmann samples, int8 ±1 of shape (num_reads, n)."""
    ising, beta = _prepare(model, beta)
    num_reads = check_positive_int("num_reads", num_reads)
    return _core.exact_sample(*ising.core_args(), beta, num_reads, check_seed(seed))


class ExactSampler(dimod.Sampler):
    """Exact i.i.d. samples from the Boltzmann distribution at inverse temperature ``beta``.

    Unlike ``dimod.ExactSolver``, which lists every state, this draws
    ``num_reads`` independent samples with P(s) ∝ exp(-beta E(s)) — the ideal
    sampler the learning methods assume. Up to ``MAX_EXACT_SPINS`` variables.

    Examples:
        >>> import dimod
        >>> from qsample import ExactSampler
        >>> bqm = dimod.BinaryQuadraticModel.from_ising({0: 0.5}, {(0, 1): -1.0})
        >>> ss = ExactSampler().sample(bqm, num_reads=4, beta=2.0, seed=7)
        >>> len(ss)
        4
    """

    def __init__(self) -> None:
        self._parameters = {"num_reads": [], "beta": [], "seed": []}
        self._properties = {"max_num_variables": MAX_EXACT_SPINS}

    @property
    def parameters(self) -> dict[str, list[str]]:
        return self._parameters

    @property
    def properties(self) -> dict[str, Any]:
        return self._properties

    def sample(self, bqm: dimod.BinaryQuadraticModel, num_reads: int = 1, beta: float = 1.0,
               seed: int | None = None, **kwargs: Any) -> dimod.SampleSet:
        t0 = time.perf_counter_ns()
        self.remove_unknown_kwargs(**kwargs)
        ising = as_ising(bqm)
        seed = check_seed(seed)
        t1 = time.perf_counter_ns()
        s = sample(ising, num_reads, beta=beta, seed=seed)
        t2 = time.perf_counter_ns()
        energies = _core.energies(*ising.core_args(), s) + ising.offset
        ss = dimod.SampleSet.from_samples(
            (s, ising.variables), vartype=dimod.SPIN, energy=energies,
            info={"beta": float(beta), "seed": seed},
        )
        if bqm.vartype is not dimod.SPIN:
            ss.change_vartype(bqm.vartype, inplace=True)
        ss.info["timing"] = {
            "preprocessing_ns": t1 - t0,
            "sampling_ns": t2 - t1,
            "postprocessing_ns": time.perf_counter_ns() - t2,
        }
        return ss
