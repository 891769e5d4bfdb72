"""Simulated annealing at constant beta samples the exact Boltzmann distribution."""

from __future__ import annotations

import numpy as np
import pytest

from qsample import SimulatedAnnealingSampler, exact

from conftest import all_spin_states, random_bqm

NUM_READS = 20_000


def empirical_distribution(samples: np.ndarray) -> np.ndarray:
    n = samples.shape[1]
    index = ((samples > 0).astype(np.int64) * (1 << np.arange(n)[::-1])).sum(axis=1)
    return np.bincount(index, minlength=2**n) / len(samples)


def exact_distribution(bqm, beta: float) -> np.ndarray:
    states = all_spin_states(bqm.num_variables)  # same order as empirical_distribution
    return np.exp(exact.log_probabilities(bqm, states, beta=beta))


@pytest.mark.parametrize("criterion", ["Metropolis", "Gibbs"])
@pytest.mark.parametrize("randomize_order", [False, True])
@pytest.mark.parametrize("model_seed", [0, 1])
def test_constant_beta_matches_boltzmann(criterion, randomize_order, model_seed):
    n, beta = 6, 0.8
    bqm = random_bqm(n, model_seed, scale=0.7)
    ss = SimulatedAnnealingSampler().sample(
        bqm,
        num_reads=NUM_READS,
        beta_schedule_type="custom",
        beta_schedule=[beta] * 60,
        proposal_acceptance_criteria=criterion,
        randomize_order=randomize_order,
        seed=11,
    )
    samples = ss.record.sample[:, [ss.variables.index(v) for v in range(n)]]
    p_hat = empirical_distribution(samples)
    tv = 0.5 * np.abs(p_hat - exact_distribution(bqm, beta)).sum()
    # Sampling noise alone gives E[TV] <= 0.4 * sqrt(2**n / NUM_READS) ~ 0.023.
    assert tv < 0.045, f"total variation {tv:.4f}"
    # The bound has power: the same samples are far from a different temperature.
    tv_other = 0.5 * np.abs(p_hat - exact_distribution(bqm, 2 * beta)).sum()
    assert tv_other > 0.1


def test_annealing_reaches_ground_state_energy():
    bqm = random_bqm(14, 5)
    ground = dimod_ground(bqm)
    ss = SimulatedAnnealingSampler().sample(bqm, num_reads=50, num_sweeps=500, seed=1)
    assert ss.first.energy == pytest.approx(ground)


def dimod_ground(bqm) -> float:
    import dimod

    return float(dimod.ExactSolver().sample(bqm).first.energy)
