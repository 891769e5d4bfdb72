"""Ising models as the flat arrays the native core reads.

Every model handed to the core goes through here: a dimod
``BinaryQuadraticModel`` (either vartype) or a pair ``(h, J)`` of a field vector
and a square coupling matrix. The result is SPIN-valued, in dimod's sign
convention ``E(s) = sum_i h_i s_i + sum_(i<j) J_ij s_i s_j + offset``.

The core keeps a model's structure (spins and coupled pairs) in a native
object built once: :func:`native_model` reuses it for every model with the
same ``irow``/``icol`` arrays and only sets the new parameters — what a
learning loop does on every iteration.
"""

from __future__ import annotations

import threading
from collections.abc import Hashable, Sequence
from dataclasses import dataclass
from typing import Any, Union

import dimod
import numpy as np

from . import _core
from ._validate import check_number, check_spins

ModelLike = Union[dimod.BinaryQuadraticModel, tuple[Any, Any]]


@dataclass(frozen=True)
class IsingArrays:
    """A SPIN model as contiguous arrays in a fixed variable order."""

    variables: list[Hashable]
    h: np.ndarray  # float64, (n,)
    irow: np.ndarray  # int64, (m,)
    icol: np.ndarray  # int64, (m,)
    J: np.ndarray  # float64, (m,)
    offset: float = 0.0

    def __post_init__(self) -> None:
        """Check the arrays describe one model (and make them the documented
        dtypes): a malformed model is refused here, before any sampler, cache
        or core reads it, rather than answered for some other model."""
        n = len(self.variables)
        try:
            distinct = len(set(self.variables)) == n
        except TypeError:
            raise TypeError("'variables' must be hashable labels") from None
        if not distinct:
            raise ValueError("'variables' must be distinct labels")
        h = _numbers("h", self.h, n)
        J = _numbers("J", self.J)
        irow, icol = (
            _indices(name, a, len(J), n) for name, a in (("irow", self.irow), ("icol", self.icol))
        )
        loops = np.flatnonzero(irow == icol)
        if loops.size:
            raise ValueError(
                f"'irow'/'icol' pair {loops[0]} couples spin {irow[loops[0]]} "
                "with itself (self-couplings are not allowed)"
            )
        _check_finite(h, J, irow, icol)
        offset = check_number("offset", self.offset)
        for name, value in (("h", h), ("J", J), ("irow", irow), ("icol", icol), ("offset", offset)):
            object.__setattr__(self, name, value)

    @property
    def num_variables(self) -> int:
        return len(self.variables)

    def to_bqm(self) -> dimod.BinaryQuadraticModel:
        """The SPIN BQM over ``variables`` that these arrays describe."""
        return dimod.BinaryQuadraticModel.from_numpy_vectors(
            self.h,
            (self.irow, self.icol, self.J),
            self.offset,
            dimod.SPIN,
            variable_order=self.variables,
        )

    def native(self) -> _core.IsingModel:
        """The core's model of these arrays (structure reused, see :func:`native_model`)."""
        return native_model(self)


class _StructureCache(threading.local):
    """Per thread (a native model's parameters are set, then sampled: two
    threads must not share one), the last few structures with a copy of
    their index arrays: a model whose arrays hold the same pairs (the same
    arrays in a learning loop, or the arrays of the same BQM converted again
    on every ``sample`` call) meets its structure again; arrays changed in
    place do not."""

    SIZE = 4

    def __init__(self) -> None:
        self.entries: list[tuple[np.ndarray, np.ndarray, _core.IsingModel]] = []


_structures = _StructureCache()


def native_model(ising: IsingArrays) -> _core.IsingModel:
    """The core's model of ``ising``: the structure is built once per set of
    coupled pairs and reused, only the parameters are set on each call."""
    irow, icol = _index_array(ising.irow), _index_array(ising.icol)
    n = ising.num_variables
    entries = _structures.entries
    for k, (rows, cols, model) in enumerate(entries):
        if (
            model.num_spins == n
            and rows.shape == irow.shape
            and np.array_equal(rows, irow)
            and np.array_equal(cols, icol)
        ):
            entries.append(entries.pop(k))  # most recently used last
            break
    else:
        model = _core.IsingModel(n, irow, icol)
        entries.append((irow.copy(), icol.copy(), model))
        del entries[: -_StructureCache.SIZE]
    model.set_parameters(
        np.ascontiguousarray(ising.h, dtype=np.float64),
        np.ascontiguousarray(ising.J, dtype=np.float64),
    )
    return model


def _real_array(name: str, values: Any) -> np.ndarray:
    """``values`` as a float64 array; refuses ragged lists and non-numbers."""
    try:
        a = np.asarray(values)
    except ValueError:
        raise ValueError(f"'{name}' must be an array of numbers (it is ragged)") from None
    if a.dtype.kind not in "biuf":
        raise TypeError(f"'{name}' must hold real numbers, got dtype {a.dtype}")
    return a.astype(np.float64, copy=False)


def _numbers(name: str, values: Any, size: int | None = None) -> np.ndarray:
    """A 1-D float64 array of ``size`` real numbers (any length when None)."""
    a = _real_array(name, values)
    if a.ndim != 1 or (size is not None and a.shape[0] != size):
        want = "a 1-D array" if size is None else f"an array of shape ({size},)"
        raise ValueError(f"'{name}' must be {want}, got shape {a.shape}")
    return a


def _indices(name: str, values: Any, size: int, num_variables: int) -> np.ndarray:
    """``size`` spin indices in [0, num_variables) as int64 (the same array when it
    is one already, so that the structure cache recognises it)."""
    a = np.asarray(values)
    if a.dtype.kind not in "iu" and a.size:
        raise TypeError(f"'{name}' must hold integer spin indices, got dtype {a.dtype}")
    if a.shape != (size,):
        raise ValueError(
            f"'{name}' must have shape ({size},), one index per coupling in 'J', got {a.shape}"
        )
    outside = np.flatnonzero((a < 0) | (a >= num_variables))
    if len(outside):
        k = outside[0]
        raise ValueError(
            f"'{name}' must hold spin indices in [0, {num_variables}): {name}[{k}] = {a[k]}"
        )
    return a.astype(np.int64, copy=False)


def _index_array(a: np.ndarray) -> np.ndarray:
    return np.ascontiguousarray(a, dtype=np.int64)


def check_sample_memory(
    num_reads: int,
    num_variables: int,
    parameter: str = "num_reads",
    per_read_bytes: int = 0,
    copies: int = 2,
) -> None:
    """Refuse up front, with the bytes needed, a request whose samples would
    not fit in memory: ``copies`` int8 arrays of (num_reads, num_variables)
    (the core's and e.g. a SampleSet's) plus ``per_read_bytes`` per read."""
    need = num_reads * (copies * num_variables + per_read_bytes)
    available = _core.available_memory()
    if available is not None and need > available:
        raise MemoryError(
            f"'{parameter}' = {num_reads} needs {_human_bytes(need)} for the samples of "
            f"{num_variables} variables, more than the {_human_bytes(available)} of memory "
            "available"
        )


def _human_bytes(n: float) -> str:
    for unit in ("bytes", "kB", "MB", "GB", "TB", "PB"):
        if n < 1000 or unit == "PB":
            return f"{n:.0f} {unit}" if unit == "bytes" else f"{n:.1f} {unit}"
        n /= 1000
    return f"{n:.1f} EB"


def _check_finite(h: np.ndarray, J: np.ndarray, irow: np.ndarray, icol: np.ndarray) -> None:
    if not np.all(np.isfinite(h)):
        i = int(np.flatnonzero(~np.isfinite(h))[0])
        raise ValueError(f"'h' must be finite: h[{i}] = {h[i]}")
    if not np.all(np.isfinite(J)):
        k = int(np.flatnonzero(~np.isfinite(J))[0])
        raise ValueError(f"'J' must be finite: coupling ({irow[k]}, {icol[k]}) = {J[k]}")


def check_bqm(bqm: Any) -> dimod.BinaryQuadraticModel:
    """The model a dimod sampler is given, checked before any work."""
    if not isinstance(bqm, dimod.BinaryQuadraticModel):
        raise TypeError(f"'bqm' must be a dimod.BinaryQuadraticModel, got {type(bqm).__name__}")
    return bqm


def sorted_variables(bqm: dimod.BinaryQuadraticModel) -> list[Hashable]:
    """The variables in sorted order when they sort (as dimod's SampleSet
    orders them), else in the model's order."""
    variables: list[Any] = list(bqm.variables)
    try:
        return sorted(variables)
    except TypeError:
        return variables


def from_bqm(
    bqm: dimod.BinaryQuadraticModel, variable_order: Sequence[Hashable] | None = None
) -> IsingArrays:
    """Flat SPIN arrays of ``bqm`` (converted from BINARY if needed)."""
    check_bqm(bqm)
    spin = bqm.spin
    order = list(spin.variables) if variable_order is None else list(variable_order)
    vectors = spin.to_numpy_vectors(variable_order=order)
    h, (irow, icol, J), offset = vectors.linear_biases, vectors.quadratic, vectors.offset
    return IsingArrays(
        variables=order,
        h=np.ascontiguousarray(h, dtype=np.float64),
        irow=np.ascontiguousarray(irow, dtype=np.int64),
        icol=np.ascontiguousarray(icol, dtype=np.int64),
        J=np.ascontiguousarray(J, dtype=np.float64),
        offset=float(offset),
    )


def from_matrix(h: Any, J: Any) -> IsingArrays:
    """Flat arrays of fields ``h`` (n,) and couplings ``J`` (n, n).

    Only the strict upper triangle of ``J`` is read (``J[i, j]``, i < j), so a
    symmetric matrix and an upper-triangular one describe the same model; the
    diagonal must be zero because ``s_i s_i = 1`` is not a coupling.
    """
    h = _real_array("h", h)
    J = _real_array("J", J)
    if h.ndim != 1:
        raise ValueError(f"'h' must be a 1-D array of fields, got shape {h.shape}")
    n = h.shape[0]
    if J.shape != (n, n):
        raise ValueError(
            f"'J' must be a square ({n}, {n}) matrix to match 'h', got shape {J.shape}"
        )
    if np.any(np.diag(J) != 0):
        raise ValueError("'J' must have a zero diagonal (self-couplings are not allowed)")
    irow, icol = np.triu_indices(n, k=1)
    values = J[irow, icol]
    keep = values != 0
    return IsingArrays(
        variables=list(range(n)),
        h=np.ascontiguousarray(h),
        irow=np.ascontiguousarray(irow[keep], dtype=np.int64),
        icol=np.ascontiguousarray(icol[keep], dtype=np.int64),
        J=np.ascontiguousarray(values[keep]),
    )


def as_ising(model: ModelLike | IsingArrays) -> IsingArrays:
    """Accept a BQM, an ``(h, J)`` pair, or arrays already prepared."""
    if isinstance(model, IsingArrays):
        return model
    if isinstance(model, dimod.BinaryQuadraticModel):
        return from_bqm(model)
    if isinstance(model, tuple) and len(model) == 2:
        return from_matrix(*model)
    raise TypeError(
        "'model' must be a dimod.BinaryQuadraticModel or a tuple (h, J) of a field vector "
        f"and a square coupling matrix, got {type(model).__name__}"
    )


def spin_samples(samples: Any, num_variables: int, parameter: str = "samples") -> np.ndarray:
    """Samples as a C-contiguous int8 (rows, n) array of ±1, or a clear error."""
    return check_spins(parameter, samples, num_variables, allow_empty=True)


def energies(model: ModelLike | IsingArrays, samples: Any) -> np.ndarray:
    """Energies (with the offset) of ±1 samples, computed in the native core."""
    ising = as_ising(model)
    s = spin_samples(samples, ising.num_variables)
    return native_model(ising).energies(s) + ising.offset
