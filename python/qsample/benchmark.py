"""Sampler throughput side by side with dwave-samplers, in one process.

Prints, per problem and read count, ns per single-spin update for
dwave-samplers' simulated annealing (one thread: it has no other mode) and
qsample's on one thread and on all threads, with the same BQM, reads, sweeps
and custom schedule, the ratios, and the mean energies (so speed is not bought
by doing less). Used by ``qsample bench`` and ``benches/compare_sa.py``; needs
``dwave-samplers``.

Problems:
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

import argparse
import os
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import dimod
import numpy as np

from ._validate import check_positive_int

DATA = Path(__file__).resolve().parent / "_data"


def chimera_glass(m: int = 16, seed: int = 0, gaussian: bool = True) -> dimod.BinaryQuadraticModel:
    """Glass on the full Chimera C(m, m, 4): Gaussian or ±1 couplings, no fields."""
    import dwave.graphs as dg

    g = dg.chimera_graph(m)
    rng = np.random.default_rng(seed)
    J = {e: float(rng.normal() if gaussian else rng.choice([-1.0, 1.0])) for e in g.edges}
    return dimod.BinaryQuadraticModel.from_ising({v: 0.0 for v in g.nodes}, J)


def embedded_clique(num_logical: int = 46, m: int = 16,
                    seed: int = 0) -> dimod.BinaryQuadraticModel:
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
    h, (ir, ic, J), _ = spin.to_numpy_vectors(variable_order=list(spin.variables))
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


def best_time(sampler: Any, bqm: dimod.BinaryQuadraticModel, repeats: int,
              **kwargs: Any) -> tuple[float, dimod.SampleSet]:
    best, out = float("inf"), None
    for _ in range(repeats):
        t = time.perf_counter()
        out = sampler.sample(bqm, **kwargs)
        best = min(best, time.perf_counter() - t)
    assert out is not None
    return best, out


def _int_list(text: str) -> list[int]:
    try:
        values = [int(v) for v in text.split(",")]
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected comma-separated integers: {text!r}") from None
    if not values or min(values) < 1:
        raise argparse.ArgumentTypeError(f"expected positive integers: {text!r}")
    return values


def add_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("--reads", type=_int_list, default=[1, 16, 96, 1000],
                   help="read counts, comma-separated (default 1,16,96,1000)")
    p.add_argument("--sweeps", type=int, default=200, help="sweeps per read (default 200)")
    p.add_argument("--repeats", type=int, default=3, help="best of this many runs (default 3)")
    p.add_argument("--problems", default="gaussian,bas",
                   help="comma-separated, of gaussian, bas, k46 (default gaussian,bas)")


def main(argv: Sequence[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    add_arguments(p)
    return run(p.parse_args(argv))


def run(args: argparse.Namespace) -> int:
    sweeps = check_positive_int("--sweeps", args.sweeps)
    repeats = check_positive_int("--repeats", args.repeats)
    try:
        from dwave.samplers import SimulatedAnnealingSampler as DwaveSA
    except ImportError:
        raise ImportError("the benchmark compares against dwave-samplers: "
                          "pip install dwave-samplers (or 'qsample[bench]')") from None
    import qsample

    available = problems(sweeps)
    chosen = [name.strip() for name in args.problems.split(",")]
    unknown = [n for n in chosen if n not in available]
    if unknown:
        raise ValueError(f"'--problems' must name some of {sorted(available)}: value = {unknown}")
    ours, peer = qsample.SimulatedAnnealingSampler(), DwaveSA()
    print(f"qsample kernel: {qsample._core.simd_kernel()}, cores: {os.cpu_count()}, "
          f"sweeps: {sweeps}, custom schedule, Metropolis, best of {repeats}; ns per "
          "single-spin update (ratio: dwave-samplers time / qsample time)")
    print("| problem | reads | dwave-samplers | qsample 1 thread | qsample all threads "
          "| all / 1 thread | mean E (dwave / qsample) |")
    print("|---|---|---|---|---|---|---|")
    for name in chosen:
        bqm, schedule = available[name]
        for reads in args.reads:
            updates = reads * sweeps * bqm.num_variables
            common = dict(num_reads=reads, beta_schedule_type="custom", beta_schedule=schedule,
                          seed=1234)
            t_peer, ss_peer = best_time(peer, bqm, repeats, **common)
            t_one, ss_one = best_time(ours, bqm, repeats, num_threads=1, **common)
            t_all, _ = best_time(ours, bqm, repeats, **common)

            def ns(t: float, updates: int = updates) -> str:
                return f"{t / updates * 1e9:.2f}"

            print(f"| {name} ({bqm.num_variables}) | {reads} | {ns(t_peer)} "
                  f"| {ns(t_one)} ({t_peer / t_one:.1f}x) | {ns(t_all)} ({t_peer / t_all:.1f}x) "
                  f"| {t_one / t_all:.2f} | {np.mean(ss_peer.record.energy):.1f} / "
                  f"{np.mean(ss_one.record.energy):.1f} |", flush=True)
    return 0
