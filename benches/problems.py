"""Benchmark problems shared by the Python benchmark and the Rust benches' data."""

from __future__ import annotations

import dimod
import dwave.graphs as dg
import minorminer.busclique as busclique
import networkx as nx
import numpy as np


def chimera_glass(m: int = 16, seed: int = 0) -> dimod.BinaryQuadraticModel:
    """±J spin glass on the full Chimera C(m, m, 4) (2048 qubits for m = 16)."""
    g = dg.chimera_graph(m)
    rng = np.random.default_rng(seed)
    J = {e: float(rng.choice([-1.0, 1.0])) for e in g.edges}
    return dimod.BinaryQuadraticModel.from_ising({v: 0.0 for v in g.nodes}, J)


def embedded_clique(num_logical: int = 46, m: int = 16,
                    seed: int = 0) -> dimod.BinaryQuadraticModel:
    """A learned-model-like physical BQM: K_N clique-embedded on Chimera C(m, m, 4),
    random fields and couplings on every edge among the used qubits, ferromagnetic
    chains (what the learning loop samples). Magnitudes are kept away from zero, as
    in a model partway through learning, so the default beta range stays sane."""
    g = dg.chimera_graph(m)
    emb = busclique.find_clique_embedding(num_logical, g)
    if len(emb) != num_logical:
        raise RuntimeError(f"no clique embedding of K{num_logical} in C({m})")
    chain_of = {q: v for v, chain in emb.items() for q in chain}
    sub = nx.Graph(g.subgraph(chain_of))
    rng = np.random.default_rng(seed)
    def signed(lo: float, hi: float) -> float:
        return float(rng.choice([-1.0, 1.0]) * rng.uniform(lo, hi))

    h = {q: signed(0.05, 0.5) for q in sub.nodes}
    J = {}
    for a, b in sub.edges:
        J[(a, b)] = -1.0 if chain_of[a] == chain_of[b] else signed(0.05, 1.0)
    return dimod.BinaryQuadraticModel.from_ising(h, J)


def write_arrays(bqm: dimod.BinaryQuadraticModel, path: str) -> None:
    """Flat arrays for the criterion benches (h, irow, icol, J as text)."""
    spin = bqm.spin
    h, (ir, ic, J), _ = spin.to_numpy_vectors(variable_order=list(spin.variables))
    with open(path, "w") as f:
        f.write(f"{len(h)} {len(J)}\n")
        f.write(" ".join(repr(float(x)) for x in h) + "\n")
        f.write(" ".join(str(int(x)) for x in ir) + "\n")
        f.write(" ".join(str(int(x)) for x in ic) + "\n")
        f.write(" ".join(repr(float(x)) for x in J) + "\n")
