"""Path-integral simulated quantum annealing against dwave-samplers'
PathIntegralAnnealingSampler and OpenJij's SQASampler (when installed), along
the same Advantage-like schedule: ns per qubit-sweep."""

from __future__ import annotations

import argparse
import importlib
from typing import Any

import numpy as np

from .problems import problems
from .timing import Row, best_time, print_table

#: OpenJij's SQA runs this many reads at most (it is slow; see ``compare_quantum``).
OPENJIJ_READS = 4


def _optional(module: str, name: str) -> Any:
    """``module.name``, or None when it is not installed."""
    try:
        return getattr(importlib.import_module(module), name)
    except (ImportError, AttributeError):
        return None


def compare_quantum(args: argparse.Namespace, chosen: list[str]) -> None:
    import qsample
    from qsample.samplers.quantum_schedule import DEFAULT_BETA, advantage_like

    # Older dwave-samplers have no path-integral sampler; OpenJij is optional.
    pimc = _optional("dwave.samplers", "PathIntegralAnnealingSampler")
    openjij_sqa = _optional("openjij", "SQASampler")
    beta, sweeps, reads, slices = DEFAULT_BETA, args.sqa_sweeps, args.sqa_reads, args.slices
    s = np.arange(1, sweeps + 1) / sweeps
    a, b = advantage_like(s)
    ours = qsample.SimulatedQuantumAnnealingSampler()
    table = []
    for name in chosen:
        bqm, _ = problems(args.sweeps)[name]
        rows: list[Row] = []
        if pimc is not None:
            # Its partition function is Tr exp(-Hp H_p + Hd sum sigma^x) per step.
            rows.append(
                (
                    "dwave-samplers PIMC 1 thread",
                    *best_time(
                        pimc(),
                        bqm,
                        args.repeats,
                        num_reads=reads,
                        beta_schedule_type="custom",
                        Hp_field=beta * b / 2,
                        Hd_field=beta * a / 2,
                        num_sweeps_per_beta=1,
                        seed=1234,
                    ),
                )
            )
        if openjij_sqa is not None:
            # Its H(s') = s' H_p + gamma (1 - s') sum sigma^x at beta': with gamma = 1,
            # s' = B / (A + B) and beta' = beta (A + B) / 2 give D-Wave's H(s) at beta.
            schedule = [
                (float(bj / (aj + bj)), float(beta * (aj + bj) / 2), 1) for aj, bj in zip(a, b)
            ]
            # Fewer reads (it runs them one after another, so its time per read is
            # the same), scaled to the others' reads; no seed: with one, OpenJij
            # gives every read the same start and the same random numbers.
            few = min(reads, OPENJIJ_READS)
            seconds, ss = best_time(
                openjij_sqa(),
                bqm,
                args.repeats,
                num_reads=few,
                gamma=1.0,
                trotter=slices,
                schedule=schedule,
            )
            rows.append(
                (f"OpenJij SQA P={slices} 1 thread ({few} reads)", seconds * reads / few, ss)
            )
        common = dict(num_reads=reads, num_slices=slices, beta=beta, seed=1234)
        for threads, label in [(1, "1 thread"), (None, "all threads")]:
            rows.append(
                (
                    f"qsample SQA P={slices} {label}",
                    *best_time(
                        ours, bqm, args.repeats, num_sweeps=sweeps, num_threads=threads, **common
                    ),
                )
            )
        for factor in args.sqa_longer:
            rows.append(
                (
                    f"qsample SQA P={slices} 1 thread, {factor}x sweeps",
                    *best_time(
                        ours,
                        bqm,
                        args.repeats,
                        num_sweeps=factor * sweeps,
                        num_threads=1,
                        **common,
                    ),
                )
            )
        # The longer rows are reported per qubit-sweep of the others: their whole time.
        table.append((f"{name} ({bqm.num_variables})", reads * sweeps * bqm.num_variables, rows))
    notes = []
    if pimc is None:
        notes.append("this dwave-samplers has no PathIntegralAnnealingSampler")
    if openjij_sqa is None:
        notes.append("OpenJij is not installed (pip install openjij)")
    print_table(
        f"Path-integral SQA: {reads} reads, {sweeps} sweeps along the Advantage-like "
        f"schedule at beta = {beta:.3f}/GHz; ns per qubit-sweep (the rows with k x sweeps: "
        "per qubit-sweep of the others, i.e. their whole time)" + "".join(f"; {n}" for n in notes),
        "ns/qubit-sweep",
        table,
        "vs first",
    )
