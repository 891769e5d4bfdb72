"""The negative phase of moment matching: model moments from a sampler's
samples, or exact by enumeration."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Protocol

import dimod
import numpy as np

from .. import exact
from .._validate import check_beta, check_positive_int
from ..ising import IsingArrays
from ..samplers.annealing import SimulatedAnnealingSampler, anneal_arrays
from ..samplers.exact import ExactSampler
from ..samplers.schedules import beta_schedule as make_schedule
from .moments import sample_moments

#: The paper's SA setting for learning (SK experiment): a linear schedule
#: beta(t) = t / t_max over 200 sweeps. A fixed schedule matters: the default
#: range of dwave-samplers adapts to the parameters and would move the effective
#: temperature while the model learns.
DEFAULT_SA_PARAMETERS: dict[str, Any] = {
    "beta_schedule_type": "custom",
    "beta_schedule": np.linspace(0.0, 1.0, 200),
}



class NegativePhase(Protocol):
    """Model moments for the current parameters."""

    def __call__(self, model: IsingArrays, seed: int) -> tuple[np.ndarray, np.ndarray]: ...


class SampledMoments:
    """Model moments estimated from ``num_reads`` samples of any dimod sampler.

    qsample's own samplers get the flat arrays directly (no BQM, no SampleSet);
    any other sampler (dwave-samplers, OpenJij, a QPU, a composite) gets a
    ``dimod.BinaryQuadraticModel`` over the model's variable labels.
    """

    def __init__(self, sampler: dimod.Sampler | None = None, num_reads: int = 100,
                 sampler_parameters: Mapping[str, Any] | None = None) -> None:
        self.sampler = SimulatedAnnealingSampler() if sampler is None else sampler
        if not isinstance(self.sampler, dimod.Sampler):
            raise TypeError(f"'sampler' must be a dimod.Sampler, got {type(sampler).__name__}")
        params = dict(sampler_parameters or {})
        if isinstance(self.sampler, SimulatedAnnealingSampler) and not (
                {"beta_range", "beta_schedule_type", "beta_schedule"} & set(params)):
            # The fixed learning schedule, over as many sweeps as asked for.
            sweeps = params.pop("num_sweeps", len(DEFAULT_SA_PARAMETERS["beta_schedule"]))
            sweeps = check_positive_int("num_sweeps", sweeps)
            params.update(DEFAULT_SA_PARAMETERS, beta_schedule=np.linspace(0.0, 1.0, sweeps))
        unknown = sorted(set(params) - set(self.sampler.parameters))
        if unknown:
            raise ValueError(
                f"'sampler_parameters' has {unknown}, which {type(self.sampler).__name__} does "
                f"not accept; it accepts {sorted(self.sampler.parameters)}")
        if "num_reads" in params:
            raise ValueError("give 'num_reads' as a hyperparameter, not a sampler parameter")
        if "seed" in params:
            raise ValueError("'seed' is set on every call from the trainer's seed; give the "
                             "seed to the Trainer, not as a sampler parameter")
        self.num_reads = num_reads
        self.parameters = params
        self.last_samples: np.ndarray | None = None

    def validate(self, model: IsingArrays) -> None:
        """Run the sampler's own argument checks once, before the first iteration."""
        if isinstance(self.sampler, SimulatedAnnealingSampler):
            self._schedule(model)
        else:
            self.draw(model, num_reads=1, seed=0)

    def _schedule(self, model: IsingArrays) -> np.ndarray:
        p = self.parameters
        betas, _ = make_schedule(
            model, num_sweeps=p.get("num_sweeps"),
            num_sweeps_per_beta=p.get("num_sweeps_per_beta", 1),
            beta_range=p.get("beta_range"),
            beta_schedule_type=p.get("beta_schedule_type", "geometric"),
            beta_schedule=p.get("beta_schedule"))
        return betas

    def draw(self, model: IsingArrays, num_reads: int, seed: int) -> np.ndarray:
        """``num_reads`` ±1 samples (int8, in the model's variable order) with this
        sampler and its parameters: what evaluation uses, so a model is judged
        by the sampler whose temperature it absorbed."""
        p = self.parameters
        if isinstance(self.sampler, SimulatedAnnealingSampler):
            samples, _ = anneal_arrays(
                model, self._schedule(model),
                num_sweeps_per_beta=p.get("num_sweeps_per_beta", 1), num_reads=num_reads,
                seed=seed, gibbs=p.get("proposal_acceptance_criteria") == "Gibbs",
                randomize_order=bool(p.get("randomize_order", False)),
                num_threads=p.get("num_threads") or 0)
            return samples
        if isinstance(self.sampler, ExactSampler):
            return exact.sample(model, num_reads, beta=p.get("beta", 1.0), seed=seed)
        kwargs = dict(p)
        if "seed" in self.sampler.parameters and "seed" not in kwargs:
            kwargs["seed"] = seed % 2**31
        ss = self.sampler.sample(model.to_bqm(), num_reads=num_reads, **kwargs)
        if ss.vartype is not dimod.SPIN:
            ss = ss.change_vartype(dimod.SPIN, inplace=False)
        columns = [ss.variables.index(v) for v in model.variables]
        samples = ss.record.sample[:, columns]
        # Samplers may aggregate; expand occurrences so every read counts once.
        return np.repeat(samples, ss.record.num_occurrences, axis=0).astype(np.int8)

    def __call__(self, model: IsingArrays, seed: int) -> tuple[np.ndarray, np.ndarray]:
        self.last_samples = self.draw(model, self.num_reads, seed)
        return sample_moments(self.last_samples, model.irow, model.icol)


class ExactMoments:
    """Exact model moments by enumeration (up to 30 spins): the exact gradient,
    the classical reference of the paper's Fig. 7."""

    def __init__(self, beta: float = 1.0) -> None:
        self.beta = check_beta(beta)

    def validate(self, model: IsingArrays) -> None:
        if model.num_variables > exact.MAX_EXACT_SPINS:
            raise ValueError(
                f"exact moments handle at most {exact.MAX_EXACT_SPINS} variables; the model "
                f"has {model.num_variables}")

    def __call__(self, model: IsingArrays, seed: int) -> tuple[np.ndarray, np.ndarray]:
        m = exact.moments(model, self.beta)
        return m.mean, m.correlation[model.irow, model.icol]


