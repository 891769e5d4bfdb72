"""The one place for argument checks. Every message names the parameter, the
value and what is allowed, in the style of dwave-samplers; a value of the wrong
type raises ``TypeError``, a value of the right type out of range ``ValueError``.

Fix a rule here and it is fixed for every entry point.
"""

from __future__ import annotations

from numbers import Integral, Real
from typing import Any, cast

import numpy as np

#: Largest model enumerated exactly (2^30 states); the core enforces the same bound.
MAX_EXACT_SPINS = 30
#: Largest read count a call accepts (the core counts reads in 64 bits); far
#: below it, the memory check refuses what would not fit.
MAX_READS = 2**63 - 1


def check_int(name: str, value: Any, low: int | None = None, high: int | None = None) -> int:
    """An integer in [low, high] (either bound may be open)."""
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, Integral):
        raise TypeError(f"'{name}' must be an integer: value = {value!r}")
    v = int(value)
    if (low is not None and v < low) or (high is not None and v > high):
        raise ValueError(
            f"'{name}' must be an integer {_interval_text(low, high)}: value = {value!r}"
        )
    return v


def _interval_text(low: int | None, high: int | None) -> str:
    if high is None:
        return {0: ">= 0", 1: ">= 1"}.get(low, f">= {low}") if low is not None else ""
    if low is None:
        return f"<= {high}"
    return f"in [{low}, {high}]"


def check_positive_int(name: str, value: Any, high: int | None = None) -> int:
    """An integer >= 1 (and <= ``high`` when given)."""
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, Integral):
        raise TypeError(f"'{name}' must be a positive integer: value = {value!r}")
    v = int(value)
    if v < 1:
        raise ValueError(f"'{name}' must be a positive integer: value = {value!r}")
    if high is not None and v > high:
        raise ValueError(f"'{name}' must be a positive integer <= {high}: value = {value!r}")
    return v


def check_num_reads(value: Any) -> int:
    """A read count: a positive integer below 2**63."""
    return check_positive_int("num_reads", value, MAX_READS)


def check_number(
    name: str,
    value: Any,
    low: float | None = None,
    high: float | None = None,
    *,
    low_open: bool = False,
    high_open: bool = False,
) -> float:
    """A finite real number in the interval given by ``low``/``high`` (closed
    unless ``low_open``/``high_open``)."""
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, Real):
        raise TypeError(f"'{name}' must be a number: value = {value!r}")
    try:
        v = float(value)
    except OverflowError:  # an integer beyond any float: out of every interval
        v = float("inf") if cast(int, value) > 0 else float("-inf")
    bad = not np.isfinite(v)
    if low is not None:
        bad |= v <= low if low_open else v < low
    if high is not None:
        bad |= v >= high if high_open else v > high
    if bad:
        lo = "(" if low_open else "["
        hi = ")" if high_open else "]"
        where = f"in {lo}{'-inf' if low is None else low}, {'inf' if high is None else high}{hi}"
        raise ValueError(f"'{name}' must be a finite number {where}: value = {value!r}")
    return v


def check_beta(value: Any, name: str = "beta") -> float:
    """A finite non-negative inverse temperature."""
    return check_number(name, value, 0.0)


def check_seed(seed: Any, name: str = "seed", high: int = 2**64 - 1) -> int:
    """A seed for the core: an integer in [0, high] (2**64 - 1 unless the
    consumer takes narrower seeds). None draws one from numpy's global
    generator, as dwave-samplers does, so ``np.random.seed`` makes unseeded
    calls reproducible."""
    if seed is None:
        # The global generator is the point: np.random.seed must reach it.
        return int(np.random.randint(0, min(2**31, high + 1)))  # noqa: NPY002
    return check_int(name, seed, 0, high)


def check_exact_size(
    num_variables: int, what: str = "exact enumeration", name: str | None = None
) -> None:
    """Refuse models too large to enumerate, with one message everywhere;
    ``name`` is the parameter that set the size, when there is one."""
    if num_variables > MAX_EXACT_SPINS:
        if name is not None:
            raise ValueError(
                f"'{name}' must be at most {MAX_EXACT_SPINS} for {what} "
                f"(2^{MAX_EXACT_SPINS} states): value = {num_variables}"
            )
        raise ValueError(
            f"{what} handles at most {MAX_EXACT_SPINS} variables (2^{MAX_EXACT_SPINS} states); "
            f"the model has {num_variables}"
        )


def check_spin(name: str, value: Any) -> int:
    """One spin, +1 or -1."""
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, Real):
        raise TypeError(f"'{name}' must be +1 or -1: value = {value!r}")
    if value not in (1, -1):
        raise ValueError(f"'{name}' must be +1 or -1: value = {value!r}")
    return 1 if value == 1 else -1


def check_spins(
    name: str, values: Any, num_columns: int | None = None, *, allow_empty: bool = False
) -> np.ndarray:
    """A 2-D array of spins +1/-1 as C-contiguous int8 (a 1-D array is one row).

    The error for a bad entry names its row and column and the value found.
    """
    try:
        a = np.asarray(values)
    except ValueError:  # ragged rows
        raise ValueError(f"'{name}' must be a 2-D array (rows of spins of equal length)") from None
    if a.ndim == 1:
        a = a.reshape(1, -1)
    if a.ndim != 2:
        raise ValueError(f"'{name}' must be a 2-D array (rows of spins), got shape {a.shape}")
    if num_columns is not None and a.shape[1] != num_columns:
        raise ValueError(
            f"'{name}' must have {num_columns} columns (one per variable), got shape {a.shape}"
        )
    if a.shape[0] == 0 and not allow_empty:
        raise ValueError(f"'{name}' must hold at least one row, got shape {a.shape}")
    if a.dtype.kind not in "iubf":
        raise TypeError(f"'{name}' must hold spins +1 or -1, got dtype {a.dtype}")
    if a.size:
        bad = (a != 1) & (a != -1)
        if bad.any():
            r, c = (int(x) for x in np.argwhere(bad)[0])
            raise ValueError(
                f"'{name}' must hold spins +1 or -1: row {r}, column {c} is {a[r, c]!r}"
            )
    return np.ascontiguousarray(a, dtype=np.int8)
