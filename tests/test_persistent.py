"""Persistent chains: they reach and follow the Boltzmann distribution of the
current parameters across calls, continue exactly where they stopped, start
fresh where documented, and do not depend on the thread count."""

from __future__ import annotations

import dimod
import numpy as np
import pytest

from qsample import PersistentChainSampler
from qsample.ising import from_bqm

from conftest import boltzmann, columns, empirical_distribution, random_bqm, total_variation

NUM_READS = 20_000
BETA = 0.8
#: Sampling noise alone gives E[TV] <= 0.4 * sqrt(2**6 / 20 000) ~ 0.023 for
#: independent chains; twice that as the bound.
TV_BOUND = 0.045


def with_parameters(bqm: dimod.BinaryQuadraticModel, seed: int) -> dimod.BinaryQuadraticModel:
    """The same structure with new parameters (what a learning step makes)."""
    rng = np.random.default_rng(seed)
    return dimod.BinaryQuadraticModel.from_ising(
        {v: float(rng.normal(0, 0.7)) for v in bqm.variables},
        {e: float(rng.normal(0, 0.7)) for e in bqm.quadratic},
    )


@pytest.mark.parametrize("criterion", ["Gibbs", "Metropolis"])
def test_chains_follow_the_current_parameters(criterion):
    first = random_bqm(6, 0, scale=0.7)
    second = with_parameters(first, 1)
    sampler = PersistentChainSampler()
    kwargs = dict(
        num_reads=NUM_READS, num_sweeps=5, beta=BETA, proposal_acceptance_criteria=criterion
    )
    for call in range(10):
        ss = sampler.sample(first, seed=call, **kwargs)
    p_first = empirical_distribution(columns(ss, range(6)))
    assert total_variation(p_first, boltzmann(first, BETA)) < TV_BOUND
    assert ss.info["sweeps_per_chain"] == [50, 50] and ss.info["new_chains"] == 0
    # New parameters, same structure: the chains move over to the new distribution.
    for call in range(10):
        ss = sampler.sample(second, seed=100 + call, **kwargs)
    p_second = empirical_distribution(columns(ss, range(6)))
    assert total_variation(p_second, boltzmann(second, BETA)) < TV_BOUND
    # The bound has power: the two distributions are far apart.
    assert total_variation(p_second, boltzmann(first, BETA)) > 3 * TV_BOUND


def test_two_calls_of_k_sweeps_are_one_call_of_2k():
    ising = from_bqm(random_bqm(20, 3, density=0.3))
    a, b = PersistentChainSampler(), PersistentChainSampler()
    a.sample_arrays(ising, 40, 7, num_sweeps=3)
    twice = a.sample_arrays(ising, 40, 7, num_sweeps=3)
    once = b.sample_arrays(ising, 40, 7, num_sweeps=6)
    # (Had the second call replayed the first call's random numbers, it would not be.)
    np.testing.assert_array_equal(twice, once)


def test_state_is_kept_per_structure_and_num_reads_changes_are_documented():
    ising = from_bqm(random_bqm(15, 4, density=0.4))
    other = from_bqm(random_bqm(15, 5, density=0.9))  # another structure
    sampler = PersistentChainSampler()
    sampler.sample_arrays(ising, 10, 1, num_sweeps=4)
    sampler.sample_arrays(other, 3, 1, num_sweeps=2)
    held = sampler.chains(ising)
    assert held is not None and held.sweeps.tolist() == [4] * 10
    # More reads: the first ten continue, the new ones start fresh.
    drawn = sampler.draw_arrays(ising, 16, 2, num_sweeps=1)
    assert drawn.info["new_chains"] == 6
    assert sampler.chains(ising).sweeps.tolist() == [5] * 10 + [1] * 6
    # Fewer reads: the first chains continue, the others are dropped.
    sampler.sample_arrays(ising, 4, 3, num_sweeps=1)
    assert sampler.chains(ising).sweeps.tolist() == [6] * 4
    # A read offset names chains by absolute index: chains 2..5, of which 2, 3 are held.
    drawn = sampler.draw_arrays(ising, 4, 3, read_offset=2, num_sweeps=1)
    assert drawn.info["new_chains"] == 2
    assert sampler.chains(ising).sweeps.tolist() == [7, 7, 1, 1]
    # The other structure kept its own chains; reset drops everything.
    assert sampler.chains(other).sweeps.tolist() == [2] * 3
    sampler.reset()
    assert sampler.chains(ising) is None and sampler.chains(other) is None


def test_only_the_most_recent_structures_are_kept():
    sampler = PersistentChainSampler(max_structures=2)
    models = [from_bqm(random_bqm(8, s, density=0.5)) for s in range(3)]
    for m in models:
        sampler.sample_arrays(m, 2, 0)
    assert sampler.chains(models[0]) is None
    assert sampler.chains(models[1]) is not None and sampler.chains(models[2]) is not None


def test_same_seed_same_chains_for_any_thread_count():
    ising = from_bqm(random_bqm(40, 7, density=0.2))
    runs = []
    for threads in (1, 2, 5):
        sampler = PersistentChainSampler()
        for call in range(3):
            out = sampler.sample_arrays(ising, 37, call, num_sweeps=4, num_threads=threads)
        runs.append(out)
    np.testing.assert_array_equal(runs[0], runs[1])
    np.testing.assert_array_equal(runs[0], runs[2])


def test_fixed_variables_hold_their_values_in_continued_chains():
    bqm = dimod.BinaryQuadraticModel.from_ising({}, {("a", "b"): -1, ("b", "c"): -1})
    sampler = PersistentChainSampler()
    sampler.sample(bqm, num_reads=20, num_sweeps=5, seed=1)
    ss = sampler.sample(bqm, num_reads=20, num_sweeps=5, seed=2, fixed_variables={"a": -1})
    assert all(s["a"] == -1 for s in ss.samples())


@pytest.mark.parametrize(
    "kwargs,error,match",
    [
        ({"num_reads": 0}, ValueError, "num_reads"),
        ({"beta": -1}, ValueError, "beta"),
        ({"beta": "hot"}, TypeError, "beta"),
        ({"num_sweeps": -1}, ValueError, "num_sweeps"),
        ({"num_sweeps": 1.5}, TypeError, "num_sweeps"),
        ({"proposal_acceptance_criteria": "Glauber"}, ValueError, "proposal_acceptance_criteria"),
        ({"num_threads": 0}, ValueError, "num_threads"),
        ({"precision": "half"}, ValueError, "precision"),
    ],
)
def test_bad_arguments_name_the_parameter(kwargs, error, match):
    with pytest.raises(error, match=match):
        PersistentChainSampler().sample(random_bqm(4, 0), **kwargs)
    with pytest.raises(ValueError, match="max_structures"):
        PersistentChainSampler(max_structures=0)
