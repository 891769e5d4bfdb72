"""The protocol every qsample sampler follows.

A qsample sampler has an array entry point,
``sample_arrays(model, num_reads, seed, read_offset=0, **parameters)``, which
takes an :class:`~qsample.ising.IsingArrays` and returns int8 ±1 samples in the
model's variable order, and dimod's ``sample(bqm, **parameters)``, a thin
wrapper over the same argument preparation (``prepare``) and the same drawing
(``_draw``). So a parameter is checked the same way whichever door it comes in
by, and callers that sample one structure many times (the learning loop) skip
building BQMs and SampleSets.

Read ``r`` of a seed is the same in every call that asks for it: ``read_offset``
lets a job be split across calls, threads or machines without changing a
sample.

A subclass implements ``parameters``, ``properties``, ``prepare`` (validate and
resolve the parameters into a plan) and ``_draw`` (run the plan).
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING, Any

import dimod
import numpy as np

from .._validate import check_int, check_seed
from ..ising import IsingArrays, check_bqm, check_sample_memory, from_bqm, sorted_variables

if TYPE_CHECKING:  # typing.TypeGuard is new in Python 3.10
    from typing import TypeGuard

#: Per read, a SampleSet stores an energy and an occurrence count besides the sample.
SAMPLESET_BYTES_PER_READ = 16


@dataclass
class Plan:
    """Validated parameters of one call. ``num_reads`` is resolved (a number);
    ``info`` is what the SampleSet's info reports of them."""

    num_reads: int
    info: dict[str, Any] = field(default_factory=dict)
    #: Bytes the sampler keeps per read besides the sample (e.g. the core's
    #: work list), so that the memory check before sampling covers them too.
    core_bytes_per_read: int = 0

    def with_reads(self, num_reads: int) -> Plan:
        """This plan for its first ``num_reads`` reads (a subclass with per-read
        inputs, such as starting states, cuts them too)."""
        return replace(self, num_reads=num_reads)


@dataclass
class Drawn:
    """Samples (int8 ±1, (num_reads, n), in the model's variable order) and
    what the sampler reports about how they were drawn."""

    samples: np.ndarray
    info: dict[str, Any] = field(default_factory=dict)


class NativeSampler(dimod.Sampler):
    """Base class of qsample's samplers (see the module notes). A subclass sets
    ``_parameters`` (dimod's ``parameters``) and ``_properties`` in its
    ``__init__``."""

    _parameters: dict[str, list[str]]
    _properties: dict[str, Any]

    @property
    def parameters(self) -> dict[str, list[str]]:
        return self._parameters

    @property
    def properties(self) -> dict[str, Any]:
        return self._properties

    def prepare(
        self,
        model: IsingArrays,
        *,
        num_reads: Any = None,
        seed: int = 0,
        bqm: dimod.BinaryQuadraticModel | None = None,
        **parameters: Any,
    ) -> Plan:
        """Check and resolve ``parameters`` for sampling ``model``; raises
        ``TypeError``/``ValueError`` naming the parameter. ``bqm`` is the
        user's model when called from ``sample`` (for label-based inputs)."""
        raise NotImplementedError

    def _draw(self, model: IsingArrays, plan: Plan, seed: int, read_offset: int) -> Drawn:
        raise NotImplementedError

    # -- the two doors ------------------------------------------------------------
    def sample_arrays(
        self,
        model: IsingArrays,
        num_reads: Any = None,
        seed: Any = None,
        *,
        read_offset: Any = 0,
        **parameters: Any,
    ) -> np.ndarray:
        """int8 ±1 samples, shape (num_reads, n), of ``model`` in its variable order."""
        return self.draw_arrays(
            model, num_reads, seed, read_offset=read_offset, **parameters
        ).samples

    def draw_arrays(
        self,
        model: IsingArrays,
        num_reads: Any = None,
        seed: Any = None,
        *,
        read_offset: Any = 0,
        **parameters: Any,
    ) -> Drawn:
        """Like :meth:`sample_arrays`, with what the sampler reports (``info``)."""
        if not isinstance(model, IsingArrays):
            raise TypeError(f"'model' must be an IsingArrays, got {type(model).__name__}")
        unknown = sorted(set(parameters) - set(self.parameters))
        if unknown:
            raise ValueError(
                f"{type(self).__name__} has no parameter {unknown[0]!r}; it "
                f"takes {sorted(self.parameters)}"
            )
        seed = check_seed(seed)
        read_offset = check_int("read_offset", read_offset, 0, 2**64 - 1)
        plan = self.prepare(model, num_reads=num_reads, seed=seed, **parameters)
        # Reads are numbered in 64 bits: the last one asked for must have a number.
        check_int("read_offset", read_offset, 0, 2**64 - 1 - plan.num_reads)
        check_sample_memory(
            plan.num_reads, model.num_variables, copies=1, per_read_bytes=_work_bytes(model, plan)
        )
        return self._draw_reads(model, plan, seed, read_offset)

    def sample(self, bqm: dimod.BinaryQuadraticModel, **parameters: Any) -> dimod.SampleSet:
        """Sample ``bqm`` (SPIN or BINARY); energies include the offset."""
        t0 = time.perf_counter_ns()
        check_bqm(bqm)
        parameters = self.remove_unknown_kwargs(**parameters)
        seed = check_seed(parameters.pop("seed", None))
        ising = from_bqm(bqm, sorted_variables(bqm))
        plan = self.prepare(ising, seed=seed, bqm=bqm, **parameters)
        check_sample_memory(
            plan.num_reads,
            ising.num_variables,
            copies=2,
            per_read_bytes=SAMPLESET_BYTES_PER_READ + _work_bytes(ising, plan),
        )
        t1 = time.perf_counter_ns()
        drawn = self._draw_reads(ising, plan, seed, 0)
        t2 = time.perf_counter_ns()
        energies = ising.native().energies(drawn.samples) + ising.offset
        ss = dimod.SampleSet.from_samples(
            (drawn.samples, ising.variables),
            vartype=dimod.SPIN,
            energy=energies,
            info={**plan.info, **drawn.info, "seed": seed},
            # Already in dimod's order (sorted_variables); sorting again costs
            # as much as a short anneal.
            sort_labels=False,
        )
        if bqm.vartype is not dimod.SPIN:
            ss.change_vartype(bqm.vartype, inplace=True)
        ss.info["timing"] = {
            "preprocessing_ns": t1 - t0,
            "sampling_ns": t2 - t1,
            "postprocessing_ns": time.perf_counter_ns() - t2,
        }
        return ss

    def _draw_reads(self, model: IsingArrays, plan: Plan, seed: int, read_offset: int) -> Drawn:
        """``_draw``, but a model without variables has one state, the empty one:
        its reads are not walked one by one in the core (2^62 of them would run
        for ever); one read is drawn, for what the sampler reports."""
        if model.num_variables or plan.num_reads <= 1:
            return self._draw(model, plan, seed, read_offset)
        drawn = self._draw(model, plan.with_reads(1), seed, read_offset)
        return Drawn(np.zeros((plan.num_reads, 0), dtype=np.int8), drawn.info)


def _work_bytes(model: IsingArrays, plan: Plan) -> int:
    """Per read, what the sampler keeps besides the samples (nothing for a model
    without variables: see ``_draw_reads``)."""
    return plan.core_bytes_per_read if model.num_variables else 0


def _defining_class(cls: type, name: str) -> type | None:
    return next((c for c in cls.__mro__ if name in c.__dict__), None)


def has_array_entry_point(sampler: Any) -> TypeGuard[NativeSampler]:
    """Whether callers may use ``sampler.sample_arrays`` in place of its
    ``sample``: true for qsample's samplers, unless a subclass overrides
    ``sample`` without overriding how it draws (its ``sample`` is then honoured)."""
    if not isinstance(sampler, NativeSampler):
        return False
    cls = type(sampler)
    sample_owner = _defining_class(cls, "sample")
    draw_owner = _defining_class(cls, "_draw")
    if sample_owner is None or draw_owner is None or sample_owner is NativeSampler:
        return True
    return not (issubclass(sample_owner, draw_owner) and sample_owner is not draw_owner)


def sampler_stack(sampler: Any) -> Iterator[Any]:
    """The sampler and every sampler below it in a composite stack (dimod's
    ``children``, as in dimod and dwave-system composites)."""
    seen: set[int] = set()
    todo = [sampler]
    while todo:
        s = todo.pop(0)
        if id(s) in seen:
            continue
        seen.add(id(s))
        yield s
        try:
            todo.extend(getattr(s, "children", None) or [])
        except Exception:  # a composite whose children cannot be listed
            continue
