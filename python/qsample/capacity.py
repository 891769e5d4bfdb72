"""How large a complete graph a target can hold, known before anything is built.

An embedding of K_N is a set of N disjoint connected chains of qubits, every two
joined by a coupler. Three facts bound N from above without searching:

- *treewidth*: a minor never has a larger treewidth than its host, and K_N's is
  N - 1. For the D-Wave families the published upper bounds on the treewidth of
  the full graph hold for any subset of its qubits and couplers (Chimera
  C(m, n, t): t * max(m, n); Pegasus P(m): 12m - 4; Zephyr Z(m, t): 4tm + 2t);
  for any other graph, the vertex separation of a breadth-first ordering is an
  upper bound (computed in linear time);
- *degree*: a chain of L qubits in a graph of largest degree d has at most
  L(d - 2) + 2 couplers leaving it, and each of K_N's chains needs N - 1 of them,
  so every chain has at least ceil((N - 3) / (d - 2)) qubits and K_N needs N times that;
- *couplers*: the N(N - 1)/2 pairs of chains need distinct couplers, besides
  those holding each chain together.

These only ever refuse what cannot fit; a size they allow may still be beyond
what minorminer or the clique embedder finds.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Hashable
from dataclasses import dataclass

import networkx as nx
import numpy as np

from ._validate import check_positive_int
from .hardware import PRESETS, Target, make_target


@dataclass(frozen=True)
class CliqueBound:
    """The largest N for which K_N is not ruled out in a target, and why not larger."""

    largest: int
    limited_by: str  # "treewidth", "degree", "couplers" or "qubits"
    treewidth_bound: int
    max_degree: int


def treewidth_upper_bound(target: Target) -> int:
    """An upper bound on the treewidth of the target's working graph."""
    family, shape = target.family, target.shape
    bounds = [_vertex_separation(target.graph, _bfs_order(target.graph))]
    if family == "chimera" and len(shape) == 3:
        m, n, t = shape
        bounds.append(t * max(m, n))
    elif family == "pegasus" and len(shape) == 1:
        bounds.append(12 * shape[0] - 4)
    elif family == "zephyr" and len(shape) == 2:
        m, t = shape
        bounds.append(4 * t * m + 2 * t)
    return min(bounds)


def _bfs_order(graph: nx.Graph) -> list[Hashable]:
    """Nodes component by component, each in breadth-first order from a far node
    (a node found last by a breadth-first search), which keeps the frontier thin."""
    order: list[Hashable] = []
    seen: set[Hashable] = set()
    for start in graph.nodes:
        if start in seen:
            continue
        far = _bfs(graph, start)[-1]
        component = _bfs(graph, far)
        seen.update(component)
        order.extend(component)
    return order


def _bfs(graph: nx.Graph, start: Hashable) -> list[Hashable]:
    order, seen, queue = [start], {start}, deque([start])
    while queue:
        for v in graph.adj[queue.popleft()]:
            if v not in seen:
                seen.add(v)
                order.append(v)
                queue.append(v)
    return order


def _vertex_separation(graph: nx.Graph, order: list[Hashable]) -> int:
    """max over i of the number of the first i nodes with a neighbour after them:
    an upper bound on pathwidth, hence on treewidth."""
    if not order:
        return 0
    position = {v: i for i, v in enumerate(order)}
    last = np.array([max((position[u] for u in graph.adj[v]), default=position[v]) for v in order])
    first = np.arange(len(order))
    # node i is on the frontier for the prefixes i+1 .. last[i] (as long as last[i] > i)
    change = np.zeros(len(order) + 1, dtype=np.int64)
    active = last > first
    np.add.at(change, first[active], 1)
    np.add.at(change, last[active], -1)
    return int(np.cumsum(change).max())


def min_chain_length(n: int, max_degree: int) -> int:
    """The fewest qubits every chain of K_n needs in a graph of largest degree ``max_degree``."""
    if n <= max_degree + 1:
        return 1
    if max_degree <= 2:
        return 0  # K_n does not fit at all; callers test n <= max_degree + 1 first
    return -(-(n - 3) // (max_degree - 2))


def qubits_needed(n: int, max_degree: int) -> int:
    """A lower bound on the qubits of any embedding of K_n into a graph of largest
    degree ``max_degree``."""
    return n * max(1, min_chain_length(n, max_degree))


def clique_bound(target: Target) -> CliqueBound:
    """The largest K_N the target's size does not rule out (see the module notes)."""
    g = target.graph
    qubits, couplers = g.number_of_nodes(), g.number_of_edges()
    degree = max((d for _, d in g.degree), default=0)
    tw = treewidth_upper_bound(target)
    limits = {"qubits": qubits, "treewidth": tw + 1}
    if degree <= 2:
        limits["degree"] = degree + 1
    else:
        limits["degree"] = _largest(lambda n: qubits_needed(n, degree) <= qubits, qubits)
        limits["couplers"] = _largest(
            lambda n: n * (n - 1) // 2 + n * (min_chain_length(n, degree) - 1) <= couplers, qubits
        )
    reason = min(limits, key=lambda k: (limits[k], k != "treewidth"))
    return CliqueBound(max(0, limits[reason]), reason, tw, degree)


def _largest(fits, high: int) -> int:
    """The largest n in [0, high] with ``fits(n)``, for a condition that once false
    stays false."""
    lo, hi = 0, high
    while lo < hi:
        mid = (lo + hi + 1) // 2
        if fits(mid):
            lo = mid
        else:
            hi = mid - 1
    return lo


def check_clique_fits(n: int, target: Target) -> None:
    """Refuse, before K_n is built, a K_n that cannot be embedded in ``target``.

    The ``ValueError`` says which bound rules it out, how many qubits K_n needs at
    least, and which named targets (:data:`qsample.hardware.PRESETS`) have room for it.
    """
    n = check_positive_int("n", n)
    bound = clique_bound(target)
    if n <= bound.largest:
        return
    d = bound.max_degree
    why = {
        "qubits": f"it has {target.num_qubits:,} working qubits",
        "treewidth": f"its treewidth is at most {bound.treewidth_bound}",
        "degree": f"with at most {d} couplers per qubit, chains must be long",
        "couplers": f"it has {target.num_couplers:,} working couplers",
    }[bound.limited_by]
    need = ""
    if d > 2:
        need = (
            f"; K{n} needs at least {qubits_needed(n, d):,} qubits (chains of "
            f"{min_chain_length(n, d)} or more) where it has {target.num_qubits:,}"
        )
    raise ValueError(
        f"K{n} cannot be embedded in {target.name}: it holds at most "
        f"K{bound.largest} ({why}){need}. {_presets_with_room(n)}"
    )


def _presets_with_room(n: int) -> str:
    room = [(name, cap) for name, cap in preset_capacities().items() if cap >= n]
    if room:
        return (
            "Named targets with room for it: "
            + ", ".join(f"{name} (up to K{cap})" for name, cap in room)
            + "."
        )
    name, cap = max(preset_capacities().items(), key=lambda kv: kv[1])
    return f"No named target has room for it (the largest, {name}, holds at most K{cap})."


_PRESET_CAPACITIES: dict[str, int] = {}


def preset_capacities() -> dict[str, int]:
    """The largest K_N not ruled out in each named target (built with seed 0; the
    bounds vary little with the seed). Computed once per process."""
    if len(_PRESET_CAPACITIES) != len(PRESETS):
        for name in PRESETS:
            if name not in _PRESET_CAPACITIES:
                _PRESET_CAPACITIES[name] = clique_bound(make_target(name, 0)).largest
    return dict(_PRESET_CAPACITIES)
