"""Annealer targets: the working graph of a device and its parameter ranges.

A :class:`Target` is what an embedding is made for and what a hardware-embedded
model lives on: working qubits, working couplers, the ranges of h and J the
device accepts, and, for the D-Wave families, the family and shape (used for
clique embeddings and drawings). Graphs come from dwave-graphs (``dwave.graphs``).
"""

from __future__ import annotations

import json
from collections.abc import Hashable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

import networkx as nx
import numpy as np

from ._validate import check_positive_int

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
    def from_dict(cls, d: Mapping[str, Any]) -> Target:
        """The target described by :meth:`to_dict`; ``ValueError`` saying what is wrong
        for anything else. A family shape is checked against the stored nodes
        before any graph is built, so a forged shape cannot cost time or memory."""
        if not isinstance(d, Mapping):
            raise ValueError(f"not a qsample target description: expected an object with "
                             f"nodes and edges, got {type(d).__name__}")
        try:
            family, shape = d.get("family"), tuple(d.get("shape", ()))
            nodes = [_label_from_json(q) for q in d["nodes"]]
            edges = [(_label_from_json(a), _label_from_json(b)) for a, b in d["edges"]]
            h_range = tuple(float(x) for x in d["h_range"])
            j_range = tuple(float(x) for x in d["j_range"])
            name = str(d.get("name", "graph"))
        except KeyError as e:
            raise ValueError(f"not a qsample target description: no {e} entry") from None
        except (TypeError, ValueError) as e:
            raise ValueError(f"not a qsample target description: {e}") from None
        if family is None:
            graph = nx.Graph()
            graph.add_nodes_from(nodes)
            graph.add_edges_from(edges)
        else:
            try:
                check_family_shape(family, shape, len(nodes))
            except (TypeError, ValueError) as e:
                raise ValueError(f"not a qsample target description: {e}") from None
            try:
                graph = _family_graph(family, shape, nodes, edges, check=True)
            except (TypeError, ValueError) as e:
                raise ValueError(f"not a qsample target description: its nodes and edges are "
                                 f"not in the {family} graph of shape {shape}: {e}") from None
        return cls(graph, h_range, j_range, family, shape, name)  # type: ignore[arg-type]

    def to_json(self) -> str:
        return json.dumps(self.to_dict())


def _sort_key(q: Hashable) -> tuple[str, str]:
    return (type(q).__name__, repr(q) if not isinstance(q, int) else f"{q:012d}")


def _label_to_json(q: Hashable) -> Any:
    return list(q) if isinstance(q, tuple) else q


def _label_from_json(q: Any) -> Hashable:
    if isinstance(q, list):
        return tuple(_label_from_json(x) for x in q)
    if not isinstance(q, (int, float, str)) or isinstance(q, bool):
        raise ValueError(f"a qubit or variable label must be a number, a string or a list "
                         f"of them, got {q!r}")
    return q


#: The largest family graph a description may claim (far beyond any device:
#: a C(16,16,4) has 2048 qubits, a P(16) 5640, a Z(12,4) 4800).
MAX_FAMILY_QUBITS = 2**16


def family_qubits(family: str, shape: tuple[int, ...]) -> int:
    """How many qubits the full ``family`` graph of ``shape`` has."""
    if family == "chimera":
        m, n, t = shape
        return 2 * m * n * t
    if family == "pegasus":
        (m,) = shape
        return 8 * (m - 1) * (3 * m - 1)  # the fabric dwave-graphs builds by default
    m, t = shape
    return 4 * t * m * (2 * m + 1)


_SHAPE_NAMES = {"chimera": ("m", "n", "t"), "pegasus": ("m",), "zephyr": ("m", "t")}


def check_family_shape(family: Any, shape: tuple[Any, ...], num_nodes: int) -> None:
    """Refuse a family or shape that is unknown, out of bounds, or has fewer
    qubits than the ``num_nodes`` working qubits said to be on it, without
    building any graph."""
    if family not in FAMILIES:
        raise ValueError(f"'family' must be one of {FAMILIES} or None: value = {family!r}")
    names = _SHAPE_NAMES[family]
    if len(shape) != len(names):
        raise ValueError(f"a {family} shape is ({', '.join(names)}): shape = {shape!r}")
    for name, value in zip(names, shape):
        check_positive_int(f"shape {name}", value, MAX_FAMILY_QUBITS)
    if family == "pegasus" and shape[0] < 2:
        raise ValueError(f"a pegasus shape needs m >= 2: shape = {shape!r}")
    total = family_qubits(family, shape)
    if total > MAX_FAMILY_QUBITS:
        raise ValueError(f"the {family} shape {shape!r} has {total} qubits, more than the "
                         f"{MAX_FAMILY_QUBITS} a target may have")
    if num_nodes > total:
        raise ValueError(f"the {family} shape {shape!r} has {total} qubits, fewer than the "
                         f"{num_nodes} working qubits listed")


def _family_graph(family: str, shape: tuple[int, ...], nodes: list[Hashable] | None = None,
                  edges: list[tuple[Hashable, Hashable]] | None = None,
                  check: bool = False) -> nx.Graph:
    import dwave.graphs as dg

    check_family_shape(family, shape, 0 if nodes is None else len(nodes))
    kw: dict[str, Any] = {}
    if nodes is not None:
        kw["node_list"] = nodes
        kw["check_node_list"] = check
    if edges is not None:
        kw["edge_list"] = edges
        kw["check_edge_list"] = check
    if family == "chimera":
        return dg.chimera_graph(*shape, **kw)
    if family == "pegasus":
        return dg.pegasus_graph(*shape, **kw)
    return dg.zephyr_graph(*shape, **kw)


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
    m, t = check_positive_int("m", m), check_positive_int("t", t)
    n = m if n is None else check_positive_int("n", n)
    g = _without(_family_graph("chimera", (m, n, t)), inactive)
    return Target(g, h_range, j_range, "chimera", (m, n, t), f"C({m},{n},{t})")


def pegasus(m: int, *, inactive: Iterable[Hashable] | None = None,
            h_range: tuple[float, float] = (-4.0, 4.0),
            j_range: tuple[float, float] = (-1.0, 1.0)) -> Target:
    """Pegasus P(m) (ranges default to an Advantage system's), less ``inactive``."""
    m = check_positive_int("m", m)
    if m < 2:
        raise ValueError(f"'m' must be at least 2 for Pegasus: value = {m}")
    g = _without(_family_graph("pegasus", (m,)), inactive)
    return Target(g, h_range, j_range, "pegasus", (m,), f"P({m})")


def zephyr(m: int, t: int = 4, *, inactive: Iterable[Hashable] | None = None,
           h_range: tuple[float, float] = (-4.0, 4.0),
           j_range: tuple[float, float] = (-1.0, 1.0)) -> Target:
    """Zephyr Z(m, t) (ranges default to an Advantage2 system's), less ``inactive``."""
    m, t = check_positive_int("m", m), check_positive_int("t", t)
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
