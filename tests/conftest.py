"""Shared test settings: hypothesis runs without deadlines (machines are shared
and noisy; speed is measured in benchmarks, never in tests)."""

from __future__ import annotations

import itertools
import os

import numpy as np
import pytest
from hypothesis import settings

from qsample.execution import start_local_cluster

settings.register_profile("qsample", deadline=None, max_examples=60)
settings.load_profile("qsample")


def all_spin_states(n: int) -> np.ndarray:
    """Every ±1 state of n spins, (2**n, n) int8."""
    return np.array(list(itertools.product([-1, 1], repeat=n)), dtype=np.int8).reshape(2**n, n)


def random_bqm(n: int, seed: int, density: float = 1.0, scale: float = 1.0):
    """A random SPIN model with fields and couplings of order ``scale``."""
    import dimod

    rng = np.random.default_rng(seed)
    h = {i: float(rng.normal(0, scale)) for i in range(n)}
    J = {
        (i, j): float(rng.normal(0, scale))
        for i in range(n)
        for j in range(i + 1, n)
        if rng.random() < density
    }
    return dimod.BinaryQuadraticModel.from_ising(h, J, offset=float(rng.normal()))


def empirical_distribution(samples: np.ndarray) -> np.ndarray:
    """Frequencies of the 2**n states, in the order of :func:`all_spin_states`."""
    n = samples.shape[1]
    index = ((samples > 0).astype(np.int64) * (1 << np.arange(n)[::-1])).sum(axis=1)
    return np.bincount(index, minlength=2**n) / len(samples)


def total_variation(p: np.ndarray, q: np.ndarray) -> float:
    return float(0.5 * np.abs(p - q).sum())


def boltzmann(bqm, beta: float) -> np.ndarray:
    """Exact P(s) ∝ exp(-beta E(s)) over the states of :func:`all_spin_states`,
    columns in sorted variable order (as :func:`columns` with ``sorted(...)``)."""
    from qsample import exact
    from qsample.ising import from_bqm

    states = all_spin_states(bqm.num_variables)
    ising = from_bqm(bqm, sorted(bqm.variables))
    return np.exp(exact.log_probabilities(ising, states, beta=beta))


def columns(ss, variables) -> np.ndarray:
    """A SampleSet's samples with columns in the order of ``variables``."""
    return ss.record.sample[:, [ss.variables.index(v) for v in variables]]


@pytest.fixture(scope="module")
def cluster():
    """A LocalCluster of 2 single-threaded processes on the loopback address;
    on teardown every worker process it ever had must be gone."""
    distributed = pytest.importorskip("distributed")
    psutil = pytest.importorskip("psutil")
    local = start_local_cluster(2, host="127.0.0.1")
    client = distributed.Client(local)
    pids = set(client.run(os.getpid).values())
    client.pids_seen = pids
    try:
        yield local, client
    finally:
        try:
            pids |= set(client.run(os.getpid).values())
        finally:
            client.close()
            local.close()
        _, alive = psutil.wait_procs(
            [psutil.Process(p) for p in pids if psutil.pid_exists(p)], timeout=15
        )
        assert not alive, f"worker processes left behind: {alive}"
