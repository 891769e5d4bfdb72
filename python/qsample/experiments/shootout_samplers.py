"""The contenders of the sampler shoot-out, each a negative phase at one
shared sampling budget.

The budget is counted in replica-sweeps per learning iteration: sweeps of one
copy of the physical model (one SA read, one persistent chain, one replica of
a tempering ladder, one Trotter slice), each sweep proposing a flip of every
qubit once. So equal budgets mean equal spin updates per iteration. The paper's
SA setting (``reads`` samples of ``sweeps`` sweeps each, linear beta 0 -> 1)
sets it at ``reads * sweeps``; every other sampler spends the same:

- ``sa``: the paper's, ``reads`` anneals of ``sweeps`` sweeps.
- ``pt``: parallel tempering with Houdayer cluster moves, 8 rungs of 2
  replicas from the default hot end to beta = 1 (the moves at the rungs with
  beta >= 0.3); chains of 16 samples each (half the rounds burn in, then a
  sample every few rounds), as many chains as ``reads`` needs, and as many
  rounds as the budget allows. The cluster moves are scalar work outside the
  budget: the equal-time comparison charges them.
- ``pcd``: ``reads`` persistent Gibbs chains at beta = 1, ``sweeps`` sweeps per
  iteration (persistent contrastive divergence).
- ``sqa``: path-integral SQA as an emulator of a quantum annealer: the
  built-in D-Wave-like schedule at its default temperature (15.4 mK), s rising
  linearly to the freeze-out point the schedule is scaled to (s* = 0.612), 4
  Trotter slices, a third of the reads and three quarters of the sweeps (so
  slices x reads x sweeps is the budget). Its classical end point is cold (beta B(s*) / 2 of
  about 6 in the learned parameters' units, beside a residual transverse
  field); the learned parameters absorb it as they absorb a QPU's. (Run hot,
  with its classical end at beta = 1, path-integral Monte Carlo with
  single-spin moves barely moves: beta A / 2P is then small all along the
  anneal, so the slices are tied from the start.)
- ``emulated``: the classical emulated device, :class:`~qsample.EmulatedDevice`
  around SA: an effective inverse temperature beta = 0.7 / (1 + 0.1 max|bias|)
  that depends on the programmed parameters and that the learner never sees,
  and Gaussian noise (sd 0.03) on every h and J of every call.
- ``exact``: exact moments by enumeration (the exact gradient) of the
  logical model, where the logical model is small enough (SK): no embedding,
  no sampling noise, the reference of the paper's Fig. 7.

A model is judged through the sampler it learned with (reconstruction draws
with it), except PCD, whose chains belong to the learning model: a
conditioned model would start fresh chains, so PCD models are judged by SA
ending at the same beta = 1. Each contender also states the inverse
temperature it nominally ends at (``nominal_beta``): 1 for SA, PT, PCD and the
exact gradient, the hidden beta of the learned parameters for the emulated
device, beta B(s*) / 2 for SQA. The test log-likelihood is read at a beta
fitted on the training data (:mod:`qsample.experiments.shootout_temperature`),
searched up to three times the nominal one.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np

from .._validate import check_positive_int
from ..evaluate import Draw
from ..ising import IsingArrays
from ..learning import ExactMoments, NegativePhase, SampledMoments
from ..samplers.annealing import SimulatedAnnealingSampler
from ..samplers.emulated import EmulatedDevice, parameter_dependent_beta
from ..samplers.persistent import PersistentChainSampler
from ..samplers.quantum_schedule import DEFAULT_BETA, advantage_like
from ..samplers.sqa import SimulatedQuantumAnnealingSampler
from ..samplers.tempering import ParallelTemperingSampler

#: Every contender, in the order of tables and plots.
SAMPLERS = ("sa", "pt", "pcd", "sqa", "emulated", "exact")
#: The contenders that sample a physical (embedded) model.
PHYSICAL_SAMPLERS = SAMPLERS[:-1]

LABELS = {
    "sa": "SA (paper: linear beta 0-1)",
    "pt": "parallel tempering + Houdayer",
    "pcd": "persistent chains (PCD)",
    "sqa": "path-integral SQA",
    "emulated": "emulated device (SA, hidden beta, noise)",
    "exact": "exact gradient (logical)",
}

#: Parallel tempering: rungs, replicas per rung (two for the Houdayer moves),
#: samples per chain, and the coldest rungs that make cluster moves.
PT_RUNGS = 8
PT_REPLICAS_PER_RUNG = 2
PT_SAMPLES_PER_CHAIN = 16
PT_CLUSTER_BETA_MIN = 0.3
#: SQA: Trotter slices, the share of the reads it keeps (slices cost sweeps),
#: and where the anneal stops (the freeze-out point the built-in schedule is scaled to).
SQA_SLICES = 4
SQA_READ_SHARE = 3
SQA_S_STOP = 0.612
#: The emulated device: hidden beta = base / (1 + slope max|bias|), noise sd on h and J.
DEVICE_BETA_BASE = 0.7
DEVICE_BETA_SLOPE = 0.1
DEVICE_NOISE = 0.03


@dataclass(frozen=True)
class Contender:
    """One sampler of the shoot-out, ready to learn with."""

    name: str
    phase: NegativePhase
    num_reads: int  # the trainer's reads per negative phase
    replica_sweeps: int  # per iteration: the budget it spends
    judge: Draw | None  # draws for evaluation (None: a logical model, judged exactly)
    nominal_beta: Callable[[IsingArrays], float]  # the beta it ends at, for the learned model
    description: dict[str, Any]  # its settings, for results.json


def check_samplers(samplers: Any) -> tuple[str, ...]:
    """``samplers`` as a tuple of known, distinct names."""
    if isinstance(samplers, str) or not hasattr(samplers, "__iter__"):
        raise TypeError(
            f"'samplers' must be a sequence of names from {SAMPLERS}: value = {samplers!r}"
        )
    names = tuple(samplers)
    if not names:
        raise ValueError(f"'samplers' must name at least one of {SAMPLERS}: value = ()")
    for name in names:
        if name not in SAMPLERS:
            raise ValueError(f"'samplers' must hold names from {SAMPLERS}: value = {name!r}")
    if len(set(names)) != len(names):
        raise ValueError(f"'samplers' must not repeat a name: value = {names!r}")
    return names


def device_beta() -> Callable[[Any], float]:
    """The emulated device's hidden beta as a function of the programmed BQM."""
    return parameter_dependent_beta(DEVICE_BETA_BASE, DEVICE_BETA_SLOPE)


def sqa_end_beta() -> float:
    """SQA's classical end point in the learned parameters' units: beta B(s*) / 2."""
    return float(DEFAULT_BETA * advantage_like(SQA_S_STOP)[1] / 2)


def _at_beta_one(model: IsingArrays) -> float:
    return 1.0


def _device_beta_of(model: IsingArrays) -> float:
    return float(device_beta()(model.to_bqm()))


def contender(name: str, reads: int, sweeps: int, *, threads: int = 0, seed: int = 0) -> Contender:
    """The contender ``name`` at the budget of ``reads`` x ``sweeps``
    replica-sweeps per iteration (see the module notes); ``threads`` bounds its
    sampler's threads (0: all cores); ``seed`` seeds the emulated device's noise."""
    reads = check_positive_int("reads", reads)
    sweeps = check_positive_int("sweeps", sweeps)
    budget = reads * sweeps
    common: dict[str, Any] = {} if threads == 0 else {"num_threads": threads}
    sa_judge = SampledMoments(SimulatedAnnealingSampler(), {"num_sweeps": sweeps, **common})
    if name == "sa":
        return Contender(
            name,
            sa_judge,
            reads,
            budget,
            sa_judge.draw,
            _at_beta_one,
            {"reads": reads, "sweeps": sweeps, "schedule": "linear beta 0 -> 1"},
        )
    if name == "pt":
        per_chain = PT_SAMPLES_PER_CHAIN
        chains = -(-reads // per_chain)
        replicas = PT_RUNGS * PT_REPLICAS_PER_RUNG
        rounds = budget // (replicas * chains)
        thinning = max(1, rounds // (2 * (per_chain - 1)))
        burn_in = max(0, rounds - (per_chain - 1) * thinning)
        params = {
            "beta": 1.0,
            "num_replicas": PT_RUNGS,
            "num_sweeps": burn_in,
            "samples_per_chain": per_chain,
            "thinning": thinning,
            "cluster_moves": True,
            "cluster_beta_min": PT_CLUSTER_BETA_MIN,
        }
        phase = SampledMoments(ParallelTemperingSampler(), {**params, **common})
        spent = replicas * chains * (burn_in + (per_chain - 1) * thinning)
        return Contender(
            name,
            phase,
            reads,
            spent,
            phase.draw,
            _at_beta_one,
            {
                "reads": reads,
                "chains": chains,
                "replicas_per_chain": replicas,
                "rounds": burn_in + (per_chain - 1) * thinning,
                **params,
            },
        )
    if name == "pcd":
        phase = SampledMoments(
            PersistentChainSampler(), {"beta": 1.0, "num_sweeps": sweeps, **common}
        )
        return Contender(
            name,
            phase,
            reads,
            budget,
            sa_judge.draw,
            _at_beta_one,
            {
                "chains": reads,
                "sweeps_per_iteration": sweeps,
                "beta": 1.0,
                "acceptance": "Gibbs",
                "judged_by": "SA (linear beta 0 -> 1)",
            },
        )
    if name == "sqa":
        sqa_reads = max(1, round(reads / SQA_READ_SHARE))
        sqa_sweeps = max(1, budget // (sqa_reads * SQA_SLICES))
        params = {"num_slices": SQA_SLICES, "num_sweeps": sqa_sweeps, "s_stop": SQA_S_STOP}
        phase = SampledMoments(SimulatedQuantumAnnealingSampler(), {**params, **common})
        end = sqa_end_beta()
        return Contender(
            name,
            phase,
            sqa_reads,
            sqa_reads * SQA_SLICES * sqa_sweeps,
            phase.draw,
            lambda model: end,
            {
                "reads": sqa_reads,
                **params,
                "beta_per_GHz": DEFAULT_BETA,
                "schedule": "built-in D-Wave-like A(s), B(s), s linear 0 -> s_stop",
                "classical_end_beta": end,
            },
        )
    if name == "emulated":
        device = EmulatedDevice(
            SimulatedAnnealingSampler(),
            beta=device_beta(),
            noise_h=DEVICE_NOISE,
            noise_j=DEVICE_NOISE,
            seed=seed,
        )
        phase = SampledMoments(device, {"num_sweeps": sweeps, **common})
        return Contender(
            name,
            phase,
            reads,
            budget,
            phase.draw,
            _device_beta_of,
            {
                "reads": reads,
                "sweeps": sweeps,
                "schedule": "linear beta 0 -> 1",
                "hidden_beta": f"{DEVICE_BETA_BASE} / (1 + {DEVICE_BETA_SLOPE} max|bias|)",
                "noise_sd_h_and_J": DEVICE_NOISE,
            },
        )
    if name == "exact":
        return Contender(
            name,
            ExactMoments(),
            reads,
            0,
            None,
            _at_beta_one,
            {"moments": "exact, by enumeration of the logical model"},
        )
    raise ValueError(f"'sampler' must be one of {SAMPLERS}: value = {name!r}")


def spin_updates(contender: Contender, num_qubits: int) -> int:
    """Spin updates per iteration: the replica-sweeps times the qubits."""
    return int(np.int64(contender.replica_sweeps) * num_qubits)
