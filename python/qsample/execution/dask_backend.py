"""The Dask executor: calls run as futures on a ``dask.distributed`` cluster,
either a ``LocalCluster`` of processes on this machine or an existing one.

Dask is optional (``pip install "qsample[dask]"``) and imported only here, lazily.
"""

from __future__ import annotations

import collections
import os
import uuid
from collections.abc import Callable, Hashable
from typing import Any

from .executor import ExecutionInterrupted, Executor, Finished

INSTALL_HINT = 'pip install "qsample[dask]"'

#: Messages the scheduler keeps per worker stream for debugging (Dask's default
#: is 1000). They hold the tasks' arguments, unpickled: with a few hundred kB
#: per task, the default kept 16 GB alive in a ten-class digits run.
DEBUG_LOG_LENGTH = 10


def import_distributed(purpose: str) -> Any:
    """``dask.distributed``, or an ImportError saying how to install it."""
    try:
        import distributed
    except ImportError:
        raise ImportError(f"{purpose} needs Dask, which is not installed: {INSTALL_HINT}") from None
    return distributed


def start_local_cluster(workers: int, host: str = "127.0.0.1", **kwargs: Any) -> Any:
    """A ``LocalCluster`` of ``workers`` single-threaded processes listening on
    ``host`` (the loopback address: nothing outside this machine can submit).

    The scheduler lets no task survive a lost worker by itself
    (``allowed_failures=0``): Dask reports the loss as ``KilledWorker`` and the
    run resubmits the task, so every retry is counted on the progress bar. Each
    worker's Rust core uses one thread, as the processes already fill the cores.
    The scheduler's debugging logs are kept short (:data:`DEBUG_LOG_LENGTH`).
    """
    distributed = import_distributed(f"a local cluster of {workers} workers")
    env = {"RAYON_NUM_THREADS": os.environ.get("RAYON_NUM_THREADS", "1")}
    options: dict[str, Any] = dict(
        n_workers=workers,
        threads_per_worker=1,
        processes=True,
        host=host,
        dashboard_address=":0",
        scheduler_kwargs={"allowed_failures": 0, "plugins": [_short_debug_log(distributed)]},
        env=env,
    )
    options.update(kwargs)
    return distributed.LocalCluster(**options)


def _short_debug_log(distributed: Any) -> Any:
    """A scheduler plugin giving each worker's stream, a replacement worker's
    too, a log of :data:`DEBUG_LOG_LENGTH` messages."""

    class ShortDebugLog(distributed.diagnostics.plugin.SchedulerPlugin):
        name = "qsample-short-debug-log"

        def add_worker(self, scheduler: Any, worker: str) -> None:
            stream = scheduler.stream_comms.get(worker)
            if stream is not None:
                stream.recent_message_log = collections.deque(maxlen=DEBUG_LOG_LENGTH)

    return ShortDebugLog()


class DaskExecutor(Executor):
    """Runs calls on the cluster behind ``client``. ``owned`` are closed with the
    executor (the client and cluster it started); a client passed in by the
    caller stays open."""

    def __init__(self, client: Any, owned: tuple[Any, ...] = ()) -> None:
        self._distributed = import_distributed("running tasks on a Dask cluster")
        self.client = client
        self.address = client.scheduler.address
        self._owned = owned
        self._tags: dict[Any, Hashable] = {}
        self._completed = self._distributed.as_completed([], loop=client.loop)
        self._prefix = f"qsample-{uuid.uuid4().hex[:12]}"
        self._count = 0

    @property
    def workers(self) -> int:  # type: ignore[override]
        return max(1, sum(self.client.nthreads().values()))

    def submit(self, tag: Hashable, fn: Callable[..., Any], *args: Any) -> None:
        # An explicit unique key: two attempts of one task are two futures, and
        # runs sharing a cluster never share a key.
        self._count += 1
        target = getattr(fn, "func", fn)  # a functools.partial names its function
        name = getattr(target, "__name__", type(target).__name__)
        future = self.client.submit(
            fn, *args, key=f"{name}-{self._prefix}-{self._count}", pure=False
        )
        self._tags[future] = tag
        self._completed.add(future)

    def next_finished(self) -> Finished:
        if not self._tags:
            raise RuntimeError("next_finished called with no call pending")
        future = next(self._completed)
        tag = self._tags.pop(future)
        try:
            if future.status == "cancelled":
                raise ExecutionInterrupted(
                    f"Dask cancelled a task ({future.key}): the scheduler at "
                    f"{self.address} is gone or cancelled it"
                )
            if future.status == "error":
                return Finished(tag, False, error=future.exception())
            try:
                return Finished(tag, True, future.result())
            except self._distributed.CancelledError:
                raise ExecutionInterrupted(
                    f"Dask lost a task's result ({future.key}): the scheduler at "
                    f"{self.address} is gone"
                ) from None
            except Exception as e:  # fetching failed: another attempt may succeed
                return Finished(tag, False, error=e)
        finally:
            future.release()

    def pending(self) -> int:
        return len(self._tags)

    def cancel_pending(self) -> None:
        futures = list(self._tags)
        self._tags.clear()
        self._completed.clear()
        if futures:
            try:
                self.client.cancel(futures)
            except Exception:  # the scheduler may be gone already; nothing left to cancel
                pass

    def close(self) -> None:
        self.cancel_pending()
        for thing in self._owned:
            thing.close()

    def __repr__(self) -> str:
        return f"DaskExecutor(scheduler={self.address!r})"
