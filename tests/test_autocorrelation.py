"""The integrated autocorrelation time and effective sample size on series
whose answers are known."""

from __future__ import annotations

import numpy as np
import pytest

from qsample.autocorrelation import autocorrelation, effective_sample_size, integrated_time


def ar1(phi: float, chains: int, length: int, seed: int) -> np.ndarray:
    """x_t = phi x_(t-1) + noise, started in equilibrium: tau = (1 + phi) / (1 - phi)."""
    rng = np.random.default_rng(seed)
    x = np.empty((chains, length))
    x[:, 0] = rng.normal(0, 1 / np.sqrt(1 - phi**2), chains)
    noise = rng.normal(0, 1, (chains, length))
    for t in range(1, length):
        x[:, t] = phi * x[:, t - 1] + noise[:, t]
    return x


@pytest.mark.parametrize("phi", [0.5, 0.8, 0.95])
def test_ar1_series_give_their_known_time(phi):
    x = ar1(phi, chains=20, length=5000, seed=1)
    tau = (1 + phi) / (1 - phi)
    # Sokal: sd(tau_hat) / tau ~ sqrt(2 (2M + 1) / n) with M ~ 5 tau and n = 10^5
    # values: 0.02-0.06 here; 20 % is more than 3 sd in every case.
    assert integrated_time(x) == pytest.approx(tau, rel=0.2)
    assert effective_sample_size(x) == pytest.approx(x.size / tau, rel=0.2)
    rho = autocorrelation(x)
    assert rho[0] == pytest.approx(1.0) and rho[1] == pytest.approx(phi, abs=0.02)


def test_independent_values_are_worth_one_sample_each():
    x = np.random.default_rng(2).normal(size=(4, 4000))
    assert integrated_time(x) == pytest.approx(1.0, abs=0.1)
    assert effective_sample_size(x[0]) == pytest.approx(4000, rel=0.1)


def test_constant_series_have_no_defined_time():
    assert np.isnan(integrated_time(np.ones(50)))
    # One stuck chain among moving ones counts as fully correlated.
    x = np.random.default_rng(3).normal(size=(2, 1000))
    x[1] = 7.0
    assert integrated_time(x) > 5 * integrated_time(x[:1])


@pytest.mark.parametrize("x", [np.ones((2, 2, 2)), np.ones((3, 1)), [1.0, np.nan, 2.0]])
def test_bad_series_are_refused(x):
    with pytest.raises(ValueError, match="'x'"):
        integrated_time(x)
