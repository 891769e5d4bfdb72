"""Named targets: the one registry, Advantage-scale presets with seeded inactive
qubits and couplers, and the D-Wave 2X preset kept as it was."""

from __future__ import annotations

import pytest

from qsample import experiments
from qsample import hardware as hw


@pytest.fixture(scope="module")
def advantage():
    return hw.make_target("pegasus16", seed=0)


def test_registry_names_every_target_once_and_the_experiments_use_it():
    for name in ("dw2x", "chimera16", "pegasus6", "zephyr4", "pegasus16", "zephyr12", "zephyr15"):
        assert name in hw.PRESETS
        assert hw.PRESETS[name].name == name
        assert hw.PRESETS[name].description
    assert experiments.TARGETS == tuple(hw.PRESETS)
    t = experiments.make_target("zephyr4", 0)
    assert (t.family, t.shape) == (hw.PRESETS["zephyr4"].family, hw.PRESETS["zephyr4"].shape)
    with pytest.raises(TypeError):
        hw.PRESETS["new"] = hw.PRESETS["dw2x"]  # read-only: one list, kept in one place


def test_unknown_target_names_are_refused_with_the_choices():
    with pytest.raises(ValueError, match="'target' must be one of .*pegasus16.*'advantage'"):
        hw.make_target("advantage")
    with pytest.raises(TypeError, match="'target'"):
        hw.make_target(16)


def test_presets_have_the_family_and_shape_they_announce():
    for name, preset in hw.PRESETS.items():
        if name in ("pegasus16", "zephyr15"):
            continue  # built in their own tests; keep this one quick
        t = preset.make(0)
        assert (t.family, t.shape) == (preset.family, preset.shape), name


def test_dw2x_preset_is_the_papers_machine():
    t = hw.make_target("dw2x", seed=3)
    assert t.num_qubits == hw.DW2X_WORKING_QUBITS
    assert set(t.graph.nodes) == set(hw.dwave_2x(seed=3).graph.nodes)
    assert (t.h_range, t.j_range) == (hw.DW2X_H_RANGE, hw.DW2X_J_RANGE)


def test_advantage_preset_has_the_default_share_of_inactive_qubits_and_couplers(advantage):
    full = hw.pegasus(16)
    assert full.num_qubits == 5640
    dead = round(hw.DEFAULT_INACTIVE_QUBITS * full.num_qubits)
    assert dead > 0
    assert advantage.num_qubits == full.num_qubits - dead
    assert set(advantage.graph.nodes) < set(full.graph.nodes)
    between_working = full.graph.subgraph(advantage.graph.nodes).number_of_edges()
    cut = round(hw.DEFAULT_INACTIVE_COUPLERS * between_working)
    assert cut > 0
    assert advantage.num_couplers == between_working - cut
    assert all(full.graph.has_edge(a, b) for a, b in advantage.graph.edges)
    assert advantage.properties == {"inactive_qubits": dead, "inactive_couplers": cut}
    assert (advantage.h_range, advantage.j_range) == ((-4.0, 4.0), (-1.0, 1.0))
    assert (advantage.family, advantage.shape) == ("pegasus", (16,))


def test_inactive_draw_is_seeded(advantage):
    again = hw.make_target("pegasus16", seed=0)
    assert set(again.graph.edges) == set(advantage.graph.edges)
    other = hw.make_target("pegasus16", seed=1)
    assert set(other.graph.nodes) != set(advantage.graph.nodes)
    small = hw.advantage2(2, seed=5)
    assert set(small.graph.edges) == set(hw.advantage2(2, seed=5).graph.edges)


def test_shares_of_inactive_qubits_and_couplers_are_parameters():
    whole = hw.advantage2(3, inactive_qubits=0.0, inactive_couplers=0.0)
    assert whole.num_qubits == hw.zephyr(3).num_qubits
    assert whole.num_couplers == hw.zephyr(3).num_couplers
    more = hw.advantage2(3, inactive_qubits=0.1, inactive_couplers=0.05, seed=2)
    assert more.num_qubits == whole.num_qubits - round(0.1 * whole.num_qubits)
    assert more.properties["inactive_couplers"] > 0
    assert (more.h_range, more.j_range) == (hw.ADVANTAGE2_H_RANGE, hw.ADVANTAGE2_J_RANGE)
    with pytest.raises(ValueError, match="'inactive_qubits'"):
        hw.advantage(inactive_qubits=1.0)
    with pytest.raises(ValueError, match="'inactive_couplers'"):
        hw.advantage2(2, inactive_couplers=-0.1)
    with pytest.raises(TypeError, match="'inactive_qubits'"):
        hw.advantage2(2, inactive_qubits="2%")


def test_zephyr_presets_are_advantage2_like():
    z12 = hw.make_target("zephyr12")
    full = hw.zephyr(12)
    assert full.num_qubits == 4800
    assert z12.num_qubits == full.num_qubits - round(hw.DEFAULT_INACTIVE_QUBITS * 4800)
    assert (z12.family, z12.shape) == ("zephyr", (12, 4))
    z15 = hw.make_target("zephyr15")
    assert (z15.family, z15.shape) == ("zephyr", (15, 4))
    assert z15.num_qubits > z12.num_qubits


def test_inactive_couplers_of_a_family_graph():
    t = hw.chimera(1, inactive_couplers=[(0, 4), (1, 5)])
    assert t.num_couplers == 16 - 2 and not t.graph.has_edge(0, 4)
    with pytest.raises(ValueError, match="inactive_couplers"):
        hw.chimera(1, inactive_couplers=[(0, 1)])  # same shore: never a coupler
    with pytest.raises(ValueError, match="inactive_couplers"):
        hw.chimera(1, inactive=[0], inactive_couplers=[(0, 4)])


def test_inactive_couplers_survive_a_round_trip():
    t = hw.advantage2(2, inactive_qubits=0.05, inactive_couplers=0.05, seed=1)
    back = hw.Target.from_dict(t.to_dict())
    assert {frozenset(e) for e in back.graph.edges} == {frozenset(e) for e in t.graph.edges}
    assert set(back.graph.nodes) == set(t.graph.nodes)
    assert (back.family, back.shape, back.h_range) == (t.family, t.shape, t.h_range)
