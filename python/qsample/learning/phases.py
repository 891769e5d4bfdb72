"""The negative phase of moment matching: model moments from a sampler's
samples, or exact by enumeration. Each call returns one
:class:`PhaseResult` (the moments and, when sampled, the samples)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Protocol

import dimod
import numpy as np

from .. import exact
from .._validate import check_beta, check_exact_size, check_num_reads, check_positive_int
from ..ising import IsingArrays
from ..samplers.annealing import SimulatedAnnealingSampler
from ..samplers.base import NativeSampler, has_array_entry_point, sampler_stack
from .moments import sample_moments

#: The paper's SA setting for learning (SK experiment): a linear schedule
#: beta(t) = t / t_max over 200 sweeps. A fixed schedule matters: the default
#: range of dwave-samplers adapts to the parameters and would move the effective
#: temperature while the model learns.
DEFAULT_SA_PARAMETERS: dict[str, Any] = {
    "beta_schedule_type": "custom",
    "beta_schedule": np.linspace(0.0, 1.0, 200),
}

#: Parameters that choose an annealing schedule: given any of them, the
#: default learning schedule is not applied.
SCHEDULE_PARAMETERS = frozenset({"beta_range", "beta_schedule_type", "beta_schedule"})


@dataclass(frozen=True)
class PhaseResult:
    """Model moments for the current parameters: ``mean[k] = <z_k>``,
    ``correlation[e] = <z_irow[e] z_icol[e]>`` over the model's edges, and the
    samples they came from (None for exact moments)."""

    mean: np.ndarray
    correlation: np.ndarray
    samples: np.ndarray | None = None


class NegativePhase(Protocol):
    """Model moments for the current parameters."""

    def validate(self, model: IsingArrays, num_reads: int) -> None: ...

    def __call__(self, model: IsingArrays, num_reads: int, seed: int) -> PhaseResult: ...


def drives_qsample_annealer(sampler: Any) -> bool:
    """Whether qsample's simulated annealer does the sampling, directly or
    anywhere below ``sampler`` in a composite stack."""
    return any(isinstance(s, SimulatedAnnealingSampler) for s in sampler_stack(sampler))


class SampledMoments:
    """Model moments estimated from the samples of any dimod sampler.

    A qsample sampler is called through its array entry point
    (``sample_arrays``: no BQM, no SampleSet, parameters checked exactly as
    its ``sample`` checks them); any other sampler (dwave-samplers, OpenJij, a
    QPU, a composite) gets a ``dimod.BinaryQuadraticModel`` over the model's
    variable labels.

    When qsample's simulated annealer does the sampling — alone or anywhere in
    a composite stack such as :class:`~qsample.EmulatedDevice` — and no
    schedule parameter is given, the fixed learning schedule
    (:data:`DEFAULT_SA_PARAMETERS`, over ``num_sweeps`` sweeps if given) is
    passed down the stack.
    """

    def __init__(
        self,
        sampler: dimod.Sampler | None = None,
        sampler_parameters: Mapping[str, Any] | None = None,
    ) -> None:
        self.sampler = SimulatedAnnealingSampler() if sampler is None else sampler
        if not isinstance(self.sampler, dimod.Sampler):
            raise TypeError(f"'sampler' must be a dimod.Sampler, got {type(sampler).__name__}")
        if sampler_parameters is not None and not isinstance(sampler_parameters, Mapping):
            raise TypeError(
                f"'sampler_parameters' must be a mapping of keyword arguments: "
                f"value = {sampler_parameters!r}"
            )
        params = dict(sampler_parameters or {})
        accepted = set(self.sampler.parameters)
        if drives_qsample_annealer(self.sampler) and not SCHEDULE_PARAMETERS & set(params):
            missing = sorted(SCHEDULE_PARAMETERS - {"beta_range"} - accepted)
            if missing:
                raise ValueError(
                    f"{type(self.sampler).__name__} does not pass {missing} down to qsample's "
                    "SimulatedAnnealingSampler, so the fixed learning schedule cannot reach it; "
                    "give the schedule in 'sampler_parameters' to whatever sampler it reaches"
                )
            sweeps = params.pop("num_sweeps", len(DEFAULT_SA_PARAMETERS["beta_schedule"]))
            sweeps = check_positive_int("num_sweeps", sweeps)
            params.update(DEFAULT_SA_PARAMETERS, beta_schedule=np.linspace(0.0, 1.0, sweeps))
        unknown = sorted(set(params) - accepted)
        if unknown:
            raise ValueError(
                f"'sampler_parameters' has {unknown}, which {type(self.sampler).__name__} does "
                f"not accept; it accepts {sorted(accepted)}"
            )
        if "num_reads" in params:
            raise ValueError("give 'num_reads' as a hyperparameter, not a sampler parameter")
        if "seed" in params:
            raise ValueError(
                "'seed' is set on every call from the trainer's seed; give the "
                "seed to the Trainer, not as a sampler parameter"
            )
        self.parameters = params

    @property
    def native(self) -> NativeSampler | None:
        """The sampler when it is called through its array entry point, else None."""
        return self.sampler if has_array_entry_point(self.sampler) else None

    def validate(self, model: IsingArrays, num_reads: int) -> None:
        """Run the sampler's own argument checks once, before the first iteration."""
        check_num_reads(num_reads)
        if (native := self.native) is not None:
            native.prepare(model, num_reads=num_reads, seed=0, **self.parameters)
        else:
            self.draw(model, 1, 0)

    def draw(self, model: IsingArrays, num_reads: int, seed: int) -> np.ndarray:
        """``num_reads`` ±1 samples (int8, in the model's variable order) with this
        sampler and its parameters: what evaluation uses, so a model is judged
        by the sampler whose temperature it absorbed."""
        if (native := self.native) is not None:
            return native.sample_arrays(model, num_reads, seed, **self.parameters)
        kwargs = dict(self.parameters)
        if "seed" in self.sampler.parameters:
            kwargs["seed"] = seed % 2**31
        ss = self.sampler.sample(model.to_bqm(), num_reads=num_reads, **kwargs)
        if ss.vartype is not dimod.SPIN:
            ss = ss.change_vartype(dimod.SPIN, inplace=False)
        columns = [ss.variables.index(v) for v in model.variables]
        samples = ss.record.sample[:, columns]
        # Samplers may aggregate; expand occurrences so every read counts once.
        return np.repeat(samples, ss.record.num_occurrences, axis=0).astype(np.int8)

    def __call__(self, model: IsingArrays, num_reads: int, seed: int) -> PhaseResult:
        samples = self.draw(model, num_reads, seed)
        mean, correlation = sample_moments(samples, model.irow, model.icol)
        return PhaseResult(mean, correlation, samples)


class ExactMoments:
    """Exact model moments by enumeration (up to 30 spins): the exact gradient,
    the classical reference of the paper's Fig. 7.

    The last model's moments are remembered, so a caller that also needs them
    (e.g. a callback measuring the model after each step, via :meth:`moments`)
    does not pay for a second enumeration."""

    def __init__(self, beta: float = 1.0) -> None:
        self.beta = check_beta(beta)
        self._last: tuple[tuple[bytes, ...], exact.Moments] | None = None

    def validate(self, model: IsingArrays, num_reads: int) -> None:
        check_exact_size(model.num_variables, "exact moments")

    def moments(self, model: IsingArrays) -> exact.Moments:
        """``exact.moments(model, beta)``, remembered for the next call with the
        same parameters."""
        key = tuple(
            np.ascontiguousarray(a).tobytes() for a in (model.h, model.J, model.irow, model.icol)
        )
        if self._last is None or self._last[0] != key:
            self._last = (key, exact.moments(model, self.beta))
        return self._last[1]

    def __call__(self, model: IsingArrays, num_reads: int, seed: int) -> PhaseResult:
        m = self.moments(model)
        return PhaseResult(m.mean, m.correlation[model.irow, model.icol])
