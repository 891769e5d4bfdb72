"""Simulated annealing as a dimod sampler, backed by the native core."""

from __future__ import annotations

import time
from collections.abc import Hashable, Mapping
from numbers import Integral
from typing import Any

import dimod
import numpy as np

from .. import _core
from .._validate import check_positive_int, check_seed
from ..ising import IsingArrays, from_bqm
from .schedules import beta_schedule as make_schedule

ACCEPTANCE_CRITERIA = ("Metropolis", "Gibbs")


class SimulatedAnnealingSampler(dimod.Sampler, dimod.Initialized):
    """Simulated annealing of Ising models, a drop-in for
    ``dwave.samplers.SimulatedAnnealingSampler``.

    Reads run in parallel and, in sequential order, several reads share one set
    of SIMD registers. Every read has its own random stream derived from
    ``(seed, read index)``, so a seed gives the same samples for any
    ``num_threads``.

    Beyond dwave-samplers' arguments, ``fixed_variables`` holds variables at
    given values (they never flip), and ``num_threads`` bounds the threads used.

    Examples:
        >>> import dimod
        >>> from qsample import SimulatedAnnealingSampler
        >>> bqm = dimod.BinaryQuadraticModel.from_ising({}, {(0, 1): -1, (1, 2): -1})
        >>> ss = SimulatedAnnealingSampler().sample(bqm, num_reads=8, seed=1)
        >>> float(ss.first.energy)
        -2.0
    """

    def __init__(self) -> None:
        self._parameters = {
            "num_reads": [],
            "num_sweeps": [],
            "num_sweeps_per_beta": [],
            "beta_range": [],
            "beta_schedule_type": ["beta_schedule_options"],
            "beta_schedule": [],
            "seed": [],
            "initial_states": [],
            "initial_states_generator": [],
            "proposal_acceptance_criteria": [],
            "randomize_order": [],
            "fixed_variables": [],
            "num_threads": [],
        }
        self._properties = {
            "beta_schedule_options": ("linear", "geometric", "custom"),
            "proposal_acceptance_criteria_options": ACCEPTANCE_CRITERIA,
        }

    @property
    def parameters(self) -> dict[str, list[str]]:
        return self._parameters

    @property
    def properties(self) -> dict[str, Any]:
        return self._properties

    def sample(
        self,
        bqm: dimod.BinaryQuadraticModel,
        num_reads: int | None = None,
        num_sweeps: int | None = None,
        num_sweeps_per_beta: int = 1,
        beta_range: tuple[float, float] | None = None,
        beta_schedule_type: str = "geometric",
        beta_schedule: Any = None,
        seed: int | None = None,
        initial_states: Any = None,
        initial_states_generator: str = "random",
        proposal_acceptance_criteria: str = "Metropolis",
        randomize_order: bool = False,
        fixed_variables: Mapping[Hashable, int] | None = None,
        num_threads: int | None = None,
        **kwargs: Any,
    ) -> dimod.SampleSet:
        """Sample from ``bqm`` (SPIN or BINARY); energies include the offset."""
        t0 = time.perf_counter_ns()
        self.remove_unknown_kwargs(**kwargs)
        if proposal_acceptance_criteria not in ACCEPTANCE_CRITERIA:
            raise ValueError(
                f"'proposal_acceptance_criteria' must be one of {ACCEPTANCE_CRITERIA}: "
                f"value = {proposal_acceptance_criteria!r}"
            )
        if not isinstance(randomize_order, (bool, np.bool_)):
            raise ValueError(
                f"'randomize_order' must be True or False: value = {randomize_order!r}"
            )
        threads = 0 if num_threads is None else check_positive_int("num_threads", num_threads)
        seed = check_seed(seed)
        original_vartype = bqm.vartype
        spin_bqm = bqm.spin
        if num_reads is not None:
            check_positive_int("num_reads", num_reads)
        init = None
        if initial_states is not None:
            # dimod expands/validates user starts; only the seed's low 32 bits feed numpy.
            parsed = self.parse_initial_states(
                spin_bqm,
                initial_states=initial_states,
                initial_states_generator=initial_states_generator,
                num_reads=num_reads,
                seed=seed % 2**32,
            )
            num_reads = parsed.num_reads
            order = list(parsed.initial_states.variables)
            init = np.ascontiguousarray(parsed.initial_states.record.sample, dtype=np.int8)
        else:
            num_reads = 1 if num_reads is None else num_reads
            order = list(spin_bqm.variables)
        ising = from_bqm(spin_bqm, order)
        betas, used_range = make_schedule(
            ising,
            num_sweeps=num_sweeps,
            num_sweeps_per_beta=num_sweeps_per_beta,
            beta_range=beta_range,
            beta_schedule_type=beta_schedule_type,
            beta_schedule=beta_schedule,
        )
        clamp = _clamp_array(ising, fixed_variables, original_vartype)
        t1 = time.perf_counter_ns()
        samples, energies = anneal_arrays(
            ising,
            betas,
            num_sweeps_per_beta=num_sweeps_per_beta,
            num_reads=num_reads,
            seed=seed,
            initial_states=init,
            clamp=clamp,
            gibbs=proposal_acceptance_criteria == "Gibbs",
            randomize_order=bool(randomize_order),
            num_threads=threads,
        )
        t2 = time.perf_counter_ns()
        sampleset = dimod.SampleSet.from_samples(
            (samples, ising.variables),
            vartype=dimod.SPIN,
            energy=energies + ising.offset,
            info={"beta_range": used_range, "beta_schedule_type": beta_schedule_type, "seed": seed},
        )
        if original_vartype is not dimod.SPIN:
            sampleset.change_vartype(original_vartype, inplace=True)
        sampleset.info["timing"] = {
            "preprocessing_ns": t1 - t0,
            "sampling_ns": t2 - t1,
            "postprocessing_ns": time.perf_counter_ns() - t2,
        }
        return sampleset


def anneal_arrays(
    ising: IsingArrays,
    betas: np.ndarray,
    *,
    num_sweeps_per_beta: int = 1,
    num_reads: int = 1,
    seed: int = 0,
    initial_states: np.ndarray | None = None,
    clamp: np.ndarray | None = None,
    gibbs: bool = False,
    randomize_order: bool = False,
    num_threads: int = 0,
) -> tuple[np.ndarray, np.ndarray]:
    """Anneal flat arrays directly: (samples int8 (num_reads, n), energies without offset).

    This is the path for callers that sample the same structure many times (the
    learning loop): no BQM or SampleSet is built.
    """
    return _core.anneal(
        *ising.core_args(),
        np.ascontiguousarray(betas, dtype=np.float64),
        int(num_sweeps_per_beta),
        int(num_reads),
        int(seed),
        initial_states=initial_states,
        clamp=clamp,
        gibbs=gibbs,
        randomize_order=randomize_order,
        num_threads=int(num_threads),
    )


def _clamp_array(ising: IsingArrays, fixed: Mapping[Hashable, int] | None,
                 vartype: dimod.Vartype) -> np.ndarray | None:
    """The core's clamp vector (0 free, ±1 held) from ``{label: value}``."""
    if not fixed:
        return None
    if not isinstance(fixed, Mapping):
        raise ValueError(f"'fixed_variables' must be a mapping {{variable: value}}: got {fixed!r}")
    allowed = (-1, 1) if vartype is dimod.SPIN else (0, 1)
    index = {v: i for i, v in enumerate(ising.variables)}
    clamp = np.zeros(ising.num_variables, dtype=np.int8)
    for v, value in fixed.items():
        if v not in index:
            raise ValueError(f"'fixed_variables' names {v!r}, which is not a variable of the model")
        if isinstance(value, bool) or not isinstance(value, Integral) or value not in allowed:
            raise ValueError(
                f"'fixed_variables' value for {v!r} must be one of {allowed} for a "
                f"{vartype.name} model: value = {value!r}"
            )
        clamp[index[v]] = value if vartype is dimod.SPIN else 2 * value - 1
    return clamp
