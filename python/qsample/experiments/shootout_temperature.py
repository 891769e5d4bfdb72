"""The inverse temperature at which to read a learned model's likelihood,
fitted on its training data.

Moment matching never learns the sampler's temperature: the learned
parameters theta describe the data only together with whatever inverse
temperature the sampler brings (SA's samples freeze out before its schedule
ends, SQA's before its anneal ends, a device's is hidden). The model is
therefore the family exp(-beta E_theta) / Z(beta), and the one scalar beta is
fitted the way any model parameter is: by maximum likelihood on the training
data, first over a geometric grid of ``grid_points`` values from ``beta_max /
spread`` to ``beta_max``, then over ``refine_points`` values between the
neighbours of the best. The test log-likelihood is then read at the fitted
beta; the test data play no part in choosing it.

For an embedded model, one annealed-importance-sampling run up to
``beta_max``, on a geometric schedule from the grid's low end (as many steps
per e-fold of beta everywhere), gives log Z at every beta of its schedule
from the runs' partial weights; the chain term of each beta tried has its
own short runs (:func:`qsample.likelihood.logical_log_likelihood`) on at most
``max_pictures`` training pictures drawn at random. It is a
fit, cheaper than the test figure it serves, and its log Z is biased low as
any short AIS is. For a logical model of at most 20 spins, all exact.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np

from .. import exact
from .._validate import check_beta, check_int, check_number, check_positive_int, check_spins
from ..ais import LogPartitionEstimate, log_partition
from ..ising import IsingArrays
from ..likelihood import logical_log_likelihood
from ..model import HardwareModel


@dataclass(frozen=True)
class BetaFit:
    """The fitted beta, the betas tried and the training log-likelihood at each."""

    beta: float
    grid: np.ndarray
    train_log_likelihood: np.ndarray
    #: The coarse grid's best was one of its ends: the optimum may lie beyond.
    edge: bool = False

    def summary(self) -> dict[str, Any]:
        return {
            "fitted_beta": self.beta,
            "fitted_beta_at_grid_edge": self.edge,
            "beta_grid": self.grid.tolist(),
            "train_log_likelihood": self.train_log_likelihood.tolist(),
        }


def beta_grid(beta_max: float, grid_points: int, spread: float) -> np.ndarray:
    beta_max = check_beta(beta_max, "beta_max")
    spread = check_number("spread", spread, 1.0, low_open=True)
    return np.geomspace(beta_max / spread, beta_max, check_int("grid_points", grid_points, 2))


def _search(grid: np.ndarray, value: Callable[[float], float], refine_points: int) -> BetaFit:
    """Maximise ``value`` over ``grid``, then between the best's neighbours."""
    tried = {float(b): value(float(b)) for b in grid}
    best = int(np.argmax([tried[float(b)] for b in grid]))
    low, high = grid[max(best - 1, 0)], grid[min(best + 1, len(grid) - 1)]
    for b in np.geomspace(low, high, refine_points + 2)[1:-1]:
        tried.setdefault(float(b), value(float(b)))
    betas = np.array(sorted(tried))
    values = np.array([tried[b] for b in betas])
    return BetaFit(
        float(betas[int(np.argmax(values))]), betas, values, edge=best in (0, len(grid) - 1)
    )


def fit_beta(
    model: HardwareModel,
    pictures: Any,
    beta_max: float,
    *,
    grid_points: int = 10,
    spread: float = 200.0,
    refine_points: int = 7,
    num_runs: int = 64,
    num_steps: int = 4000,
    chain_runs: int = 4,
    chain_steps: int = 500,
    max_pictures: int = 32,
    seed: int = 0,
    num_threads: int | None = None,
) -> BetaFit:
    """The beta maximising the log-likelihood of the logical ``pictures`` (the
    training data) under the embedded ``model`` (see the module notes)."""
    v = check_spins("pictures", pictures, model.layout.num_logical)
    # A random sample of the rows (not the most frequent pictures: a subset
    # chosen by frequency would favour the colder betas).
    take = check_positive_int("max_pictures", max_pictures)
    if len(v) > take:
        v = v[np.random.default_rng(seed).choice(len(v), take, replace=False)]
    subset, counts = np.unique(v, axis=0, return_counts=True)
    weights = counts.astype(np.float64)
    steps = check_positive_int("num_steps", num_steps)
    grid = beta_grid(beta_max, grid_points, spread)
    ising = model.to_ising()
    schedule = np.concatenate([[0.0], np.geomspace(grid[0], grid[-1], steps)])
    z = log_partition(
        ising,
        float(grid[-1]),
        num_runs=num_runs,
        schedule=schedule,
        seed=seed,
        num_threads=num_threads,
        keep_energies=True,
    )
    assert z.energies is not None
    partial = np.cumsum(-np.diff(z.betas)[None, :] * z.energies, axis=1)  # (R, K)

    def train_log_likelihood(beta: float) -> float:
        # The schedule's beta nearest to the one asked for (its steps are fine).
        k = int(np.clip(np.searchsorted(z.betas, beta), 1, len(z.betas) - 1))
        estimate = _partial_estimate(z, partial[:, k - 1], k, ising.offset)
        r = logical_log_likelihood(
            model,
            subset,
            beta=float(z.betas[k]),
            log_partition_estimate=estimate,
            chain_runs=chain_runs,
            chain_steps=chain_steps,
            seed=seed,
            num_threads=num_threads,
        )
        return float(np.average(r.log_likelihood, weights=weights))

    fit = _search(grid, train_log_likelihood, check_int("refine_points", refine_points, 0))
    # Report the betas the estimates were made at.
    at = np.clip(np.searchsorted(z.betas, fit.grid), 1, len(z.betas) - 1)
    return BetaFit(
        float(z.betas[at[int(np.argmax(fit.train_log_likelihood))]]),
        z.betas[at],
        fit.train_log_likelihood,
        edge=fit.edge,
    )


def _partial_estimate(
    z: LogPartitionEstimate, log_w: np.ndarray, k: int, offset: float
) -> LogPartitionEstimate:
    """log Z(beta_k) from the runs' weights accrued up to step k."""
    top = float(log_w.max())
    w = np.exp(log_w - top)
    mean = float(w.mean())
    log_z = z.log_base + top + np.log(mean) - float(z.betas[k]) * offset
    se = float(w.std() / (mean * np.sqrt(len(w)))) if len(w) > 1 else float("inf")
    ess = float(w.sum() ** 2 / np.sum(w**2))
    return LogPartitionEstimate(
        log_z, se, ess, log_w, z.log_base, z.betas[: k + 1], z.sweeps_per_beta, z.precision, 0.0
    )


def fit_beta_exact(
    model: IsingArrays,
    data: Any,
    beta_max: float,
    *,
    grid_points: int = 10,
    spread: float = 200.0,
    refine_points: int = 7,
) -> BetaFit:
    """:func:`fit_beta` for a logical model small enough to enumerate."""
    samples = check_spins("data", data, model.num_variables)

    def train_log_likelihood(beta: float) -> float:
        return float(exact.log_probabilities(model, samples, beta=beta).mean())

    return _search(
        beta_grid(beta_max, grid_points, spread),
        train_log_likelihood,
        check_int("refine_points", refine_points, 0),
    )
