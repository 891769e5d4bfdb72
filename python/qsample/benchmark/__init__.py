"""Sampler throughput side by side with peers, in one process: ``qsample bench``
and ``benches/compare_sa.py``; needs ``dwave-samplers``.

- ``sa`` (default): qsample's simulated annealing against dwave-samplers' over
  read counts, one thread and all threads (:mod:`.annealing`);
- ``pt``: parallel tempering next to SA (:mod:`.tempering`);
- ``sqa``: path-integral SQA against dwave-samplers' and OpenJij's (:mod:`.quantum`).

Problems (``--problems``) are described in :mod:`.problems`. Speed is always a
ratio against a peer measured in the same run.
"""

from __future__ import annotations

import argparse
from collections.abc import Sequence

from .._validate import check_positive_int
from .annealing import compare_annealing
from .problems import chimera_glass, embedded_clique, problems, read_arrays, write_arrays
from .quantum import compare_quantum
from .tempering import compare_tempering

COMPARISONS = {"sa": compare_annealing, "pt": compare_tempering, "sqa": compare_quantum}

__all__ = [
    "COMPARISONS",
    "add_arguments",
    "chimera_glass",
    "embedded_clique",
    "main",
    "problems",
    "read_arrays",
    "run",
    "write_arrays",
]


def _int_list(text: str) -> list[int]:
    try:
        values = [int(v) for v in text.split(",")]
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected comma-separated integers: {text!r}") from None
    if not values or min(values) < 1:
        raise argparse.ArgumentTypeError(f"expected positive integers: {text!r}")
    return values


def add_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument(
        "--samplers",
        default="sa",
        help=f"comparisons to run, comma-separated from {', '.join(COMPARISONS)} (default sa)",
    )
    p.add_argument(
        "--problems",
        default="gaussian,bas",
        help="comma-separated, of gaussian, bas, k46 (default gaussian,bas)",
    )
    p.add_argument(
        "--reads",
        type=_int_list,
        default=[1, 16, 40, 96, 1000],
        help="SA read counts, comma-separated (default 1,16,40,96,1000)",
    )
    p.add_argument("--sweeps", type=int, default=200, help="SA/PT sweeps per read (default 200)")
    p.add_argument(
        "--pt-reads",
        type=int,
        default=64,
        help="replicas of PT (and SA reads beside it) (default 64)",
    )
    p.add_argument("--sqa-reads", type=int, default=32, help="SQA reads per call (default 32)")
    p.add_argument("--sqa-sweeps", type=int, default=100, help="SQA sweeps per read (default 100)")
    p.add_argument(
        "--sqa-longer",
        type=_int_list,
        default=[10],
        help="rows of qsample's SQA on one thread with this many times the sweeps, to compare "
        "at equal energy, comma-separated (default 10)",
    )
    p.add_argument(
        "--slices",
        type=int,
        default=32,
        help="Trotter slices of qsample's and OpenJij's SQA (default 32)",
    )
    p.add_argument("--repeats", type=int, default=3, help="best of this many runs (default 3)")


def main(argv: Sequence[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    add_arguments(p)
    return run(p.parse_args(argv))


def run(args: argparse.Namespace) -> int:
    for name in ("sweeps", "pt_reads", "sqa_reads", "sqa_sweeps", "slices", "repeats"):
        check_positive_int(f"--{name.replace('_', '-')}", getattr(args, name))
    for factor in args.sqa_longer:
        check_positive_int("--sqa-longer", factor)
    chosen = [c.strip() for c in str(args.samplers).split(",") if c.strip()]
    unknown = sorted(set(chosen) - set(COMPARISONS))
    if unknown or not chosen:
        raise ValueError(
            f"'--samplers' must be a comma-separated list from "
            f"{tuple(COMPARISONS)}: value = {args.samplers!r}"
        )
    names = [name.strip() for name in str(args.problems).split(",") if name.strip()]
    known = ("gaussian", "bas", "k46")
    bad = [n for n in names if n not in known]
    if bad or not names:
        raise ValueError(f"'--problems' must name some of {known}: value = {args.problems!r}")
    try:
        import dwave.samplers  # noqa: F401
    except ImportError:
        raise ImportError(
            "the benchmark compares against dwave-samplers: "
            "pip install dwave-samplers (or 'qsample[bench]')"
        ) from None
    for k, name in enumerate(chosen):
        if k:
            print()
        COMPARISONS[name](args, names)
    return 0
