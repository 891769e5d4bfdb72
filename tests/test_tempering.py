"""Parallel tempering: the cold rung samples the exact Boltzmann distribution
(with and without Houdayer cluster moves) where a single chain does not, the
ladder and the swap statistics, mixing diagnostics, determinism, bad inputs."""

from __future__ import annotations

import dimod
import numpy as np
import pytest

from qsample import ParallelTemperingSampler
from qsample.ising import from_bqm
from qsample.samplers.tempering import beta_ladder

from conftest import (
    boltzmann,
    columns,
    empirical_distribution,
    random_bqm,
    total_variation,
)

PT = ParallelTemperingSampler()
NUM_READS = 20_000
#: Sampling noise alone gives E[TV] <= 0.4 * sqrt(2**n / reads) (0.045 for 8
#: spins and 20 000 independent reads); the bound leaves a margin on top.
TV_BOUND = 0.06


def two_mode_model(n: int = 8) -> dimod.BinaryQuadraticModel:
    """A ferromagnet with a weak field: two modes, one ~8x as likely, with a
    barrier single-spin moves at beta = 1 do not cross in 30 sweeps."""
    rng = np.random.default_rng(0)
    h = {i: 0.05 + float(rng.normal(0, 0.1)) for i in range(n)}
    J = {(i, j): -0.6 + float(rng.normal(0, 0.1)) for i in range(n) for j in range(i + 1, n)}
    return dimod.BinaryQuadraticModel.from_ising(h, J)


@pytest.mark.parametrize("criterion", ["Metropolis", "Gibbs"])
@pytest.mark.parametrize("cluster_moves", [False, True])
def test_the_cold_rung_matches_boltzmann_where_one_chain_does_not(criterion, cluster_moves):
    bqm, n = two_mode_model(), 8
    exact = boltzmann(bqm, 1.0)
    common = dict(
        num_reads=NUM_READS,
        num_sweeps=30,
        beta=1.0,
        seed=3,
        proposal_acceptance_criteria=criterion,
        cluster_moves=cluster_moves,
    )
    ss = PT.sample(bqm, num_replicas=6, beta_range=(0.05, 1.0), **common)
    tv = total_variation(empirical_distribution(columns(ss, range(n))), exact)
    assert tv < TV_BOUND, f"total variation {tv:.4f}"
    # The bound has power: one replica (no exchange) stays in its starting mode.
    alone = PT.sample(bqm, num_replicas=1, **common)
    tv_alone = total_variation(empirical_distribution(columns(alone, range(n))), exact)
    assert tv_alone > 3 * TV_BOUND, f"single chain total variation {tv_alone:.4f}"


def test_cluster_moves_with_strong_fields_keep_the_distribution():
    # Fields as large as the couplings: moves flip clusters in two replicas
    # whose energies each change; the pair's total does not, so they are
    # always accepted. A wrong rule would bias the samples.
    bqm, n = random_bqm(6, 4, scale=1.0), 6
    ss = PT.sample(
        bqm, num_reads=NUM_READS, betas=[0.3, 0.6, 1.0], num_sweeps=20, cluster_moves=True, seed=8
    )
    assert ss.info["cluster_moves"] > 0 and ss.info["mean_cluster_size"] >= 1
    tv = total_variation(empirical_distribution(columns(ss, range(n))), boltzmann(bqm, 1.0))
    assert tv < TV_BOUND, f"total variation {tv:.4f}"


def test_swap_acceptance_is_reported_per_ladder_step():
    bqm = two_mode_model()
    ss = PT.sample(bqm, num_reads=50, num_replicas=5, beta_range=(0.05, 1.0), seed=1)
    acc = ss.info["swap_acceptance"]
    assert len(acc) == 4 and all(0 < a <= 1 for a in acc)
    np.testing.assert_allclose(ss.info["beta_ladder"], np.geomspace(0.05, 1.0, 5))
    # Rungs far apart in beta exchange less often than close ones.
    wide = PT.sample(bqm, num_reads=50, betas=[0.001, 1.0], seed=1)
    assert wide.info["swap_acceptance"][0] < min(acc)
    one = PT.sample(bqm, num_reads=5, num_replicas=1, seed=1)
    assert one.info["swap_acceptance"] == [] and one.info["beta_ladder"] == [1.0]


def test_autocorrelation_and_effective_sample_size_follow_the_thinning():
    bqm = random_bqm(12, 2, density=0.5)
    taus, sizes = [], []
    for thinning in (1, 20):
        ss = PT.sample(
            bqm,
            num_reads=40 * 50,
            samples_per_chain=50,
            thinning=thinning,
            num_replicas=4,
            beta=2.0,
            num_sweeps=50,
            seed=4,
        )
        taus.append(ss.info["energy_autocorrelation_time"])
        sizes.append(ss.info["effective_sample_size"])
        assert 0 < ss.info["effective_sample_size"] <= 1.5 * 2000
    # Samples further apart in the chain are less correlated.
    assert taus[1] < taus[0] and sizes[1] > sizes[0]
    one_per_chain = PT.sample(bqm, num_reads=10, seed=4)
    assert "energy_autocorrelation_time" not in one_per_chain.info


def test_default_ladder_runs_from_a_hot_end_to_beta():
    ising = from_bqm(random_bqm(10, 1, scale=3.0))
    ladder = beta_ladder(ising, num_replicas=6, beta=2.0)
    assert ladder[-1] == 2.0 and len(ladder) == 6 and np.all(np.diff(ladder) > 0)
    assert ladder[0] <= 0.2  # at least ten times hotter
    # Every spin's flip costs at most ln 2 at the hot end: it flips with p >= 1/2.
    field = np.abs(ising.h).copy()
    np.add.at(field, ising.irow, np.abs(ising.J))
    np.add.at(field, ising.icol, np.abs(ising.J))
    assert 2 * ladder[0] * field.max() <= np.log(2) + 1e-12


@pytest.mark.parametrize("cluster_moves", [False, True])
def test_same_seed_same_samples_for_any_thread_count_and_offset(cluster_moves):
    bqm = random_bqm(30, 7, density=0.2)
    ising = from_bqm(bqm)
    kwargs = dict(
        num_replicas=3, num_sweeps=20, samples_per_chain=4, thinning=3, cluster_moves=cluster_moves
    )
    one = PT.sample_arrays(ising, 37, 123, num_threads=1, **kwargs)
    for threads in (2, 5):
        np.testing.assert_array_equal(
            one, PT.sample_arrays(ising, 37, 123, num_threads=threads, **kwargs)
        )
    parts = [
        PT.sample_arrays(ising, count, 123, read_offset=start, **kwargs)
        for start, count in [(0, 6), (6, 1), (7, 30)]
    ]
    np.testing.assert_array_equal(one, np.concatenate(parts))
    assert not np.array_equal(one, PT.sample_arrays(ising, 37, 124, **kwargs))


@pytest.mark.parametrize(
    "kwargs,error,match",
    [
        ({"num_reads": 0}, ValueError, "num_reads"),
        ({"num_replicas": 0}, ValueError, "num_replicas"),
        ({"num_replicas": 2.5}, TypeError, "num_replicas"),
        ({"beta_range": (1.0, 0.5)}, ValueError, "beta_range"),
        ({"beta_range": (0.0, 1.0)}, ValueError, "beta_range"),
        ({"beta_range": "hot"}, TypeError, "beta_range"),
        ({"beta": 0}, ValueError, "beta"),
        ({"betas": [1.0, 0.5]}, ValueError, "betas"),
        ({"betas": [0.5, np.nan]}, ValueError, "betas"),
        ({"betas": [[0.5]]}, ValueError, "betas"),
        ({"betas": [0.5, 1.0], "beta_range": (0.1, 1)}, ValueError, "betas"),
        ({"num_sweeps": -1}, ValueError, "num_sweeps"),
        ({"samples_per_chain": 0}, ValueError, "samples_per_chain"),
        ({"thinning": 0}, ValueError, "thinning"),
        ({"thinning": 1.5}, TypeError, "thinning"),
        ({"cluster_moves": "yes"}, TypeError, "cluster_moves"),
        ({"cluster_beta_min": -1}, ValueError, "cluster_beta_min"),
        ({"proposal_acceptance_criteria": "Glauber"}, ValueError, "proposal_acceptance_criteria"),
        ({"num_threads": 0}, ValueError, "num_threads"),
        ({"precision": "half"}, ValueError, "precision"),
        ({"fixed_variables": {"nope": 1}}, ValueError, "fixed_variables"),
    ],
)
def test_bad_arguments_name_the_parameter(kwargs, error, match):
    with pytest.raises(error, match=match):
        PT.sample(random_bqm(4, 0), **kwargs)


def test_fixed_variables_hold_their_values():
    bqm = dimod.BinaryQuadraticModel.from_ising({}, {("a", "b"): -1, ("b", "c"): -1})
    ss = PT.sample(bqm, num_reads=30, fixed_variables={"a": 1, "c": -1}, seed=5, cluster_moves=True)
    assert all(s["a"] == 1 and s["c"] == -1 for s in ss.samples())
