"""Timing a sampler: the best of several calls, and tables of the results."""

from __future__ import annotations

import time
from typing import Any

import dimod
import numpy as np

Row = tuple[str, float, dimod.SampleSet]


def best_time(
    sampler: Any, bqm: dimod.BinaryQuadraticModel, repeats: int, **kwargs: Any
) -> tuple[float, dimod.SampleSet]:
    """The shortest of ``repeats`` calls (machines are shared: the minimum is
    the least disturbed), and the last call's samples."""
    best, out = float("inf"), None
    for _ in range(repeats):
        t = time.perf_counter()
        out = sampler.sample(bqm, **kwargs)
        best = min(best, time.perf_counter() - t)
    assert out is not None
    return best, out


def print_table(
    header: str, unit: str, rows_by_problem: list[tuple[str, float, list[Row]]], ratio_name: str
) -> None:
    """One markdown table: per problem, rows (who, seconds, samples) with the
    time per unit of ``work`` and the ratio to the problem's first row."""
    print(header)
    print(f"| problem | sampler | {unit} | {ratio_name} | mean E | min E |")
    print("|---|---|---|---|---|---|")
    for label, work, rows in rows_by_problem:
        base = rows[0][1]
        for who, seconds, ss in rows:
            e = ss.record.energy
            print(
                f"| {label} | {who} | {seconds / work * 1e9:.2f} | {base / seconds:.2f} "
                f"| {np.mean(e):.2f} | {np.min(e):.1f} |",
                flush=True,
            )
