"""Targets, embeddings (Table I figures, selection rule, files, validation, drawing)."""

from __future__ import annotations

import json

import dimod
import networkx as nx
import pytest

from qsample import capacity as cp
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
    child.properties.update(
        {
            "h_range": [-4.0, 4.0],
            "j_range": [-2.0, 1.0],
            "topology": {"type": "chimera", "shape": [2, 2, 4]},
        }
    )
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


def test_tries_run_as_tasks_find_the_same_embedding(dw2x):
    from qsample.execution import SerialExecutor

    one_by_one = em.find_embedding(12, dw2x, tries=4, seed=3)
    as_tasks = em.find_embedding(12, dw2x, tries=4, seed=3, executor=SerialExecutor())
    assert as_tasks.chains == one_by_one.chains


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


# -- capacity: what cannot fit is refused before K_N is built ------------------------------
@pytest.mark.parametrize(
    "target",
    [hw.chimera(3), hw.chimera(2, 3), hw.pegasus(3), hw.zephyr(2), hw.zephyr(2, 2)],
    ids=lambda t: t.name,
)
def test_treewidth_bound_never_refuses_what_the_clique_embedder_places(target):
    import minorminer.busclique as busclique

    largest = len(busclique.busgraph_cache(target.graph).largest_clique())
    assert largest >= 4
    assert cp.treewidth_upper_bound(target) >= largest - 1
    assert cp.clique_bound(target).largest >= largest
    cp.check_clique_fits(largest, target)


def test_vertex_separation_bounds_treewidth_of_simple_graphs():
    for graph, width in [
        (nx.path_graph(6), 1),
        (nx.cycle_graph(7), 2),
        (nx.complete_graph(6), 5),
        (nx.star_graph(5), 1),
    ]:
        assert cp.treewidth_upper_bound(hw.from_networkx(graph)) == width
    grid = hw.from_networkx(nx.grid_2d_graph(5, 5))
    assert cp.treewidth_upper_bound(grid) >= 5  # a 5x5 grid has treewidth 5
    assert cp.clique_bound(hw.from_networkx(nx.complete_graph(7))).largest == 7
    assert cp.clique_bound(hw.from_networkx(nx.cycle_graph(7))).largest == 3


def test_degree_bound_holds_for_real_embeddings():
    t = hw.pegasus(4)
    degree = max(d for _, d in t.graph.degree)
    for n in (10, 30):
        e = em.clique_embedding(n, t)
        assert e.report().physical_qubits >= cp.qubits_needed(n, degree)
        assert e.report().min_chain >= cp.min_chain_length(n, degree)
    # the Petersen graph holds K5 (chains of 2) but has too few qubits for K6's chains of 3
    petersen = hw.from_networkx(nx.petersen_graph())
    bound = cp.clique_bound(petersen)
    assert (bound.largest, bound.limited_by) == (5, "degree")


def test_too_large_complete_graphs_are_refused_without_building_them(monkeypatch):
    def no_building(n):
        raise AssertionError(f"K{n} was built")

    monkeypatch.setattr(em, "complete_graph", no_building)
    monkeypatch.setattr(em.nx, "complete_graph", no_building)
    t = hw.make_target("dw2x")
    with pytest.raises(ValueError) as info:
        em.find_embedding(20000, t)
    message = str(info.value)
    assert "K20000 cannot be embedded in D-Wave 2X-like" in message
    assert f"{cp.qubits_needed(20000, 6):,} qubits" in message
    assert "No named target has room" in message
    with pytest.raises(ValueError, match="K20000 cannot be embedded"):
        em.clique_embedding(20000, t)


def test_refusal_names_the_targets_with_room():
    t = hw.make_target("dw2x")
    n = cp.clique_bound(t).largest + 1
    with pytest.raises(ValueError) as info:
        cp.check_clique_fits(n, t)
    message = str(info.value)
    room = [name for name, cap in cp.preset_capacities().items() if cap >= n]
    assert room and "dw2x" not in room
    assert message.endswith(
        ", ".join(f"{r} (up to K{cp.preset_capacities()[r]})" for r in room) + "."
    )
    assert "treewidth" in message


def test_other_source_graphs_too_large_are_refused():
    t = hw.chimera(1)
    with pytest.raises(ValueError, match="9 nodes"):
        em.find_embedding(nx.path_graph(9), t)
    with pytest.raises(ValueError, match="K6 cannot be embedded"):
        em.find_embedding(nx.complete_graph(6), t)
    with pytest.raises(TypeError, match="'source'"):
        em.find_embedding("K6", t)


# -- time budget, method and time in the report ---------------------------------------------
class FakeClock:
    def __init__(self):
        self.now = 0.0

    def __call__(self):
        return self.now


def test_time_budget_bounds_the_tries_and_their_timeouts(monkeypatch):
    import minorminer

    t = hw.chimera(2)
    chains = em.find_embedding(4, t, tries=1).chains
    clock, timeouts = FakeClock(), []

    def slow_try(*args, timeout, **kwargs):
        timeouts.append(timeout)
        clock.now += 30.0
        return {v: list(c) for v, c in chains.items()}

    monkeypatch.setattr(em.time, "perf_counter", clock)
    monkeypatch.setattr(minorminer, "find_embedding", slow_try)
    e = em.find_embedding(4, t, tries=10, timeout=60.0, time_budget=100.0)
    assert timeouts == [60.0, 60.0, 40.0, 10.0]  # no try starts once the budget is spent
    assert e.report().seconds == 120.0
    timeouts.clear()
    clock.now = 0.0
    em.find_embedding(4, t, tries=3, timeout=60.0)  # no budget: tries x timeout
    assert timeouts == [60.0, 60.0, 60.0]


def test_a_spent_budget_without_an_embedding_is_an_error(monkeypatch):
    import minorminer

    clock = FakeClock()

    def failing_try(*args, **kwargs):
        clock.now += 5.0
        return {}

    monkeypatch.setattr(em.time, "perf_counter", clock)
    monkeypatch.setattr(minorminer, "find_embedding", failing_try)
    with pytest.raises(ValueError, match=r"in 2 tries \(10 s; timeout 60 s each, budget 8 s\)"):
        em.find_embedding(4, hw.chimera(2), tries=5, time_budget=8.0)
    with pytest.raises(ValueError, match="'time_budget'"):
        em.find_embedding(4, hw.chimera(2), time_budget=0)
    with pytest.raises(ValueError, match="'time_budget'"):
        em.clique_embedding(4, hw.chimera(2), time_budget=-1.0)


def test_report_says_how_the_embedding_was_found_and_how_long_it_took(tmp_path):
    t = hw.chimera(3)
    by_minorminer = em.find_embedding(6, t, tries=2).report()
    by_clique = em.clique_embedding(6, t).report()
    assert by_minorminer.method == "minorminer" and by_clique.method == "clique"
    assert by_minorminer.seconds > 0 and by_clique.seconds > 0
    given = em.Embedding({0: (0,), 1: (4,)}, hw.chimera(1), em.complete_graph(2))
    assert (given.report().method, given.report().seconds) == ("given", None)
    e = em.clique_embedding(6, t)
    e.save(tmp_path / "e.json")
    back = em.Embedding.load(tmp_path / "e.json").report()
    assert (back.method, back.seconds) == ("clique", e.seconds)


def test_clique_embedder_tries_are_seeded_and_chosen_by_the_rule():
    t = hw.advantage2(3, inactive_qubits=0.05, inactive_couplers=0.01, seed=4)
    one = em.clique_embedding(20, t, seed=7)
    assert em.clique_embedding(20, t, seed=7).chains == one.chains
    best = em.clique_embedding(20, t, seed=7, tries=4)
    assert best.report().max_chain <= one.report().max_chain
    with pytest.raises(ValueError, match="'tries'"):
        em.clique_embedding(20, t, tries=0)


def test_embed_dispatches_by_method():
    t = hw.chimera(3)
    assert em.embed(6, t, method="clique").report().method == "clique"
    assert em.embed(nx.complete_graph(6), t, method="clique").report().method == "clique"
    assert em.embed(6, t, tries=1).report().method == "minorminer"
    with pytest.raises(ValueError, match="'method'"):
        em.embed(6, t, method="greedy")
    with pytest.raises(ValueError, match="complete graphs only"):
        em.embed(nx.path_graph(4), t, method="clique")


def test_advantage2_scale_clique_embedding():
    t = hw.make_target("zephyr12")
    e = em.clique_embedding(74, t)  # the ten-class OptDigits model's size
    r = e.report()
    assert r.logical_variables == 74 and r.method == "clique"
    assert r.physical_qubits >= cp.qubits_needed(74, max(d for _, d in t.graph.degree))
    too_many = cp.clique_bound(t).largest + 1
    with pytest.raises(ValueError, match=f"K{too_many} cannot be embedded"):
        em.clique_embedding(too_many, t)
