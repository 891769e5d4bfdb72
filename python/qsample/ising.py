"""Ising models as the flat arrays the native core reads.

Every model handed to the core goes through here: a dimod
``BinaryQuadraticModel`` (either vartype) or a pair ``(h, J)`` of a field vector
and a square coupling matrix. The result is SPIN-valued, in dimod's sign
convention ``E(s) = sum_i h_i s_i + sum_(i<j) J_ij s_i s_j + offset``.
"""

from __future__ import annotations

from collections.abc import Hashable, Sequence
from dataclasses import dataclass
from typing import Any, Union

import dimod
import numpy as np

from . import _core

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

    @property
    def num_variables(self) -> int:
        return len(self.variables)

    def to_bqm(self) -> dimod.BinaryQuadraticModel:
        """The SPIN BQM over ``variables`` that these arrays describe."""
        return dimod.BinaryQuadraticModel.from_numpy_vectors(
            self.h, (self.irow, self.icol, self.J), self.offset, dimod.SPIN,
            variable_order=self.variables)

    def core_args(self) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
        return self.h, self.irow, self.icol, self.J


def _check_finite(h: np.ndarray, J: np.ndarray, irow: np.ndarray, icol: np.ndarray) -> None:
    if not np.all(np.isfinite(h)):
        i = int(np.flatnonzero(~np.isfinite(h))[0])
        raise ValueError(f"'h' must be finite: h[{i}] = {h[i]}")
    if not np.all(np.isfinite(J)):
        k = int(np.flatnonzero(~np.isfinite(J))[0])
        raise ValueError(f"'J' must be finite: coupling ({irow[k]}, {icol[k]}) = {J[k]}")


def from_bqm(bqm: dimod.BinaryQuadraticModel,
             variable_order: Sequence[Hashable] | None = None) -> IsingArrays:
    """Flat SPIN arrays of ``bqm`` (converted from BINARY if needed)."""
    if not isinstance(bqm, dimod.BinaryQuadraticModel):
        raise TypeError(f"'bqm' must be a dimod.BinaryQuadraticModel, got {type(bqm).__name__}")
    spin = bqm.spin
    order = list(spin.variables) if variable_order is None else list(variable_order)
    h, (irow, icol, J), offset = spin.to_numpy_vectors(variable_order=order)
    _check_finite(h, J, irow, icol)
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
    h = np.asarray(h, dtype=np.float64)
    J = np.asarray(J, dtype=np.float64)
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
    _check_finite(h, values, irow, icol)
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
    arr = np.asarray(samples)
    if arr.ndim == 1:
        arr = arr.reshape(1, -1)
    if arr.ndim != 2 or arr.shape[1] != num_variables:
        raise ValueError(
            f"'{parameter}' must have shape (num_samples, {num_variables}), got {arr.shape}"
        )
    if arr.size and not np.all((arr == 1) | (arr == -1)):
        bad = arr[(arr != 1) & (arr != -1)].flat[0]
        raise ValueError(f"'{parameter}' must hold spins +1 or -1, found {bad!r}")
    return np.ascontiguousarray(arr, dtype=np.int8)


def energies(model: ModelLike | IsingArrays, samples: Any) -> np.ndarray:
    """Energies (with the offset) of ±1 samples, computed in the native core."""
    ising = as_ising(model)
    s = spin_samples(samples, ising.num_variables)
    return _core.energies(*ising.core_args(), s) + ising.offset
