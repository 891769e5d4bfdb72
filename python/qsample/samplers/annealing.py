"""Simulated annealing as a dimod sampler, backed by the native core."""

from __future__ import annotations

import os
from collections.abc import Callable, Hashable, Mapping
from dataclasses import dataclass, replace
from typing import Any, Literal, cast, get_args

import dimod
import numpy as np

from .. import _core
from .._validate import check_num_reads
from ..ising import IsingArrays, native_model
from .base import Drawn, NativeSampler, Plan
from .options import (
    ACCEPTANCE_CRITERIA,
    check_bool,
    check_precision,
    check_threads,
    fixed_array,
    is_gibbs,
)
from .schedules import SCHEDULE_TYPES
from .schedules import beta_schedule as make_schedule

InitialStatesGenerator = Literal["none", "tile", "random"]
INITIAL_STATES_GENERATORS: tuple[str, ...] = get_args(InitialStatesGenerator)
#: What the core's work list holds per read (rust/anneal.rs, ``run``): a task
#: per group of 16 reads, or per read in random order (a task and its job,
#: with the list's growth), beside the samples.
CORE_BYTES_PER_READ = 8
CORE_BYTES_PER_RANDOM_ORDER_READ = 128


@dataclass
class AnnealPlan(Plan):
    betas: np.ndarray = None  # type: ignore[assignment]
    sweeps_per_beta: int = 1
    initial_states: np.ndarray | None = None
    fixed: np.ndarray | None = None
    gibbs: bool = False
    randomize_order: bool = False
    precision: str = "auto"
    num_threads: int = 0
    interrupt_function: Callable[[], Any] | None = None

    def with_reads(self, num_reads: int) -> AnnealPlan:
        init = None if self.initial_states is None else self.initial_states[:num_reads]
        return replace(self, num_reads=num_reads, initial_states=init)


class SimulatedAnnealingSampler(NativeSampler, dimod.Initialized):
    """Simulated annealing of Ising models, a drop-in for
    ``dwave.samplers.SimulatedAnnealingSampler``.

    Reads run in parallel and share SIMD registers (16 reads per group, or the
    spins of one read when few are asked for). Read r of a seed is the same
    whatever the number of threads, the read count of the call, or the
    ``read_offset`` it is asked for with (see ``sample_arrays``).

    Beyond dwave-samplers' arguments: ``fixed_variables`` holds variables at
    given values (they never flip); ``num_threads`` bounds the threads used;
    ``precision`` ("auto", "single", "double") picks the float width — "auto"
    anneals in single precision only when its rounding cannot move β·ΔE by
    more than 10⁻³ anywhere in the schedule, otherwise in double; the one used
    is reported in ``info["precision"]``. Spins are swept class by class of a
    colouring of the graph (no coupling inside a class), in label order within
    a class.

    Examples:
        >>> import dimod
        >>> from qsample import SimulatedAnnealingSampler
        >>> bqm = dimod.BinaryQuadraticModel.from_ising({}, {(0, 1): -1, (1, 2): -1})
        >>> ss = SimulatedAnnealingSampler().sample(bqm, num_reads=8, seed=1)
        >>> float(ss.first.energy)
        -2.0
    """

    def __init__(self) -> None:
        self._parameters: dict[str, list[str]] = {
            "num_reads": [],
            "num_sweeps": [],
            "num_sweeps_per_beta": [],
            "beta_range": [],
            "beta_schedule_type": ["beta_schedule_options"],
            "beta_schedule": [],
            "seed": [],
            "initial_states": [],
            "initial_states_generator": [],
            "interrupt_function": [],
            "proposal_acceptance_criteria": [],
            "randomize_order": [],
            "fixed_variables": [],
            "num_threads": [],
            "precision": [],
        }
        self._properties: dict[str, Any] = {
            "beta_schedule_options": SCHEDULE_TYPES,
            "proposal_acceptance_criteria_options": ACCEPTANCE_CRITERIA,
        }

    def prepare(  # type: ignore[override]
        self,
        model: IsingArrays,
        *,
        num_reads: Any = None,
        seed: int = 0,
        bqm: dimod.BinaryQuadraticModel | None = None,
        num_sweeps: Any = None,
        num_sweeps_per_beta: Any = 1,
        beta_range: Any = None,
        beta_schedule_type: Any = "geometric",
        beta_schedule: Any = None,
        initial_states: Any = None,
        initial_states_generator: Any = "random",
        interrupt_function: Any = None,
        proposal_acceptance_criteria: Any = "Metropolis",
        randomize_order: Any = False,
        fixed_variables: Mapping[Hashable, int] | None = None,
        num_threads: Any = None,
        precision: Any = "auto",
    ) -> AnnealPlan:
        num_reads, init = self._starts(
            model, bqm, initial_states, initial_states_generator, num_reads, seed
        )
        if interrupt_function is not None and not callable(interrupt_function):
            raise TypeError(
                f"'interrupt_function' must be a callable (or None): value = {interrupt_function!r}"
            )
        betas, reported_range = make_schedule(
            model,
            num_sweeps=num_sweeps,
            num_sweeps_per_beta=num_sweeps_per_beta,
            beta_range=beta_range,
            beta_schedule_type=beta_schedule_type,
            beta_schedule=beta_schedule,
        )
        gibbs = is_gibbs(proposal_acceptance_criteria)
        randomize_order = check_bool("randomize_order", randomize_order)
        return AnnealPlan(
            num_reads=num_reads,
            info={"beta_range": reported_range, "beta_schedule_type": beta_schedule_type},
            betas=betas,
            sweeps_per_beta=int(num_sweeps_per_beta),
            initial_states=init,
            fixed=fixed_array(model, fixed_variables, bqm),
            gibbs=gibbs,
            randomize_order=randomize_order,
            precision=check_precision(precision),
            num_threads=check_threads(num_threads),
            interrupt_function=interrupt_function,
            core_bytes_per_read=(
                CORE_BYTES_PER_RANDOM_ORDER_READ if randomize_order else CORE_BYTES_PER_READ
            ),
        )

    def _starts(
        self,
        model: IsingArrays,
        bqm: dimod.BinaryQuadraticModel | None,
        initial_states: Any,
        generator: Any,
        num_reads: Any,
        seed: int,
    ) -> tuple[int, np.ndarray | None]:
        """(num_reads, starting states in the model's order or None), by
        dimod's rules for ``initial_states`` and ``initial_states_generator``.
        Without given states, reads start from their own random streams in
        the core (so a read does not depend on the call it is asked in)."""
        if num_reads is not None:
            check_num_reads(num_reads)
        if not isinstance(generator, str) or generator not in INITIAL_STATES_GENERATORS:
            raise ValueError(
                f"'initial_states_generator' must be one of "
                f"{INITIAL_STATES_GENERATORS}: value = {generator!r}"
            )
        if initial_states is None and generator == "random":
            return (1 if num_reads is None else int(num_reads)), None
        spin = (bqm if bqm is not None else model.to_bqm()).spin
        try:
            parsed = self.parse_initial_states(
                spin,
                initial_states=initial_states,
                initial_states_generator=cast(InitialStatesGenerator, generator),
                num_reads=num_reads,
                seed=seed % 2**32,
            )
        except ValueError as e:
            if initial_states is None:
                raise ValueError(
                    f"'initial_states_generator' = {generator!r} needs 'initial_states': {e}"
                ) from None
            raise ValueError(
                f"'initial_states' (with initial_states_generator={generator!r}): {e}"
            ) from None
        states = parsed.initial_states
        columns = [states.variables.index(v) for v in model.variables]
        init = np.ascontiguousarray(states.record.sample[:, columns], dtype=np.int8)
        return parsed.num_reads, init

    def _draw(self, model: IsingArrays, plan: Plan, seed: int, read_offset: int) -> Drawn:
        assert isinstance(plan, AnnealPlan)
        native = native_model(model)

        def run(offset: int, count: int, init: np.ndarray | None) -> tuple[np.ndarray, str]:
            return _core.anneal(
                native,
                plan.betas,
                plan.sweeps_per_beta,
                count,
                seed,
                read_offset=offset,
                initial_states=init,
                fixed=plan.fixed,
                gibbs=plan.gibbs,
                randomize_order=plan.randomize_order,
                precision=plan.precision,
                num_threads=plan.num_threads,
            )

        f = plan.interrupt_function
        if f is None or model.num_variables == 0:
            samples, used = run(read_offset, plan.num_reads, plan.initial_states)
            return Drawn(samples, {"precision": used})
        # As dwave-samplers: the function is called after every read (here in
        # bursts, after each batch of reads run in parallel); once it returns
        # true, the reads finished so far come back — the same reads as the
        # first ones of an uninterrupted call.
        workers = plan.num_threads or os.cpu_count() or 1
        batch = _core.LANES * workers
        parts: list[np.ndarray] = []
        done, used = 0, "single"
        while done < plan.num_reads:
            count = min(batch, plan.num_reads - done)
            init = None if plan.initial_states is None else plan.initial_states[done : done + count]
            part, used = run(read_offset + done, count, init)
            for k in range(count):
                if f():
                    parts.append(part[: k + 1])
                    return Drawn(np.concatenate(parts), {"precision": used})
            parts.append(part)
            done += count
        return Drawn(np.concatenate(parts), {"precision": used})
