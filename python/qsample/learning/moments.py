"""First and second moments of ±1 samples on a fixed set of edges.

Both phases of moment matching reduce samples to the same two vectors: the
mean of every variable and the mean product over every edge (irow[k], icol[k]).
"""

from __future__ import annotations

import numpy as np

from .. import _core


def sample_moments(
    samples: np.ndarray, irow: np.ndarray, icol: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """(<s_i>, <s_irow[k] s_icol[k]>) over the rows of an int8 ±1 sample array."""
    s = np.asarray(samples)
    if s.ndim != 2 or s.shape[0] == 0:
        raise ValueError(f"'samples' must be a non-empty 2-D array, got shape {s.shape}")
    if s.dtype == np.int8:
        # The core's integer sums: the same figures, several times faster (a
        # learning iteration reduces its samples here every time).
        return _core.sample_moments(
            s, np.asarray(irow, dtype=np.int64), np.asarray(icol, dtype=np.int64)
        )
    f = s.astype(np.float32)
    mean = f.mean(axis=0, dtype=np.float64)
    correlation = np.einsum("rk,rk->k", f[:, irow], f[:, icol], dtype=np.float64) / s.shape[0]
    return mean, correlation
