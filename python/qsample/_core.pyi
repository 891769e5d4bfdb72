"""Type stubs for the compiled core (rust/bindings.rs)."""

import numpy as np
from numpy.typing import NDArray

MAX_EXACT_SPINS: int
LANES: int

def anneal(
    h: NDArray[np.float64],
    irow: NDArray[np.int64],
    icol: NDArray[np.int64],
    j: NDArray[np.float64],
    betas: NDArray[np.float64],
    sweeps_per_beta: int,
    num_reads: int,
    seed: int,
    initial_states: NDArray[np.int8] | None = None,
    clamp: NDArray[np.int8] | None = None,
    gibbs: bool = False,
    randomize_order: bool = False,
    num_threads: int = 0,
) -> tuple[NDArray[np.int8], NDArray[np.float64]]: ...
def energies(
    h: NDArray[np.float64],
    irow: NDArray[np.int64],
    icol: NDArray[np.int64],
    j: NDArray[np.float64],
    samples: NDArray[np.int8],
) -> NDArray[np.float64]: ...
def log_partition(
    h: NDArray[np.float64],
    irow: NDArray[np.int64],
    icol: NDArray[np.int64],
    j: NDArray[np.float64],
    beta: float,
) -> float: ...
def exact_moments(
    h: NDArray[np.float64],
    irow: NDArray[np.int64],
    icol: NDArray[np.int64],
    j: NDArray[np.float64],
    beta: float,
) -> tuple[float, NDArray[np.float64], NDArray[np.float64]]: ...
def exact_log_probs(
    h: NDArray[np.float64],
    irow: NDArray[np.int64],
    icol: NDArray[np.int64],
    j: NDArray[np.float64],
    beta: float,
    samples: NDArray[np.int8],
) -> NDArray[np.float64]: ...
def exact_sample(
    h: NDArray[np.float64],
    irow: NDArray[np.int64],
    icol: NDArray[np.int64],
    j: NDArray[np.float64],
    beta: float,
    num_reads: int,
    seed: int,
) -> NDArray[np.int8]: ...
def log_likelihood_proxy(
    h: NDArray[np.float64],
    irow: NDArray[np.int64],
    icol: NDArray[np.int64],
    j: NDArray[np.float64],
    beta: float,
    samples: NDArray[np.int8],
) -> float: ...
def simd_kernel() -> str: ...
