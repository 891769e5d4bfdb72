"""An emulated annealer: what the gray-box method claims to survive.

:class:`EmulatedDevice` wraps any dimod sampler and, on every call, (1) scales
all fields and couplings by an effective inverse temperature the learner never
sees — a constant, or a function of the parameters, as for a real device whose
temperature depends on the programmed problem — and (2) adds Gaussian noise to
every h and J. The samples come back with energies under the BQM as given.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import dimod
import numpy as np

from .._validate import check_int, check_number
from ..ising import from_bqm


def parameter_dependent_beta(
    base: float = 0.7, slope: float = 0.3
) -> Callable[[dimod.BinaryQuadraticModel], float]:
    """beta_eff = base / (1 + slope * max|bias|): the device runs hotter, relative
    to the programmed scale, as the parameters grow."""

    def beta(bqm: dimod.BinaryQuadraticModel) -> float:
        spin = bqm.spin
        largest = max(
            (abs(b) for b in (*spin.linear.values(), *spin.quadratic.values())), default=0.0
        )
        return base / (1.0 + slope * float(largest))

    return beta


def _check_beta(value: Any) -> float:
    """The factor on all biases: a finite positive number (a callable's result too)."""
    return check_number("beta", value, 0.0, low_open=True)


class EmulatedDevice(dimod.ComposedSampler):
    """Any sampler behind an unknown effective temperature and per-call parameter noise.

    Args:
        child: the sampler doing the work (e.g. qsample's exact or SA sampler).
        beta: the factor applied to all biases, a number or ``f(bqm) -> number``.
        noise_h, noise_j: standard deviations of the Gaussian noise on h and J.
        seed: seeds the noise (a new draw on every call).
    """

    def __init__(
        self,
        child: dimod.Sampler,
        beta: float | Callable[[Any], float] = 1.0,
        noise_h: float = 0.0,
        noise_j: float = 0.0,
        seed: int | None = None,
    ) -> None:
        if not isinstance(child, dimod.Sampler):
            raise TypeError(f"'child' must be a dimod.Sampler, got {type(child).__name__}")
        if not callable(beta):
            _check_beta(beta)
        self._child = child
        self.beta = beta
        self.noise_h = check_number("noise_h", noise_h, 0.0)
        self.noise_j = check_number("noise_j", noise_j, 0.0)
        self._rng = np.random.default_rng(None if seed is None else check_int("seed", seed, 0))

    @property
    def children(self) -> list[dimod.Sampler]:
        return [self._child]

    @property
    def parameters(self) -> dict[str, list[str]]:
        return dict(self._child.parameters)

    @property
    def properties(self) -> dict[str, Any]:
        return {"child_properties": dict(self._child.properties)}

    def sample(self, bqm: dimod.BinaryQuadraticModel, **parameters: Any) -> dimod.SampleSet:
        ising = from_bqm(bqm)
        factor = _check_beta(self.beta(bqm) if callable(self.beta) else self.beta)
        h = (
            ising.h + self._rng.normal(0.0, self.noise_h, ising.h.shape)
            if self.noise_h
            else ising.h
        )
        J = (
            ising.J + self._rng.normal(0.0, self.noise_j, ising.J.shape)
            if self.noise_j
            else ising.J
        )
        device = dimod.BinaryQuadraticModel.from_numpy_vectors(
            factor * h,
            (ising.irow, ising.icol, factor * J),
            0.0,
            dimod.SPIN,
            variable_order=ising.variables,
        )
        ss = self._child.sample(device, **parameters)
        samples = (
            ss.change_vartype(dimod.SPIN, inplace=False) if ss.vartype is not dimod.SPIN else ss
        )
        out = dimod.SampleSet.from_samples_bqm(
            (samples.record.sample, samples.variables),
            bqm.spin,
            num_occurrences=samples.record.num_occurrences,
        )
        return out.change_vartype(bqm.vartype, inplace=True)
