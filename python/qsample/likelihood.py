"""The log-likelihood of logical data under a hardware-embedded model, in nats
per picture, with an honest account of the chains.

The model is the Boltzmann distribution P(z) = exp(-beta E(z)) / Z over its
qubits, at the inverse temperature of the sampler it was trained with: the
learned parameters absorbed that sampler's temperature, so beta is the one
its schedule ends at (1 for qsample's learning schedule, the default). A
logical picture v has probability

    P(v) = sum over the states z with g(z) = v of P(z),

g the majority vote inside every chain. A chain decodes only by a strict
majority: a state with a tied chain (possible in even chains) decodes to no
picture and counts for none.

Per picture, two terms, reported separately:

* ``aligned`` = log P(f(v)) = -beta E(f(v)) - log Z, f(v) the state with
  every qubit of chain i at v_i. E(f(v)) is exact; log Z is one annealed
  importance sampling estimate (:func:`qsample.ais.log_partition`) shared by
  all pictures. With the exact log Z this is a lower bound of log P(v). With
  the estimate it is not a certified one: AIS tends to underestimate log Z
  (the log of a mean weight is biased low; a mode no run finds is missed),
  which raises the aligned term by as much.
* ``chains`` = log P(v) - log P(f(v))
  = log sum over z in A_v of exp(-beta (E(z) - E(f(v)))) >= 0, A_v the states
  whose every chain has the strict majority v: the mass of misaligned chains
  that still decode to v, relative to the aligned state (a share
  1 - exp(-chains) of P(v) lies in misaligned states). Estimated by AIS on
  A_v alone along a path that releases a pull to the chains' values: every
  run starts at f(v) under p_0 ∝ exp(-beta E - Λ D) on A_v (D the number of
  qubits against their chain's value), Λ so strong that p_0 leaves at most a
  factor exp(``start_error``) of its mass off f(v), then sweeps — refusing any
  move that breaks a majority — while the pull falls from Λ to 0. Every
  weight is at least 1, so the estimate is never negative; the mean weight
  estimates exp(chains) without bias up to that start factor (which only
  lowers it), and its log is biased low: the chain term is a lower bound in
  expectation.

log P(v) = aligned + chains (the ratio of the two partition functions).

Error bars are those of the estimators (standard errors of the AIS
estimates, see :mod:`qsample.ais`), not of the choice of test pictures: the
aligned mean carries the error of log Z, common to all pictures; the chain
terms have their own independent runs, so their errors shrink with the
number of distinct pictures. ``picture_sd`` is the spread over the pictures.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Any

import numpy as np

from . import _core
from ._validate import check_beta, check_int, check_positive_int, check_spins
from .ais import DEFAULT_STEPS, LogPartitionEstimate, annealing_schedule, log_partition
from .ising import native_model
from .model import HardwareModel

#: Where the pull's schedule turns from geometric to linear, as a fraction of
#: its strength: the weights' spread accrues mostly where the pull is weak.
PULL_LINEAR_BELOW = 0.002
#: The pull exceeds any energy a set of flips can gain by this margin (in nats,
#: beyond log M), so its start error is below exp(-margin).
PULL_MARGIN = 20.0


@dataclass(frozen=True)
class LogicalLogLikelihood:
    """Per-picture log-likelihood terms (nats) and their error bars."""

    aligned: np.ndarray  # (B,) log P(f(v)) with the AIS log Z
    chains: np.ndarray  # (B,) estimates of log P(v) - log P(f(v)) >= 0
    chains_se: np.ndarray  # (B,) their standard errors
    chains_effective_runs: np.ndarray  # (B,)
    log_partition: LogPartitionEstimate
    beta: float
    pull: float  # the strength Λ the chain runs start from
    start_error: float  # a bound on the log of the start factor (see the module notes)
    seconds: float

    @property
    def log_likelihood(self) -> np.ndarray:
        """(B,) log P(v) estimates."""
        return self.aligned + self.chains

    @property
    def misaligned_share(self) -> np.ndarray:
        """(B,) the share of P(v) in states whose chains are not all aligned."""
        return -np.expm1(-self.chains)

    @property
    def mean(self) -> float:
        return float(self.log_likelihood.mean())

    @property
    def mean_se(self) -> float:
        return float(np.hypot(self.mean_aligned_se, self.mean_chains_se))

    @property
    def mean_aligned(self) -> float:
        return float(self.aligned.mean())

    @property
    def mean_aligned_se(self) -> float:
        return self.log_partition.std_error

    @property
    def mean_chains(self) -> float:
        return float(self.chains.mean())

    @property
    def mean_chains_se(self) -> float:
        return float(np.sqrt(np.sum(self.chains_se**2)) / len(self.chains))

    @property
    def picture_sd(self) -> float:
        """The spread of log P(v) over the pictures."""
        return float(self.log_likelihood.std())

    def summary(self) -> dict[str, Any]:
        """The figures, as plain numbers (for results.json)."""
        z = self.log_partition
        return {
            "log_likelihood_per_picture": self.mean,
            "log_likelihood_se": self.mean_se,
            "aligned_per_picture": self.mean_aligned,
            "aligned_se": self.mean_aligned_se,
            "chains_per_picture": self.mean_chains,
            "chains_se": self.mean_chains_se,
            "misaligned_share_mean": float(self.misaligned_share.mean()),
            "picture_sd": self.picture_sd,
            "num_pictures": len(self.aligned),
            "beta": self.beta,
            "log_partition": z.log_partition,
            "log_partition_se": z.std_error,
            "log_partition_effective_runs": z.effective_runs,
            "log_partition_runs": z.num_runs,
            "log_partition_steps": len(z.betas) - 1,
            "chains_effective_runs_min": float(self.chains_effective_runs.min()),
            "pull_start_error": self.start_error,
            "seconds": self.seconds,
        }


def logical_log_likelihood(
    model: HardwareModel,
    pictures: Any,
    *,
    beta: float = 1.0,
    num_runs: int = 512,
    num_steps: int = 20 * DEFAULT_STEPS,
    chain_runs: int = 32,
    chain_steps: int = 10 * DEFAULT_STEPS,
    log_partition_estimate: LogPartitionEstimate | None = None,
    seed: int = 0,
    num_threads: int | None = None,
    progress: bool | None = False,
) -> LogicalLogLikelihood:
    """log P(v) of every logical picture (rows of ±1 ``pictures``, one column
    per logical variable) under ``model`` at ``beta``, split into the aligned
    term and the chain term (see the module notes).

    Args:
        num_runs, num_steps: AIS runs and linear steps for log Z.
        chain_runs, chain_steps: runs and steps of the chain term, per
            distinct picture.
        log_partition_estimate: a log Z estimate of this model at this beta
            to reuse (e.g. for several sets of pictures); computed if None.
        seed: seeds both estimates (each picture's chain runs are their own
            runs of it, so equal pictures get equal figures).
    """
    if not isinstance(model, HardwareModel):
        raise TypeError(f"'model' must be a HardwareModel, got {type(model).__name__}")
    v = check_spins("pictures", pictures, model.layout.num_logical)
    beta = check_beta(beta)
    chain_runs = check_positive_int("chain_runs", chain_runs)
    chain_steps = check_positive_int("chain_steps", chain_steps)
    threads = (
        0
        if num_threads is None
        else check_positive_int("num_threads", num_threads, _core.MAX_THREADS)
    )
    seed = check_int("seed", seed, 0, 2**64 - 1)
    z_seed, chain_seed = (int(s) for s in np.random.SeedSequence(seed).generate_state(2, np.uint64))
    ising = model.to_ising()
    start = time.perf_counter()
    if log_partition_estimate is None:
        log_z = log_partition(
            ising,
            beta,
            num_runs=num_runs,
            num_steps=num_steps,
            seed=z_seed,
            num_threads=num_threads,
        )
    elif not isinstance(log_partition_estimate, LogPartitionEstimate):
        raise TypeError(
            f"'log_partition_estimate' must be a LogPartitionEstimate, got "
            f"{type(log_partition_estimate).__name__}"
        )
    elif log_partition_estimate.beta != beta:
        raise ValueError(
            f"'log_partition_estimate' is for beta = {log_partition_estimate.beta}, "
            f"not beta = {beta}"
        )
    else:
        log_z = log_partition_estimate
    aligned_states = model.encode(v)
    aligned = -beta * model.energies(aligned_states) - log_z.log_partition
    distinct, inverse = np.unique(v, axis=0, return_inverse=True)
    inverse = inverse.reshape(-1)
    pull, start_error = _pull_strength(model, beta)
    pulls = np.ascontiguousarray(
        annealing_schedule(pull, chain_steps, "geometric+linear", PULL_LINEAR_BELOW)[::-1]
    )
    betas = np.full(len(pulls), beta)
    chain_of = np.ascontiguousarray(model.layout.chain_of_column, dtype=np.int64)
    native = native_model(ising)
    terms = np.empty(len(distinct))
    errors = np.empty(len(distinct))
    effective = np.empty(len(distinct))
    from tqdm.auto import tqdm

    from .execution.progress import progress_disabled

    for j in tqdm(
        range(len(distinct)),
        desc="chain terms",
        unit="picture",
        disable=progress_disabled(progress),
    ):
        log_w, _, _, _, _ = _core.ais(
            native,
            betas,
            1,
            chain_runs,
            chain_seed,
            run_offset=j * chain_runs,
            chain_of_spin=chain_of,
            chain_values=distinct[j],
            pulls=pulls,
            start=model.encode(distinct[j])[0],
            num_threads=threads,
        )
        terms[j], errors[j], effective[j] = _core.ais_summary(0.0, log_w)
    return LogicalLogLikelihood(
        aligned,
        terms[inverse],
        errors[inverse],
        effective[inverse],
        log_z,
        beta,
        pull,
        start_error,
        time.perf_counter() - start,
    )


def _pull_strength(model: HardwareModel, beta: float) -> tuple[float, float]:
    """(Λ, start error): Λ beyond 2 beta F_q for every qubit q, F_q = |h_q| +
    sum |J_qr| (the most a flip of q can lower beta E is 2 beta F_q), by
    log M + the margin. A state with the flips S off f(v) then weighs at most
    prod_(q in S) exp(2 beta F_q - Λ) of f(v)'s weight under p_0, so the mass
    off f(v) is at most prod_q (1 + exp(2 beta F_q - Λ)) - 1 of it; its log is
    the start error."""
    f = np.abs(model.h).copy()
    np.add.at(f, model.irow, np.abs(model.J))
    np.add.at(f, model.icol, np.abs(model.J))
    pull = float(2 * beta * f.max() + np.log(model.num_qubits) + PULL_MARGIN)
    start_error = float(np.sum(np.log1p(np.exp(2 * beta * f - pull))))
    return pull, start_error
