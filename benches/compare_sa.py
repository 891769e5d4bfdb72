"""qsample's simulated annealing against dwave-samplers', same BQM, reads,
sweeps and schedule, in one process. Prints ns per single-spin update and the
ratio, and the mean energies so speed is not bought by doing less.

    python benches/compare_sa.py [--reads 64] [--sweeps 1000] [--repeats 3]
"""

from __future__ import annotations

import argparse
import os
import sys
import time

import numpy as np

sys.path.insert(0, os.path.dirname(__file__))
from problems import chimera_glass, embedded_clique  # noqa: E402


def best_time(sampler, bqm, repeats: int, **kwargs) -> tuple[float, object]:
    best, out = float("inf"), None
    for _ in range(repeats):
        t = time.perf_counter()
        out = sampler.sample(bqm, **kwargs)
        best = min(best, time.perf_counter() - t)
    return best, out


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--reads", type=int, default=64)
    p.add_argument("--sweeps", type=int, default=1000)
    p.add_argument("--repeats", type=int, default=3)
    args = p.parse_args(argv)

    from dwave.samplers import SimulatedAnnealingSampler as DwaveSA

    import qsample

    ours = qsample.SimulatedAnnealingSampler()
    peer = DwaveSA()
    print(f"qsample kernel: {qsample._core.simd_kernel()}, cores: {os.cpu_count()}, "
          f"reads: {args.reads}, sweeps: {args.sweeps}")
    header = (f"{'problem':<22}{'sampler':<26}{'ns/update':>10}{'speed-up':>10}"
              f"{'mean E':>12}{'min E':>10}")
    print(header)
    for name, bqm in [("chimera-2048-glass", chimera_glass()),
                      ("K46-clique-embedded", embedded_clique())]:
        n = bqm.num_variables
        updates = args.reads * args.sweeps * n
        common = dict(num_reads=args.reads, num_sweeps=args.sweeps,
                      beta_schedule_type="geometric", seed=1234)
        rows = []
        t, ss = best_time(peer, bqm, args.repeats, **common)
        rows.append(("dwave-samplers 1 thread", t, ss))
        for threads, label in [(1, "qsample 1 thread"), (None, "qsample all threads")]:
            t, ss = best_time(ours, bqm, args.repeats, num_threads=threads, **common)
            rows.append((label, t, ss))
        base = rows[0][1]
        for label, t, ss in rows:
            e = ss.record.energy
            print(f"{name + f' ({n})':<22}{label:<26}{t / updates * 1e9:>10.2f}"
                  f"{base / t:>10.2f}{np.mean(e):>12.2f}{np.min(e):>10.1f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
