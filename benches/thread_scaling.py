"""Both cores against one thread for the annealer's core call alone, at read
counts where the threads must share lane groups (16 reads: one group of 16
lanes; 40: three groups on two cores).

    python benches/thread_scaling.py [--problems gaussian,bas] [--reads 16,40]
                                     [--calls 40] [--threads 2]

Calls alternate between one thread and ``--threads`` so that both see the
same machine; the array entry point skips dimod's conversions, which
``benches/compare_sa.py`` (through ``sample()``) includes. Reports the
fastest and the median call of each and their ratios.
"""

from __future__ import annotations

import argparse
import time

import numpy as np

from qsample import SimulatedAnnealingSampler
from qsample.benchmark.problems import problems
from qsample.ising import from_bqm, sorted_variables


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--problems", default="gaussian,bas")
    parser.add_argument("--reads", default="16,40")
    parser.add_argument("--calls", type=int, default=40)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--sweeps", type=int, default=200)
    args = parser.parse_args()

    sampler = SimulatedAnnealingSampler()
    print(
        f"core call, {args.sweeps} sweeps, {args.calls} calls each, alternating; "
        f"ms per call (fastest / median), ratio = 1 thread / {args.threads} threads"
    )
    print(f"| problem | reads | 1 thread | {args.threads} threads | ratio (fastest / median) |")
    print("|---|---|---|---|---|")
    for name in args.problems.split(","):
        bqm, schedule = problems(args.sweeps)[name]
        model = from_bqm(bqm, sorted_variables(bqm))
        for reads in (int(r) for r in args.reads.split(",")):
            times: dict[int, list[float]] = {1: [], args.threads: []}
            for call in range(args.calls):
                for threads in times:
                    start = time.perf_counter()
                    sampler.sample_arrays(
                        model,
                        reads,
                        1234 + call,
                        beta_schedule_type="custom",
                        beta_schedule=schedule,
                        num_threads=threads,
                    )
                    times[threads].append((time.perf_counter() - start) * 1e3)
            one, many = (np.array(times[t]) for t in times)
            print(
                f"| {name} ({model.num_variables}) | {reads} "
                f"| {one.min():.2f} / {np.median(one):.2f} "
                f"| {many.min():.2f} / {np.median(many):.2f} "
                f"| {one.min() / many.min():.2f} / {np.median(one) / np.median(many):.2f} |"
            )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
