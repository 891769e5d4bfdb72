"""The samplers speak dimod: the API checks and dimod's own small-BQM test suite."""

from __future__ import annotations

import unittest

import dimod
import dimod.testing
import numpy as np
import pytest

from qsample import (
    ExactSampler,
    ParallelTemperingSampler,
    PersistentChainSampler,
    SimulatedAnnealingSampler,
    SimulatedQuantumAnnealingSampler,
)

ALL_SAMPLERS = [
    SimulatedAnnealingSampler(),
    ExactSampler(),
    ParallelTemperingSampler(),
    PersistentChainSampler(),
    SimulatedQuantumAnnealingSampler(),
]


@pytest.mark.parametrize("sampler", ALL_SAMPLERS)
def test_assert_sampler_api(sampler):
    dimod.testing.assert_sampler_api(sampler)


@dimod.testing.load_sampler_bqm_tests(SimulatedAnnealingSampler)
class TestSimulatedAnnealingOnDimodBQMs(unittest.TestCase):
    pass


@dimod.testing.load_sampler_bqm_tests(ExactSampler, max_num_variables=12)
class TestExactSamplerOnDimodBQMs(unittest.TestCase):
    pass


@dimod.testing.load_sampler_bqm_tests(ParallelTemperingSampler)
class TestParallelTemperingOnDimodBQMs(unittest.TestCase):
    pass


@dimod.testing.load_sampler_bqm_tests(PersistentChainSampler)
class TestPersistentChainsOnDimodBQMs(unittest.TestCase):
    pass


@dimod.testing.load_sampler_bqm_tests(SimulatedQuantumAnnealingSampler)
class TestSimulatedQuantumAnnealingOnDimodBQMs(unittest.TestCase):
    pass


@pytest.mark.parametrize("vartype", [dimod.SPIN, dimod.BINARY])
@pytest.mark.parametrize("sampler", ALL_SAMPLERS)
def test_energies_include_offset_for_both_vartypes(sampler, vartype):
    bqm = dimod.generators.gnp_random_bqm(12, 0.5, vartype, random_state=3)
    bqm.offset = 2.5
    ss = sampler.sample(bqm, num_reads=20, seed=4)
    assert ss.vartype is vartype
    dimod.testing.assert_sampleset_energies(ss, bqm)
    assert set(ss.info["timing"]) == {"preprocessing_ns", "sampling_ns", "postprocessing_ns"}


def test_sa_finds_ground_state_of_binary_model():
    # A QUBO whose minimum is x = (1, 0, 1) with energy -2.
    bqm = dimod.BinaryQuadraticModel({0: -1, 1: 1, 2: -1}, {(0, 1): 2, (1, 2): 2}, 0, "BINARY")
    ss = SimulatedAnnealingSampler().sample(bqm, num_reads=10, seed=1)
    assert ss.first.sample == {0: 1, 1: 0, 2: 1}
    assert ss.first.energy == -2


def test_unknown_keyword_warns_instead_of_failing():
    bqm = dimod.BinaryQuadraticModel.from_ising({0: 1}, {})
    for sampler in ALL_SAMPLERS:
        with pytest.warns(dimod.exceptions.SamplerUnknownArgWarning):
            sampler.sample(bqm, not_a_parameter=3, seed=0)


def test_initial_states_and_zero_sweeps_return_the_starts():
    bqm = dimod.generators.gnp_random_bqm(7, 0.6, "SPIN", random_state=0)
    starts = np.random.default_rng(0).choice([-1, 1], size=(5, 7)).astype(np.int8)
    ss = SimulatedAnnealingSampler().sample(
        bqm, initial_states=(starts, list(bqm.variables)), num_sweeps=0, seed=3
    )
    got = ss.record.sample[:, [ss.variables.index(v) for v in bqm.variables]]
    np.testing.assert_array_equal(got, starts)


def test_initial_states_generator_fills_extra_reads():
    bqm = dimod.generators.gnp_random_bqm(5, 0.6, "SPIN", random_state=0)
    ss = SimulatedAnnealingSampler().sample(
        bqm, initial_states=[{v: 1 for v in bqm.variables}], num_reads=4, seed=2, num_sweeps=0
    )
    assert len(ss) == 4
    assert ss.record.sample[0].tolist() == [1] * 5


def test_fixed_variables_hold_their_values():
    bqm = dimod.BinaryQuadraticModel.from_ising({}, {("a", "b"): -1, ("b", "c"): -1})
    ss = SimulatedAnnealingSampler().sample(
        bqm, num_reads=30, fixed_variables={"a": 1, "c": -1}, seed=5, num_sweeps=50
    )
    assert all(s["a"] == 1 and s["c"] == -1 for s in ss.samples())
    binary = bqm.binary
    ss = SimulatedAnnealingSampler().sample(binary, num_reads=10, fixed_variables={"a": 0}, seed=5)
    assert all(s["a"] == 0 for s in ss.samples())


def test_info_reports_schedule_and_seed():
    bqm = dimod.generators.gnp_random_bqm(6, 0.5, "SPIN", random_state=1)
    ss = SimulatedAnnealingSampler().sample(
        bqm, beta_range=(0.1, 2.0), seed=9, beta_schedule_type="linear"
    )
    assert ss.info["beta_range"] == (0.1, 2.0)
    assert ss.info["beta_schedule_type"] == "linear"
    assert ss.info["seed"] == 9


def test_default_beta_range_matches_dwave_samplers():
    sa = pytest.importorskip("dwave.samplers.sa.sampler")
    from qsample.ising import from_bqm
    from qsample.samplers.schedules import default_beta_range

    for seed in range(5):
        bqm = dimod.generators.gnp_random_bqm(30, 0.3, "SPIN", random_state=seed)
        want = sa.default_beta_range(bqm)
        got = default_beta_range(from_bqm(bqm))
        np.testing.assert_allclose(got, want, rtol=1e-12)
