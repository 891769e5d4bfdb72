"""Annealing functions A(s), B(s) of a D-Wave-like annealer, and the
path-integral couplings they give.

D-Wave's convention: H(s) = -A(s)/2 sum_i sigma^x_i + B(s)/2 H_p, with
H_p = sum h sigma^z + sum J sigma^z sigma^z and A, B in GHz (energy / Planck's
constant), s in [0, 1]. With P Trotter slices at inverse temperature beta
(in 1/GHz), each slice sees its problem energy at beta B(s) / (2P) and its two
neighbours in imaginary time through J_perp = -1/2 ln tanh(beta A(s) / (2P)).

The built-in schedule is an analytic stand-in with the shapes of a published
Advantage schedule, not a device's data: B grows quadratically in s (D-Wave's
standard schedule) and is scaled so that B(0.612) = 3.91 GHz, the
Advantage_system4.1 value at its single-qubit freeze-out point quoted in
dwave-system's documentation (at T = 15.4 mK); A falls from 9 GHz roughly
exponentially and vanishes at s = 1, crossing B near s = 0.33. For a real
device, load its published spreadsheet and pass the columns (s, A, B).
"""

from __future__ import annotations

from typing import Any

import numpy as np

#: Planck's constant over Boltzmann's, in K / GHz: beta [1/GHz] = H_OVER_KB / T [K].
H_OVER_KB = 6.62607015e-34 * 1e9 / 1.380649e-23

#: The temperature the default beta stands for (Advantage_system4.1, as quoted
#: by dwave-system), in kelvin.
DEFAULT_TEMPERATURE = 15.4e-3

#: beta in 1/GHz at ``DEFAULT_TEMPERATURE``.
DEFAULT_BETA = H_OVER_KB / DEFAULT_TEMPERATURE

#: Constants of the built-in schedule (GHz).
A0 = 9.0
A_DECAY = 5.0
B1 = 3.91 / 0.612**2

#: beta A / (2P) is clipped at this: a vanishing transverse field gives the
#: largest slice coupling J_perp = -1/2 ln tanh(1e-12) ~ 13.8, which ties the
#: slices together (a broken bond costs exp(-27.6)).
MIN_FIELD_PER_SLICE = 1e-12


def advantage_like(s: Any) -> tuple[np.ndarray, np.ndarray]:
    """(A(s), B(s)) in GHz of the built-in analytic schedule (see the module notes)."""
    s = np.asarray(s, dtype=np.float64)
    a = A0 * (1.0 - s) * np.exp(-A_DECAY * s)
    b = B1 * s**2
    return a, b


def check_schedule(schedule: Any) -> np.ndarray:
    """A user's schedule as a (k, 3) float array of rows (s, A(s), B(s)): s
    increasing from at most 0 to at least the largest s annealed to, A and B
    finite and non-negative."""
    try:
        table = np.asarray(schedule, dtype=np.float64)
    except (TypeError, ValueError):
        raise TypeError(
            f"'schedule' must be an array of rows (s, A(s), B(s)): value = {schedule!r}"
        ) from None
    if table.ndim != 2 or table.shape[1] != 3 or table.shape[0] < 2:
        raise ValueError(
            f"'schedule' must have at least 2 rows of 3 columns (s, A(s), B(s)), "
            f"got shape {table.shape}"
        )
    if not np.all(np.isfinite(table)):
        r, c = (int(v) for v in np.argwhere(~np.isfinite(table))[0])
        raise ValueError(f"'schedule' must be finite: row {r}, column {c} is {table[r, c]}")
    s = table[:, 0]
    if np.any(np.diff(s) <= 0):
        k = int(np.flatnonzero(np.diff(s) <= 0)[0])
        raise ValueError(
            f"'schedule' s values must increase: row {k} has s = {s[k]}, "
            f"row {k + 1} has s = {s[k + 1]}"
        )
    if s[0] > 0 or s[-1] < 0:
        raise ValueError(
            f"'schedule' must cover the anneal from s = 0: its s runs from {s[0]} to {s[-1]}"
        )
    bad = np.argwhere(table[:, 1:] < 0)
    if bad.size:
        r, c = (int(v) for v in bad[0])
        raise ValueError(
            f"'schedule' A and B must be non-negative: row {r}, {'AB'[c]} = {table[r, c + 1]}"
        )
    return table


def energy_scales(s: np.ndarray, schedule: np.ndarray | None) -> tuple[np.ndarray, np.ndarray]:
    """A(s), B(s) from the built-in schedule (None) or a checked table (by
    linear interpolation)."""
    if schedule is None:
        return advantage_like(s)
    if s.size and s.max() > schedule[-1, 0]:
        raise ValueError(
            f"'schedule' ends at s = {schedule[-1, 0]}, before the anneal's "
            f"s = {s.max()} ('s_stop')"
        )
    return (
        np.interp(s, schedule[:, 0], schedule[:, 1]),
        np.interp(s, schedule[:, 0], schedule[:, 2]),
    )


def slice_parameters(
    s: np.ndarray, schedule: np.ndarray | None, beta: float, num_slices: int
) -> tuple[np.ndarray, np.ndarray]:
    """Per value of s: the slices' problem beta, beta B(s) / (2P), and
    J_perp = -1/2 ln tanh(beta A(s) / (2P))."""
    a, b = energy_scales(np.asarray(s, dtype=np.float64), schedule)
    slice_beta = beta * b / (2.0 * num_slices)
    x = np.maximum(beta * a / (2.0 * num_slices), MIN_FIELD_PER_SLICE)
    j_perp = -0.5 * np.log(np.tanh(x))
    return np.ascontiguousarray(slice_beta), np.ascontiguousarray(j_perp)
