"""The data maps between logical variables and the qubits of their chains.

``encode`` is the paper's f (Eq. 6): every logical value is copied into each
qubit of its chain. ``decode`` is g (Eq. 8): each chain votes by majority.
An even chain can tie; a tie is a real outcome (the paper draws tied pixels in
their own colour), so ``decode`` reports it and lets the caller choose a policy.

Qubit order (the columns of extended samples) is fixed by :class:`ChainLayout`:
chains in logical order, the qubits of a chain in the order given by the
embedding. ``layout.qubits`` lists the qubit labels in that order.
"""

from __future__ import annotations

from collections.abc import Hashable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from ._validate import check_spin, check_spins

TIE_POLICIES = ("keep", "random", "value")


@dataclass(frozen=True)
class ChainLayout:
    """Where each logical variable's chain sits among the extended columns."""

    logical: tuple[Hashable, ...]  # logical variable labels, in column order
    qubits: tuple[Hashable, ...]  # qubit labels, chain after chain
    chain_of_column: np.ndarray  # (M,) logical index of each extended column
    starts: np.ndarray  # (N + 1,) chain k occupies columns starts[k]:starts[k + 1]

    @classmethod
    def from_embedding(
        cls,
        embedding: Mapping[Hashable, Sequence[Hashable]],
        logical: Sequence[Hashable] | None = None,
    ) -> ChainLayout:
        """Layout of ``{logical: [qubits]}``; ``logical`` fixes the variable order
        (default: the embedding's own order)."""
        order = tuple(embedding) if logical is None else tuple(logical)
        missing = [v for v in order if v not in embedding]
        if missing:
            raise ValueError(f"'embedding' has no chain for logical variables {missing}")
        qubits: list[Hashable] = []
        lengths = []
        seen: set[Hashable] = set()
        for v in order:
            chain = list(embedding[v])
            if not chain:
                raise ValueError(f"'embedding' has an empty chain for logical variable {v!r}")
            for q in chain:
                if q in seen:
                    raise ValueError(f"'embedding' uses qubit {q!r} in more than one chain")
                seen.add(q)
            qubits.extend(chain)
            lengths.append(len(chain))
        starts = np.concatenate([[0], np.cumsum(lengths)]).astype(np.int64)
        chain_of_column = np.repeat(np.arange(len(order)), lengths)
        return cls(order, tuple(qubits), chain_of_column, starts)

    @property
    def num_logical(self) -> int:
        return len(self.logical)

    @property
    def num_qubits(self) -> int:
        return len(self.qubits)

    @property
    def chain_lengths(self) -> np.ndarray:
        return np.diff(self.starts)


def encode(logical_samples: Any, layout: ChainLayout) -> np.ndarray:
    """f: (S, N) logical ±1 -> (S, M) extended ±1, each value copied along its chain."""
    s = check_spins("logical_samples", logical_samples, layout.num_logical, allow_empty=True)
    return np.ascontiguousarray(s[:, layout.chain_of_column])


@dataclass(frozen=True)
class Decoded:
    """Result of :func:`decode`: ``values`` is int8 with +1/-1, and 0 where a tie
    was kept; ``ties`` marks every chain that tied, whatever the policy did."""

    values: np.ndarray
    ties: np.ndarray

    @property
    def num_ties(self) -> int:
        return int(self.ties.sum())


def decode(
    extended_samples: Any,
    layout: ChainLayout,
    tie: str = "keep",
    seed: int | np.random.Generator | None = None,
    tie_value: int = 1,
) -> Decoded:
    """g: majority vote inside each chain.

    Args:
        tie: ``"keep"`` (tied entries are 0), ``"random"`` (a fair coin per tie,
            seeded by ``seed``), or ``"value"`` (every tie becomes ``tie_value``).
    """
    if tie not in TIE_POLICIES:
        raise ValueError(f"'tie' must be one of {TIE_POLICIES}: value = {tie!r}")
    if tie == "value":
        tie_value = check_spin("tie_value", tie_value)
    z = check_spins("extended_samples", extended_samples, layout.num_qubits, allow_empty=True)
    # Chains are contiguous column ranges, so one reduceat sums every chain.
    wide = np.int16 if layout.chain_lengths.max(initial=0) < 2**15 else np.int64
    if z.shape[0] == 0:
        votes = np.zeros((0, layout.num_logical), dtype=wide)
    else:
        votes = np.add.reduceat(z, layout.starts[:-1], axis=1, dtype=wide)
    values = np.sign(votes).astype(np.int8)
    ties = values == 0
    if tie == "random" and ties.any():
        rng = np.random.default_rng(seed)
        values[ties] = rng.choice(np.array([-1, 1], dtype=np.int8), size=int(ties.sum()))
    elif tie == "value":
        values[ties] = tie_value
    return Decoded(values, ties)
