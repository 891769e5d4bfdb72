"""Path-integral simulated quantum annealing as a dimod sampler, backed by the
native core: an emulator of a quantum annealer's sampling."""

from __future__ import annotations

from collections.abc import Hashable, Mapping
from dataclasses import dataclass
from typing import Any

import dimod
import numpy as np

from .. import _core
from .._validate import check_int, check_number, check_positive_int
from ..ising import IsingArrays, native_model
from .base import Drawn, NativeSampler, Plan
from .options import (
    ACCEPTANCE_CRITERIA,
    check_precision,
    check_reads,
    check_threads,
    fixed_array,
    is_gibbs,
)
from .quantum_schedule import DEFAULT_BETA, check_schedule, energy_scales, slice_parameters
from .schedules import MAX_SWEEPS

#: Slices per read beyond this are refused (memory grows as slices x spins).
MAX_SLICES = 1 << 16

#: The slice each read returns.
RETURNED_SLICE = 0


@dataclass
class SQAPlan(Plan):
    slice_betas: np.ndarray = None  # type: ignore[assignment]
    slice_couplings: np.ndarray = None  # type: ignore[assignment]
    num_slices: int = 32
    fixed: np.ndarray | None = None
    gibbs: bool = False
    precision: str = "auto"
    num_threads: int = 0


class SimulatedQuantumAnnealingSampler(NativeSampler):
    """Path-integral Monte Carlo along a quantum annealing schedule (SQA).

    The model is annealed under D-Wave's Hamiltonian
    H(s) = -A(s)/2 sum_i sigma^x_i + B(s)/2 H_p, H_p the model's energy, at
    inverse temperature ``beta`` (in the inverse units of A and B: 1/GHz for
    the built-in schedule, whose default beta stands for 15.4 mK). The quantum
    system is represented by ``num_slices`` Trotter slices (P), coupled in
    imaginary time by J_perp = -1/2 ln tanh(beta A(s) / (2P)), each seeing its
    problem energy at beta B(s) / (2P); a sweep updates every spin of every
    slice once with the shared kernel (Metropolis by default).

    s rises linearly over ``num_sweeps`` sweeps from 0 to ``s_stop`` (the last
    sweep at ``s_stop``): stopping at a freeze-out point s* < 1 returns the
    state the dynamics froze in, as the freeze-out picture of a D-Wave anneal
    has it. ``schedule`` is None for the built-in analytic Advantage-like
    schedule (:mod:`qsample.samplers.quantum_schedule`) or rows (s, A(s), B(s))
    of your own, linearly interpolated — e.g. a device's published spreadsheet,
    or a constant transverse field: ``[[0, 2 * gamma, 2], [1, 2 * gamma, 2]]``
    gives H = -gamma sum sigma^x + H_p at every s.

    Each read returns its slice 0 (``info["returned_slice"]``). Reads sit in
    SIMD lanes, 16 per group (a call of fewer reads still runs a whole group);
    read r is the same in any call (``read_offset``) and for any thread count.

    Examples:
        >>> import dimod
        >>> from qsample import SimulatedQuantumAnnealingSampler
        >>> bqm = dimod.BinaryQuadraticModel.from_ising({}, {(0, 1): -1, (1, 2): -1})
        >>> ss = SimulatedQuantumAnnealingSampler().sample(bqm, num_reads=4, seed=1)
        >>> float(ss.first.energy)
        -2.0
    """

    def __init__(self) -> None:
        self._parameters: dict[str, list[str]] = {
            "num_reads": [],
            "seed": [],
            "num_sweeps": [],
            "num_slices": [],
            "beta": [],
            "schedule": [],
            "s_stop": [],
            "proposal_acceptance_criteria": [],
            "fixed_variables": [],
            "num_threads": [],
            "precision": [],
        }
        self._properties: dict[str, Any] = {
            "proposal_acceptance_criteria_options": ACCEPTANCE_CRITERIA,
            "max_num_slices": MAX_SLICES,
            "default_beta": DEFAULT_BETA,
            "returned_slice": RETURNED_SLICE,
        }

    def prepare(  # type: ignore[override]
        self,
        model: IsingArrays,
        *,
        num_reads: Any = None,
        seed: int = 0,
        bqm: dimod.BinaryQuadraticModel | None = None,
        num_sweeps: Any = 1000,
        num_slices: Any = 32,
        beta: Any = DEFAULT_BETA,
        schedule: Any = None,
        s_stop: Any = 1.0,
        proposal_acceptance_criteria: Any = "Metropolis",
        fixed_variables: Mapping[Hashable, int] | None = None,
        num_threads: Any = None,
        precision: Any = "auto",
    ) -> SQAPlan:
        reads = check_reads(num_reads)
        sweeps = check_int("num_sweeps", num_sweeps, 0, MAX_SWEEPS)
        slices = check_positive_int("num_slices", num_slices, MAX_SLICES)
        if sweeps * slices > MAX_SWEEPS:
            raise ValueError(
                f"'num_sweeps' * 'num_slices' must be at most {MAX_SWEEPS}: "
                f"value = {sweeps * slices}"
            )
        beta = check_number("beta", beta, 0.0)
        s_stop = check_number("s_stop", s_stop, 0.0, 1.0)
        table = None if schedule is None else check_schedule(schedule)
        s = s_stop * np.arange(1, sweeps + 1) / max(sweeps, 1)
        with np.errstate(over="ignore"):
            slice_betas, couplings = slice_parameters(s, table, beta, slices)
        if not np.all(np.isfinite(slice_betas)):
            raise ValueError(
                f"'beta' x B(s) / (2 'num_slices') must be a finite number: with "
                f"beta = {beta:.3g} it is not (a smaller 'beta', or 'schedule')"
            )
        a, b = energy_scales(np.array([s_stop]), table)
        info = {
            "num_slices": slices,
            "returned_slice": RETURNED_SLICE,
            "beta": beta,
            "s_stop": s_stop,
            "transverse_field_at_stop": float(a[0]) / 2,
            "problem_scale_at_stop": float(b[0]) / 2,
            "slice_coupling_at_stop": float(couplings[-1]) if sweeps else None,
        }
        return SQAPlan(
            num_reads=reads,
            info=info,
            slice_betas=slice_betas,
            slice_couplings=couplings,
            num_slices=slices,
            fixed=fixed_array(model, fixed_variables, bqm),
            gibbs=is_gibbs(proposal_acceptance_criteria),
            precision=check_precision(precision),
            num_threads=check_threads(num_threads),
            # the core's job list (rust/sqa.rs, run): a job per 16 reads
            core_bytes_per_read=8,
        )

    def _draw(self, model: IsingArrays, plan: Plan, seed: int, read_offset: int) -> Drawn:
        assert isinstance(plan, SQAPlan)
        samples, used = _core.sqa(
            native_model(model),
            plan.slice_betas,
            plan.slice_couplings,
            plan.num_slices,
            plan.num_reads,
            seed,
            read_offset=read_offset,
            fixed=plan.fixed,
            gibbs=plan.gibbs,
            precision=plan.precision,
            num_threads=plan.num_threads,
        )
        return Drawn(samples, {"precision": used})
