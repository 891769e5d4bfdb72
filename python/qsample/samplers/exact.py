"""Exact i.i.d. Boltzmann samples as a dimod sampler (enumeration of up to 30 spins)."""

from __future__ import annotations

import time
from typing import Any

import dimod

from .. import _core
from .._validate import check_seed
from ..exact import MAX_EXACT_SPINS, sample
from ..ising import as_ising


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
