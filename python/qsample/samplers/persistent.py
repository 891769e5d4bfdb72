"""Persistent Markov chains as a dimod sampler: the negative phase of
persistent contrastive divergence."""

from __future__ import annotations

import hashlib
import threading
from collections import OrderedDict
from collections.abc import Hashable, Mapping
from dataclasses import dataclass
from typing import Any

import dimod
import numpy as np

from .. import _core
from .._validate import check_beta, check_int
from ..ising import IsingArrays, native_model
from .base import Drawn, NativeSampler, Plan
from .options import (
    ACCEPTANCE_CRITERIA,
    check_precision,
    check_reads,
    check_threads,
    fixed_array,
    is_gibbs,
)
from .schedules import MAX_SWEEPS

StructureKey = tuple[int, int, str]


@dataclass
class PersistentPlan(Plan):
    beta: float = 1.0
    num_sweeps: int = 1
    fixed: np.ndarray | None = None
    gibbs: bool = True
    precision: str = "auto"
    num_threads: int = 0


@dataclass
class Chains:
    """The chains kept for one model structure: rows ``first ..`` of the
    absolute chain index, their states and the sweeps each has made."""

    first: int
    states: np.ndarray  # int8 (R, n)
    sweeps: np.ndarray  # uint64 (R,)


def structure_key(model: IsingArrays) -> StructureKey:
    """What identifies a model's structure: its size and its coupled pairs, by
    content (a new BQM of the same graph continues the same chains)."""
    digest = hashlib.blake2b(digest_size=16)
    digest.update(np.ascontiguousarray(model.irow, dtype=np.int64).tobytes())
    digest.update(np.ascontiguousarray(model.icol, dtype=np.int64).tobytes())
    return model.num_variables, len(model.irow), digest.hexdigest()


class PersistentChainSampler(NativeSampler):
    """Markov chains at a fixed ``beta`` whose states persist between calls:
    each call advances every chain by ``num_sweeps`` sweeps (Gibbs by default,
    or Metropolis) at the model's current parameters and returns the chains'
    states — the negative phase of persistent contrastive divergence
    (Tieleman 2008). Pass it to ``SampledMoments`` for PCD learning.

    State: the sampler keeps, per model structure (number of variables and the
    coupled pairs, compared by content), the chains of the last call for that
    structure; the ``max_structures`` most recently used structures are kept.
    Chain ``r`` is the ``r``-th read counting from ``read_offset``'s origin:
    a call with ``num_reads`` R and ``read_offset`` o uses chains o .. o + R - 1.

    - A chain the sampler holds continues from its state, whatever the new
      parameters (only the structure must match).
    - A chain it does not hold starts fresh, from a uniformly random state
      drawn from the stream (seed, r) of the call's seed, and makes its
      ``num_sweeps`` sweeps from there (burn-in is the caller's business: a
      first call with more sweeps, or a few calls).
    - So when ``num_reads`` grows, the existing chains continue and the new
      ones start fresh; when it shrinks, the first chains continue and the
      others are dropped (a later larger call starts them fresh again).
    - A different structure starts its own chains; ``reset()`` drops them all.
      (A conditioned model, as reconstruction samples, is a new structure: its
      chains start fresh, so judge a model with enough ``num_sweeps`` for the
      chains to forget their start, or with another sampler at the same beta.)

    Randomness: sweep t of chain r uses the thresholds of (seed, r) at sweep t,
    with t counted over the chain's life. So two calls of k sweeps give exactly
    the states of one call of 2k sweeps with the same seed, a chain never
    reuses random numbers even if every call passes the same seed, and the
    result does not depend on the number of threads.

    Examples:
        >>> import dimod
        >>> from qsample import PersistentChainSampler
        >>> bqm = dimod.BinaryQuadraticModel.from_ising({0: 0.5}, {(0, 1): -1})
        >>> sampler = PersistentChainSampler()
        >>> first = sampler.sample(bqm, num_reads=8, num_sweeps=5, seed=1)
        >>> again = sampler.sample(bqm, num_reads=8, num_sweeps=5, seed=1)
        >>> again.info["sweeps_per_chain"]
        [10, 10]
    """

    def __init__(self, max_structures: int = 4) -> None:
        self.max_structures = check_int("max_structures", max_structures, 1)
        self._chains: OrderedDict[StructureKey, Chains] = OrderedDict()
        self._lock = threading.Lock()
        self._parameters: dict[str, list[str]] = {
            "num_reads": [],
            "seed": [],
            "beta": [],
            "num_sweeps": [],
            "proposal_acceptance_criteria": [],
            "fixed_variables": [],
            "num_threads": [],
            "precision": [],
        }
        self._properties: dict[str, Any] = {
            "proposal_acceptance_criteria_options": ACCEPTANCE_CRITERIA,
        }

    def reset(self) -> None:
        """Drop every chain: the next call starts fresh chains."""
        with self._lock:
            self._chains.clear()

    def chains(self, model: IsingArrays) -> Chains | None:
        """A copy of the chains held for ``model``'s structure (None if none)."""
        with self._lock:
            held = self._chains.get(structure_key(model))
            if held is None:
                return None
            return Chains(held.first, held.states.copy(), held.sweeps.copy())

    def prepare(  # type: ignore[override]
        self,
        model: IsingArrays,
        *,
        num_reads: Any = None,
        seed: int = 0,
        bqm: dimod.BinaryQuadraticModel | None = None,
        beta: Any = 1.0,
        num_sweeps: Any = 1,
        proposal_acceptance_criteria: Any = "Gibbs",
        fixed_variables: Mapping[Hashable, int] | None = None,
        num_threads: Any = None,
        precision: Any = "auto",
    ) -> PersistentPlan:
        reads = check_reads(num_reads)
        beta = check_beta(beta)
        sweeps = check_int("num_sweeps", num_sweeps, 0, MAX_SWEEPS)
        return PersistentPlan(
            num_reads=reads,
            info={"beta": beta, "num_sweeps": sweeps},
            beta=beta,
            num_sweeps=sweeps,
            fixed=fixed_array(model, fixed_variables, bqm),
            gibbs=is_gibbs(proposal_acceptance_criteria),
            precision=check_precision(precision),
            num_threads=check_threads(num_threads),
            # per chain: its sweep counts (here and in the core), the states the
            # core returns, the copy handed back, and the core's task list
            core_bytes_per_read=2 * model.num_variables + 24,
        )

    def _draw(self, model: IsingArrays, plan: Plan, seed: int, read_offset: int) -> Drawn:
        assert isinstance(plan, PersistentPlan)
        key = structure_key(model)
        n, reads = model.num_variables, plan.num_reads
        with self._lock:
            held = self._chains.get(key)
            states = np.ones((reads, n), dtype=np.int8)
            sweeps = np.zeros(reads, dtype=np.uint64)
            fresh = np.ones(reads, dtype=bool)
            if held is not None:
                # Rows of the call that the held chains cover, by absolute index.
                lo = max(read_offset, held.first)
                hi = min(read_offset + reads, held.first + len(held.states))
                if lo < hi:
                    mine = slice(lo - read_offset, hi - read_offset)
                    theirs = slice(lo - held.first, hi - held.first)
                    states[mine] = held.states[theirs]
                    sweeps[mine] = held.sweeps[theirs]
                    fresh[mine] = False
            out, done, used = _core.persistent_sweeps(
                native_model(model),
                states,
                sweeps,
                fresh,
                plan.beta,
                plan.num_sweeps,
                seed,
                first_chain=read_offset,
                fixed=plan.fixed,
                gibbs=plan.gibbs,
                precision=plan.precision,
                num_threads=plan.num_threads,
            )
            self._chains[key] = Chains(read_offset, out, done)
            self._chains.move_to_end(key)
            while len(self._chains) > self.max_structures:
                self._chains.popitem(last=False)
        return Drawn(
            out.copy(),
            {
                "precision": used,
                "new_chains": int(fresh.sum()),
                "sweeps_per_chain": [int(done.min()), int(done.max())],
            },
        )
