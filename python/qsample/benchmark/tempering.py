"""Parallel tempering next to simulated annealing: the same number of replica
updates, with and without Houdayer cluster moves, ns per spin update."""

from __future__ import annotations

import argparse

import numpy as np

from .problems import problems
from .timing import Row, best_time, print_table


def compare_tempering(args: argparse.Namespace, chosen: list[str]) -> None:
    import qsample
    from qsample.ising import from_bqm
    from qsample.samplers.schedules import default_beta_range

    sa, pt = qsample.SimulatedAnnealingSampler(), qsample.ParallelTemperingSampler()
    # PT makes the same updates as SA: (reads / 16) chains of 16 replicas.
    chains = max(1, args.pt_reads // 16)
    table = []
    for name in chosen:
        bqm, _ = problems(args.sweeps)[name]
        hot, cold = default_beta_range(from_bqm(bqm))
        updates = chains * 16 * args.sweeps * bqm.num_variables
        rows: list[Row] = []
        for threads, label in [(1, "1 thread"), (None, "all threads")]:
            rows.append(
                (
                    f"qsample SA {label}",
                    *best_time(
                        sa,
                        bqm,
                        args.repeats,
                        num_reads=chains * 16,
                        num_sweeps=args.sweeps,
                        beta_range=(hot, cold),
                        num_threads=threads,
                        seed=1234,
                    ),
                )
            )
        for threads, label in [(1, "1 thread"), (None, "all threads")]:
            rows.append(
                (
                    f"qsample PT 16 rungs {label}",
                    *best_time(
                        pt,
                        bqm,
                        args.repeats,
                        num_reads=chains,
                        num_sweeps=args.sweeps,
                        num_replicas=16,
                        beta_range=(hot, cold),
                        num_threads=threads,
                        seed=1234,
                    ),
                )
            )
            # Houdayer moves on the colder half of the ladder, where they pay.
            rows.append(
                (
                    f"qsample PT 8x2 + Houdayer {label}",
                    *best_time(
                        pt,
                        bqm,
                        args.repeats,
                        num_reads=chains,
                        num_sweeps=args.sweeps,
                        num_replicas=8,
                        beta_range=(hot, cold),
                        cluster_moves=True,
                        cluster_beta_min=float(np.sqrt(hot * cold)),
                        num_threads=threads,
                        seed=1234,
                    ),
                )
            )
        table.append((f"{name} ({bqm.num_variables})", updates, rows))
    print_table(
        f"Parallel tempering next to SA: {chains * 16} replicas (SA reads), {args.sweeps} "
        "sweeps each, over SA's default beta range; PT energies are of its "
        f"{chains} cold replicas",
        "ns/update",
        table,
        "vs SA",
    )
