"""Exact enumeration against brute force and dimod.ExactSolver."""

from __future__ import annotations

import dimod
import numpy as np
import pytest
from scipy.special import logsumexp

from qsample import ExactSampler, exact

from conftest import all_spin_states, random_bqm


def brute_force(bqm, beta):
    order = list(bqm.variables)
    states = all_spin_states(len(order))
    energies = bqm.spin.energies((states, order))
    logw = -beta * energies
    log_z = logsumexp(logw)
    p = np.exp(logw - log_z)
    mean = p @ states
    corr = (states.T * p) @ states
    return log_z, mean, corr, states, energies


@pytest.mark.parametrize("n,beta", [(1, 1.0), (4, 0.3), (9, 1.7), (13, 1.0), (15, 0.6)])
def test_log_z_and_moments_match_brute_force(n, beta):
    bqm = random_bqm(n, n)
    log_z, mean, corr, states, energies = brute_force(bqm, beta)
    assert exact.log_partition(bqm, beta) == pytest.approx(log_z, abs=1e-9)
    m = exact.moments(bqm, beta)
    assert m.log_partition == pytest.approx(log_z, abs=1e-9)
    np.testing.assert_allclose(m.mean, mean, atol=1e-10)
    np.testing.assert_allclose(m.correlation, corr, atol=1e-10)
    np.testing.assert_allclose(
        exact.log_probabilities(bqm, states, beta), -beta * energies - log_z, atol=1e-9
    )


def test_energies_and_ground_state_agree_with_exact_solver():
    bqm = random_bqm(10, 3)
    solved = dimod.ExactSolver().sample(bqm)
    order = list(bqm.variables)
    states = solved.record.sample[:, [solved.variables.index(v) for v in order]]
    import qsample

    np.testing.assert_allclose(qsample.energies(bqm, states), solved.record.energy, atol=1e-9)
    # At large beta the exact sampler returns the ground state.
    ss = ExactSampler().sample(bqm, num_reads=20, beta=200.0, seed=0)
    assert np.all(ss.record.energy == pytest.approx(solved.first.energy))


def test_binary_models_are_read_as_their_spin_equivalent():
    bqm = random_bqm(8, 2)
    for beta in (0.5, 1.0):
        assert exact.log_partition(bqm.binary, beta) == pytest.approx(
            exact.log_partition(bqm, beta), abs=1e-9
        )


def test_matrix_form_reads_the_upper_triangle():
    rng = np.random.default_rng(0)
    h = rng.normal(size=6)
    upper = np.triu(rng.normal(size=(6, 6)), k=1)
    symmetric = upper + upper.T
    bqm = dimod.BinaryQuadraticModel.from_ising(
        dict(enumerate(h)), {(i, j): upper[i, j] for i in range(6) for j in range(i + 1, 6)}
    )
    want = exact.log_partition(bqm)
    assert exact.log_partition((h, upper)) == pytest.approx(want, abs=1e-12)
    assert exact.log_partition((h, symmetric)) == pytest.approx(want, abs=1e-12)


def test_proxy_is_mean_log_probability():
    bqm = random_bqm(7, 8)
    samples = exact.sample(bqm, 300, beta=1.3, seed=2)
    proxy = exact.log_likelihood_proxy(bqm, samples, beta=1.3)
    assert proxy == pytest.approx(exact.log_probabilities(bqm, samples, 1.3).mean(), abs=1e-9)


def test_exact_samples_match_exact_moments_within_five_sigma():
    bqm = random_bqm(12, 4, scale=0.5)
    num = 20_000
    s = exact.sample(bqm, num, beta=1.0, seed=9).astype(float)
    m = exact.moments(bqm, 1.0)
    sd_mean = np.sqrt((1 - m.mean**2) / num)
    assert np.all(np.abs(s.mean(axis=0) - m.mean) < 5 * sd_mean + 1e-12)
    corr_hat = s.T @ s / num
    sd_corr = np.sqrt(np.clip(1 - m.correlation**2, 0, None) / num)
    assert np.all(np.abs(corr_hat - m.correlation) < 5 * sd_corr + 1e-12)


def test_exact_sampler_is_reproducible_and_seed_dependent():
    bqm = random_bqm(9, 1)
    a = ExactSampler().sample(bqm, num_reads=50, seed=3).record.sample
    b = ExactSampler().sample(bqm, num_reads=50, seed=3).record.sample
    c = ExactSampler().sample(bqm, num_reads=50, seed=4).record.sample
    np.testing.assert_array_equal(a, b)
    assert not np.array_equal(a, c)


def test_twenty_four_spins_with_all_moments():
    # A size worth enumerating often (its speed figure lives in BENCHMARKS.md, not
    # here): check the answer is finite and self-consistent.
    bqm = random_bqm(24, 24, scale=0.3)
    m = exact.moments(bqm, 1.0)
    assert np.isfinite(m.log_partition)
    np.testing.assert_allclose(np.diag(m.correlation), 1.0)
    np.testing.assert_allclose(m.correlation, m.correlation.T)
    assert np.all(np.abs(m.mean) <= 1)
