"""Path-integral SQA: at a fixed transverse field its slices sample the
diagonal of the quantum Gibbs state exp(-beta H) / Z, computed here by exact
diagonalisation; the schedule, the freeze-out stop, determinism, bad inputs."""

from __future__ import annotations

import dimod
import numpy as np
import pytest

from qsample import SimulatedQuantumAnnealingSampler
from qsample.ising import from_bqm
from qsample.samplers.quantum_schedule import (
    DEFAULT_BETA,
    advantage_like,
    check_schedule,
    slice_parameters,
)

from conftest import (
    all_spin_states,
    boltzmann,
    columns,
    empirical_distribution,
    random_bqm,
    total_variation,
)

SQA = SimulatedQuantumAnnealingSampler()


def quantum_diagonal(bqm: dimod.BinaryQuadraticModel, gamma: float, beta: float) -> np.ndarray:
    """<z|exp(-beta H)|z> / Z for H = -gamma sum_i sigma^x_i + H_p, by exact
    diagonalisation, over the states of ``all_spin_states`` (variables sorted)."""
    ising = from_bqm(bqm, sorted(bqm.variables))
    n = ising.num_variables
    states = all_spin_states(n)
    energies = states @ ising.h + np.sum(
        ising.J * states[:, ising.irow] * states[:, ising.icol], axis=1
    )
    h = np.diag(energies.astype(np.float64))
    index = np.arange(2**n)
    for i in range(n):  # sigma^x_i flips spin i: bit n - 1 - i of the state's index
        h[index, index ^ (1 << (n - 1 - i))] -= gamma
    values, vectors = np.linalg.eigh(h)
    diagonal = (vectors**2) @ np.exp(-beta * (values - values.min()))
    return diagonal / diagonal.sum()


def constant_field(gamma: float) -> list[list[float]]:
    """A schedule with A = 2 gamma and B = 2 at every s: H = -gamma sum sigma^x + H_p."""
    return [[0.0, 2 * gamma, 2.0], [1.0, 2 * gamma, 2.0]]


def test_slices_sample_the_exact_quantum_diagonal():
    bqm, n, gamma, beta = random_bqm(6, 0, scale=0.7), 6, 1.5, 2.0
    reads = 20_000
    ss = SQA.sample(
        bqm,
        num_reads=reads,
        num_slices=16,
        num_sweeps=200,
        beta=beta,
        schedule=constant_field(gamma),
        seed=5,
    )
    p_hat = empirical_distribution(columns(ss, range(n)))
    quantum = quantum_diagonal(bqm, gamma, beta)
    tv = total_variation(p_hat, quantum)
    # Independent reads: sampling noise gives E[TV] <= 0.4 * sqrt(64 / 20 000) ~ 0.023;
    # the Trotter error at 16 slices (beta gamma / P = 0.19) is smaller still.
    assert tv < 0.045, f"total variation {tv:.4f}"
    # The bound has power: the classical Boltzmann distribution is far away.
    assert total_variation(p_hat, boltzmann(bqm, beta)) > 0.3


def test_ten_spin_moments_match_exact_diagonalisation():
    bqm, n, gamma, beta = random_bqm(10, 3, scale=0.5), 10, 1.0, 1.0
    reads = 4096
    ss = SQA.sample(
        bqm,
        num_reads=reads,
        num_slices=16,
        num_sweeps=150,
        beta=beta,
        schedule=constant_field(gamma),
        seed=2,
    )
    s = columns(ss, range(n)).astype(np.float64)
    states = all_spin_states(n).astype(np.float64)
    p = quantum_diagonal(bqm, gamma, beta)
    irow, icol = np.triu_indices(n, 1)
    got = np.concatenate([s.mean(0), (s[:, irow] * s[:, icol]).mean(0)])
    want = np.concatenate([p @ states, p @ (states[:, irow] * states[:, icol])])
    # Each is a mean of 4096 independent ±1 values: sd <= 1/64; 5 sd for 55 moments.
    assert np.abs(got - want).max() < 5 / np.sqrt(reads), np.abs(got - want).max()


def test_the_default_anneal_finds_ground_states_and_an_early_stop_does_not():
    bqm = random_bqm(12, 5, density=0.5)
    ground = float(dimod.ExactSolver().sample(bqm).first.energy)
    full = SQA.sample(bqm, num_reads=32, num_sweeps=300, num_slices=16, seed=1)
    assert float(full.first.energy) == pytest.approx(ground)
    # Stopped where the transverse field still dominates: far from the ground state.
    early = SQA.sample(bqm, num_reads=32, num_sweeps=300, num_slices=16, s_stop=0.05, seed=1)
    assert np.mean(early.record.energy) > np.mean(full.record.energy) + 3.0
    assert early.info["s_stop"] == 0.05 and full.info["returned_slice"] == 0
    assert early.info["transverse_field_at_stop"] > full.info["transverse_field_at_stop"]


def test_builtin_schedule_has_the_documented_shape():
    s = np.linspace(0, 1, 1001)
    a, b = advantage_like(s)
    assert a[0] == pytest.approx(9.0) and a[-1] == 0 and b[0] == 0
    assert np.all(np.diff(a) < 0) and np.all(np.diff(b) > 0)
    assert float(advantage_like(0.612)[1]) == pytest.approx(3.91)
    crossing = s[np.argmax(a < b)]
    assert 0.25 < crossing < 0.35
    # The default beta is 15.4 mK in 1/GHz: the classical beta at freeze-out,
    # beta B(s*) / 2, is the 1 / 0.164 that dwave-system quotes for it.
    assert DEFAULT_BETA * 3.91 / 2 == pytest.approx(1 / 0.164, rel=0.01)


def test_slice_parameters_follow_the_trotter_formulas():
    beta, slices = 2.0, 8
    table = check_schedule([[0, 4.0, 0.0], [1, 0.0, 6.0]])
    slice_beta, j_perp = slice_parameters(np.array([0.25, 1.0]), table, beta, slices)
    a, b = 3.0, 1.5  # interpolated at s = 0.25
    assert slice_beta[0] == pytest.approx(beta * b / (2 * slices))
    assert j_perp[0] == pytest.approx(-0.5 * np.log(np.tanh(beta * a / (2 * slices))))
    assert np.isfinite(j_perp[1]) and j_perp[1] > 10  # A = 0: slices tied together


def test_same_seed_same_samples_for_any_thread_count_and_offset():
    ising = from_bqm(random_bqm(20, 7, density=0.3))
    kwargs = dict(num_sweeps=20, num_slices=4)
    one = SQA.sample_arrays(ising, 37, 11, num_threads=1, **kwargs)
    for threads in (2, 5):
        np.testing.assert_array_equal(
            one, SQA.sample_arrays(ising, 37, 11, num_threads=threads, **kwargs)
        )
    parts = [
        SQA.sample_arrays(ising, count, 11, read_offset=start, **kwargs)
        for start, count in [(0, 3), (3, 16), (19, 18)]
    ]
    np.testing.assert_array_equal(one, np.concatenate(parts))
    assert not np.array_equal(one, SQA.sample_arrays(ising, 37, 12, **kwargs))


def test_fixed_variables_hold_their_values():
    bqm = dimod.BinaryQuadraticModel.from_ising({}, {("a", "b"): -1, ("b", "c"): -1})
    ss = SQA.sample(bqm, num_reads=20, num_sweeps=50, fixed_variables={"a": 1, "c": -1}, seed=5)
    assert all(s["a"] == 1 and s["c"] == -1 for s in ss.samples())


@pytest.mark.parametrize(
    "kwargs,error,match",
    [
        ({"num_reads": 0}, ValueError, "num_reads"),
        ({"num_sweeps": -1}, ValueError, "num_sweeps"),
        ({"num_slices": 0}, ValueError, "num_slices"),
        ({"num_slices": 2.5}, TypeError, "num_slices"),
        ({"beta": -1}, ValueError, "beta"),
        ({"s_stop": 1.5}, ValueError, "s_stop"),
        ({"schedule": "advantage"}, TypeError, "schedule"),
        ({"schedule": [[0, 1, 1]]}, ValueError, "schedule"),
        ({"schedule": [[0, 1, 1], [0, 1, 1]]}, ValueError, "increase"),
        ({"schedule": [[0, -1, 1], [1, 1, 1]]}, ValueError, "non-negative"),
        ({"schedule": [[0, 1, 1], [0.5, 1, 1]]}, ValueError, "s_stop"),
        ({"schedule": [[0.1, 1, 1], [1, 1, 1]]}, ValueError, "s = 0"),
        ({"schedule": [[0, np.nan, 1], [1, 1, 1]]}, ValueError, "finite"),
        ({"proposal_acceptance_criteria": "Glauber"}, ValueError, "proposal_acceptance_criteria"),
        ({"num_threads": 0}, ValueError, "num_threads"),
        ({"precision": "half"}, ValueError, "precision"),
    ],
)
def test_bad_arguments_name_the_parameter(kwargs, error, match):
    with pytest.raises(error, match=match):
        SQA.sample(random_bqm(4, 0), **kwargs)
