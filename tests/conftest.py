"""Shared test settings: hypothesis runs without deadlines (machines are shared
and noisy; speed is measured in benchmarks, never in tests)."""

from __future__ import annotations

import itertools

import numpy as np
from hypothesis import settings

settings.register_profile("qsample", deadline=None, max_examples=60)
settings.load_profile("qsample")


def all_spin_states(n: int) -> np.ndarray:
    """Every ±1 state of n spins, (2**n, n) int8."""
    return np.array(list(itertools.product([-1, 1], repeat=n)), dtype=np.int8).reshape(-1, n)


def random_bqm(n: int, seed: int, density: float = 1.0, scale: float = 1.0):
    """A random SPIN model with fields and couplings of order ``scale``."""
    import dimod

    rng = np.random.default_rng(seed)
    h = {i: float(rng.normal(0, scale)) for i in range(n)}
    J = {(i, j): float(rng.normal(0, scale))
         for i in range(n) for j in range(i + 1, n) if rng.random() < density}
    return dimod.BinaryQuadraticModel.from_ising(h, J, offset=float(rng.normal()))
