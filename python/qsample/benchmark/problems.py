"""The problems the benchmarks time, each with its schedule.

- ``gaussian``: a glass on the full Chimera C(16, 16, 4) (2048 qubits) with
  couplings drawn from a standard normal, linear beta 0.1 -> 3;
- ``bas``: the physical model (647 qubits, K42 minor-embedded in the
  D-Wave-2X-like graph, chains of 11-21 qubits with couplings near -1.5) of a
  bars-and-stripes model trained by ``qsample bas --quick``, stored in
  ``qsample/_data/bas_k42_dw2x.txt`` and sampled with the learning schedule
  (linear beta 0 -> 1);
- ``k46``: K46 clique-embedded on Chimera C(16, 16, 4) with random
  parameters (``qsample/_data/k46_chimera16.txt``), geometric beta 0.1 -> 3.
"""

from __future__ import annotations

import os
from pathlib import Path

import dimod
import numpy as np

DATA = Path(__file__).resolve().parents[1] / "_data"


def chimera_glass(m: int = 16, seed: int = 0, gaussian: bool = True) -> dimod.BinaryQuadraticModel:
    """Glass on the full Chimera C(m, m, 4): Gaussian or ±1 couplings, no fields."""
    import dwave.graphs as dg

    g = dg.chimera_graph(m)
    rng = np.random.default_rng(seed)
    J = {e: float(rng.normal() if gaussian else rng.choice([-1.0, 1.0])) for e in g.edges}
    return dimod.BinaryQuadraticModel.from_ising({v: 0.0 for v in g.nodes}, J)


def embedded_clique(
    num_logical: int = 46, m: int = 16, seed: int = 0
) -> dimod.BinaryQuadraticModel:
    """A learned-model-like physical BQM: K_N clique-embedded on Chimera C(m, m, 4),
    random fields and couplings on every edge among the used qubits, ferromagnetic
    chains. Magnitudes are kept away from zero, as in a model partway through
    learning, so the default beta range stays sane."""
    import dwave.graphs as dg
    import minorminer.busclique as busclique
    import networkx as nx

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


def write_arrays(bqm: dimod.BinaryQuadraticModel, path: str | os.PathLike) -> None:
    """Flat arrays for the criterion benches (h, irow, icol, J as text)."""
    spin = bqm.spin
    vectors = spin.to_numpy_vectors(variable_order=list(spin.variables))
    h, (ir, ic, J) = vectors.linear_biases, vectors.quadratic
    with open(path, "w") as f:
        f.write(f"{len(h)} {len(J)}\n")
        f.write(" ".join(repr(float(x)) for x in h) + "\n")
        f.write(" ".join(str(int(x)) for x in ir) + "\n")
        f.write(" ".join(str(int(x)) for x in ic) + "\n")
        f.write(" ".join(repr(float(x)) for x in J) + "\n")


def read_arrays(path: str | os.PathLike) -> dimod.BinaryQuadraticModel:
    """The BQM written by :func:`write_arrays`."""
    lines = Path(path).read_text().splitlines()
    h = np.array(lines[1].split(), dtype=float)
    ir = np.array(lines[2].split(), dtype=np.int64)
    ic = np.array(lines[3].split(), dtype=np.int64)
    J = np.array(lines[4].split(), dtype=float)
    return dimod.BinaryQuadraticModel.from_numpy_vectors(h, (ir, ic, J), 0.0, dimod.SPIN)


def problems(sweeps: int) -> dict[str, tuple[dimod.BinaryQuadraticModel, np.ndarray]]:
    """name -> (BQM, custom beta schedule of ``sweeps`` betas)."""
    return {
        "gaussian": (chimera_glass(), np.linspace(0.1, 3.0, sweeps)),
        "bas": (read_arrays(DATA / "bas_k42_dw2x.txt"), np.linspace(0.0, 1.0, sweeps)),
        "k46": (read_arrays(DATA / "k46_chimera16.txt"), np.geomspace(0.1, 3.0, sweeps)),
    }
