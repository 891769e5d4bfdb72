"""The ``qsample`` command line.

    qsample demo    sample a built-in Sherrington-Kirkpatrick model with simulated
                    annealing and compare against the exact Boltzmann distribution
    qsample bench   qsample's simulated annealing vs dwave-samplers, ns per update
"""

from __future__ import annotations

import argparse
import sys
import time
from collections.abc import Sequence

import numpy as np

from . import __version__


def _demo(args: argparse.Namespace) -> int:
    from . import SimulatedAnnealingSampler, exact
    from ._validate import check_positive_int
    from .ising import from_matrix

    n = check_positive_int("--spins", args.spins)
    if n > 20:
        raise ValueError(f"'--spins' must be at most 20 for the exact comparison: value = {n}")
    rng = np.random.default_rng(args.seed)
    J = np.triu(rng.normal(0.0, 2.0 / np.sqrt(n), size=(n, n)), k=1)
    ising = from_matrix(np.zeros(n), J)
    bqm = ising.to_bqm()
    t = time.perf_counter()
    ss = SimulatedAnnealingSampler().sample(
        bqm, num_reads=args.reads, beta_schedule_type="custom",
        beta_schedule=np.linspace(0.0, 1.0, 200), seed=args.seed)
    sa_seconds = time.perf_counter() - t
    samples = ss.record.sample[:, [ss.variables.index(v) for v in range(n)]]
    t = time.perf_counter()
    m = exact.moments(ising, beta=1.0)
    exact_seconds = time.perf_counter() - t
    corr_hat = samples.T.astype(float) @ samples / len(samples)
    iu = np.triu_indices(n, k=1)
    err = np.abs(corr_hat[iu] - m.correlation[iu])
    data = exact.sample(ising, args.reads, beta=1.0, seed=args.seed)
    print(f"qsample {__version__}: SK model, {n} spins, J ~ N(0, 2/sqrt(N)), beta = 1")
    print(f"  simulated annealing: {args.reads} reads, linear beta 0 -> 1 over 200 sweeps, "
          f"{sa_seconds:.3f} s")
    print(f"  exact enumeration of 2^{n} states (log Z and all moments): {exact_seconds:.3f} s")
    print(f"  log Z(beta=1) = {m.log_partition:.4f}")
    print(f"  <s_i s_j>: mean |SA - exact| = {err.mean():.4f}, max = {err.max():.4f} "
          f"(sampling noise ~ {1 / np.sqrt(args.reads):.4f})")
    print(f"  proxy Lambda_av: SA samples {exact.log_likelihood_proxy(ising, samples):.4f}, "
          f"exact samples {exact.log_likelihood_proxy(ising, data):.4f}")
    return 0


def _bench(args: argparse.Namespace) -> int:
    from .benchmark import run

    return run(args)


def build_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="qsample", description=__doc__.splitlines()[0])
    p.add_argument("--version", action="version", version=f"qsample {__version__}")
    sub = p.add_subparsers(dest="command", required=True)
    demo = sub.add_parser("demo", help="SA on a built-in SK model vs exact enumeration")
    demo.add_argument("--spins", type=int, default=16)
    demo.add_argument("--reads", type=int, default=5000)
    demo.add_argument("--seed", type=int, default=0)
    demo.set_defaults(run=_demo)
    bench = sub.add_parser("bench", help="qsample SA vs dwave-samplers (needs dwave-samplers)")
    from .benchmark import add_arguments

    add_arguments(bench)
    bench.set_defaults(run=_bench)
    return p


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        return int(args.run(args))
    except (ValueError, ImportError) as e:
        print(f"qsample {args.command}: error: {e}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    raise SystemExit(main())
