"""Targets, embeddings (Table I figures, selection rule, files, validation, drawing)."""

from __future__ import annotations

import json

import dimod
import networkx as nx
import pytest

from qsample import embedding as em
from qsample import hardware as hw


@pytest.fixture(scope="module")
def dw2x():
    return hw.dwave_2x(seed=0)


def test_dwave_2x_target(dw2x):
    assert dw2x.num_qubits == 1097
    assert (dw2x.h_range, dw2x.j_range) == ((-2.0, 2.0), (-1.0, 1.0))
    again = hw.dwave_2x(seed=0)
    assert set(again.graph.nodes) == set(dw2x.graph.nodes)
    assert set(hw.dwave_2x(seed=1).graph.nodes) != set(dw2x.graph.nodes)
    given = hw.dwave_2x(inactive=range(55))
    assert min(given.graph.nodes) == 55


def test_families_and_networkx_targets():
    assert hw.chimera(2).num_qubits == 32
    assert hw.pegasus(2).family == "pegasus"
    assert hw.zephyr(1).family == "zephyr"
    t = hw.from_networkx(nx.cycle_graph(5))
    assert t.family is None and t.num_couplers == 5
    with pytest.raises(ValueError, match="'m'"):
        hw.chimera(0)
    with pytest.raises(ValueError, match="inactive"):
        hw.chimera(1, inactive=[99])
    with pytest.raises(ValueError, match="h_range"):
        hw.Target(nx.path_graph(2), h_range=(1.0, -1.0))


def test_target_from_a_structured_sampler():
    graph = hw.chimera(2).graph
    child = dimod.StructureComposite(dimod.RandomSampler(), list(graph.nodes), list(graph.edges))
    child.properties.update({"h_range": [-4.0, 4.0], "j_range": [-2.0, 1.0],
                             "topology": {"type": "chimera", "shape": [2, 2, 4]}})
    t = hw.from_dwave_sampler(child)
    assert (t.h_range, t.j_range) == ((-4.0, 4.0), (-2.0, 1.0))
    assert t.family == "chimera" and t.num_couplers == graph.number_of_edges()


def test_table_one_parameter_counts_from_their_definition():
    # Paper, Table I, first row: 15 logical variables -> 120 logical parameters;
    # physical parameters = qubits + couplers among them.
    k15 = em.complete_graph(15)
    assert k15.number_of_nodes() + k15.number_of_edges() == 120
    assert 46 + 46 * 45 // 2 == em.complete_graph(46).number_of_nodes() + 1035 == 1081
    t = hw.dwave_2x(seed=0)
    e = em.find_embedding(15, t, tries=2, seed=1)
    r = e.report()
    used = t.graph.subgraph(e.used_qubits)
    assert r.logical_parameters == 120
    assert r.physical_parameters == used.number_of_nodes() + used.number_of_edges()
    assert r.physical_qubits == sum(len(c) for c in e.chains.values())
    assert r.min_chain <= r.max_chain
    assert r.chip_usage == pytest.approx(r.physical_qubits / 1097)


def test_selection_rule_is_honoured(dw2x):
    by_chain = em.find_embedding(12, dw2x, tries=4, seed=3, rule="max_chain")
    by_qubits = em.find_embedding(12, dw2x, tries=4, seed=3, rule="num_qubits")
    assert by_chain.report().max_chain <= by_qubits.report().max_chain
    assert by_qubits.report().physical_qubits <= by_chain.report().physical_qubits
    with pytest.raises(ValueError, match="rule"):
        em.find_embedding(4, dw2x, rule="shortest")
    with pytest.raises(ValueError, match="tries"):
        em.find_embedding(4, dw2x, tries=0)


def test_clique_embedder_gives_short_chains():
    t = hw.chimera(4)
    e = em.clique_embedding(12, t)
    assert e.report().max_chain <= 5
    with pytest.raises(ValueError, match="family"):
        em.clique_embedding(3, hw.from_networkx(nx.complete_graph(6)))


def test_save_and_load_round_trip(tmp_path, dw2x):
    e = em.find_embedding(8, dw2x, tries=1, seed=0)
    path = tmp_path / "emb.json"
    e.save(path)
    text = path.read_text()
    assert json.loads(text)["format"] == "qsample-embedding-1"
    back = em.Embedding.load(path)
    assert back.chains == e.chains
    assert back.report() == e.report()
    edges = {frozenset(x) for x in back.target.graph.edges}
    assert edges == {frozenset(x) for x in dw2x.graph.edges}


def test_embeddings_that_do_not_fit_are_refused():
    t = hw.chimera(1)  # one cell: qubits 0-3 couple to 4-7
    k2 = em.complete_graph(2)
    with pytest.raises(ValueError, match="lacks"):
        em.Embedding({0: (0,), 1: (99,)}, t, k2)
    with pytest.raises(ValueError, match="not connected"):
        em.Embedding({0: (0, 1), 1: (4,)}, t, k2)
    with pytest.raises(ValueError, match="no coupler"):
        em.Embedding({0: (0,), 1: (1,)}, t, k2)
    with pytest.raises(ValueError, match="both"):
        em.Embedding({0: (0, 4), 1: (4,)}, t, k2)
    with pytest.raises(ValueError, match="no chain"):
        em.Embedding({0: (0,)}, t, k2)
    em.Embedding({0: (0,), 1: (4,)}, t, k2)  # fits


def test_drawing_writes_a_png(tmp_path):
    pytest.importorskip("matplotlib")
    e = em.clique_embedding(6, hw.chimera(3))
    path = tmp_path / "emb.png"
    e.draw(path)
    assert path.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
