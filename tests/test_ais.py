"""Annealed importance sampling of log Z: against exact enumeration on small
models, against dwave-samplers' tree decomposition beyond enumeration, its
error bar's calibration, restrictions (fixed spins, chain majorities),
determinism and argument checks."""

from __future__ import annotations

import dimod
import numpy as np
import pytest
from scipy.special import logsumexp

from qsample import ais, exact
from qsample.ising import IsingArrays, from_matrix

from conftest import all_spin_states, random_bqm


def sk(n: int, seed: int, zeta: float = 2.0) -> IsingArrays:
    """A frustrated SK model with small fields."""
    rng = np.random.default_rng(seed)
    return from_matrix(rng.normal(0, 0.2, n), np.triu(rng.normal(0, zeta / np.sqrt(n), (n, n)), 1))


def ferromagnet_ring(n: int) -> dimod.BinaryQuadraticModel:
    """Unfrustrated, strongly ordered at beta 2: two deep modes."""
    return dimod.BinaryQuadraticModel.from_ising(
        {i: 0.05 for i in range(n)}, {(i, (i + 1) % n): -1.0 for i in range(n)}
    )


#: (name, model, beta): up to 20 spins, some frustrated, weak to strong coupling.
SMALL_MODELS = [
    ("dense random, offset", random_bqm(12, 1), 1.0),
    ("SK 16, beta 1", sk(16, 2), 1.0),
    ("SK 20, beta 2", sk(20, 3), 2.0),
    ("sparse frustrated", random_bqm(18, 4, density=0.3, scale=1.5), 1.0),
    ("ferromagnetic ring", ferromagnet_ring(20), 2.0),
]


@pytest.mark.parametrize("name,model,beta", SMALL_MODELS, ids=[m[0] for m in SMALL_MODELS])
def test_agrees_with_enumeration_within_its_error_bar(name, model, beta):
    want = exact.log_partition(model, beta)
    e = ais.log_partition(model, beta, num_runs=256, num_steps=2000, seed=1)
    assert abs(e.log_partition - want) < 4 * e.std_error + 1e-3, (
        e.log_partition,
        want,
        e.std_error,
    )
    assert abs(e.log_partition - want) < 0.05
    assert e.effective_runs > 64
    lo, hi = e.interval(5)
    assert lo < want < hi


def test_gibbs_and_sweeps_per_beta_agree_with_enumeration():
    model = sk(14, 5)
    want = exact.log_partition(model, 1.5)
    for params in (
        {"acceptance": "Gibbs"},
        {"sweeps_per_beta": 3, "num_steps": 500},
        {"schedule": "geometric+linear"},
        {"precision": "double"},
    ):
        e = ais.log_partition(model, 1.5, num_runs=128, seed=2, **params)
        assert abs(e.log_partition - want) < 4 * e.std_error + 1e-3, (params, e)


def test_error_bar_is_calibrated():
    """Over independent estimates (a short schedule, so the error is well
    above rounding), the z-scores have mean near 0 and mean square near 1: an
    error bar off by a factor 2 either way fails."""
    model = sk(12, 6, zeta=3.0)
    want = exact.log_partition(model, 1.0)
    z = []
    for seed in range(40):
        e = ais.log_partition(model, 1.0, num_runs=32, num_steps=60, seed=seed)
        z.append((e.log_partition - want) / e.std_error)
    z = np.array(z)
    assert abs(z.mean()) < 0.6, z
    assert 0.35 < np.mean(z**2) < 2.5, z


def tree_decomposition_log_z(bqm: dimod.BinaryQuadraticModel, beta: float) -> float:
    samplers = pytest.importorskip("dwave.samplers")
    ss = samplers.TreeDecompositionSampler().sample(bqm, beta=beta, marginals=False)
    return float(ss.info["log_partition_function"])


def chimera_glass(rows: int, columns: int, seed: int) -> dimod.BinaryQuadraticModel:
    import dwave.graphs as dg

    rng = np.random.default_rng(seed)
    g = dg.chimera_graph(rows, columns, 4)
    return dimod.BinaryQuadraticModel.from_ising(
        {v: float(rng.normal(0, 0.3)) for v in g.nodes},
        {e: float(rng.choice([-1.0, 1.0])) for e in g.edges},
        offset=0.5,
    )


def ladder(length: int, seed: int) -> dimod.BinaryQuadraticModel:
    rng = np.random.default_rng(seed)
    J = {}
    for i in range(length):
        J[(2 * i, 2 * i + 1)] = float(rng.normal(0, 1))
        if i + 1 < length:
            J[(2 * i, 2 * i + 2)] = float(rng.normal(0, 1))
            J[(2 * i + 1, 2 * i + 3)] = float(rng.normal(0, 1))
    return dimod.BinaryQuadraticModel.from_ising(
        {v: float(rng.normal(0, 0.5)) for v in range(2 * length)}, J
    )


@pytest.mark.parametrize(
    "model,beta",
    [(ladder(40, 1), 1.5), (chimera_glass(2, 6, 2), 1.0)],
    ids=["ladder of 80 spins", "Chimera 2x6 glass (96 qubits)"],
)
def test_agrees_with_tree_decomposition_beyond_enumeration(model, beta):
    want = tree_decomposition_log_z(model, beta)
    e = ais.log_partition(model, beta, num_runs=256, num_steps=2000, seed=3)
    assert abs(e.log_partition - want) < 4 * e.std_error + 1e-3, (
        e.log_partition,
        want,
        e.std_error,
    )
    assert e.std_error < 0.05


def brute_log_z(model: IsingArrays, beta: float, keep) -> float:
    states = all_spin_states(model.num_variables)
    bqm = model.to_bqm()
    e = bqm.energies((states, model.variables))
    return float(logsumexp(-beta * e[keep(states)]))


def test_fixed_variables_give_the_conditional_partition_function():
    model = sk(13, 7)
    fixed = {2: 1, 9: -1}
    want = brute_log_z(model, 1.0, lambda s: (s[:, 2] == 1) & (s[:, 9] == -1))
    e = ais.log_partition(model, 1.0, fixed_variables=fixed, num_runs=128, seed=4, keep_states=True)
    assert abs(e.log_partition - want) < 4 * e.std_error + 1e-3
    assert e.log_base == pytest.approx(11 * np.log(2))
    assert np.all(e.states[:, 2] == 1) and np.all(e.states[:, 9] == -1)


def test_chain_majorities_restrict_the_states():
    model = sk(13, 8)
    chain_of = np.array([0, 0, 0, 1, 1, 1, 1, 2, 2, 2, 2, 2, -1])
    values = np.array([1, -1, 1])

    def votes(s, c):
        return s[:, chain_of == c].sum(axis=1)

    def keep(s):
        return (votes(s, 0) > 0) & (votes(s, 1) < 0) & (votes(s, 2) > 0)

    want = brute_log_z(model, 1.0, keep)
    e = ais.log_partition(
        model,
        1.0,
        num_runs=128,
        seed=5,
        keep_states=True,
        chain_majorities=ais.ChainMajorities(chain_of, values),
    )
    assert abs(e.log_partition - want) < 4 * e.std_error + 1e-3
    assert e.log_base == pytest.approx(np.log(keep(all_spin_states(13)).sum()))
    assert np.all(keep(e.states))


def test_runs_do_not_depend_on_threads_or_offsets():
    model = random_bqm(30, 9, density=0.2)
    base = dict(num_steps=50, seed=11)
    a = ais.log_partition(model, num_runs=40, num_threads=1, **base)
    b = ais.log_partition(model, num_runs=40, num_threads=2, **base)
    np.testing.assert_array_equal(a.log_weights, b.log_weights)
    parts = [
        ais.log_partition(model, num_runs=k, run_offset=o, **base).log_weights
        for o, k in ((0, 7), (7, 20), (27, 13))
    ]
    np.testing.assert_array_equal(np.concatenate(parts), a.log_weights)
    assert a.log_partition == b.log_partition


def test_energies_show_where_the_weights_vary():
    model = sk(10, 10)
    e = ais.log_partition(model, 1.0, num_runs=20, num_steps=30, seed=1, keep_energies=True)
    assert e.energies.shape == (20, 30)
    increments = -np.diff(e.betas) * e.energies
    np.testing.assert_allclose(increments.sum(axis=1), e.log_weights, rtol=0, atol=1e-9)


def test_schedules():
    for kind in ais.SCHEDULE_KINDS:
        b = ais.annealing_schedule(2.0, 300, kind)
        assert len(b) == 301 and b[0] == 0 and b[-1] == pytest.approx(2.0)
        assert np.all(np.diff(b) > 0), kind
    # geometric+linear: step sizes match where the parts meet (within 10 %).
    b = ais.annealing_schedule(1.0, 1000, "geometric+linear", 0.05)
    steps = np.diff(b)
    k = np.argmin(np.abs(b - 0.05))
    assert steps[k] / steps[k - 1] == pytest.approx(1.0, rel=0.1)
    assert steps[-1] / steps[0] > 10
    np.testing.assert_allclose(ais.annealing_schedule(1.0, 4, "linear"), [0, 0.25, 0.5, 0.75, 1.0])
    assert list(ais.annealing_schedule(1.0, 1, "geometric+linear")) == [0.0, 1.0]


@pytest.mark.parametrize(
    "kwargs,error,match",
    [
        ({"num_runs": 0}, ValueError, "num_runs"),
        ({"num_runs": 2.0}, TypeError, "num_runs"),
        ({"num_steps": 0}, ValueError, "num_steps"),
        ({"sweeps_per_beta": 0}, ValueError, "sweeps_per_beta"),
        ({"schedule": "cubic"}, ValueError, "'schedule'"),
        ({"schedule": [0.5, 1.0]}, ValueError, r"schedule\[0\] = 0.5"),
        ({"schedule": [0.0, np.nan, 1.0]}, ValueError, r"schedule\[1\]"),
        ({"schedule": [0.0, 2.0]}, ValueError, "'beta' must equal"),
        ({"schedule": [[0.0, 1.0]]}, ValueError, "1-D"),
        ({"acceptance": "Glauber"}, ValueError, "'acceptance'"),
        ({"acceptance": 3}, TypeError, "'acceptance'"),
        ({"fixed_variables": {"x": 1}}, ValueError, "fixed_variables"),
        ({"fixed_variables": {0: 2}}, ValueError, "fixed_variables"),
        ({"seed": -1}, ValueError, "seed"),
        ({"num_threads": 0}, ValueError, "num_threads"),
        ({"precision": "half"}, ValueError, "precision"),
        ({"keep_states": "yes"}, TypeError, "keep_states"),
        ({"chain_majorities": (np.zeros(5), np.ones(1))}, TypeError, "ChainMajorities"),
        (
            {"chain_majorities": ais.ChainMajorities(np.zeros(4, int), np.ones(1))},
            ValueError,
            "chain_of_variable",
        ),
        (
            {"chain_majorities": ais.ChainMajorities(np.zeros(5, int), np.zeros(1))},
            ValueError,
            "values",
        ),
        (
            {"chain_majorities": ais.ChainMajorities(np.full(5, 3), np.ones(1))},
            ValueError,
            "chain_of_variable",
        ),
        ({"beta": -1.0}, ValueError, "beta"),
    ],
)
def test_bad_arguments_are_named(kwargs, error, match):
    with pytest.raises(error, match=match):
        ais.log_partition(random_bqm(5, 0), **kwargs)


def test_huge_requests_are_refused_before_allocating():
    with pytest.raises(MemoryError, match="num_runs"):
        ais.log_partition(random_bqm(5, 0), num_runs=2**50, num_steps=1, keep_states=True)
