"""Annealer targets: the working graph of a device and its parameter ranges.

A :class:`Target` is what an embedding is made for and what a hardware-embedded
model lives on: working qubits, working couplers, the ranges of h and J the
device accepts, and, for the D-Wave families, the family and shape (used for
clique embeddings and drawings). Graphs come from dwave-graphs (``dwave.graphs``).
"""

from __future__ import annotations

import json
from collections.abc import Hashable, Iterable
from dataclasses import dataclass, field
from numbers import Integral
from typing import Any

import networkx as nx
import numpy as np

FAMILIES = ("chimera", "pegasus", "zephyr")

#: The D-Wave 2X of the paper: Chimera C(12, 12, 4) with 1097 of 1152 qubits working.
DW2X_SHAPE = (12, 12, 4)
DW2X_WORKING_QUBITS = 1097
DW2X_H_RANGE = (-2.0, 2.0)
DW2X_J_RANGE = (-1.0, 1.0)


@dataclass(frozen=True)
class Target:
    """A device's working graph and parameter ranges."""

    graph: nx.Graph
    h_range: tuple[float, float] = DW2X_H_RANGE
    j_range: tuple[float, float] = DW2X_J_RANGE
    family: str | None = None
    shape: tuple[int, ...] = ()
    name: str = "graph"
    properties: dict[str, Any] = field(default_factory=dict)

    def __post_init__(self) -> None:
        for name in ("h_range", "j_range"):
            r = getattr(self, name)
            if len(r) != 2 or not float(r[0]) < float(r[1]):
                raise ValueError(f"'{name}' must be a pair (low, high) with low < high: {r!r}")
        if self.family is not None and self.family not in FAMILIES:
            raise ValueError(f"'family' must be one of {FAMILIES} or None: {self.family!r}")

    @property
    def num_qubits(self) -> int:
        return self.graph.number_of_nodes()

    @property
    def num_couplers(self) -> int:
        return self.graph.number_of_edges()

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready description; edges are listed so the exact graph is kept."""
        return {
            "name": self.name,
            "family": self.family,
            "shape": list(self.shape),
            "h_range": list(self.h_range),
            "j_range": list(self.j_range),
            "nodes": [_label_to_json(q) for q in sorted(self.graph.nodes, key=_sort_key)],
            "edges": [[_label_to_json(a), _label_to_json(b)]
                      for a, b in sorted(self.graph.edges, key=lambda e: (_sort_key(e[0]),
                                                                          _sort_key(e[1])))],
        }

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> Target:
        try:
            family, shape = d.get("family"), tuple(d.get("shape", ()))
            nodes = [_label_from_json(q) for q in d["nodes"]]
            edges = [(_label_from_json(a), _label_from_json(b)) for a, b in d["edges"]]
            h_range = tuple(float(x) for x in d["h_range"])
            j_range = tuple(float(x) for x in d["j_range"])
        except (KeyError, TypeError, ValueError) as e:
            raise ValueError(f"not a qsample target description: {e}") from None
        graph = _family_graph(family, shape, nodes, edges) if family else nx.Graph()
        if not family:
            graph.add_nodes_from(nodes)
            graph.add_edges_from(edges)
        return cls(graph, h_range, j_range, family, shape, d.get("name", "graph"))  # type: ignore[arg-type]

    def to_json(self) -> str:
        return json.dumps(self.to_dict())


def _sort_key(q: Hashable) -> tuple[str, str]:
    return (type(q).__name__, repr(q) if not isinstance(q, int) else f"{q:012d}")


def _label_to_json(q: Hashable) -> Any:
    return list(q) if isinstance(q, tuple) else q


def _label_from_json(q: Any) -> Hashable:
    return tuple(q) if isinstance(q, list) else q


def _family_graph(family: str, shape: tuple[int, ...], nodes: list[Hashable] | None = None,
                  edges: list[tuple[Hashable, Hashable]] | None = None) -> nx.Graph:
    import dwave.graphs as dg

    kw: dict[str, Any] = {}
    if nodes is not None:
        kw["node_list"] = nodes
    if edges is not None:
        kw["edge_list"] = edges
    if family == "chimera":
        return dg.chimera_graph(*shape, **kw)
    if family == "pegasus":
        return dg.pegasus_graph(*shape, **kw)
    return dg.zephyr_graph(*shape, **kw)


def _positive(name: str, value: Any) -> int:
    if isinstance(value, bool) or not isinstance(value, Integral) or value < 1:
        raise ValueError(f"'{name}' must be a positive integer: value = {value!r}")
    return int(value)


def _without(graph: nx.Graph, inactive: Iterable[Hashable] | None) -> nx.Graph:
    if inactive is None:
        return graph
    inactive = list(inactive)
    missing = [q for q in inactive if q not in graph]
    if missing:
        raise ValueError(f"'inactive' names qubits that are not in the graph: {missing[:10]}")
    graph.remove_nodes_from(inactive)
    return graph


def chimera(m: int, n: int | None = None, t: int = 4, *, inactive: Iterable[Hashable] | None = None,
            h_range: tuple[float, float] = DW2X_H_RANGE,
            j_range: tuple[float, float] = DW2X_J_RANGE) -> Target:
    """Chimera C(m, n, t), less the ``inactive`` qubits."""
    m, t = _positive("m", m), _positive("t", t)
    n = m if n is None else _positive("n", n)
    g = _without(_family_graph("chimera", (m, n, t)), inactive)
    return Target(g, h_range, j_range, "chimera", (m, n, t), f"C({m},{n},{t})")


def pegasus(m: int, *, inactive: Iterable[Hashable] | None = None,
            h_range: tuple[float, float] = (-4.0, 4.0),
            j_range: tuple[float, float] = (-1.0, 1.0)) -> Target:
    """Pegasus P(m) (ranges default to an Advantage system's), less ``inactive``."""
    m = _positive("m", m)
    if m < 2:
        raise ValueError(f"'m' must be at least 2 for Pegasus: value = {m}")
    g = _without(_family_graph("pegasus", (m,)), inactive)
    return Target(g, h_range, j_range, "pegasus", (m,), f"P({m})")


def zephyr(m: int, t: int = 4, *, inactive: Iterable[Hashable] | None = None,
           h_range: tuple[float, float] = (-4.0, 4.0),
           j_range: tuple[float, float] = (-1.0, 1.0)) -> Target:
    """Zephyr Z(m, t) (ranges default to an Advantage2 system's), less ``inactive``."""
    m, t = _positive("m", m), _positive("t", t)
    g = _without(_family_graph("zephyr", (m, t)), inactive)
    return Target(g, h_range, j_range, "zephyr", (m, t), f"Z({m},{t})")


def from_networkx(graph: nx.Graph, *, h_range: tuple[float, float] = DW2X_H_RANGE,
                  j_range: tuple[float, float] = DW2X_J_RANGE, name: str = "graph") -> Target:
    """Any graph as a target (family and shape taken from dwave-graphs attributes if present)."""
    if not isinstance(graph, nx.Graph):
        raise TypeError(f"'graph' must be a networkx.Graph, got {type(graph).__name__}")
    if nx.number_of_selfloops(graph):
        raise ValueError("'graph' must not have self-loops")
    family = graph.graph.get("family")
    shape: tuple[int, ...] = ()
    if family == "chimera":
        shape = (graph.graph["rows"], graph.graph["columns"], graph.graph["tile"])
    elif family in ("pegasus", "zephyr"):
        shape = (graph.graph["rows"],) + ((graph.graph["tile"],) if family == "zephyr" else ())
    else:
        family = None
    return Target(nx.Graph(graph), h_range, j_range, family, shape, name)


def dwave_2x(inactive: Iterable[int] | None = None, seed: int | None = 0) -> Target:
    """A D-Wave-2X-like target: C(12, 12, 4) with 1097 working qubits.

    The 55 inactive qubits are ``inactive`` if given, otherwise drawn uniformly
    from ``seed`` (the real device's list is not public; a seed makes it
    reproducible).
    """
    total = int(np.prod(DW2X_SHAPE[:2])) * 2 * DW2X_SHAPE[2]
    if inactive is None:
        rng = np.random.default_rng(seed)
        inactive = sorted(int(q) for q in rng.choice(total, total - DW2X_WORKING_QUBITS,
                                                     replace=False))
    t = chimera(*DW2X_SHAPE, inactive=inactive)
    return Target(t.graph, DW2X_H_RANGE, DW2X_J_RANGE, "chimera", DW2X_SHAPE, "D-Wave 2X-like")


def from_dwave_sampler(sampler: Any) -> Target:
    """The working graph and ranges of a live ``DWaveSampler`` (or any structured
    sampler exposing the same properties)."""
    try:
        nodes, edges = sampler.nodelist, sampler.edgelist
        props = sampler.properties
    except AttributeError:
        raise TypeError("'sampler' must be structured (nodelist, edgelist) with properties, "
                        "like dwave.system.DWaveSampler") from None
    topology = props.get("topology", {})
    family = topology.get("type")
    shape = tuple(topology.get("shape", ()))
    if family in FAMILIES and shape:
        graph = _family_graph(family, shape, list(nodes), list(edges))
    else:
        family, shape = None, ()
        graph = nx.Graph()
        graph.add_nodes_from(nodes)
        graph.add_edges_from(edges)
    h_range = tuple(float(x) for x in props.get("h_range", DW2X_H_RANGE))
    j_range = tuple(float(x) for x in props.get("j_range", DW2X_J_RANGE))
    name = str(props.get("chip_id", type(sampler).__name__))
    return Target(graph, h_range, j_range, family, shape, name,  # type: ignore[arg-type]
                  {k: props[k] for k in ("chip_id", "topology") if k in props})
