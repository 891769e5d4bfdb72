"""log Z(beta) of Ising models of any size by annealed importance sampling
(Neal, Statistics and Computing 11, 2001), run in the native core.

Each of ``num_runs`` runs starts from a uniformly random state (beta_0 = 0)
and is swept by the shared kernel (Metropolis or heat bath) through an
increasing schedule beta_1 < ... < beta_K = beta; before moving to beta_k it
adds ``-(beta_k - beta_(k-1)) E(x)`` to its log-weight. The mean weight is an
unbiased estimate of Z / 2^n, so ``log Z = n ln 2 + log mean w``.

What the error bar means: ``std_error`` is the delta-method standard error
of log mean w, sd(w) / (mean(w) sqrt(R)), estimated from the same weights.
It is trustworthy when ``effective_runs`` — (sum w)^2 / sum w^2 — is well
above a few tens; when a handful of runs carry the weight, the estimate and
its error bar are both unreliable (more steps per run help more than more
runs). log mean w is biased low by about std_error^2 / 2 (Jensen), and a
mode that no run finds is missed altogether: on hard models AIS tends to
underestimate log Z.

Like :mod:`qsample.exact`, functions take a dimod ``BinaryQuadraticModel``
(read as SPIN), an ``(h, J)`` pair or :class:`~qsample.ising.IsingArrays`;
log Z includes the offset. Run r of a seed is the same in every call
(``run_offset`` names runs ``run_offset ..``), whatever the thread count.
"""

from __future__ import annotations

import time
from collections.abc import Hashable, Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np

from . import _core
from ._validate import (
    MAX_READS,
    check_beta,
    check_int,
    check_number,
    check_positive_int,
    check_seed,
)
from .ising import IsingArrays, ModelLike, as_ising, check_sample_memory, native_model
from .samplers.options import check_bool, check_precision, check_threads, fixed_array, is_gibbs
from .samplers.schedules import MAX_SWEEPS

SCHEDULE_KINDS = ("linear", "geometric+linear", "geometric")

#: Default number of annealing steps (intermediate distributions).
DEFAULT_STEPS = 1000
#: Where "geometric+linear" turns from linear to geometric, as a fraction of beta.
DEFAULT_GEOMETRIC_FROM = 0.1


def annealing_schedule(
    beta: float = 1.0,
    num_steps: int = DEFAULT_STEPS,
    kind: str = "linear",
    geometric_from: float = DEFAULT_GEOMETRIC_FROM,
) -> np.ndarray:
    """The inverse temperatures 0 = beta_0 < ... < beta_K = beta, K = ``num_steps``.

    ``"linear"`` (the default) is evenly spaced. ``"geometric+linear"`` is
    linear from 0 up to ``geometric_from * beta``, then geometric up to beta,
    with the steps shared out so that their sizes match where the parts meet
    (finer steps while hot). ``"geometric"`` is geometric from
    ``geometric_from * beta`` (after beta_0 = 0).

    Why linear by default: at equal cost, on an SK model of 20 spins (beta 1
    and 3), a 16x16 ±J lattice (beta 2) and a trained 647-qubit BAS model,
    linear spacing gave log-weights as tight as or tighter than
    geometric+linear; on the BAS model the spread accrues mostly in the last
    fifth of the schedule, where the chains' logical values freeze, not while
    hot. The spread of the log-weights falls as 1/sqrt(num_steps): raise
    ``num_steps`` until ``effective_runs`` is a good fraction of the runs.
    """
    beta = check_beta(beta)
    k = check_positive_int("num_steps", num_steps, MAX_SWEEPS)
    # The schedule is k + 1 floats: refuse before numpy tries to allocate them.
    check_sample_memory(k + 1, 0, "num_steps", per_read_bytes=8, copies=0)
    if not isinstance(kind, str) or kind not in SCHEDULE_KINDS:
        raise ValueError(f"'kind' must be one of {SCHEDULE_KINDS}: value = {kind!r}")
    start = check_number("geometric_from", geometric_from, 0.0, 1.0, low_open=True)
    if kind == "linear" or beta == 0.0 or start == 1.0:
        return np.linspace(0.0, beta, k + 1)
    if kind == "geometric":
        return np.concatenate([[0.0], np.geomspace(start * beta, beta, k)])
    # Linear steps of beta * start / k_lin; the first geometric step is about
    # beta * start * ln(1 / start) / k_geo: equal when k_lin = k / (1 + ln(1 / start)).
    k_lin = min(k - 1, max(1, round(k / (1.0 + np.log(1.0 / start)))))
    if k_lin < 1:  # one step in all
        return np.array([0.0, beta])
    linear = np.linspace(0.0, start * beta, k_lin + 1)
    geometric = np.geomspace(start * beta, beta, k - k_lin + 1)[1:]
    return np.concatenate([linear, geometric])


@dataclass(frozen=True)
class ChainMajorities:
    """A restriction to the states whose chains have given strict majorities:
    ``chain_of_variable[i]`` is the chain of variable i (-1: in no chain),
    ``values[c]`` (+1 or -1) the value chain c's strict majority must take.
    A tied chain has no majority, so ties are outside the set."""

    chain_of_variable: np.ndarray
    values: np.ndarray


@dataclass(frozen=True)
class LogPartitionEstimate:
    """An AIS estimate of log Z(beta) (see the module notes for what the
    error bar means)."""

    log_partition: float
    std_error: float
    effective_runs: float
    log_weights: np.ndarray  # (R,) log w of every run
    log_base: float  # log Z_0: the log of the number of states the runs start from
    betas: np.ndarray
    sweeps_per_beta: int
    precision: str
    seconds: float
    states: np.ndarray | None = None  # (R, n) final states, with ``keep_states``
    energies: np.ndarray | None = None  # (R, K) E(x_(k-1)), with ``keep_energies``

    @property
    def beta(self) -> float:
        return float(self.betas[-1])

    @property
    def num_runs(self) -> int:
        return len(self.log_weights)

    def interval(self, k: float = 2.0) -> tuple[float, float]:
        """log Z ± k standard errors."""
        return (self.log_partition - k * self.std_error, self.log_partition + k * self.std_error)


def log_partition(
    model: ModelLike | IsingArrays,
    beta: float = 1.0,
    *,
    num_runs: int = 256,
    num_steps: int = DEFAULT_STEPS,
    schedule: Any = "linear",
    sweeps_per_beta: int = 1,
    acceptance: str = "Metropolis",
    fixed_variables: Mapping[Hashable, int] | None = None,
    chain_majorities: ChainMajorities | None = None,
    seed: int | None = None,
    run_offset: int = 0,
    num_threads: int | None = None,
    precision: str = "auto",
    keep_states: bool = False,
    keep_energies: bool = False,
) -> LogPartitionEstimate:
    """log Z(beta) by annealed importance sampling.

    Args:
        num_runs: independent runs R (16 share a SIMD group: multiples of 16
            cost nothing extra).
        num_steps: annealing steps K of a named schedule.
        schedule: a kind of :func:`annealing_schedule` (``"linear"``,
            ``"geometric+linear"``, ``"geometric"``) over ``num_steps`` steps,
            or the whole schedule as an array 0 = beta_0, ..., beta_K (which
            must equal ``beta``; ``num_steps`` is then ignored).
        sweeps_per_beta: sweeps at each beta_k.
        acceptance: ``"Metropolis"`` or ``"Gibbs"`` (heat bath).
        fixed_variables: ``{variable: ±1}`` held during the runs: the estimate
            is then log of the sum over the free variables (energies of whole
            states, offset included).
        chain_majorities: count only the states whose chains have these
            majorities (see :class:`ChainMajorities`).
        run_offset: index of the first run (split one estimate over calls).
        keep_states: return the runs' final states (draws of the target, to
            be weighted by ``exp(log_weights)``).
        keep_energies: return every run's energies E(x_(k-1)), k = 1..K: the
            weight increments are ``-(beta_k - beta_(k-1)) * energies[:, k-1]``,
            so their spread shows where along the schedule the error accrues.
    """
    ising = as_ising(model)
    n = ising.num_variables
    if isinstance(schedule, str):
        if schedule not in SCHEDULE_KINDS:
            raise ValueError(
                f"'schedule' must be one of {SCHEDULE_KINDS} or an array of "
                f"inverse temperatures: value = {schedule!r}"
            )
        betas = annealing_schedule(beta, num_steps, schedule)
    else:
        betas = _check_schedule(schedule, beta)
    with np.errstate(over="ignore"):  # |log w| <= beta (sum |h| + sum |J|), plus the offset
        bound = float(np.abs(ising.h).sum() + np.abs(ising.J).sum() + abs(ising.offset))
        too_large = not np.isfinite(2 * float(betas[-1]) * bound)
    if too_large:
        raise ValueError(
            f"'beta' times the model's energies ({float(betas[-1]):.4g} x up to "
            f"{bound:.4g}) exceeds the floating-point range: log Z cannot be "
            "represented"
        )
    runs = check_positive_int("num_runs", num_runs, MAX_READS)
    per_beta = check_positive_int("sweeps_per_beta", sweeps_per_beta, MAX_SWEEPS)
    gibbs = is_gibbs(acceptance, "acceptance")
    fixed = fixed_array(ising, fixed_variables, None)
    chain_of, values = _check_majorities(chain_majorities, n)
    seed = check_seed(seed)
    run_offset = check_int("run_offset", run_offset, 0, 2**64 - 1 - runs)
    threads = check_threads(num_threads)
    precision = check_precision(precision)
    keep_states = check_bool("keep_states", keep_states)
    keep_energies = check_bool("keep_energies", keep_energies)
    per_run = 8 + (8 * (len(betas) - 1) if keep_energies else 0)
    check_sample_memory(runs, n if keep_states else 0, "num_runs", per_read_bytes=per_run, copies=1)
    start = time.perf_counter()
    log_w, log_base, states, energies, used = _core.ais(
        native_model(ising),
        betas,
        per_beta,
        runs,
        seed,
        run_offset=run_offset,
        fixed=fixed,
        chain_of_spin=chain_of,
        chain_values=values,
        gibbs=gibbs,
        precision=precision,
        num_threads=threads,
        keep_states=bool(keep_states),
        keep_energies=bool(keep_energies),
    )
    seconds = time.perf_counter() - start
    log_z, se, ess = _core.ais_summary(log_base, log_w)
    return LogPartitionEstimate(
        log_z - float(betas[-1]) * ising.offset,
        se,
        ess,
        log_w,
        log_base,
        betas,
        per_beta,
        used,
        seconds,
        states,
        energies,
    )


def _check_schedule(schedule: Any, beta: Any) -> np.ndarray:
    try:
        betas = np.asarray(schedule, dtype=np.float64)
    except (TypeError, ValueError):
        raise TypeError(
            f"'schedule' must be a 1-D array of inverse temperatures: value = {schedule!r}"
        ) from None
    if betas.ndim != 1 or betas.size == 0:
        raise ValueError(
            f"'schedule' must be a non-empty 1-D array of inverse temperatures, "
            f"got shape {betas.shape}"
        )
    if betas[0] != 0:
        raise ValueError(
            f"'schedule' must start at 0 (the uniform distribution the runs start "
            f"from): schedule[0] = {betas[0]}"
        )
    bad = np.flatnonzero(~(np.isfinite(betas) & (betas >= 0)))
    if bad.size:
        raise ValueError(
            f"'schedule' must hold finite non-negative values: schedule[{bad[0]}] = {betas[bad[0]]}"
        )
    if check_beta(beta) != betas[-1]:
        raise ValueError(
            f"'beta' must equal the last value of 'schedule' ({betas[-1]}): value = {beta!r}"
        )
    return np.ascontiguousarray(betas)


def _check_majorities(
    m: ChainMajorities | None, n: int
) -> tuple[np.ndarray | None, np.ndarray | None]:
    if m is None:
        return None, None
    if not isinstance(m, ChainMajorities):
        raise TypeError(f"'chain_majorities' must be a ChainMajorities, got {type(m).__name__}")
    chain_of = np.asarray(m.chain_of_variable)
    values = np.asarray(m.values)
    if chain_of.shape != (n,) or chain_of.dtype.kind not in "iu":
        raise ValueError(
            f"'chain_majorities.chain_of_variable' must be {n} integers (one per "
            f"variable): got shape {chain_of.shape}, dtype {chain_of.dtype}"
        )
    if values.ndim != 1 or not np.all((values == 1) | (values == -1)):
        raise ValueError("'chain_majorities.values' must be a 1-D array of +1 or -1")
    bad = np.flatnonzero((chain_of < -1) | (chain_of >= len(values)))
    if bad.size:
        raise ValueError(
            f"'chain_majorities.chain_of_variable' must be -1 (no chain) or a chain "
            f"index below {len(values)}: variable {bad[0]} has {chain_of[bad[0]]}"
        )
    return (
        np.ascontiguousarray(chain_of, dtype=np.int64),
        np.ascontiguousarray(values, dtype=np.int8),
    )
