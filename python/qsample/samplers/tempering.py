"""Parallel tempering (replica exchange) as a dimod sampler, with optional
Houdayer cluster moves, backed by the native core."""

from __future__ import annotations

from collections.abc import Hashable, Mapping
from dataclasses import dataclass
from typing import Any

import dimod
import numpy as np

from .. import _core
from .._validate import check_int, check_number, check_positive_int
from ..autocorrelation import effective_sample_size, integrated_time
from ..ising import IsingArrays, native_model
from .base import Drawn, NativeSampler, Plan
from .options import (
    ACCEPTANCE_CRITERIA,
    check_bool,
    check_precision,
    check_reads,
    check_threads,
    fixed_array,
    is_gibbs,
)
from .schedules import MAX_SWEEPS

#: Largest ladder: more rungs than this only add cost.
MAX_REPLICAS = 4096


@dataclass
class TemperingPlan(Plan):
    betas: np.ndarray = None  # type: ignore[assignment]
    num_sweeps: int = 1000
    samples_per_chain: int = 1
    thinning: int = 1
    fixed: np.ndarray | None = None
    gibbs: bool = False
    cluster_moves: bool = False
    cluster_beta_min: float = 0.0
    precision: str = "auto"
    num_threads: int = 0


def default_hot_beta(model: IsingArrays, cold: float) -> float:
    """A hot end where every spin flips with probability >= 1/2 (the hot end of
    dwave-samplers' default range: ln 2 / (2 max_i sum |bias at i|)), and at
    least ten times hotter than ``cold``."""
    field = np.abs(model.h).copy()
    with np.errstate(over="ignore"):
        np.add.at(field, model.irow, np.abs(model.J))
        np.add.at(field, model.icol, np.abs(model.J))
        largest = float(field.max(initial=0.0))
        hot = np.log(2) / (2 * largest) if largest > 0 else cold
    hot = float(min(hot, cold / 10))
    if not hot > 0:  # biases near the top of the float range, or a subnormal 'beta'
        raise ValueError(
            f"the default hot end of the ladder, ln 2 / (2 x the largest field "
            f"sum {largest:.3g}) and at most 'beta' / 10 = {cold / 10:.3g}, is 0 "
            "in floating point; give 'beta_range' or 'betas'"
        )
    return hot


def beta_ladder(
    model: IsingArrays,
    *,
    betas: Any = None,
    beta_range: Any = None,
    num_replicas: Any = 8,
    beta: Any = 1.0,
) -> np.ndarray:
    """The ladder, hot to cold: ``betas`` as given (increasing), or
    ``num_replicas`` values spaced geometrically over ``beta_range`` =
    (hot, cold), by default from :func:`default_hot_beta` to ``beta``."""
    if betas is not None:
        if beta_range is not None:
            raise ValueError("give either 'betas' or 'beta_range', not both")
        try:
            ladder = np.asarray(betas, dtype=np.float64)
        except (TypeError, ValueError):
            raise TypeError(
                f"'betas' must be a 1-D array of inverse temperatures: value = {betas!r}"
            ) from None
        if ladder.ndim != 1 or ladder.size == 0 or ladder.size > MAX_REPLICAS:
            raise ValueError(
                f"'betas' must be a 1-D array of 1 to {MAX_REPLICAS} inverse "
                f"temperatures, got shape {ladder.shape}"
            )
        bad = np.flatnonzero(~(np.isfinite(ladder) & (ladder >= 0)))
        if bad.size:
            raise ValueError(
                f"'betas' must hold finite non-negative values: betas[{bad[0]}] = {ladder[bad[0]]}"
            )
        down = np.flatnonzero(np.diff(ladder) <= 0)
        if down.size:
            k = int(down[0])
            raise ValueError(
                f"'betas' must increase from hot to cold: betas[{k}] = "
                f"{ladder[k]}, betas[{k + 1}] = {ladder[k + 1]}"
            )
        return np.ascontiguousarray(ladder)
    k = check_positive_int("num_replicas", num_replicas, MAX_REPLICAS)
    if beta_range is None:
        cold = check_number("beta", beta, 0.0, low_open=True)
        hot = default_hot_beta(model, cold)
    else:
        if isinstance(beta_range, (str, bytes)) or not hasattr(beta_range, "__len__"):
            raise TypeError(f"'beta_range' must be a pair (hot, cold): value = {beta_range!r}")
        if len(beta_range) != 2:
            raise ValueError(f"'beta_range' must be a pair (hot, cold): value = {beta_range!r}")
        hot, cold = (check_number("beta_range", b, 0.0, low_open=True) for b in beta_range)
        if k > 1 and not hot < cold:
            raise ValueError(
                f"'beta_range' must be (hot, cold) with hot < cold: value = {beta_range!r}"
            )
    if k == 1:
        return np.array([cold])
    return np.geomspace(hot, cold, k)


class ParallelTemperingSampler(NativeSampler):
    """Parallel tempering (replica exchange Monte Carlo) on any graph.

    Each chain holds one replica of the model per rung of an inverse-temperature
    ladder beta_1 < ... < beta_K (geometric by default, from a hot end where every
    spin flips freely to ``beta``, or ``beta_range`` = (hot, cold), or given as
    ``betas``). A round sweeps every replica once (the replicas sit in SIMD
    lanes, each at its own beta), then tries swaps between neighbouring rungs,
    accepted with probability min(1, exp((beta_i - beta_j)(E_i - E_j))). The
    samples come from the coldest rung, so they follow exp(-beta_K E).

    With ``cluster_moves=True`` every rung holds two replicas and each round
    makes one Houdayer (isoenergetic) cluster move between them (at rungs with
    beta >= ``cluster_beta_min``): a cluster of the spins where the two differ
    is flipped in both. Their total energy is unchanged, fields included, so
    the move is always accepted (the Metropolis factor on the field term is
    exactly 1: on the cluster the two replicas' spins are opposite). The moves
    are scalar work. Hot replicas disagree on about half the spins, which on
    most graphs (Chimera, Zephyr, anything beyond two dimensions) forms one
    cluster spanning the system: flipping it nearly exchanges the replicas, at
    the cost of visiting it. The moves pay at the colder rungs, where the
    clusters are small droplets: ``cluster_beta_min`` keeps them there.

    A chain gives ``samples_per_chain`` samples: after ``num_sweeps`` rounds,
    then every ``thinning`` rounds; read r is sample r % S of chain r // S, the
    same in any call (``read_offset``) and for any thread count.

    ``info`` reports the ladder, the swap acceptance per ladder step (NaN where
    nothing was tried), the cluster moves and their mean size, the precision,
    and, with two or more samples per chain, the integrated autocorrelation
    time of the energy (in samples) and the effective sample size over the
    chains the call ran whole (:mod:`qsample.autocorrelation`).

    Examples:
        >>> import dimod
        >>> from qsample import ParallelTemperingSampler
        >>> bqm = dimod.BinaryQuadraticModel.from_ising({}, {(0, 1): -1, (1, 2): -1})
        >>> ss = ParallelTemperingSampler().sample(bqm, num_reads=4, beta=3.0, seed=1)
        >>> len(ss.info["swap_acceptance"])
        7
    """

    def __init__(self) -> None:
        self._parameters: dict[str, list[str]] = {
            "num_reads": [],
            "seed": [],
            "beta": [],
            "beta_range": [],
            "num_replicas": [],
            "betas": [],
            "num_sweeps": [],
            "samples_per_chain": [],
            "thinning": [],
            "cluster_moves": [],
            "cluster_beta_min": [],
            "proposal_acceptance_criteria": [],
            "fixed_variables": [],
            "num_threads": [],
            "precision": [],
        }
        self._properties: dict[str, Any] = {
            "proposal_acceptance_criteria_options": ACCEPTANCE_CRITERIA,
            "max_num_replicas": MAX_REPLICAS,
        }

    def prepare(  # type: ignore[override]
        self,
        model: IsingArrays,
        *,
        num_reads: Any = None,
        seed: int = 0,
        bqm: dimod.BinaryQuadraticModel | None = None,
        beta: Any = 1.0,
        beta_range: Any = None,
        num_replicas: Any = 8,
        betas: Any = None,
        num_sweeps: Any = 1000,
        samples_per_chain: Any = 1,
        thinning: Any = 10,
        cluster_moves: Any = False,
        cluster_beta_min: Any = 0.0,
        proposal_acceptance_criteria: Any = "Metropolis",
        fixed_variables: Mapping[Hashable, int] | None = None,
        num_threads: Any = None,
        precision: Any = "auto",
    ) -> TemperingPlan:
        reads = check_reads(num_reads)
        ladder = beta_ladder(
            model, betas=betas, beta_range=beta_range, num_replicas=num_replicas, beta=beta
        )
        sweeps = check_int("num_sweeps", num_sweeps, 0, MAX_SWEEPS)
        per_chain = check_positive_int("samples_per_chain", samples_per_chain)
        thin = check_positive_int("thinning", thinning, MAX_SWEEPS)
        if sweeps + (per_chain - 1) * thin > MAX_SWEEPS:
            raise ValueError(
                f"'num_sweeps' + ('samples_per_chain' - 1) * 'thinning' must be at "
                f"most {MAX_SWEEPS}: value = {sweeps + (per_chain - 1) * thin}"
            )
        clusters = check_bool("cluster_moves", cluster_moves)
        beta_min = check_number("cluster_beta_min", cluster_beta_min, 0.0)
        return TemperingPlan(
            num_reads=reads,
            info={
                "beta_ladder": ladder.tolist(),
                "num_sweeps": sweeps,
                "samples_per_chain": per_chain,
                "thinning": thin,
            },
            betas=ladder,
            num_sweeps=sweeps,
            samples_per_chain=per_chain,
            thinning=thin,
            fixed=fixed_array(model, fixed_variables, bqm),
            gibbs=is_gibbs(proposal_acceptance_criteria),
            cluster_moves=clusters,
            cluster_beta_min=beta_min,
            precision=check_precision(precision),
            num_threads=check_threads(num_threads),
            # the core's job list (rust/tempering.rs, run): up to a job per chain
            core_bytes_per_read=-(-80 // per_chain),
        )

    def _draw(self, model: IsingArrays, plan: Plan, seed: int, read_offset: int) -> Drawn:
        assert isinstance(plan, TemperingPlan)
        native = native_model(model)
        samples, attempts, accepts, moves, spins, used = _core.temper(
            native,
            plan.betas,
            plan.num_sweeps,
            plan.num_reads,
            seed,
            read_offset=read_offset,
            samples_per_chain=plan.samples_per_chain,
            thinning=plan.thinning,
            fixed=plan.fixed,
            gibbs=plan.gibbs,
            cluster_moves=plan.cluster_moves,
            cluster_beta_min=plan.cluster_beta_min,
            precision=plan.precision,
            num_threads=plan.num_threads,
        )
        with np.errstate(invalid="ignore", divide="ignore"):
            acceptance = np.where(attempts > 0, accepts / np.maximum(attempts, 1), np.nan)
        info: dict[str, Any] = {
            "swap_acceptance": acceptance.tolist(),
            "cluster_moves": int(moves),
            "mean_cluster_size": float(spins / moves) if moves else float("nan"),
            "precision": used,
        }
        info.update(_mixing(native, samples, plan.samples_per_chain, read_offset))
        return Drawn(samples, info)


def _mixing(native: Any, samples: np.ndarray, per_chain: int, read_offset: int) -> dict[str, float]:
    """tau and ESS of the energy over the chains whose samples are all in the call."""
    if per_chain < 2:
        return {}
    skip = (-read_offset) % per_chain  # reads before the first whole chain
    whole = (len(samples) - skip) // per_chain
    if whole < 1:
        return {}
    rows = samples[skip : skip + whole * per_chain]
    energies = native.energies(np.ascontiguousarray(rows)).reshape(whole, per_chain)
    return {
        "energy_autocorrelation_time": integrated_time(energies),
        "effective_sample_size": effective_sample_size(energies),
    }
