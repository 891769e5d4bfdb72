"""Exact i.i.d. Boltzmann samples as a dimod sampler (enumeration of up to 30 spins)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import dimod

from .. import exact as enumeration
from .._validate import (
    MAX_EXACT_SPINS,
    check_beta,
    check_exact_size,
    check_num_reads,
)
from ..ising import IsingArrays
from .base import Drawn, NativeSampler, Plan


@dataclass
class ExactPlan(Plan):
    beta: float = 1.0


class ExactSampler(NativeSampler):
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
        self._parameters: dict[str, list[str]] = {"num_reads": [], "beta": [], "seed": []}
        self._properties: dict[str, Any] = {"max_num_variables": MAX_EXACT_SPINS}

    def prepare(  # type: ignore[override]
        self,
        model: IsingArrays,
        *,
        num_reads: Any = None,
        seed: int = 0,
        bqm: dimod.BinaryQuadraticModel | None = None,
        beta: Any = 1.0,
    ) -> ExactPlan:
        reads = 1 if num_reads is None else check_num_reads(num_reads)
        beta = check_beta(beta)
        check_exact_size(model.num_variables, "ExactSampler")
        return ExactPlan(num_reads=reads, info={"beta": beta}, beta=beta)

    def _draw(self, model: IsingArrays, plan: Plan, seed: int, read_offset: int) -> Drawn:
        assert isinstance(plan, ExactPlan)
        return Drawn(
            enumeration.sample(
                model, plan.num_reads, beta=plan.beta, seed=seed, read_offset=read_offset
            )
        )
