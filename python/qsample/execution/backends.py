"""Choosing where tasks run: serially in this process, on a local cluster of
processes, or on an existing Dask cluster."""

from __future__ import annotations

import os
from typing import Any, Union

from .._validate import check_positive_int
from .dask_backend import DaskExecutor, import_distributed, start_local_cluster
from .executor import Executor
from .serial import SerialExecutor

#: The environment variable naming an existing scheduler, as Dask itself reads it.
SCHEDULER_ENV = "DASK_SCHEDULER_ADDRESS"

Workers = Union[int, str, None]


def default_workers() -> int:
    """The cores this process may use (its CPU affinity where the OS tells it)."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # macOS, Windows
        return os.cpu_count() or 1


def open_executor(workers: Workers = None, scheduler: str | None = None) -> Executor:
    """The executor for a run; use it as a context manager so that what it
    started is stopped.

    - ``scheduler="tcp://HOST:PORT"`` (or, when neither argument is given, the
      ``DASK_SCHEDULER_ADDRESS`` environment variable): an existing cluster;
    - ``workers=N`` (``"auto"``: one per core): a ``LocalCluster`` of N processes
      on the loopback address, stopped on close;
    - neither: serial, in this process.

    Both Dask choices need ``pip install "qsample[dask]"``.
    """
    if workers is not None and scheduler is not None:
        raise ValueError(
            f"give 'workers' (a local cluster) or 'scheduler' (an existing one), "
            f"not both: workers = {workers!r}, scheduler = {scheduler!r}"
        )
    if workers is not None:
        n = _check_workers(workers)
        cluster = start_local_cluster(n)
        try:
            client = import_distributed("a local cluster").Client(cluster)
        except BaseException:
            cluster.close()
            raise
        return DaskExecutor(client, owned=(client, cluster))
    origin = "'scheduler'"
    if scheduler is None and os.environ.get(SCHEDULER_ENV):
        scheduler, origin = os.environ[SCHEDULER_ENV], f"${SCHEDULER_ENV}"
    if scheduler is None:
        return SerialExecutor()
    client = _connect(scheduler, origin)
    return DaskExecutor(client, owned=(client,))  # closing leaves the cluster running


def _check_workers(workers: Any) -> int:
    if isinstance(workers, str):
        if workers != "auto":
            raise ValueError(f"'workers' must be a positive integer or 'auto': value = {workers!r}")
        return default_workers()
    return check_positive_int("workers", workers)


def _connect(address: str, origin: str) -> Any:
    if not isinstance(address, str):
        raise TypeError(f"{origin} must be a scheduler address string: value = {address!r}")
    if "://" not in address:
        raise ValueError(
            f"{origin} must be a scheduler address such as tcp://HOST:PORT: value = {address!r}"
        )
    distributed = import_distributed(f"connecting to the scheduler at {address}")
    try:
        client = distributed.Client(address, timeout="10s")
    except OSError as e:  # includes timeouts: nobody answered at that address
        raise OSError(f"no Dask scheduler answered at {address} (from {origin}): {e}") from None
    return client
