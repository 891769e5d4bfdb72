"""The hardware-embedded model: one field per used qubit and one coupling per
target coupler among the used qubits, each tagged as inside a chain or between
chains.

Parameters are in dimod's convention, E(z) = sum h z + sum J z z (the paper's
h and J with the opposite sign), so ``to_bqm`` is direct. The qubit order is
the embedding's layout: chains in logical order (see :mod:`qsample.chains`).
"""

from __future__ import annotations

import json
import os
from collections.abc import Hashable, Mapping
from dataclasses import dataclass
from typing import Any

import dimod
import numpy as np

from . import _files
from ._validate import check_number, check_spin
from .chains import ChainLayout, Decoded, decode, encode
from .embedding import Embedding
from .hardware import Target
from .ising import IsingArrays, spin_samples


@dataclass(frozen=True)
class RangeViolation:
    kind: str  # "h" or "J"
    variables: tuple[Hashable, ...]
    value: float
    limit: tuple[float, float]


class HardwareModel:
    """Fields and couplings of an embedded model on its target."""

    def __init__(
        self,
        embedding: Embedding,
        h: np.ndarray | None = None,
        J: np.ndarray | None = None,
        *,
        seed: int | None = 0,
        init_scale: float = 1e-6,
    ) -> None:
        self.embedding = embedding
        self.layout: ChainLayout = embedding.layout
        index = {q: i for i, q in enumerate(self.layout.qubits)}
        graph = embedding.target.graph
        pairs = sorted(
            (min(index[a], index[b]), max(index[a], index[b]))
            for a, b in graph.subgraph(self.layout.qubits).edges
        )
        self.irow = np.array([p[0] for p in pairs], dtype=np.int64)
        self.icol = np.array([p[1] for p in pairs], dtype=np.int64)
        chain = self.layout.chain_of_column
        self.intra_chain = chain[self.irow] == chain[self.icol]
        rng = np.random.default_rng(seed)
        n, m = self.layout.num_qubits, len(pairs)
        # The paper's symmetry breaking: tiny random parameters, uniform in ±init_scale.
        self.h = rng.uniform(-init_scale, init_scale, n) if h is None else _vector("h", h, n)
        self.J = rng.uniform(-init_scale, init_scale, m) if J is None else _vector("J", J, m)

    # -- views -----------------------------------------------------------------
    @property
    def qubits(self) -> tuple[Hashable, ...]:
        return self.layout.qubits

    @property
    def num_qubits(self) -> int:
        return self.layout.num_qubits

    @property
    def num_edges(self) -> int:
        return len(self.J)

    @property
    def target(self) -> Target:
        return self.embedding.target

    def with_parameters(self, h: Any, J: Any) -> HardwareModel:
        """The same embedding and target with new fields and couplings (the
        structure is shared, not rebuilt: cheap enough to call every iteration)."""
        new = object.__new__(HardwareModel)
        new.__dict__.update(self.__dict__)
        new.h = _vector("h", h, self.num_qubits)
        new.J = _vector("J", J, self.num_edges)
        return new

    def to_ising(self) -> IsingArrays:
        return IsingArrays(list(self.qubits), self.h, self.irow, self.icol, self.J)

    def to_bqm(self) -> dimod.BinaryQuadraticModel:
        """SPIN BQM over qubit labels (what a QPU is given, with auto_scale off)."""
        return self.to_ising().to_bqm()

    def energies(self, extended_samples: Any) -> np.ndarray:
        """Energies of (S, M) extended ±1 samples, computed in the native core."""
        s = spin_samples(extended_samples, self.num_qubits, "extended_samples")
        return self.to_ising().native().energies(s)

    def encode(self, logical_samples: Any) -> np.ndarray:
        return encode(logical_samples, self.layout)

    def decode(self, extended_samples: Any, **tie_policy: Any) -> Decoded:
        return decode(extended_samples, self.layout, **tie_policy)

    def range_violations(self) -> list[RangeViolation]:
        """Parameters outside the target's h and J ranges (empty when all fit)."""
        out = []
        t = self.target
        for k in np.flatnonzero((self.h < t.h_range[0]) | (self.h > t.h_range[1])):
            out.append(RangeViolation("h", (self.qubits[k],), float(self.h[k]), t.h_range))
        for k in np.flatnonzero((self.J < t.j_range[0]) | (self.J > t.j_range[1])):
            pair = (self.qubits[self.irow[k]], self.qubits[self.icol[k]])
            out.append(RangeViolation("J", pair, float(self.J[k]), t.j_range))
        return out

    # -- clamping (a strong field) and fixing (a hard hold) --------------------------
    def _chain_values(self, values: Mapping[Hashable, int]) -> dict[Hashable, int]:
        logical = {v: i for i, v in enumerate(self.layout.logical)}
        out = {}
        for v, x in values.items():
            if v not in logical:
                raise ValueError(f"'values' names {v!r}, which is not a logical variable")
            x = check_spin(f"values[{v!r}]", x)
            k = logical[v]
            for q in self.layout.qubits[self.layout.starts[k] : self.layout.starts[k + 1]]:
                out[q] = int(x)
        return out

    def clamped(self, values: Mapping[Hashable, int], h_max: float | None = None) -> HardwareModel:
        """A copy whose chains of the given logical variables carry a strong field
        pulling them to their values (the paper's clamp on a QPU); ``h_max``
        defaults to the largest field the target allows."""
        strength = (
            max(abs(x) for x in self.target.h_range)
            if h_max is None
            else check_number("h_max", h_max, 0.0, low_open=True)
        )
        h = self.h.copy()
        index = {q: i for i, q in enumerate(self.qubits)}
        for q, x in self._chain_values(values).items():
            h[index[q]] = -strength * x  # E = h z: a negative field favours z = +1
        return HardwareModel(self.embedding, h, self.J.copy())

    def fixed_qubits(self, values: Mapping[Hashable, int]) -> dict[Hashable, int]:
        """The hard hold for classical samplers: ``{qubit: value}`` for every
        qubit of the given chains, to pass as ``fixed_variables`` (they never
        flip, where :meth:`clamped` only pulls them with a strong field)."""
        return self._chain_values(values)

    # -- files ---------------------------------------------------------------------
    def save(self, path: str | os.PathLike) -> None:
        """One .npz with parameters, embedding and target; loads in a fresh process."""
        _files.savez(
            path,
            h=self.h,
            J=self.J,
            irow=self.irow,
            icol=self.icol,
            embedding=np.array(json.dumps(self.embedding.to_dict())),
            format=np.array("qsample-model-1"),
        )

    @classmethod
    def load(cls, path: str | os.PathLike) -> HardwareModel:
        """A model written by :meth:`save`; ``ValueError`` naming the file for
        anything else (empty, truncated, another kind of file, mismatched arrays)."""
        what = "a qsample model file (.npz written by HardwareModel.save)"
        z = _files.read_npz(path, what)
        missing = sorted({"format", "h", "J", "irow", "icol", "embedding"} - set(z))
        if missing or str(z["format"]) != "qsample-model-1":
            raise ValueError(
                f"{path} is not {what}" + (f": it has no {', '.join(missing)}" if missing else "")
            )
        try:
            d = _files.parse_json(str(z["embedding"]))
        except ValueError as e:
            raise ValueError(f"{path} is not {what}: its embedding is not JSON ({e})") from None
        try:
            model = cls(Embedding.from_dict(d), z["h"], z["J"])
        except (TypeError, ValueError) as e:
            raise ValueError(f"{path}: {e}") from None
        same = np.array_equal(model.irow, z["irow"]) and np.array_equal(model.icol, z["icol"])
        if not same:
            raise ValueError(f"{path}: edges do not match the stored target")
        return model


def _vector(name: str, x: Any, size: int) -> np.ndarray:
    try:
        if np.iscomplexobj(x):  # the imaginary parts would be dropped silently
            raise TypeError
        a = np.array(x, dtype=np.float64)
    except (TypeError, ValueError):
        raise ValueError(
            f"'{name}' must be an array of {size} numbers: value = {np.asarray(x)!r:.80}"
        ) from None
    if a.shape != (size,):
        raise ValueError(f"'{name}' must have shape ({size},), got {a.shape}")
    if not np.all(np.isfinite(a)):
        raise ValueError(f"'{name}' must be finite")
    return a
