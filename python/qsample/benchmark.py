"""Sampler throughput side by side with dwave-samplers, in one process.

Prints ns per single-spin update for dwave-samplers' and qsample's simulated
annealing on the same BQM with the same reads, sweeps and schedule, the ratio,
and the mean energies (so speed is not bought by doing less). Used by
``qsample bench`` and ``benches/compare_sa.py``; needs ``dwave-samplers``.
"""

from __future__ import annotations

import argparse
import os
import time
from collections.abc import Sequence

import dimod
import numpy as np

from ._validate import check_positive_int


def chimera_glass(m: int = 16, seed: int = 0) -> dimod.BinaryQuadraticModel:
    """±J spin glass on the full Chimera C(m, m, 4) (2048 qubits for m = 16)."""
    import dwave.graphs as dg

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


def best_time(sampler, bqm, repeats: int, **kwargs) -> tuple[float, dimod.SampleSet]:
    best, out = float("inf"), None
    for _ in range(repeats):
        t = time.perf_counter()
        out = sampler.sample(bqm, **kwargs)
        best = min(best, time.perf_counter() - t)
    return best, out


def add_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("--reads", type=int, default=64, help="reads per call (default 64)")
    p.add_argument("--sweeps", type=int, default=1000, help="sweeps per read (default 1000)")
    p.add_argument("--repeats", type=int, default=3, help="best of this many runs (default 3)")


def main(argv: Sequence[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    add_arguments(p)
    return run(p.parse_args(argv))


def run(args: argparse.Namespace) -> int:
    for name in ("reads", "sweeps", "repeats"):
        check_positive_int(f"--{name}", getattr(args, name))
    try:
        from dwave.samplers import SimulatedAnnealingSampler as DwaveSA
    except ImportError:
        raise ImportError("the benchmark compares against dwave-samplers: "
                          "pip install dwave-samplers (or 'qsample[bench]')") from None
    import qsample

    ours, peer = qsample.SimulatedAnnealingSampler(), DwaveSA()
    print(f"qsample kernel: {qsample._core.simd_kernel()}, cores: {os.cpu_count()}, "
          f"reads: {args.reads}, sweeps: {args.sweeps}, geometric schedule over the "
          f"default beta range, best of {args.repeats}")
    print(f"| {'problem':<28}| {'sampler':<24}| {'ns/update':>9} | {'speed-up':>8} "
          f"| {'mean E':>10} | {'min E':>9} |")
    print(f"|{'-' * 29}|{'-' * 25}|{'-' * 11}|{'-' * 10}|{'-' * 12}|{'-' * 11}|")
    for name, bqm in [("Chimera glass", chimera_glass()),
                      ("K46 clique on Chimera", embedded_clique())]:
        label = f"{name} ({bqm.num_variables})"
        updates = args.reads * args.sweeps * bqm.num_variables
        common = dict(num_reads=args.reads, num_sweeps=args.sweeps,
                      beta_schedule_type="geometric", seed=1234)
        rows = [("dwave-samplers 1 thread", *best_time(peer, bqm, args.repeats, **common))]
        for threads, who in [(1, "qsample 1 thread"), (None, "qsample all threads")]:
            rows.append((who, *best_time(ours, bqm, args.repeats, num_threads=threads, **common)))
        base = rows[0][1]
        for who, seconds, ss in rows:
            e = ss.record.energy
            print(f"| {label:<28}| {who:<24}| {seconds / updates * 1e9:>9.2f} "
                  f"| {base / seconds:>8.2f} | {np.mean(e):>10.2f} | {np.min(e):>9.1f} |")
    return 0
