"""The logical log-likelihood of an embedded model against exact enumeration
of all its qubit states (a 6-variable model on 14 qubits)."""

from __future__ import annotations

import numpy as np
import pytest

from qsample import ais, exact
from qsample.likelihood import logical_log_likelihood
from qsample.model import HardwareModel

from conftest import all_spin_states
from problems import sk6

PICTURES = np.array(
    [[1, -1, 1, 1, -1, -1], [1, 1, 1, 1, 1, 1], [-1, 1, -1, 1, -1, 1], [1, -1, 1, 1, -1, -1]],
    dtype=np.int8,
)  # the last repeats the first


def embedded(chain_bond: float, seed: int = 0) -> HardwareModel:
    """The test embedding with chains bonded by ``chain_bond`` (negative:
    ferromagnetic) and random fields and couplings between chains."""
    rng = np.random.default_rng(seed)
    base = HardwareModel(sk6().embedding, seed=0)
    J = np.where(base.intra_chain, chain_bond, rng.normal(0, 0.5, base.num_edges))
    return base.with_parameters(rng.normal(0, 0.3, base.num_qubits), J)


def exact_terms(
    model: HardwareModel, pictures: np.ndarray, beta: float
) -> tuple[np.ndarray, np.ndarray]:
    """(log P(v), log P(f(v))) by enumeration; a tied chain decodes to nothing."""
    states = all_spin_states(model.num_qubits)
    log_p = exact.log_probabilities(model.to_ising(), states, beta)
    decoded = model.decode(states)
    untied = ~decoded.ties.any(axis=1)
    total = np.array(
        [np.logaddexp.reduce(log_p[untied & np.all(decoded.values == v, axis=1)]) for v in pictures]
    )
    aligned = exact.log_probabilities(model.to_ising(), model.encode(pictures), beta)
    return total, aligned


@pytest.mark.parametrize("bond,beta", [(-0.5, 1.0), (-1.5, 1.0), (-3.0, 1.0), (-1.0, 0.6)])
def test_agrees_with_enumeration(bond, beta):
    model = embedded(bond)
    assert np.any(model.layout.chain_lengths % 2 == 0)  # ties are possible
    total, aligned = exact_terms(model, PICTURES, beta)
    r = logical_log_likelihood(
        model,
        PICTURES,
        beta=beta,
        num_runs=256,
        num_steps=2000,
        chain_runs=32,
        chain_steps=2000,
        seed=1,
    )
    log_z = exact.log_partition(model.to_ising(), beta)
    # The aligned term is exact but for the estimated log Z.
    np.testing.assert_allclose(
        r.aligned + r.log_partition.log_partition - log_z, aligned, atol=1e-9
    )
    assert abs(r.log_partition.log_partition - log_z) < 4 * r.log_partition.std_error + 1e-3
    # The chain term, picture by picture, within its own error bar.
    want_chains = total - aligned
    assert np.all(np.abs(r.chains - want_chains) < 4 * r.chains_se + 1e-3), (r.chains, want_chains)
    # The whole.
    se = np.hypot(r.chains_se, r.log_partition.std_error)
    assert np.all(np.abs(r.log_likelihood - total) < 4 * se + 1e-3)
    assert abs(r.mean - total.mean()) < 4 * r.mean_se + 1e-3
    assert np.all(r.chains >= 0) and np.all((r.misaligned_share >= 0) & (r.misaligned_share <= 1))
    assert r.start_error < 1e-6


def test_weak_chains_put_most_of_the_mass_in_misaligned_states():
    strong = logical_log_likelihood(
        embedded(-3.0), PICTURES[:1], num_runs=64, num_steps=300, chain_steps=500
    )
    weak = logical_log_likelihood(
        embedded(-0.3), PICTURES[:1], num_runs=64, num_steps=300, chain_steps=500
    )
    assert strong.misaligned_share[0] < 0.2 < 0.5 < weak.misaligned_share[0]


def test_equal_pictures_get_equal_figures_and_runs_are_seeded():
    model = embedded(-1.0)
    a = logical_log_likelihood(model, PICTURES, num_runs=32, num_steps=200, chain_steps=200, seed=3)
    assert a.chains[0] == a.chains[3] and a.aligned[0] == a.aligned[3]
    b = logical_log_likelihood(
        model, PICTURES, num_runs=32, num_steps=200, chain_steps=200, seed=3, num_threads=1
    )
    np.testing.assert_array_equal(a.log_likelihood, b.log_likelihood)
    c = logical_log_likelihood(model, PICTURES, num_runs=32, num_steps=200, chain_steps=200, seed=4)
    assert not np.array_equal(a.chains, c.chains)
    # A log Z estimate given is used as is.
    d = logical_log_likelihood(
        model, PICTURES, chain_steps=200, seed=3, log_partition_estimate=a.log_partition
    )
    np.testing.assert_array_equal(d.aligned, a.aligned)
    assert set(a.summary()) >= {
        "log_likelihood_per_picture",
        "chains_per_picture",
        "aligned_per_picture",
        "log_partition_se",
    }


@pytest.mark.parametrize(
    "kwargs,error,match",
    [
        ({"pictures": np.ones((2, 5))}, ValueError, "pictures"),
        ({"pictures": np.zeros((2, 6))}, ValueError, "pictures"),
        ({"chain_runs": 0}, ValueError, "chain_runs"),
        ({"chain_steps": 1.5}, TypeError, "chain_steps"),
        ({"num_runs": 0}, ValueError, "num_runs"),
        ({"beta": -1.0}, ValueError, "beta"),
        ({"seed": -2}, ValueError, "seed"),
        ({"num_threads": 0}, ValueError, "num_threads"),
        ({"log_partition_estimate": 3.0}, TypeError, "log_partition_estimate"),
    ],
)
def test_bad_arguments_are_named(kwargs, error, match):
    args = {"pictures": PICTURES, **kwargs}
    with pytest.raises(error, match=match):
        logical_log_likelihood(embedded(-1.0), **args)


def test_a_log_z_for_another_beta_is_refused():
    model = embedded(-1.0)
    z = ais.log_partition(model.to_ising(), 0.5, num_runs=16, num_steps=10)
    with pytest.raises(ValueError, match="beta = 0.5"):
        logical_log_likelihood(model, PICTURES, log_partition_estimate=z)
    with pytest.raises(TypeError, match="HardwareModel"):
        logical_log_likelihood(model.to_ising(), PICTURES)
