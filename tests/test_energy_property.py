"""hypothesis: energies computed by the core equal dimod's on random small models."""

from __future__ import annotations

import dimod
import numpy as np
from hypothesis import given
from hypothesis import strategies as st

import qsample

finite = st.floats(-1e3, 1e3, allow_nan=False, allow_infinity=False)


@st.composite
def models_and_samples(draw):
    n = draw(st.integers(1, 12))
    h = {i: draw(finite) for i in range(n)}
    pairs = draw(st.lists(st.tuples(st.integers(0, n - 1), st.integers(0, n - 1)), max_size=30))
    J = {}
    for a, b in pairs:
        if a != b:
            J[(a, b)] = draw(finite)  # (a, b) and (b, a) both present are summed by dimod
    vartype = draw(st.sampled_from([dimod.SPIN, dimod.BINARY]))
    bqm = dimod.BinaryQuadraticModel.from_ising(h, J, offset=draw(finite))
    if vartype is dimod.BINARY:
        bqm = bqm.binary
    rows = draw(st.integers(1, 8))
    values = (-1, 1) if vartype is dimod.SPIN else (0, 1)
    samples = np.array(
        draw(
            st.lists(
                st.lists(st.sampled_from(values), min_size=n, max_size=n),
                min_size=rows,
                max_size=rows,
            )
        ),
        dtype=np.int8,
    )
    return bqm, samples


@given(models_and_samples())
def test_core_energies_equal_dimod(case):
    bqm, samples = case
    order = list(bqm.variables)
    want = bqm.energies((samples, order))
    spins = samples if bqm.vartype is dimod.SPIN else 2 * samples - 1
    got = qsample.energies(bqm, spins)
    np.testing.assert_allclose(got, want, rtol=1e-9, atol=1e-6)
