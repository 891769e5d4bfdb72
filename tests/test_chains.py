"""Property tests of the data maps f (encode) and g (decode): the project's guard
on majority-vote decoding."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from qsample.chains import ChainLayout, decode, encode


@st.composite
def layouts(draw, max_chains: int = 8, max_len: int = 7):
    lengths = draw(st.lists(st.integers(1, max_len), min_size=1, max_size=max_chains))
    labels = draw(st.permutations(range(sum(lengths))))
    chains, start = {}, 0
    for v, k in enumerate(lengths):
        chains[f"x{v}"] = list(labels[start : start + k])
        start += k
    return ChainLayout.from_embedding(chains)


def spins(draw, rows: int, cols: int) -> np.ndarray:
    flat = draw(st.lists(st.sampled_from([-1, 1]), min_size=rows * cols, max_size=rows * cols))
    return np.array(flat, dtype=np.int8).reshape(rows, cols)


@st.composite
def layout_and_logical(draw):
    layout = draw(layouts())
    return layout, spins(draw, draw(st.integers(1, 6)), layout.num_logical)


@st.composite
def layout_and_extended(draw):
    layout = draw(layouts())
    return layout, spins(draw, draw(st.integers(1, 6)), layout.num_qubits)


@given(layout_and_logical())
def test_decode_inverts_encode(case):
    layout, s = case
    z = encode(s, layout)
    assert z.shape == (len(s), layout.num_qubits)
    d = decode(z, layout)
    np.testing.assert_array_equal(d.values, s)
    assert not d.ties.any()


@given(layout_and_extended(), st.randoms(use_true_random=False))
def test_vote_is_invariant_to_qubit_order_within_chains(case, rnd):
    layout, z = case
    perm = np.arange(layout.num_qubits)
    for k in range(layout.num_logical):
        block = list(perm[layout.starts[k] : layout.starts[k + 1]])
        rnd.shuffle(block)
        perm[layout.starts[k] : layout.starts[k + 1]] = block
    a, b = decode(z, layout), decode(z[:, perm], layout)
    np.testing.assert_array_equal(a.values, b.values)
    np.testing.assert_array_equal(a.ties, b.ties)


@given(layout_and_logical(), st.data())
def test_flipping_fewer_than_half_a_chain_keeps_its_value(case, data):
    layout, s = case
    z = encode(s, layout)
    for k, length in enumerate(layout.chain_lengths):
        count = data.draw(st.integers(0, (int(length) - 1) // 2))
        cols = data.draw(st.permutations(range(layout.starts[k], layout.starts[k + 1])))[:count]
        z[:, cols] *= -1
    d = decode(z, layout)
    np.testing.assert_array_equal(d.values, s)
    assert not d.ties.any()


@given(layout_and_extended())
def test_flipping_every_qubit_negates_the_result(case):
    layout, z = case
    a, b = decode(z, layout), decode(-z, layout)
    np.testing.assert_array_equal(b.values, -a.values)
    np.testing.assert_array_equal(a.ties, b.ties)


@given(layout_and_extended())
def test_ties_are_reported_exactly_when_a_chain_is_split_evenly(case):
    layout, z = case
    d = decode(z, layout)
    sums = np.add.reduceat(z.astype(int), layout.starts[:-1], axis=1)
    np.testing.assert_array_equal(d.ties, sums == 0)
    np.testing.assert_array_equal(d.values[d.ties], 0)
    np.testing.assert_array_equal(decode(z, layout, tie="value", tie_value=-1).values[d.ties], -1)
    r1 = decode(z, layout, tie="random", seed=3).values
    assert set(np.unique(r1[d.ties])) <= {-1, 1}
    np.testing.assert_array_equal(r1, decode(z, layout, tie="random", seed=3).values)
    np.testing.assert_array_equal(r1[~d.ties], d.values[~d.ties])


@given(layout_and_extended())
def test_agrees_with_dwave_majority_vote_on_untied_chains(case):
    chain_breaks = pytest.importorskip("dwave.embedding.chain_breaks")
    layout, z = case
    chains = [
        list(range(layout.starts[k], layout.starts[k + 1])) for k in range(layout.num_logical)
    ]
    theirs, rows = chain_breaks.majority_vote(z, chains)
    np.testing.assert_array_equal(rows, np.arange(len(z)))
    d = decode(z, layout)
    np.testing.assert_array_equal(d.values[~d.ties], theirs[~d.ties])


def test_random_ties_are_fair_coins():
    layout = ChainLayout.from_embedding({0: [0, 1]})
    z = np.tile(np.array([[1, -1]], dtype=np.int8), (4000, 1))
    values = decode(z, layout, tie="random", seed=0).values
    # A fair coin: mean within 5 sigma (sigma = 1 / sqrt(4000)).
    assert abs(values.mean()) < 5 / np.sqrt(4000)


@pytest.mark.parametrize(
    "bad,match",
    [
        (np.zeros((2, 5)), r"\+1 or -1"),
        (np.full((2, 5), 2), r"\+1 or -1"),
        (np.ones((2, 4)), "shape"),
        (np.ones((2, 5, 1)), "shape"),
    ],
)
def test_bad_samples_are_refused(bad, match):
    layout = ChainLayout.from_embedding({0: [0, 1], 1: [2, 3, 4]})
    with pytest.raises(ValueError, match=match):
        decode(bad, layout)
    with pytest.raises(TypeError, match="spins"):
        decode(np.array([["a"] * 5]), layout)
    with pytest.raises(ValueError, match="'tie_value' must be \\+1 or -1"):
        decode(np.ones((1, 5)), layout, tie="value", tie_value=0)
    with pytest.raises(ValueError):
        encode(np.zeros((1, 2)), layout)
    with pytest.raises(ValueError, match="tie"):
        decode(np.ones((1, 5)), layout, tie="coin")


def test_layouts_refuse_shared_or_empty_chains():
    with pytest.raises(ValueError, match="more than one chain"):
        ChainLayout.from_embedding({0: [0, 1], 1: [1, 2]})
    with pytest.raises(ValueError, match="empty"):
        ChainLayout.from_embedding({0: []})
