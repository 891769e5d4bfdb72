"""Sampler throughput side by side with peers, in one process.

Three comparisons (``--samplers``), each on the same BQMs (a 2048-qubit
Chimera glass and a K46 clique embedding), timed as the best of ``--repeats``
runs, with mean and lowest energies so speed is not bought by doing less:

* ``sa``: ns per single-spin update of dwave-samplers' and qsample's simulated
  annealing, same reads, sweeps and schedule, and the ratio.
* ``pt``: qsample's parallel tempering (16 rungs over the same beta range, and
  8 rungs x 2 replicas with Houdayer moves on the colder half) in ns per
  replica update next to qsample's SA making the same number of updates.
* ``sqa``: qsample's path-integral SQA against dwave-samplers'
  ``PathIntegralAnnealingSampler`` (a continuous-time path integral: a sweep
  updates each qubit's whole worldline) and OpenJij's ``SQASampler`` (discrete
  slices, like qsample's) when OpenJij is installed, all annealed along the
  same D-Wave-like schedule H(s) = -A(s)/2 sum sigma^x + B(s)/2 H_p at the
  same beta, same reads and sweeps; in ns per qubit-sweep (one sweep of qsample
  or OpenJij updates every slice of the qubit). A last row gives qsample ten
  times the sweeps: its energies at about the time the peers take.

Used by ``qsample bench`` and ``benches/compare_sa.py``; needs ``dwave-samplers``.
"""

from __future__ import annotations

import argparse
import os
import time
from collections.abc import Sequence

import dimod
import numpy as np


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


SAMPLERS = ("sa", "pt", "sqa")

#: OpenJij's SQA runs this many reads at most (it is slow; see ``_compare_sqa``).
OPENJIJ_READS = 4


def add_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("--samplers", default="sa,pt,sqa",
                   help="comparisons to run, comma-separated from sa, pt, sqa (default all)")
    p.add_argument("--reads", type=int, default=64, help="SA/PT reads per call (default 64)")
    p.add_argument("--sweeps", type=int, default=1000, help="SA/PT sweeps per read (default 1000)")
    p.add_argument("--sqa-reads", type=int, default=32, help="SQA reads per call (default 32)")
    p.add_argument("--sqa-sweeps", type=int, default=100,
                   help="SQA sweeps per read (default 100)")
    p.add_argument("--slices", type=int, default=32,
                   help="Trotter slices of qsample's and OpenJij's SQA (default 32)")
    p.add_argument("--repeats", type=int, default=3, help="best of this many runs (default 3)")


def main(argv: Sequence[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    add_arguments(p)
    return run(p.parse_args(argv))


def run(args: argparse.Namespace) -> int:
    for name in ("reads", "sweeps", "sqa_reads", "sqa_sweeps", "slices", "repeats"):
        if getattr(args, name) < 1:
            value = getattr(args, name)
            option = name.replace("_", "-")
            raise ValueError(f"'--{option}' must be a positive integer: value = {value}")
    chosen = [c.strip() for c in str(args.samplers).split(",") if c.strip()]
    unknown = sorted(set(chosen) - set(SAMPLERS))
    if unknown or not chosen:
        raise ValueError(f"'--samplers' must be a comma-separated list from {SAMPLERS}: "
                         f"value = {args.samplers!r}")
    try:
        import dwave.samplers  # noqa: F401
    except ImportError:
        raise ImportError("the benchmark compares against dwave-samplers: "
                          "pip install dwave-samplers (or 'qsample[bench]')") from None
    import qsample

    print(f"qsample kernel: {qsample._core.simd_kernel()}, cores: {os.cpu_count()}, "
          f"best of {args.repeats}")
    problems = [("Chimera glass", chimera_glass()), ("K46 clique on Chimera", embedded_clique())]
    for name, compare in (("sa", _compare_sa), ("pt", _compare_pt), ("sqa", _compare_sqa)):
        if name in chosen:
            print()
            compare(args, problems)
    return 0


Row = tuple[str, float, dimod.SampleSet]


def _table(header: str, unit: str, rows_by_problem: list[tuple[str, float, list[Row]]],
           ratio_name: str) -> None:
    print(header)
    print(f"| {'problem':<28}| {'sampler':<42}| {unit:>14} | {ratio_name:>8} "
          f"| {'mean E':>10} | {'min E':>9} |")
    print(f"|{'-' * 29}|{'-' * 43}|{'-' * 16}|{'-' * 10}|{'-' * 12}|{'-' * 11}|")
    for label, work, rows in rows_by_problem:
        base = rows[0][1]
        for who, seconds, ss in rows:
            e = ss.record.energy
            print(f"| {label:<28}| {who:<42}| {seconds / work * 1e9:>14.2f} "
                  f"| {base / seconds:>8.2f} | {np.mean(e):>10.2f} | {np.min(e):>9.1f} |")


def _compare_sa(args: argparse.Namespace, problems: list) -> None:
    from dwave.samplers import SimulatedAnnealingSampler as DwaveSA

    import qsample

    ours, peer = qsample.SimulatedAnnealingSampler(), DwaveSA()
    table = []
    for name, bqm in problems:
        common = dict(num_reads=args.reads, num_sweeps=args.sweeps,
                      beta_schedule_type="geometric", seed=1234)
        rows = [("dwave-samplers SA 1 thread", *best_time(peer, bqm, args.repeats, **common))]
        for threads, who in [(1, "qsample SA 1 thread"), (None, "qsample SA all threads")]:
            rows.append((who, *best_time(ours, bqm, args.repeats, num_threads=threads, **common)))
        table.append((f"{name} ({bqm.num_variables})",
                      args.reads * args.sweeps * bqm.num_variables, rows))
    _table(f"Simulated annealing: {args.reads} reads, {args.sweeps} sweeps, geometric schedule "
           "over the default beta range", "ns/update", table, "speed-up")


def _compare_pt(args: argparse.Namespace, problems: list) -> None:
    import qsample
    from qsample.ising import from_bqm
    from qsample.samplers.schedules import default_beta_range

    sa, pt = qsample.SimulatedAnnealingSampler(), qsample.ParallelTemperingSampler()
    # PT makes the same updates as SA: (reads / 16) chains of 16 replicas.
    chains = max(1, args.reads // 16)
    table = []
    for name, bqm in problems:
        hot, cold = default_beta_range(from_bqm(bqm))
        updates = chains * 16 * args.sweeps * bqm.num_variables
        rows: list[Row] = []
        for threads, label in [(1, "1 thread"), (None, "all threads")]:
            rows.append((f"qsample SA {label}", *best_time(
                sa, bqm, args.repeats, num_reads=chains * 16, num_sweeps=args.sweeps,
                beta_range=(hot, cold), num_threads=threads, seed=1234)))
        for threads, label in [(1, "1 thread"), (None, "all threads")]:
            rows.append((f"qsample PT 16 rungs {label}", *best_time(
                pt, bqm, args.repeats, num_reads=chains, num_sweeps=args.sweeps,
                num_replicas=16, beta_range=(hot, cold), num_threads=threads, seed=1234)))
            # Houdayer moves on the colder half of the ladder, where they pay.
            rows.append((f"qsample PT 8x2 + Houdayer {label}", *best_time(
                pt, bqm, args.repeats, num_reads=chains, num_sweeps=args.sweeps,
                num_replicas=8, beta_range=(hot, cold), cluster_moves=True,
                cluster_beta_min=float(np.sqrt(hot * cold)), num_threads=threads,
                seed=1234)))
        table.append((f"{name} ({bqm.num_variables})", updates, rows))
    _table(f"Parallel tempering next to SA: {chains * 16} replicas (SA reads), {args.sweeps} "
           "sweeps each, over SA's default beta range; PT energies are of its "
           f"{chains} cold replicas", "ns/update", table, "vs SA")


def _compare_sqa(args: argparse.Namespace, problems: list) -> None:
    import qsample
    from qsample.samplers.quantum_schedule import DEFAULT_BETA, advantage_like

    try:
        from dwave.samplers import PathIntegralAnnealingSampler
    except ImportError:  # older dwave-samplers have no path-integral sampler
        PathIntegralAnnealingSampler = None
    try:
        from openjij import SQASampler
    except ImportError:
        SQASampler = None
    beta, sweeps, reads, slices = DEFAULT_BETA, args.sqa_sweeps, args.sqa_reads, args.slices
    s = np.arange(1, sweeps + 1) / sweeps
    a, b = advantage_like(s)
    ours = qsample.SimulatedQuantumAnnealingSampler()
    table = []
    for name, bqm in problems:
        rows: list[Row] = []
        if PathIntegralAnnealingSampler is not None:
            # Its partition function is Tr exp(-Hp H_p + Hd sum sigma^x) per step.
            rows.append(("dwave-samplers PIMC 1 thread", *best_time(
                PathIntegralAnnealingSampler(), bqm, args.repeats, num_reads=reads,
                beta_schedule_type="custom", Hp_field=beta * b / 2, Hd_field=beta * a / 2,
                num_sweeps_per_beta=1, seed=1234)))
        if SQASampler is not None:
            # Its H(s') = s' H_p + gamma (1 - s') sum sigma^x at beta': with gamma = 1,
            # s' = B / (A + B) and beta' = beta (A + B) / 2 give D-Wave's H(s) at beta.
            schedule = [(float(bj / (aj + bj)), float(beta * (aj + bj) / 2), 1)
                        for aj, bj in zip(a, b)]
            # Fewer reads (it runs them one after another, so its time per read is
            # the same), scaled to the others' reads; no seed: with one, OpenJij
            # gives every read the same start and the same random numbers.
            few = min(reads, OPENJIJ_READS)
            seconds, ss = best_time(SQASampler(), bqm, args.repeats, num_reads=few, gamma=1.0,
                                    trotter=slices, schedule=schedule)
            rows.append((f"OpenJij SQA P={slices} 1 thread ({few} reads)",
                         seconds * reads / few, ss))
        common = dict(num_reads=reads, num_slices=slices, beta=beta, seed=1234)
        for threads, label in [(1, "1 thread"), (None, "all threads")]:
            rows.append((f"qsample SQA P={slices} {label}", *best_time(
                ours, bqm, args.repeats, num_sweeps=sweeps, num_threads=threads, **common)))
        rows.append((f"qsample SQA P={slices} 1 thread, 10x sweeps", *best_time(
            ours, bqm, args.repeats, num_sweeps=10 * sweeps, num_threads=1, **common)))
        # The last row makes ten times the sweeps: report it per qubit-sweep of the others.
        table.append((f"{name} ({bqm.num_variables})", reads * sweeps * bqm.num_variables, rows))
    notes = []
    if PathIntegralAnnealingSampler is None:
        notes.append("this dwave-samplers has no PathIntegralAnnealingSampler")
    if SQASampler is None:
        notes.append("OpenJij is not installed (pip install openjij)")
    _table(f"Path-integral SQA: {reads} reads, {sweeps} sweeps along the Advantage-like "
           f"schedule at beta = {beta:.3f}/GHz; ns per qubit-sweep (the 10x row: per "
           "qubit-sweep of the others, i.e. its whole time)"
           + "".join(f"; {n}" for n in notes),
           "ns/qubit-sweep", table, "vs first")
