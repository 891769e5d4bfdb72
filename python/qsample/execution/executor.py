"""What runs the attempts of tasks: submit calls, then take them back as they finish.

The policy (seeds, retries, results folder, progress) lives in ``run.py`` once
for every backend; an executor only runs calls and reports how each ended.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Callable, Hashable
from dataclasses import dataclass
from typing import Any


class ExecutionInterrupted(RuntimeError):
    """The backend stopped running the run's tasks (e.g. the scheduler is gone)."""


@dataclass
class Finished:
    """One attempt's end: ``value`` when ``ok``, else the exception it raised
    (or the backend's, e.g. Dask's ``KilledWorker`` for a lost worker)."""

    tag: Any  # the submitter's label, returned as given
    ok: bool
    value: Any = None
    error: BaseException | None = None


class Executor(ABC):
    """Serial in-process, or Dask. Use as a context manager (``close`` on exit)."""

    #: How many calls run at once; callers size their chunks by it.
    workers: int = 1

    @abstractmethod
    def submit(self, tag: Hashable, fn: Callable[..., Any], *args: Any) -> None:
        """Queue ``fn(*args)``; ``tag`` comes back with its ``Finished``."""

    @abstractmethod
    def next_finished(self) -> Finished:
        """Block until a submitted call ends, in any order; raises
        ``ExecutionInterrupted`` when the backend can no longer run them."""

    @abstractmethod
    def pending(self) -> int:
        """How many submitted calls have not been returned by ``next_finished``."""

    @abstractmethod
    def cancel_pending(self) -> None:
        """Forget every submitted call not yet returned (after Ctrl-C or a failure)."""

    def close(self) -> None:
        """Forget pending calls and release what the executor started (a local
        cluster, a client)."""
        self.cancel_pending()

    def __enter__(self) -> Executor:
        return self

    def __exit__(self, *exc: Any) -> None:
        self.close()
