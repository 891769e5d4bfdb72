"""The hardware-embedded model: structure, energies, ranges, clamping (a strong
field) and fixing (a hard hold), files."""

from __future__ import annotations

import subprocess
import sys

import numpy as np
import pytest

from qsample import SimulatedAnnealingSampler
from qsample import embedding as em
from qsample import hardware as hw
from qsample.model import HardwareModel


@pytest.fixture(scope="module")
def model():
    e = em.find_embedding(6, hw.chimera(2), tries=3, seed=0)
    return HardwareModel(e, seed=1)


def test_structure_tags_every_edge_among_used_qubits(model):
    g = model.target.graph.subgraph(model.qubits)
    assert model.num_edges == g.number_of_edges()
    chain = {q: v for v, c in model.embedding.chains.items() for q in c}
    for k in range(model.num_edges):
        a, b = model.qubits[model.irow[k]], model.qubits[model.icol[k]]
        assert g.has_edge(a, b)
        assert model.intra_chain[k] == (chain[a] == chain[b])
    assert model.intra_chain.any() and not model.intra_chain.all()


def test_initialisation_is_small_and_seeded(model):
    assert np.all(np.abs(model.h) <= 1e-6) and np.all(np.abs(model.J) <= 1e-6)
    same = HardwareModel(model.embedding, seed=1)
    np.testing.assert_array_equal(same.J, model.J)
    assert not np.array_equal(HardwareModel(model.embedding, seed=2).J, model.J)


def test_energies_match_the_bqm(model):
    m = HardwareModel(
        model.embedding,
        np.linspace(-1, 1, model.num_qubits),
        np.linspace(-0.5, 0.5, model.num_edges),
    )
    z = np.random.default_rng(0).choice([-1, 1], size=(20, m.num_qubits))
    np.testing.assert_allclose(m.energies(z), m.to_bqm().energies((z, list(m.qubits))))


def test_range_check_names_the_parameter(model):
    h = np.zeros(model.num_qubits)
    h[2] = 2.5
    J = np.zeros(model.num_edges)
    J[0] = -1.5
    v = HardwareModel(model.embedding, h, J).range_violations()
    assert {(x.kind, x.value) for x in v} == {("h", 2.5), ("J", -1.5)}
    assert (
        HardwareModel(
            model.embedding, np.zeros(model.num_qubits), np.zeros(model.num_edges)
        ).range_violations()
        == []
    )


def test_clamped_pulls_chains_with_strong_fields_and_fixed_qubits_hold_them(model):
    strong = model.clamped({0: 1, 3: -1})
    chain0, chain3 = model.embedding.chains[0], model.embedding.chains[3]
    idx = {q: i for i, q in enumerate(model.qubits)}
    assert all(strong.h[idx[q]] == -2.0 for q in chain0)
    assert all(strong.h[idx[q]] == 2.0 for q in chain3)
    fixed = model.fixed_qubits({0: 1})
    assert fixed == {q: 1 for q in chain0}
    ss = SimulatedAnnealingSampler().sample(
        model.to_bqm(), num_reads=20, fixed_variables=fixed, num_sweeps=20, seed=0
    )
    assert all(all(s[q] == 1 for q in chain0) for s in ss.samples())
    with pytest.raises(ValueError, match="logical"):
        model.clamped({"nope": 1})
    with pytest.raises(ValueError, match=r"\+1 or -1"):
        model.fixed_qubits({0: 0})


def test_save_and_load_in_a_fresh_process(tmp_path, model):
    m = HardwareModel(
        model.embedding,
        np.linspace(-1, 1, model.num_qubits),
        np.linspace(-0.5, 0.5, model.num_edges),
    )
    path = tmp_path / "model.npz"
    m.save(path)
    z = np.random.default_rng(1).choice([-1, 1], size=(5, m.num_qubits)).astype(np.int8)
    np.save(tmp_path / "z.npy", z)
    code = (
        "import numpy as np, sys; from qsample.model import HardwareModel; "
        f"m = HardwareModel.load(r'{path}'); "
        f"print(repr(m.energies(np.load(r'{tmp_path / 'z.npy'}')).tolist()))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert eval(out.stdout) == m.energies(z).tolist()


def test_bad_parameters_are_refused(model):
    with pytest.raises(ValueError, match="'h'"):
        HardwareModel(model.embedding, np.zeros(3))
    with pytest.raises(ValueError, match="finite"):
        HardwareModel(model.embedding, np.full(model.num_qubits, np.nan))
