"""Minor embeddings of a logical graph (usually K_N) into a target.

``find_embedding`` runs minorminer several times and keeps the best result by
a rule (the paper's: smallest longest chain first, then fewest qubits);
``clique_embedding`` uses minorminer's clique embedder (busclique), which on the
D-Wave families gives much shorter chains when inactive qubits and couplers
leave it room. Both take a total time budget, and both first refuse a K_N the
target cannot hold (:mod:`qsample.capacity`) without building it. An
:class:`Embedding` remembers its target and how it was found, reports the
figures of the paper's Table I, checks itself against the target, saves to
human-readable JSON and draws itself.
"""

from __future__ import annotations

import json
import os
import time
from collections.abc import Callable, Hashable, Mapping, Sequence
from dataclasses import dataclass, field
from numbers import Integral
from typing import Any

import networkx as nx
import numpy as np

from . import _files
from ._validate import check_int, check_number, check_positive_int, check_seed
from .capacity import check_clique_fits
from .chains import ChainLayout
from .execution import Executor, Task, run_tasks
from .hardware import Target, _label_from_json, _label_to_json

SELECTION_RULES = ("max_chain", "num_qubits")
#: Targets below this many qubits use busclique's cache (fast there; see clique_embedding).
SMALL_TARGET_QUBITS = 1500
#: How K_N is placed: minorminer with the selection rule, or the clique embedder.
METHODS = ("minorminer", "clique")


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
    method: str = "given"  # "minorminer", "clique" or "given" (chains from elsewhere)
    seconds: float | None = None  # wall time taken to find it (None: not measured)


@dataclass(frozen=True)
class Embedding:
    """Chains ``{logical variable: (qubits, ...)}`` of ``source`` in ``target``;
    ``method`` and ``seconds`` say how it was found and how long that took."""

    chains: Mapping[Hashable, tuple[Hashable, ...]]
    target: Target
    source: nx.Graph
    method: str = field(default="given", compare=False)
    seconds: float | None = field(default=None, compare=False)

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
            method=self.method,
            seconds=self.seconds,
        )

    def to_dict(self) -> dict[str, Any]:
        return {
            "format": "qsample-embedding-1",
            "source": {
                "nodes": [_label_to_json(v) for v in self.source.nodes],
                "edges": [[_label_to_json(a), _label_to_json(b)] for a, b in self.source.edges],
            },
            "chains": [
                [_label_to_json(v), [_label_to_json(q) for q in self.chains[v]]]
                for v in self.source.nodes
            ],
            "target": self.target.to_dict(),
            "method": self.method,
            "seconds": self.seconds,
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
            source.add_edges_from(
                (_label_from_json(a), _label_from_json(b)) for a, b in d["source"]["edges"]
            )
            chains = {
                _label_from_json(v): tuple(_label_from_json(q) for q in qs) for v, qs in d["chains"]
            }
            target = d["target"]
            seconds = d.get("seconds")
            method = str(d.get("method", "given"))
            seconds = None if seconds is None else float(seconds)
        except KeyError as e:
            raise ValueError(f"not a qsample embedding: no {e} entry") from None
        except (TypeError, ValueError) as e:
            raise ValueError(f"not a qsample embedding: {e}") from None
        return cls(chains, Target.from_dict(target), source, method, seconds)

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
        draw = {
            "chimera": dg.draw_chimera_embedding,
            "pegasus": dg.draw_pegasus_embedding,
            "zephyr": dg.draw_zephyr_embedding,
        }.get(self.target.family or "")
        chains = {v: list(c) for v, c in self.chains.items()}
        if draw is not None:
            draw(self.target.graph, chains, ax=ax, node_size=12, width=0.5, **kwargs)
        else:
            colors = {q: i for i, c in enumerate(chains.values()) for q in c}
            nx.draw(
                self.target.graph,
                ax=ax,
                node_size=12,
                width=0.3,
                node_color=[colors.get(q, -1) for q in self.target.graph.nodes],
                cmap="tab20",
                **kwargs,
            )
        r = self.report()
        ax.set_title(
            f"K{r.logical_variables} on {self.target.name}: {r.physical_qubits} qubits, "
            f"chains {r.min_chain}-{r.max_chain}"
        )
        _files.savefig(fig, path, dpi=110)
        plt.close(fig)


def complete_graph(n: int) -> nx.Graph:
    return nx.complete_graph(check_positive_int("n", n))


def _source_graph(source: int | nx.Graph) -> nx.Graph:
    return complete_graph(int(source)) if isinstance(source, Integral) else nx.Graph(source)


def _check_source_fits(source: int | nx.Graph, target: Target) -> None:
    """Refuse, without building K_N, a source that cannot fit (see :mod:`qsample.capacity`)."""
    if isinstance(source, bool) or not isinstance(source, (Integral, nx.Graph)):
        raise TypeError(
            f"'source' must be a number of variables (K_N) or a networkx.Graph: value = {source!r}"
        )
    if isinstance(source, Integral):
        check_clique_fits(check_positive_int("n", source), target)
        return
    n, m = source.number_of_nodes(), source.number_of_edges()
    if n > 1 and m == n * (n - 1) // 2 and nx.number_of_selfloops(source) == 0:
        check_clique_fits(n, target)
    elif n > target.num_qubits or m > target.num_couplers:
        raise ValueError(
            f"a graph of {n:,} nodes and {m:,} edges cannot be embedded in "
            f"{target.name}: it has {target.num_qubits:,} working qubits and "
            f"{target.num_couplers:,} couplers"
        )


def validate(
    chains: Mapping[Hashable, Sequence[Hashable]], target: Target, source: nx.Graph
) -> None:
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
                raise ValueError(
                    f"chain of {v!r} uses qubit {q!r}, which {target.name} lacks "
                    "(not a working qubit)"
                )
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


def _tries_text(done: int) -> str:
    return f"{done} {'try' if done == 1 else 'tries'}"


def _score(chains: Mapping[Hashable, Sequence[Hashable]], rule: str) -> tuple[int, int]:
    longest = max(len(c) for c in chains.values())
    total = sum(len(c) for c in chains.values())
    return (longest, total) if rule == "max_chain" else (total, longest)


def check_embedder_seed(
    seed: Any, tries: int = 1, *, clique: bool = False, name: str = "seed"
) -> int:
    """A seed the embedder takes: minorminer's run i of ``tries`` uses seed + i,
    a 64-bit seed; the clique embedder takes 32-bit seeds."""
    if clique:
        return check_seed(seed, name, high=2**32 - 1)
    seed = check_seed(seed, name)
    if seed + tries - 1 > 2**64 - 1:
        raise ValueError(
            f"'{name}' must leave room for {tries} tries (run i uses {name} + i, "
            f"which must stay below 2**64): value = {seed}"
        )
    return seed


def _check_search(tries: Any, rule: Any, time_budget: Any) -> float | None:
    if rule not in SELECTION_RULES:
        raise ValueError(f"'rule' must be one of {SELECTION_RULES}: value = {rule!r}")
    check_positive_int("tries", tries)
    if time_budget is None:
        return None
    return check_number("time_budget", time_budget, 0.0, low_open=True)


def _first_seed(seed: Any, tries: int, clique: bool = False) -> int:
    """The seed of the first try (tries add 1 each); None draws one."""
    if seed is None:
        return int(np.random.default_rng().integers(0, 2**30))
    seed = check_embedder_seed(seed, tries, clique=clique)
    if clique:
        check_int("seed", seed, 0, 2**32 - tries)  # busclique's seeds are 32-bit
    return seed


def _best_of(
    tries: int,
    seed: int,
    rule: str,
    deadline: float | None,
    one_try: Callable[[int, float | None], Mapping[Hashable, Any]],
    num_nodes: int,
) -> tuple[dict[Hashable, Any] | None, int]:
    """Best of up to ``tries`` runs by ``rule``; no run starts once ``deadline`` has
    passed. ``one_try(seed, seconds_left)`` returns chains, or nothing on failure."""
    found = []
    for i in range(tries):
        left = None if deadline is None else deadline - time.perf_counter()
        if left is not None and left <= 0:
            break
        found.append(one_try(seed + i, left))
    return _pick_best(found, rule, num_nodes), len(found)


def _pick_best(
    found: Sequence[Mapping[Hashable, Any]], rule: str, num_nodes: int
) -> dict[Hashable, Any] | None:
    """The best complete embedding by ``rule``; the earliest try among equals."""
    best, best_score = None, None
    for chains in found:
        if not chains or len(chains) < num_nodes:
            continue
        score = _score(chains, rule)
        if best_score is None or score < best_score:
            best, best_score = dict(chains), score
    return best


def _minorminer_try(settings: dict[str, Any], task_id: str, task_seed: int) -> dict[Any, list]:
    """Task: one minorminer run with the try's own seed (``seed + i``, as when
    the tries run one after another), so any executor finds the same chains."""
    import minorminer

    chains = minorminer.find_embedding(
        settings["edges"],
        settings["target_edges"],
        random_seed=settings["seed"],
        timeout=settings["timeout"],
        **settings["params"],
    )
    return {v: list(c) for v, c in chains.items()}


def find_embedding(
    source: int | nx.Graph,
    target: Target,
    *,
    tries: int = 10,
    seed: int | None = 0,
    timeout: float = 60.0,
    time_budget: float | None = None,
    rule: str = "max_chain",
    executor: Executor | None = None,
    **minorminer_params: Any,
) -> Embedding:
    """Best of ``tries`` minorminer runs by ``rule``.

    ``rule="max_chain"`` (the paper's: smallest longest chain, then fewest
    qubits) or ``"num_qubits"`` (fewest qubits, then shortest longest chain).
    Run ``i`` uses seed ``seed + i``, so the result is reproducible (given the
    same number of runs). Each run stops after ``timeout`` seconds; all runs
    together after about ``time_budget`` seconds (default ``tries * timeout``):
    no run starts once it is spent, and the last one gets what is left.
    With an ``executor`` (see :mod:`qsample.execution`) and no ``time_budget``
    the runs are its tasks, side by side, and find the same embedding.
    A K_N that cannot fit is refused before it is built (:mod:`qsample.capacity`).
    """

    start = time.perf_counter()
    budget = _check_search(tries, rule, time_budget)
    timeout = check_number("timeout", timeout, 0.0, low_open=True)
    _check_source_fits(source, target)
    src = _source_graph(source)
    edges = list(src.edges) if src.number_of_edges() else [(v, v) for v in src.nodes]
    target_edges = list(target.graph.edges)
    deadline = None if budget is None else start + budget

    def settings(s: int, seconds: float) -> dict[str, Any]:
        return {
            "edges": edges,
            "target_edges": target_edges,
            "seed": s,
            "timeout": seconds,
            "params": minorminer_params,
        }

    def one_try(s: int, left: float | None) -> Mapping[Hashable, Any]:
        seconds = timeout if left is None else min(timeout, left)
        return _minorminer_try(settings(s, seconds), f"try={s - base}", s)

    base = _first_seed(seed, int(tries))
    if executor is not None and deadline is None and tries > 1:
        tasks = [Task(f"try={i}", settings(base + i, timeout)) for i in range(tries)]
        found = run_tasks(_minorminer_try, tasks, base, executor=executor, progress=False)
        best, done = _pick_best(found, rule, src.number_of_nodes()), tries
    else:
        best, done = _best_of(tries, base, rule, deadline, one_try, src.number_of_nodes())
    if best is None:
        raise ValueError(
            f"minorminer found no embedding of the {src.number_of_nodes()}-node "
            f"graph in {target.name} in {_tries_text(done)} "
            f"({time.perf_counter() - start:.0f} s; timeout {timeout:g} s each"
            + ("" if budget is None else f", budget {budget:g} s")
            + ")"
        )
    return Embedding(
        {v: tuple(best[v]) for v in src.nodes},
        target,
        src,
        "minorminer",
        time.perf_counter() - start,
    )


def clique_embedding(
    n: int,
    target: Target,
    seed: int | None = 0,
    *,
    tries: int = 1,
    time_budget: float | None = None,
    rule: str = "max_chain",
) -> Embedding:
    """K_n by minorminer's clique embedder (busclique) on a Chimera, Pegasus or Zephyr target.

    Each try is busclique's one-shot search (seconds on a 5,640-qubit Pegasus
    graph; its all-sizes disk cache can take minutes per new graph and rarely
    gives shorter chains); try ``i`` uses seed ``seed + i`` and the best by
    ``rule`` is kept. No try starts once ``time_budget`` seconds have passed (a
    try is not interrupted). A K_n that cannot fit is refused before it is built.
    """
    import minorminer.busclique as busclique

    start = time.perf_counter()
    budget = _check_search(tries, rule, time_budget)
    if target.family is None:
        raise ValueError(
            "clique_embedding needs a Chimera, Pegasus or Zephyr target; "
            f"{target.name} has no family (use find_embedding)"
        )
    n = check_positive_int("n", n)
    check_clique_fits(n, target)

    # busclique's one-shot search never returns on some small Chimera graphs
    # (minorminer 0.2.22, C(2) and C(3)); its cache is instant on small graphs.
    use_cache = target.num_qubits < SMALL_TARGET_QUBITS

    def one_try(s: int, left: float | None) -> Mapping[Hashable, Any]:
        return busclique.find_clique_embedding(n, target.graph, seed=s, use_cache=use_cache)

    deadline = None if budget is None else start + budget
    base = _first_seed(seed, int(tries), clique=True)
    best, done = _best_of(tries, base, rule, deadline, one_try, n)
    if best is None:
        raise ValueError(
            f"the clique embedder found no embedding of K{n} in {target.name} "
            f"({_tries_text(done)}, {time.perf_counter() - start:.0f} s); inactive "
            "qubits and couplers break its straight chains: use minorminer "
            "(find_embedding) or a larger target"
        )
    src = complete_graph(n)
    return Embedding(
        {v: tuple(best[v]) for v in src.nodes}, target, src, "clique", time.perf_counter() - start
    )


def embed(
    source: int | nx.Graph,
    target: Target,
    *,
    method: str = "minorminer",
    tries: int | None = None,
    seed: int | None = 0,
    time_budget: float | None = None,
    rule: str = "max_chain",
) -> Embedding:
    """``source`` (K_N for an int) into ``target`` by ``method`` (one of :data:`METHODS`):
    minorminer (10 tries by default) or the clique embedder (1 try by default)."""
    if method == "minorminer":
        return find_embedding(
            source,
            target,
            tries=10 if tries is None else tries,
            seed=seed,
            time_budget=time_budget,
            rule=rule,
        )
    if method == "clique":
        if isinstance(source, nx.Graph):
            n = source.number_of_nodes()
            if source.number_of_edges() != n * (n - 1) // 2 or nx.number_of_selfloops(source):
                raise ValueError(
                    "the clique embedder places complete graphs only; use "
                    "method='minorminer' for other graphs"
                )
            if set(source.nodes) != set(range(n)):
                raise ValueError(
                    "the clique embedder labels variables 0 .. N-1; give N or a "
                    "complete graph on range(N)"
                )
            source = n
        return clique_embedding(
            source,
            target,
            seed,
            tries=1 if tries is None else tries,
            time_budget=time_budget,
            rule=rule,
        )
    raise ValueError(f"'method' must be one of {METHODS}: value = {method!r}")


def _pyplot() -> Any:
    try:
        import matplotlib

        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError:
        raise ImportError(
            "drawing needs matplotlib: pip install matplotlib (a dependency of qsample)"
        ) from None
    return plt
