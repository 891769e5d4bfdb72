"""Annealer targets: the working graph of a device and its parameter ranges.

A :class:`Target` is what an embedding is made for and what a hardware-embedded
model lives on: working qubits, working couplers, the ranges of h and J the
device accepts, and, for the D-Wave families, the family and shape (used for
clique embeddings and drawings). Graphs come from dwave-graphs (``dwave.graphs``).

Real devices never have every qubit and coupler of their graph working;
:func:`advantage` and :func:`advantage2` draw a seeded set of inactive ones, as
:func:`dwave_2x` does for the paper's machine. :data:`PRESETS` is the one list of
named targets the command line and the experiments offer.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Hashable, Iterable, Mapping
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any

import networkx as nx
import numpy as np

from ._validate import check_number, check_positive_int

FAMILIES = ("chimera", "pegasus", "zephyr")
Couplers = Iterable[tuple[Hashable, Hashable]]

#: The D-Wave 2X of the paper: Chimera C(12, 12, 4) with 1097 of 1152 qubits working.
DW2X_SHAPE = (12, 12, 4)
DW2X_WORKING_QUBITS = 1097
DW2X_H_RANGE = (-2.0, 2.0)
DW2X_J_RANGE = (-1.0, 1.0)

#: D-Wave's published ranges for Advantage systems (Pegasus P16).
ADVANTAGE_H_RANGE = (-4.0, 4.0)
ADVANTAGE_J_RANGE = (-1.0, 1.0)
#: Advantage2 (Zephyr) ranges: taken equal to Advantage's; the published per-system figures
#: we could check list qubit and coupler counts but not h and J ranges.
ADVANTAGE2_H_RANGE = ADVANTAGE_H_RANGE
ADVANTAGE2_J_RANGE = ADVANTAGE_J_RANGE

#: Default share of a device's qubits drawn inactive. Published Advantage systems have had
#: between about 0.2 % and 1.5 % of P16's 5,640 qubits inactive and the D-Wave 2X of the paper
#: 4.8 %; 2 % is a slightly pessimistic middle.
DEFAULT_INACTIVE_QUBITS = 0.02
#: Default share of the remaining couplers drawn inactive. On published Advantage systems
#: nearly every missing coupler touches a missing qubit (under 0.1 % fail alone); couplers
#: matter more than qubits to clique embeddings, whose long chains need every internal one.
DEFAULT_INACTIVE_COUPLERS = 0.001


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
            "edges": [
                [_label_to_json(a), _label_to_json(b)]
                for a, b in sorted(
                    self.graph.edges, key=lambda e: (_sort_key(e[0]), _sort_key(e[1]))
                )
            ],
        }

    @classmethod
    def from_dict(cls, d: Mapping[str, Any]) -> Target:
        """The target described by :meth:`to_dict`; ``ValueError`` saying what is wrong
        for anything else. A family shape is checked against the stored nodes
        before any graph is built, so a forged shape cannot cost time or memory."""
        if not isinstance(d, Mapping):
            raise ValueError(
                f"not a qsample target description: expected an object with "
                f"nodes and edges, got {type(d).__name__}"
            )
        try:
            family, shape = d.get("family"), tuple(d.get("shape", ()))
            nodes = [_label_from_json(q) for q in d["nodes"]]
            edges = [(_label_from_json(a), _label_from_json(b)) for a, b in d["edges"]]
            h_range = tuple(float(x) for x in d["h_range"])
            j_range = tuple(float(x) for x in d["j_range"])
            name = str(d.get("name", "graph"))
        except KeyError as e:
            raise ValueError(f"not a qsample target description: no {e} entry") from None
        except (TypeError, ValueError, OverflowError) as e:
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
                raise ValueError(
                    f"not a qsample target description: its nodes and edges are "
                    f"not in the {family} graph of shape {shape}: {e}"
                ) from None
        return cls(graph, h_range, j_range, family, shape, name)  # type: ignore[arg-type]

    def to_json(self) -> str:
        return json.dumps(self.to_dict())


def _sort_key(q: Hashable) -> tuple[str, str]:
    return (type(q).__name__, repr(q) if not isinstance(q, int) else f"{q:012d}")


def _label_to_json(q: Hashable) -> Any:
    return list(q) if isinstance(q, tuple) else q


#: Labels are numbers, strings or (nested) tuples of them; D-Wave's are at most
#: two levels deep. The bound keeps a forged file from exhausting the stack.
MAX_LABEL_DEPTH = 8


def _label_from_json(q: Any, depth: int = 0) -> Hashable:
    if isinstance(q, list):
        if depth >= MAX_LABEL_DEPTH:
            raise ValueError(
                f"a qubit or variable label may nest lists at most {MAX_LABEL_DEPTH} deep"
            )
        return tuple(_label_from_json(x, depth + 1) for x in q)
    if not isinstance(q, (int, float, str)) or isinstance(q, bool):
        raise ValueError(
            f"a qubit or variable label must be a number, a string or a list of them, got {q!r}"
        )
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
        raise ValueError(
            f"the {family} shape {shape!r} has {total} qubits, more than the "
            f"{MAX_FAMILY_QUBITS} a target may have"
        )
    if num_nodes > total:
        raise ValueError(
            f"the {family} shape {shape!r} has {total} qubits, fewer than the "
            f"{num_nodes} working qubits listed"
        )


def _family_graph(
    family: str,
    shape: tuple[int, ...],
    nodes: list[Hashable] | None = None,
    edges: list[tuple[Hashable, Hashable]] | None = None,
    check: bool = False,
) -> nx.Graph:
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


def _without(
    graph: nx.Graph, inactive: Iterable[Hashable] | None, inactive_couplers: Couplers | None = None
) -> nx.Graph:
    if inactive is not None:
        inactive = list(inactive)
        missing = [q for q in inactive if q not in graph]
        if missing:
            raise ValueError(f"'inactive' names qubits that are not in the graph: {missing[:10]}")
        graph.remove_nodes_from(inactive)
    if inactive_couplers is not None:
        couplers = [tuple(c) for c in inactive_couplers]
        missing_c = [c for c in couplers if len(c) != 2 or not graph.has_edge(*c)]
        if missing_c:
            raise ValueError(
                "'inactive_couplers' names couplers that are not in the graph (or "
                f"touch an inactive qubit): {missing_c[:10]}"
            )
        graph.remove_edges_from(couplers)
    return graph


def draw_inactive(
    graph: nx.Graph, qubits: float, couplers: float, seed: int | None = 0
) -> tuple[list[Hashable], list[tuple[Hashable, Hashable]]]:
    """A seeded, uniform draw of inactive qubits and couplers of ``graph``.

    ``qubits`` is the share of the graph's qubits drawn inactive; ``couplers`` the
    share of the couplers left between working qubits drawn inactive after that.
    The same graph and seed give the same draw.
    """
    qubits = check_number("inactive_qubits", qubits, 0.0, 1.0, high_open=True)
    couplers = check_number("inactive_couplers", couplers, 0.0, 1.0, high_open=True)
    rng = np.random.default_rng(seed)
    nodes = sorted(graph.nodes, key=_sort_key)
    dead = [
        nodes[i] for i in sorted(rng.choice(len(nodes), round(qubits * len(nodes)), replace=False))
    ]
    dead_set = set(dead)
    edges = sorted(
        (
            tuple(sorted(e, key=_sort_key))
            for e in graph.edges
            if e[0] not in dead_set and e[1] not in dead_set
        ),
        key=lambda e: (_sort_key(e[0]), _sort_key(e[1])),
    )
    cut = [
        edges[i]
        for i in sorted(rng.choice(len(edges), round(couplers * len(edges)), replace=False))
    ]
    return dead, cut


def chimera(
    m: int,
    n: int | None = None,
    t: int = 4,
    *,
    inactive: Iterable[Hashable] | None = None,
    inactive_couplers: Couplers | None = None,
    h_range: tuple[float, float] = DW2X_H_RANGE,
    j_range: tuple[float, float] = DW2X_J_RANGE,
) -> Target:
    """Chimera C(m, n, t), less the ``inactive`` qubits and ``inactive_couplers``."""
    m, t = check_positive_int("m", m), check_positive_int("t", t)
    n = m if n is None else check_positive_int("n", n)
    g = _without(_family_graph("chimera", (m, n, t)), inactive, inactive_couplers)
    return Target(g, h_range, j_range, "chimera", (m, n, t), f"C({m},{n},{t})")


def pegasus(
    m: int,
    *,
    inactive: Iterable[Hashable] | None = None,
    inactive_couplers: Couplers | None = None,
    h_range: tuple[float, float] = ADVANTAGE_H_RANGE,
    j_range: tuple[float, float] = ADVANTAGE_J_RANGE,
) -> Target:
    """Pegasus P(m) (ranges default to an Advantage system's), less ``inactive`` qubits
    and ``inactive_couplers``."""
    m = check_positive_int("m", m)
    if m < 2:
        raise ValueError(f"'m' must be at least 2 for Pegasus: value = {m}")
    g = _without(_family_graph("pegasus", (m,)), inactive, inactive_couplers)
    return Target(g, h_range, j_range, "pegasus", (m,), f"P({m})")


def zephyr(
    m: int,
    t: int = 4,
    *,
    inactive: Iterable[Hashable] | None = None,
    inactive_couplers: Couplers | None = None,
    h_range: tuple[float, float] = ADVANTAGE2_H_RANGE,
    j_range: tuple[float, float] = ADVANTAGE2_J_RANGE,
) -> Target:
    """Zephyr Z(m, t) (ranges default to an Advantage2 system's), less ``inactive``
    qubits and ``inactive_couplers``."""
    m, t = check_positive_int("m", m), check_positive_int("t", t)
    g = _without(_family_graph("zephyr", (m, t)), inactive, inactive_couplers)
    return Target(g, h_range, j_range, "zephyr", (m, t), f"Z({m},{t})")


def _with_draw(
    build: Callable[..., Target],
    shape: tuple[int, ...],
    qubits: float,
    couplers: float,
    seed: int | None,
) -> tuple[Target, int, int]:
    full = build(*shape)
    dead, cut = draw_inactive(full.graph, qubits, couplers, seed)
    return build(*shape, inactive=dead, inactive_couplers=cut), len(dead), len(cut)


def advantage(
    *,
    inactive_qubits: float = DEFAULT_INACTIVE_QUBITS,
    inactive_couplers: float = DEFAULT_INACTIVE_COUPLERS,
    seed: int | None = 0,
) -> Target:
    """A D-Wave-Advantage-like target: Pegasus P(16) (5,640 qubits) with a seeded
    share of inactive qubits and couplers, h in [-4, 4] and J in [-1, 1]."""
    t, q, c = _with_draw(pegasus, (16,), inactive_qubits, inactive_couplers, seed)
    return Target(
        t.graph,
        ADVANTAGE_H_RANGE,
        ADVANTAGE_J_RANGE,
        "pegasus",
        (16,),
        "Advantage-like P(16)",
        {"inactive_qubits": q, "inactive_couplers": c},
    )


def advantage2(
    m: int = 12,
    *,
    inactive_qubits: float = DEFAULT_INACTIVE_QUBITS,
    inactive_couplers: float = DEFAULT_INACTIVE_COUPLERS,
    seed: int | None = 0,
) -> Target:
    """A D-Wave-Advantage2-like target: Zephyr Z(m, 4) (Z(12, 4) has 4,800 qubits)
    with a seeded share of inactive qubits and couplers."""
    m = check_positive_int("m", m)
    t, q, c = _with_draw(zephyr, (m, 4), inactive_qubits, inactive_couplers, seed)
    return Target(
        t.graph,
        ADVANTAGE2_H_RANGE,
        ADVANTAGE2_J_RANGE,
        "zephyr",
        (m, 4),
        f"Advantage2-like Z({m},4)",
        {"inactive_qubits": q, "inactive_couplers": c},
    )


def from_networkx(
    graph: nx.Graph,
    *,
    h_range: tuple[float, float] = DW2X_H_RANGE,
    j_range: tuple[float, float] = DW2X_J_RANGE,
    name: str = "graph",
) -> Target:
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
        inactive = sorted(
            int(q) for q in rng.choice(total, total - DW2X_WORKING_QUBITS, replace=False)
        )
    t = chimera(*DW2X_SHAPE, inactive=inactive)
    return Target(t.graph, DW2X_H_RANGE, DW2X_J_RANGE, "chimera", DW2X_SHAPE, "D-Wave 2X-like")


def from_dwave_sampler(sampler: Any) -> Target:
    """The working graph and ranges of a live ``DWaveSampler`` (or any structured
    sampler exposing the same properties)."""
    try:
        nodes, edges = sampler.nodelist, sampler.edgelist
        props = sampler.properties
    except AttributeError:
        raise TypeError(
            "'sampler' must be structured (nodelist, edgelist) with properties, "
            "like dwave.system.DWaveSampler"
        ) from None
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
    h_low, h_high = (float(x) for x in props.get("h_range", DW2X_H_RANGE))
    j_low, j_high = (float(x) for x in props.get("j_range", DW2X_J_RANGE))
    name = str(props.get("chip_id", type(sampler).__name__))
    return Target(
        graph,
        (h_low, h_high),
        (j_low, j_high),
        family,
        shape,
        name,
        {k: props[k] for k in ("chip_id", "topology") if k in props},
    )


@dataclass(frozen=True)
class TargetPreset:
    """A named target: how to build it from a seed and what it is."""

    name: str
    description: str
    build: Callable[[int], Target]
    family: str
    shape: tuple[int, ...]

    def make(self, seed: int = 0) -> Target:
        """The target; ``seed`` draws the inactive qubits and couplers of the presets
        that have them (the others ignore it)."""
        return self.build(seed)


def _presets(*presets: TargetPreset) -> Mapping[str, TargetPreset]:
    return MappingProxyType({p.name: p for p in presets})


_DEFECTS = (
    f"{DEFAULT_INACTIVE_QUBITS:.0%} of qubits and {DEFAULT_INACTIVE_COUPLERS:.1%} of "
    "couplers inactive (seeded)"
)


#: Every named target, in the order the command line lists them.
PRESETS: Mapping[str, TargetPreset] = _presets(
    TargetPreset(
        "dw2x",
        "the paper's D-Wave 2X: Chimera C(12,12,4), 1,097 of 1,152 qubits working (seeded)",
        lambda seed: dwave_2x(seed=seed),
        "chimera",
        DW2X_SHAPE,
    ),
    TargetPreset(
        "chimera16",
        "Chimera C(16,16,4) as a D-Wave 2000Q, all 2,048 qubits working",
        lambda seed: chimera(16),
        "chimera",
        (16, 16, 4),
    ),
    TargetPreset(
        "pegasus6",
        "Pegasus P(6), all 680 qubits working (small and quick)",
        lambda seed: pegasus(6),
        "pegasus",
        (6,),
    ),
    TargetPreset(
        "zephyr4",
        "Zephyr Z(4,4), all 576 qubits working (small and quick)",
        lambda seed: zephyr(4),
        "zephyr",
        (4, 4),
    ),
    TargetPreset(
        "pegasus16",
        f"Advantage-like Pegasus P(16): 5,640 qubits, {_DEFECTS}",
        lambda seed: advantage(seed=seed),
        "pegasus",
        (16,),
    ),
    TargetPreset(
        "zephyr12",
        f"Advantage2-like Zephyr Z(12,4): 4,800 qubits, {_DEFECTS}",
        lambda seed: advantage2(12, seed=seed),
        "zephyr",
        (12, 4),
    ),
    TargetPreset(
        "zephyr15",
        f"Zephyr Z(15,4) (a larger Advantage2): 7,440 qubits, {_DEFECTS}",
        lambda seed: advantage2(15, seed=seed),
        "zephyr",
        (15, 4),
    ),
)


def make_target(name: str, seed: int = 0) -> Target:
    """The preset called ``name`` (one of :data:`PRESETS`)."""
    if not isinstance(name, str):
        raise TypeError(f"'target' must be a preset name (str): value = {name!r}")
    if name not in PRESETS:
        raise ValueError(f"'target' must be one of {tuple(PRESETS)}: value = {name!r}")
    return PRESETS[name].make(seed)
