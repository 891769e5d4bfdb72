"""Minor embeddings of a logical graph (usually K_N) into a target.

``find_embedding`` runs minorminer several times and keeps the best result by
a rule (the paper's: smallest longest chain first, then fewest qubits);
``clique_embedding`` uses minorminer's clique embedder, which on the D-Wave
families often gives much shorter chains. An :class:`Embedding` remembers its
target, reports the figures of the paper's Table I, checks itself against the
target, saves to human-readable JSON and draws itself.
"""

from __future__ import annotations

import json
import os
from collections.abc import Hashable, Mapping, Sequence
from dataclasses import dataclass
from numbers import Integral
from typing import Any

import networkx as nx

from . import _files
from ._validate import check_number, check_positive_int, check_seed
from .chains import ChainLayout
from .hardware import Target, _label_from_json, _label_to_json

SELECTION_RULES = ("max_chain", "num_qubits")


@dataclass(frozen=True)
class EmbeddingReport:
    """The columns of the paper's Table I."""

    logical_variables: int
    physical_qubits: int
    min_chain: int
    max_chain: int
    chip_usage: float  # used qubits / working qubits of the target
    logical_parameters: int  # fields + couplings of the logical graph
    physical_parameters: int  # used qubits + target edges among them


@dataclass(frozen=True)
class Embedding:
    """Chains ``{logical variable: (qubits, ...)}`` of ``source`` in ``target``."""

    chains: Mapping[Hashable, tuple[Hashable, ...]]
    target: Target
    source: nx.Graph

    def __post_init__(self) -> None:
        validate(self.chains, self.target, self.source)

    @property
    def layout(self) -> ChainLayout:
        """Column order of extended samples: chains in logical order."""
        return ChainLayout.from_embedding(self.chains, list(self.source.nodes))

    @property
    def used_qubits(self) -> list[Hashable]:
        return list(self.layout.qubits)

    def report(self) -> EmbeddingReport:
        lengths = [len(c) for c in self.chains.values()]
        used = self.target.graph.subgraph(self.used_qubits)
        return EmbeddingReport(
            logical_variables=self.source.number_of_nodes(),
            physical_qubits=sum(lengths),
            min_chain=min(lengths),
            max_chain=max(lengths),
            chip_usage=sum(lengths) / self.target.num_qubits,
            logical_parameters=self.source.number_of_nodes() + self.source.number_of_edges(),
            physical_parameters=used.number_of_nodes() + used.number_of_edges(),
        )

    def to_dict(self) -> dict[str, Any]:
        return {
            "format": "qsample-embedding-1",
            "source": {"nodes": [_label_to_json(v) for v in self.source.nodes],
                       "edges": [[_label_to_json(a), _label_to_json(b)]
                                 for a, b in self.source.edges]},
            "chains": [[_label_to_json(v), [_label_to_json(q) for q in self.chains[v]]]
                       for v in self.source.nodes],
            "target": self.target.to_dict(),
        }

    @classmethod
    def from_dict(cls, d: Mapping[str, Any]) -> Embedding:
        """The embedding described by :meth:`to_dict`; ``ValueError`` saying what is
        wrong for anything else."""
        if not isinstance(d, Mapping) or d.get("format") != "qsample-embedding-1":
            raise ValueError("not a qsample embedding (missing format 'qsample-embedding-1')")
        try:
            source = nx.Graph()
            source.add_nodes_from(_label_from_json(v) for v in d["source"]["nodes"])
            source.add_edges_from((_label_from_json(a), _label_from_json(b))
                                  for a, b in d["source"]["edges"])
            chains = {_label_from_json(v): tuple(_label_from_json(q) for q in qs)
                      for v, qs in d["chains"]}
            target = d["target"]
        except KeyError as e:
            raise ValueError(f"not a qsample embedding: no {e} entry") from None
        except (TypeError, ValueError) as e:
            raise ValueError(f"not a qsample embedding: {e}") from None
        return cls(chains, Target.from_dict(target), source)

    def save(self, path: str | os.PathLike) -> None:
        """Write JSON (chains, the logical graph and the target) atomically."""
        _files.write_text(path, json.dumps(self.to_dict(), indent=1))

    @classmethod
    def load(cls, path: str | os.PathLike) -> Embedding:
        """An embedding written by :meth:`save`; ``ValueError`` naming the file for
        anything else (empty, truncated, another kind of JSON)."""
        d = _files.read_json(path, "a qsample embedding (JSON written by Embedding.save)")
        try:
            return cls.from_dict(d)
        except ValueError as e:
            raise ValueError(f"{path}: {e}") from None

    def draw(self, path: str | os.PathLike, **kwargs: Any) -> None:
        """A PNG of the chains on the target graph (needs matplotlib)."""
        plt = _pyplot()
        import dwave.graphs as dg

        fig, ax = plt.subplots(figsize=(10, 10))
        draw = {"chimera": dg.draw_chimera_embedding, "pegasus": dg.draw_pegasus_embedding,
                "zephyr": dg.draw_zephyr_embedding}.get(self.target.family or "")
        chains = {v: list(c) for v, c in self.chains.items()}
        if draw is not None:
            draw(self.target.graph, chains, ax=ax, node_size=12, width=0.5, **kwargs)
        else:
            colors = {q: i for i, c in enumerate(chains.values()) for q in c}
            nx.draw(self.target.graph, ax=ax, node_size=12, width=0.3,
                    node_color=[colors.get(q, -1) for q in self.target.graph.nodes],
                    cmap="tab20", **kwargs)
        r = self.report()
        ax.set_title(f"K{r.logical_variables} on {self.target.name}: {r.physical_qubits} qubits, "
                     f"chains {r.min_chain}-{r.max_chain}")
        _files.savefig(fig, path, dpi=110)
        plt.close(fig)


def complete_graph(n: int) -> nx.Graph:
    return nx.complete_graph(check_positive_int("n", n))


def _source_graph(source: int | nx.Graph) -> nx.Graph:
    return complete_graph(source) if isinstance(source, Integral) else nx.Graph(source)


def validate(chains: Mapping[Hashable, Sequence[Hashable]], target: Target,
             source: nx.Graph) -> None:
    """Raise ``ValueError`` saying what does not fit: a missing chain, a qubit the
    target lacks or that two chains share, a disconnected chain, or a missing
    coupler between two logical neighbours."""
    g = target.graph
    owner: dict[Hashable, Hashable] = {}
    for v in source.nodes:
        if v not in chains or not chains[v]:
            raise ValueError(f"logical variable {v!r} has no chain")
        for q in chains[v]:
            if q not in g:
                raise ValueError(f"chain of {v!r} uses qubit {q!r}, which {target.name} lacks "
                                 "(not a working qubit)")
            if q in owner:
                raise ValueError(f"qubit {q!r} is in the chains of both {owner[q]!r} and {v!r}")
            owner[q] = v
        if not nx.is_connected(g.subgraph(chains[v])):
            raise ValueError(f"chain of {v!r} is not connected in {target.name}: {list(chains[v])}")
    extra = [v for v in chains if v not in source]
    if extra:
        raise ValueError(f"chains given for variables that are not in the logical graph: {extra}")
    for a, b in source.edges:
        if not any(g.has_edge(p, q) for p in chains[a] for q in chains[b]):
            raise ValueError(f"no coupler joins the chains of logical neighbours {a!r} and {b!r}")


def _score(chains: Mapping[Hashable, Sequence[Hashable]], rule: str) -> tuple[int, int]:
    longest = max(len(c) for c in chains.values())
    total = sum(len(c) for c in chains.values())
    return (longest, total) if rule == "max_chain" else (total, longest)


def check_embedder_seed(seed: Any, tries: int = 1, *, clique: bool = False,
                        name: str = "seed") -> int:
    """A seed the embedder takes: minorminer's run i of ``tries`` uses seed + i,
    a 64-bit seed; the clique embedder takes 32-bit seeds."""
    if clique:
        return check_seed(seed, name, high=2**32 - 1)
    seed = check_seed(seed, name)
    if seed + tries - 1 > 2**64 - 1:
        raise ValueError(f"'{name}' must leave room for {tries} tries (run i uses {name} + i, "
                         f"which must stay below 2**64): value = {seed}")
    return seed


def find_embedding(source: int | nx.Graph, target: Target, *, tries: int = 10,
                   seed: int | None = 0, timeout: float = 60.0, rule: str = "max_chain",
                   **minorminer_params: Any) -> Embedding:
    """Best of ``tries`` minorminer runs by ``rule``.

    ``rule="max_chain"`` (the paper's: smallest longest chain, then fewest
    qubits) or ``"num_qubits"`` (fewest qubits, then shortest longest chain).
    Run ``i`` uses seed ``seed + i``, so the result is reproducible.
    """
    import minorminer

    if rule not in SELECTION_RULES:
        raise ValueError(f"'rule' must be one of {SELECTION_RULES}: value = {rule!r}")
    tries = check_positive_int("tries", tries)
    base = 0 if seed is None else check_embedder_seed(seed, tries)
    check_number("timeout", timeout, 0.0, low_open=True)
    src = _source_graph(source)
    best, best_score = None, None
    for i in range(tries):
        found = minorminer.find_embedding(src.edges if src.number_of_edges() else
                                          [(v, v) for v in src.nodes],
                                          target.graph.edges, random_seed=base + i,
                                          timeout=timeout, **minorminer_params)
        if not found or len(found) < src.number_of_nodes():
            continue
        score = _score(found, rule)
        if best_score is None or score < best_score:
            best, best_score = found, score
    if best is None:
        raise ValueError(f"minorminer found no embedding of the {src.number_of_nodes()}-node "
                         f"graph in {target.name} in {tries} tries (timeout {timeout} s each)")
    return Embedding({v: tuple(best[v]) for v in src.nodes}, target, src)


def clique_embedding(n: int, target: Target, seed: int | None = 0) -> Embedding:
    """K_n by minorminer's clique embedder (busclique) on a Chimera, Pegasus or Zephyr target."""
    import minorminer.busclique as busclique

    if seed is not None:
        seed = check_embedder_seed(seed, clique=True)
    src = complete_graph(n)
    if target.family is None:
        raise ValueError("clique_embedding needs a Chimera, Pegasus or Zephyr target; "
                         f"{target.name} has no family (use find_embedding)")
    found = busclique.find_clique_embedding(n, target.graph, seed=seed)
    if not found or len(found) < n:
        raise ValueError(f"busclique found no embedding of K{n} in {target.name}")
    return Embedding({v: tuple(found[v]) for v in src.nodes}, target, src)


def _pyplot() -> Any:
    try:
        import matplotlib

        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError:
        raise ImportError("drawing needs matplotlib: pip install matplotlib "
                          "(a dependency of qsample)") from None
    return plt
