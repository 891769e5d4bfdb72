"""How many independent samples a correlated series is worth.

For a stationary series x_1 .. x_n (e.g. the energies a Markov chain visits,
one per sample) with normalised autocorrelation rho(t), the integrated
autocorrelation time is tau = 1 + 2 sum_{t >= 1} rho(t): the variance of the
series' mean is tau times that of n independent draws, so the series is worth
n / tau independent samples (its effective sample size).

The sum is cut with Sokal's automatic window (the smallest M with
M >= c tau(M), c = 5), which keeps the noise of the tail out of the estimate;
with several chains, their autocorrelation functions are averaged first (as
in emcee). The estimate is only as good as the series is long: a series
shorter than about 50 tau gives a window that is too short and a tau that is
too small.
"""

from __future__ import annotations

from typing import Any

import numpy as np

#: Sokal's window constant.
WINDOW_C = 5.0


def _chains(x: Any) -> np.ndarray:
    a = np.asarray(x, dtype=np.float64)
    if a.ndim == 1:
        a = a[None, :]
    if a.ndim != 2:
        raise ValueError(
            f"'x' must be a series (1-D) or one series per chain (2-D), got shape {a.shape}"
        )
    if a.shape[1] < 2:
        raise ValueError(f"'x' must hold at least 2 values per chain, got shape {a.shape}")
    if not np.all(np.isfinite(a)):
        raise ValueError("'x' must hold finite values")
    return a


def autocorrelation(x: Any) -> np.ndarray:
    """rho(t) for t = 0 .. n - 1 of a series, or the mean over chains of one
    series per row. A constant chain counts as fully correlated (rho = 1);
    if every chain is constant, rho is undefined (NaN)."""
    a = _chains(x)
    n = a.shape[1]
    centred = a - a.mean(axis=1, keepdims=True)
    size = 1 << (2 * n - 1).bit_length()  # zero padding: no circular wrap
    f = np.fft.rfft(centred, n=size, axis=1)
    acov = np.fft.irfft(f * np.conjugate(f), n=size, axis=1)[:, :n]
    variance = acov[:, 0]
    constant = variance <= 1e-12 * np.maximum(1.0, np.abs(a).max(axis=1)) ** 2
    if constant.all():
        return np.full(n, np.nan)
    rho = np.ones_like(acov)
    rho[~constant] = acov[~constant] / variance[~constant, None]
    return rho.mean(axis=0)


def integrated_time(x: Any, c: float = WINDOW_C) -> float:
    """tau = 1 + 2 sum_{t=1}^{M} rho(t) with Sokal's window M (in samples;
    1 for independent samples). NaN when every chain is constant."""
    rho = autocorrelation(x)
    if np.isnan(rho[0]):
        return float("nan")
    taus = 2.0 * np.cumsum(rho) - 1.0  # taus[M] = 1 + 2 sum_{t=1}^{M} rho(t)
    window = np.arange(len(taus)) >= c * taus
    m = int(np.argmax(window)) if window.any() else len(taus) - 1
    return float(max(taus[m], 1.0 / len(rho)))


def effective_sample_size(x: Any, c: float = WINDOW_C) -> float:
    """The number of samples (all chains together) divided by tau."""
    a = _chains(x)
    return float(a.size / integrated_time(a, c))
