"""Inverse-temperature schedules for simulated annealing, as in dwave-samplers.

The default range reproduces ``dwave.samplers``' heuristic so that qsample and
dwave-samplers anneal the same way when called with the same arguments.
"""

from __future__ import annotations

import warnings
from typing import Any

import numpy as np

from .._validate import check_int, check_number, check_positive_int
from ..ising import IsingArrays

SCHEDULE_TYPES = ("linear", "geometric", "custom")


def default_beta_range(
    ising: IsingArrays, max_single_qubit_excitation_rate: float = 0.01
) -> tuple[float, float]:
    """(hot, cold) betas: hot enough that every spin flips with probability ≥ 1/2,
    cold enough that the smallest gap is excited with probability ~ the rate.
    """
    n = ising.num_variables
    abs_j = np.abs(ising.J)
    sum_abs = np.abs(ising.h).copy()
    np.add.at(sum_abs, ising.irow, abs_j)
    np.add.at(sum_abs, ising.icol, abs_j)
    # Smallest non-zero bias touching each spin (h or J).
    min_abs = np.where(ising.h != 0, np.abs(ising.h), np.inf)
    nz = abs_j != 0
    np.minimum.at(min_abs, ising.irow[nz], abs_j[nz])
    np.minimum.at(min_abs, ising.icol[nz], abs_j[nz])
    finite = min_abs[np.isfinite(min_abs)]
    if n == 0 or finite.size == 0:
        warnings.warn(
            "All biases are zero (all energies are zero); the beta range is set "
            "arbitrarily to [0.1, 1].",
            stacklevel=3,
        )
        return 0.1, 1.0
    max_field = float(sum_abs.max())
    min_field = float(finite.min())
    number_min_gaps = int(np.sum(finite == min_field))
    with np.errstate(over="ignore", divide="ignore"):
        hot = 1.0 if max_field == 0 else float(np.log(2) / (2 * max_field))
        cold = float(np.log(number_min_gaps / max_single_qubit_excitation_rate) / (2 * min_field))
    # Biases near the ends of the float range put the heuristic's betas beyond
    # it (0 or inf): refuse rather than anneal on a schedule of zeros or infinities.
    if not (0 < hot < np.inf and 0 < cold < np.inf):
        raise ValueError(
            f"the model's biases (smallest {min_field:.3g}, largest field sum {max_field:.3g}) "
            "put the default 'beta_range' outside the floating-point range; give "
            "'beta_range' or a custom 'beta_schedule'"
        )
    return hot, cold


#: Sweeps per call and per beta beyond this are refused: more would run for days.
MAX_SWEEPS = 2**40


def _check_beta_range(beta_range: Any) -> tuple[float, float]:
    if isinstance(beta_range, (str, bytes)) or not hasattr(beta_range, "__len__"):
        raise TypeError(
            f"'beta_range' must be a pair (hot, cold) of non-negative numbers: "
            f"value = {beta_range!r}"
        )
    if len(beta_range) != 2:
        raise ValueError(
            f"'beta_range' must be a pair (hot, cold) of non-negative numbers: "
            f"value = {beta_range!r}"
        )
    lo, hi = (check_number("beta_range", b, 0.0) for b in beta_range)
    return lo, hi


def beta_schedule(
    ising: IsingArrays,
    *,
    num_sweeps: Any,
    num_sweeps_per_beta: Any,
    beta_range: Any,
    beta_schedule_type: Any,
    beta_schedule: Any,
) -> tuple[np.ndarray, Any]:
    """The array of betas (one per ``num_sweeps_per_beta`` sweeps) and the
    ``beta_range`` to report (as dwave-samplers reports it: the heuristic's
    pair, the user's value as given, or None for a custom schedule without one)."""
    per_beta = check_positive_int("num_sweeps_per_beta", num_sweeps_per_beta, MAX_SWEEPS)
    if not isinstance(beta_schedule_type, str):
        raise TypeError(
            f"'beta_schedule_type' must be one of {SCHEDULE_TYPES}: value = {beta_schedule_type!r}"
        )
    if beta_schedule_type not in SCHEDULE_TYPES:
        raise ValueError(
            f"'beta_schedule_type' must be one of {SCHEDULE_TYPES}: value = {beta_schedule_type!r}"
        )
    if beta_schedule_type == "custom":
        return _custom(beta_schedule, num_sweeps, per_beta, beta_range)
    if beta_schedule is not None:
        raise ValueError(
            "'beta_schedule' is only read with beta_schedule_type='custom': "
            f"got beta_schedule_type={beta_schedule_type!r}"
        )
    sweeps = 1000 if num_sweeps is None else check_int("num_sweeps", num_sweeps, 0, MAX_SWEEPS)
    num_betas, rem = divmod(sweeps, per_beta)
    if rem:
        raise ValueError(
            f"'num_sweeps' ({num_sweeps}) must be divisible by "
            f"'num_sweeps_per_beta' ({num_sweeps_per_beta})"
        )
    if beta_range is None:
        lo, hi = default_beta_range(ising)
        reported: Any = [lo, hi]
    else:
        lo, hi = _check_beta_range(beta_range)
        reported = beta_range
    if num_betas == 1:
        return np.array([hi]), reported
    if beta_schedule_type == "linear":
        return np.linspace(lo, hi, num=num_betas), reported
    if min(lo, hi) <= 0:
        raise ValueError(
            f"'beta_range' must be positive for beta_schedule_type='geometric': value = {(lo, hi)}"
        )
    return np.geomspace(lo, hi, num=num_betas), reported


def _custom(
    schedule: Any, num_sweeps: Any, per_beta: int, beta_range: Any
) -> tuple[np.ndarray, Any]:
    if schedule is None:
        raise ValueError("'beta_schedule' must be given for beta_schedule_type='custom'")
    try:
        betas = np.asarray(schedule, dtype=np.float64)
    except (TypeError, ValueError):
        raise ValueError(
            f"'beta_schedule' must be a 1-D array of numbers: value = {schedule!r}"
        ) from None
    if betas.ndim != 1:
        raise TypeError(
            f"'beta_schedule' must be a 1-D sequence of inverse temperatures, got "
            f"shape {betas.shape}"
        )
    if betas.size == 0:
        raise ValueError("'beta_schedule' must hold at least one inverse temperature")
    # +inf is allowed: a zero-temperature quench (only moves that lower the energy).
    bad = np.flatnonzero(~(betas >= 0))
    if bad.size:
        raise ValueError(
            f"'beta_schedule' must hold non-negative values (inf allowed): "
            f"beta_schedule[{bad[0]}] = {betas[bad[0]]}"
        )
    if betas.size * per_beta > MAX_SWEEPS:
        raise ValueError(
            f"'beta_schedule' asks for {betas.size * per_beta} sweeps, more than {MAX_SWEEPS}"
        )
    if num_sweeps is not None:
        sweeps = check_int("num_sweeps", num_sweeps, 0)
        if sweeps != betas.size * per_beta:
            raise ValueError(
                f"'num_sweeps' must be None or len(beta_schedule) * num_sweeps_per_beta = "
                f"{betas.size * per_beta} for beta_schedule_type='custom': value = {num_sweeps!r}"
            )
    if beta_range is not None:
        lo, hi = _check_beta_range(beta_range)
        if lo != betas[0] or hi != betas[-1]:
            raise ValueError(
                "'beta_range' must be None or match the first and last values of 'beta_schedule'"
            )
    return np.ascontiguousarray(betas), beta_range
