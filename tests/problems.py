"""A small synthetic learning problem shared by the learning tests: a 6-spin
SK model (J ~ Normal(0, 2/sqrt(6)), h = 0), 500 exact samples, embedded on a
Chimera C(2,2,4) (14 qubits), and exact moments of the decoded distribution of
any physical model (2^14 states: small enough to enumerate)."""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

import numpy as np

from qsample import IsingArrays, exact
from qsample import hardware as hw
from qsample.embedding import Embedding, find_embedding
from qsample.learning.moments import sample_moments
from qsample.model import HardwareModel

from conftest import all_spin_states

N = 6


@dataclass(frozen=True)
class Problem:
    truth: IsingArrays
    data: np.ndarray
    embedding: Embedding
    data_mean: np.ndarray
    data_correlation: np.ndarray


@lru_cache(maxsize=1)
def sk6() -> Problem:
    rng = np.random.default_rng(1)
    irow, icol = np.triu_indices(N, 1)
    truth = IsingArrays(
        list(range(N)), np.zeros(N), irow, icol, rng.normal(0.0, 2 / np.sqrt(N), len(irow))
    )
    data = exact.sample(truth, 500, seed=2)
    embedding = find_embedding(N, hw.chimera(2), tries=5, seed=0)
    mean, corr = sample_moments(data, irow, icol)
    return Problem(truth, data, embedding, mean, corr)


def decoded_moments(model: HardwareModel) -> tuple[np.ndarray, np.ndarray]:
    """Exact <s_i> and <s_i s_j> of the majority-vote decoding of the model's
    Boltzmann distribution at beta = 1 (a tied chain counts as 0)."""
    states = all_spin_states(model.num_qubits)
    p = np.exp(exact.log_probabilities(model.to_ising(), states))
    s = model.decode(states).values.astype(np.float64)
    irow, icol = np.triu_indices(N, 1)
    return p @ s, p @ (s[:, irow] * s[:, icol])


def moment_errors(problem: Problem, mean: np.ndarray, corr: np.ndarray) -> tuple[float, float]:
    return (
        float(np.abs(mean - problem.data_mean).max()),
        float(np.abs(corr - problem.data_correlation).max()),
    )
