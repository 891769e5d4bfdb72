"""Simulated annealing against dwave-samplers': ns per single-spin update over
read counts, one thread and all threads, with the same BQM, reads, sweeps and
custom schedule, and the mean energies (so speed is not bought by doing less)."""

from __future__ import annotations

import argparse
import os

import numpy as np

from .problems import problems
from .timing import best_time


def compare_annealing(args: argparse.Namespace, chosen: list[str]) -> None:
    from dwave.samplers import SimulatedAnnealingSampler as DwaveSA

    import qsample

    sweeps, repeats = args.sweeps, args.repeats
    available = problems(sweeps)
    ours, peer = qsample.SimulatedAnnealingSampler(), DwaveSA()
    print(
        f"qsample kernel: {qsample._core.simd_kernel()}, cores: {os.cpu_count()}, "
        f"sweeps: {sweeps}, custom schedule, Metropolis, best of {repeats}; ns per "
        "single-spin update (ratio: dwave-samplers time / qsample time)"
    )
    print(
        "| problem | reads | dwave-samplers | qsample 1 thread | qsample all threads "
        "| all / 1 thread | mean E (dwave / qsample) |"
    )
    print("|---|---|---|---|---|---|---|")
    for name in chosen:
        bqm, schedule = available[name]
        for reads in args.reads:
            updates = reads * sweeps * bqm.num_variables
            common = dict(
                num_reads=reads, beta_schedule_type="custom", beta_schedule=schedule, seed=1234
            )
            t_peer, ss_peer = best_time(peer, bqm, repeats, **common)
            t_one, ss_one = best_time(ours, bqm, repeats, num_threads=1, **common)
            t_all, _ = best_time(ours, bqm, repeats, **common)

            def ns(t: float, updates: int = updates) -> str:
                return f"{t / updates * 1e9:.2f}"

            print(
                f"| {name} ({bqm.num_variables}) | {reads} | {ns(t_peer)} "
                f"| {ns(t_one)} ({t_peer / t_one:.1f}x) | {ns(t_all)} ({t_peer / t_all:.1f}x) "
                f"| {t_one / t_all:.2f} | {np.mean(ss_peer.record.energy):.1f} / "
                f"{np.mean(ss_one.record.energy):.1f} |",
                flush=True,
            )
