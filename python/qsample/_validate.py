"""Argument checks shared by the samplers: messages name the parameter, the
value and what is allowed, in the style of dwave-samplers."""

from __future__ import annotations

from numbers import Integral, Real
from typing import Any

import numpy as np


def check_positive_int(name: str, value: Any) -> int:
    if isinstance(value, bool) or not isinstance(value, Integral) or value < 1:
        raise ValueError(f"'{name}' must be a positive integer: value = {value!r}")
    return int(value)


def check_beta(value: Any) -> float:
    if isinstance(value, bool) or not isinstance(value, Real) or not (np.isfinite(value)
                                                                  and value >= 0):
        raise ValueError(f"'beta' must be a finite non-negative number: value = {value!r}")
    return float(value)


def check_seed(seed: Any) -> int:
    """A seed for the core: None draws one; otherwise an integer in [0, 2**64)."""
    if seed is None:
        return int(np.random.default_rng().integers(0, 2**63))
    if isinstance(seed, bool) or not isinstance(seed, Integral) or not 0 <= seed < 2**64:
        raise ValueError(f"'seed' must be None or an integer in [0, 2**64): value = {seed!r}")
    return int(seed)
