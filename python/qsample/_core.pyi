"""Type stubs for the compiled core (rust/bindings.rs)."""

import numpy as np
from numpy.typing import NDArray

MAX_EXACT_SPINS: int
LANES: int
MAX_THREADS: int
__version__: str

class IsingModel:
    def __init__(
        self, num_spins: int, irow: NDArray[np.int64], icol: NDArray[np.int64]
    ) -> None: ...
    def set_parameters(self, h: NDArray[np.float64], j: NDArray[np.float64]) -> None: ...
    @property
    def num_spins(self) -> int: ...
    @property
    def num_couplings(self) -> int: ...
    def energies(self, samples: NDArray[np.int8]) -> NDArray[np.float64]: ...

def anneal(
    model: IsingModel,
    betas: NDArray[np.float64],
    sweeps_per_beta: int,
    num_reads: int,
    seed: int,
    read_offset: int = 0,
    initial_states: NDArray[np.int8] | None = None,
    fixed: NDArray[np.int8] | None = None,
    gibbs: bool = False,
    randomize_order: bool = False,
    precision: str = "auto",
    num_threads: int = 0,
) -> tuple[NDArray[np.int8], str]: ...
def temper(
    model: IsingModel,
    betas: NDArray[np.float64],
    num_sweeps: int,
    num_reads: int,
    seed: int,
    read_offset: int = 0,
    samples_per_chain: int = 1,
    thinning: int = 1,
    fixed: NDArray[np.int8] | None = None,
    gibbs: bool = False,
    cluster_moves: bool = False,
    cluster_beta_min: float = 0.0,
    precision: str = "auto",
    num_threads: int = 0,
) -> tuple[NDArray[np.int8], NDArray[np.uint64], NDArray[np.uint64], int, int, str]: ...
def persistent_sweeps(
    model: IsingModel,
    states: NDArray[np.int8],
    sweeps_done: NDArray[np.uint64],
    fresh: NDArray[np.bool_],
    beta: float,
    num_sweeps: int,
    seed: int,
    first_chain: int = 0,
    fixed: NDArray[np.int8] | None = None,
    gibbs: bool = True,
    precision: str = "auto",
    num_threads: int = 0,
) -> tuple[NDArray[np.int8], NDArray[np.uint64], str]: ...
def sqa(
    model: IsingModel,
    slice_betas: NDArray[np.float64],
    slice_couplings: NDArray[np.float64],
    num_slices: int,
    num_reads: int,
    seed: int,
    read_offset: int = 0,
    fixed: NDArray[np.int8] | None = None,
    gibbs: bool = False,
    precision: str = "auto",
    num_threads: int = 0,
) -> tuple[NDArray[np.int8], str]: ...
def ais(
    model: IsingModel,
    betas: NDArray[np.float64],
    sweeps_per_beta: int,
    num_runs: int,
    seed: int,
    run_offset: int = 0,
    fixed: NDArray[np.int8] | None = None,
    chain_of_spin: NDArray[np.int64] | None = None,
    chain_values: NDArray[np.int8] | None = None,
    pulls: NDArray[np.float64] | None = None,
    start: NDArray[np.int8] | None = None,
    gibbs: bool = False,
    precision: str = "auto",
    num_threads: int = 0,
    keep_states: bool = False,
    keep_energies: bool = False,
) -> tuple[
    NDArray[np.float64], float, NDArray[np.int8] | None, NDArray[np.float64] | None, str
]: ...
def ais_summary(
    log_base: float, log_weights: NDArray[np.float64]
) -> tuple[float, float, float]: ...
def exact_log_partition(model: IsingModel, beta: float) -> float: ...
def exact_moments(
    model: IsingModel, beta: float
) -> tuple[float, NDArray[np.float64], NDArray[np.float64]]: ...
def exact_log_probs(
    model: IsingModel, beta: float, samples: NDArray[np.int8]
) -> NDArray[np.float64]: ...
def exact_sample(
    model: IsingModel, beta: float, num_reads: int, seed: int, read_offset: int = 0
) -> NDArray[np.int8]: ...
def log_likelihood_proxy(model: IsingModel, beta: float, samples: NDArray[np.int8]) -> float: ...
def sample_moments(
    samples: NDArray[np.int8], irow: NDArray[np.int64], icol: NDArray[np.int64]
) -> tuple[NDArray[np.float64], NDArray[np.float64]]: ...
def simd_kernel() -> str: ...
def available_memory() -> int | None: ...
