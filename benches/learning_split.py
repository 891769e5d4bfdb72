"""Where a learning iteration's time goes at the BAS size: the annealer's core
call against everything around it (moments, updates, decoding, bookkeeping).

    python benches/learning_split.py [--iterations 200] [--threads N]

The model is the paper's BAS one (K42 by minorminer on the D-Wave-2X-like
target, 96 pictures per positive phase, 96 reads of the paper's SA schedule
per negative phase); the figure to watch is the share outside the core call.
"""

from __future__ import annotations

import argparse
import time

from qsample import datasets
from qsample import experiments as ex
from qsample.learning import Hyperparameters, SampledMoments, embedded_trainer
from qsample.model import HardwareModel
from qsample.samplers import annealing


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--iterations", type=int, default=200)
    parser.add_argument("--threads", type=int, default=None, help="core threads (default all)")
    args = parser.parse_args()

    train, _ = datasets.shuffled_split(datasets.bars_and_stripes(7, 6), 96, seed=0)
    embedding = ex.make_embedding(42, ex.make_target("dw2x", 0), "minorminer", 2, 0)
    parameters = {} if args.threads is None else {"num_threads": args.threads}
    model = HardwareModel(embedding, seed=0)
    trainer = embedded_trainer(
        model,
        train.data,
        SampledMoments(sampler_parameters=parameters),
        Hyperparameters(learning_rate=0.01, num_reads=96, range_policy="ignore"),
        seed=0,
        progress=False,
    )
    trainer.run(5)  # warm up: first-call validation, caches

    core_seconds = 0.0
    anneal = annealing._core.anneal

    def timed_anneal(*a, **kw):
        nonlocal core_seconds
        t = time.perf_counter()
        try:
            return anneal(*a, **kw)
        finally:
            core_seconds += time.perf_counter() - t

    annealing._core.anneal = timed_anneal
    try:
        start = time.perf_counter()
        trainer.run(args.iterations)
        total = time.perf_counter() - start
    finally:
        annealing._core.anneal = anneal
    n = args.iterations
    outside = total - core_seconds
    print(
        f"{n} iterations, {model.num_qubits} qubits: {total:.3f} s "
        f"({total / n * 1e3:.2f} ms per iteration); core anneal {core_seconds:.3f} s "
        f"({core_seconds / total:.1%}); outside the core call {outside:.3f} s "
        f"({outside / total:.1%})"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
