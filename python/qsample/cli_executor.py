"""The command line's choice of where a command's tasks run: ``--workers`` and
``--scheduler``, shared by the experiment commands and the data commands."""

from __future__ import annotations

import argparse
import os
import sys
from typing import Any


def executor_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument(
        "--workers",
        type=int,
        metavar="N",
        help="run independent parts of the work (SK units, picture batches) on a "
        "local Dask cluster of N processes; 1 runs them in this process "
        "(default: one per core, or 1 with --quick; needs "
        "pip install 'qsample[dask]')",
    )
    p.add_argument(
        "--scheduler",
        metavar="ADDRESS",
        help="run them on an existing Dask cluster, e.g. tcp://HOST:8786 "
        "(default: $DASK_SCHEDULER_ADDRESS if set)",
    )


def open_executor_for(args: argparse.Namespace, small: bool = False) -> Any:
    """Where the tasks of a command run: ``--scheduler`` (or
    $DASK_SCHEDULER_ADDRESS), ``--workers N``, else a local cluster of one
    process per core for full runs and this process for small ones (or when
    Dask is not installed, saying how to get it)."""
    from ._validate import check_positive_int
    from .execution import SCHEDULER_ENV, SerialExecutor, default_workers, open_executor

    if args.scheduler is not None:
        return open_executor(scheduler=args.scheduler)
    if args.workers is not None:
        n = check_positive_int("--workers", args.workers)
        return SerialExecutor() if n == 1 else open_executor(workers=n)
    if os.environ.get(SCHEDULER_ENV):
        return open_executor()
    n = default_workers()
    if small or n == 1:
        return SerialExecutor()
    try:
        return open_executor(workers=n)
    except ImportError:
        print(
            f"{args.prog}: running in one process (pip install 'qsample[dask]' to use the "
            f"{n} cores)",
            file=sys.stderr,
        )
        return SerialExecutor()
