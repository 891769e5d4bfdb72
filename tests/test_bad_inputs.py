"""Bad inputs raise clear errors naming the parameter; nothing crashes."""

from __future__ import annotations

import dimod
import numpy as np
import pytest

from qsample import ExactSampler, SimulatedAnnealingSampler, _core, energies, exact

from conftest import random_bqm

SA = SimulatedAnnealingSampler()
BQM = random_bqm(5, 0)


@pytest.mark.parametrize(
    "kwargs,match",
    [
        ({"num_reads": 0}, "num_reads"),
        ({"num_reads": -3}, "num_reads"),
        ({"num_sweeps": -1}, "num_sweeps"),
        ({"num_sweeps": 10, "num_sweeps_per_beta": 3}, "divisible"),
        ({"num_sweeps_per_beta": 0}, "num_sweeps_per_beta"),
        ({"beta_range": (-1, 2)}, "beta_range"),
        ({"beta_range": (0, 2)}, "geometric"),
        ({"beta_schedule_type": "cubic"}, "beta_schedule_type"),
        ({"beta_schedule_type": "custom"}, "beta_schedule"),
        ({"beta_schedule_type": "custom", "beta_schedule": [1, -2]}, "beta_schedule"),
        ({"beta_schedule_type": "custom", "beta_schedule": [1, np.nan]}, "beta_schedule"),
        ({"beta_schedule": [1, 2]}, "custom"),
        ({"proposal_acceptance_criteria": "Glauber"}, "proposal_acceptance_criteria"),
        ({"seed": -1}, "seed"),
        ({"num_threads": 0}, "num_threads"),
        ({"fixed_variables": {"nope": 1}}, "fixed_variables"),
        ({"fixed_variables": {0: 0}}, "fixed_variables"),
    ],
)
def test_sa_refuses_bad_arguments(kwargs, match):
    with pytest.raises(ValueError, match=match):
        SA.sample(BQM, **kwargs)


@pytest.mark.parametrize(
    "kwargs,match",
    [
        ({"seed": 1.5}, "seed"),
        ({"num_reads": 2.0}, "num_reads"),
        ({"num_threads": "2"}, "num_threads"),
        ({"beta_range": "hot"}, "beta_range"),
        ({"randomize_order": "yes"}, "randomize_order"),
        ({"num_sweeps": 10.0}, "num_sweeps"),
        ({"num_sweeps_per_beta": 1.0}, "num_sweeps_per_beta"),
        ({"proposal_acceptance_criteria": None}, "proposal_acceptance_criteria"),
        ({"interrupt_function": 3}, "interrupt_function"),
    ],
)
def test_sa_refuses_wrong_types_with_type_error(kwargs, match):
    with pytest.raises(TypeError, match=match):
        SA.sample(BQM, **kwargs)


def test_nan_and_infinite_biases_are_refused():
    for bad in (np.nan, np.inf):
        bqm = dimod.BinaryQuadraticModel.from_ising({0: 0.0, 1: 0.0}, {(0, 1): bad})
        with pytest.raises(ValueError, match="finite"):
            SA.sample(bqm)
        with pytest.raises(ValueError, match="finite"):
            exact.log_partition(bqm)
        bqm = dimod.BinaryQuadraticModel.from_ising({0: bad}, {})
        with pytest.raises(ValueError, match="'h'"):
            SA.sample(bqm)


def test_core_rejects_malformed_arrays_without_crashing():
    with pytest.raises(ValueError, match="equal lengths"):
        _core.IsingModel(3, np.array([0, 1]), np.array([1]))
    with pytest.raises(ValueError, match="out of range"):
        _core.IsingModel(3, np.array([0]), np.array([7]))
    with pytest.raises(ValueError, match="self-loop"):
        _core.IsingModel(3, np.array([1]), np.array([1]))
    m = _core.IsingModel(3, np.array([0]), np.array([1]))
    with pytest.raises(ValueError, match="'h'"):
        m.set_parameters(np.zeros(2), np.ones(1))
    with pytest.raises(ValueError, match="'J'"):
        m.set_parameters(np.zeros(3), np.ones(2))
    betas = np.ones(2)
    with pytest.raises(ValueError, match="initial_states"):
        _core.anneal(m, betas, 1, 4, 0, initial_states=np.ones((4, 2), dtype=np.int8))
    with pytest.raises(ValueError, match="initial_states"):
        _core.anneal(m, betas, 1, 2, 0, initial_states=np.full((2, 3), 3, dtype=np.int8))
    with pytest.raises(ValueError, match="fixed_variables"):
        _core.anneal(m, betas, 1, 2, 0, fixed=np.array([0, 5, 0], dtype=np.int8))
    with pytest.raises(ValueError, match="precision"):
        _core.anneal(m, betas, 1, 2, 0, precision="half")
    with pytest.raises(TypeError):
        _core.IsingModel(3, np.array([0.5]), np.array([1]))
    with pytest.raises(ValueError, match="samples"):
        m.energies(np.ones((1, 2), dtype=np.int8))


def test_exact_refuses_negative_beta_and_too_many_spins():
    with pytest.raises(ValueError, match="beta"):
        exact.log_partition(BQM, beta=-1.0)
    with pytest.raises(ValueError, match="beta"):
        ExactSampler().sample(BQM, beta=float("nan"))
    big = dimod.BinaryQuadraticModel.from_ising({i: 0.1 for i in range(31)}, {})
    with pytest.raises(ValueError, match="at most 30"):
        exact.moments(big)
    with pytest.raises(ValueError, match="num_reads"):
        exact.sample(BQM, 0)


def test_samples_of_wrong_shape_or_values_are_refused():
    with pytest.raises(ValueError, match="shape"):
        energies(BQM, np.ones((3, 4)))
    with pytest.raises(ValueError, match=r"\+1 or -1"):
        energies(BQM, np.zeros((2, 5)))
    with pytest.raises(ValueError, match="at least one"):
        exact.log_likelihood_proxy(BQM, np.ones((0, 5)))
    with pytest.raises(ValueError, match="square"):
        exact.log_partition((np.zeros(3), np.zeros((3, 2))))
    with pytest.raises(ValueError, match="diagonal"):
        exact.log_partition((np.zeros(2), np.eye(2)))
    with pytest.raises(TypeError, match="BinaryQuadraticModel"):
        exact.log_partition({"h": 1})
