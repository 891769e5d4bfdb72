"""The serial executor: calls run one after another in this process, in the
order submitted, when ``next_finished`` asks for the next one."""

from __future__ import annotations

from collections import deque
from collections.abc import Callable, Hashable
from typing import Any

from .executor import Executor, Finished


class SerialExecutor(Executor):
    """No parallelism and no dependency: the default for tests and tiny runs.
    A call's exception is reported like a worker's; Ctrl-C (``KeyboardInterrupt``)
    propagates at once."""

    workers = 1

    def __init__(self) -> None:
        self._queue: deque[tuple[Hashable, Callable[..., Any], tuple[Any, ...]]] = deque()

    def submit(self, tag: Hashable, fn: Callable[..., Any], *args: Any) -> None:
        self._queue.append((tag, fn, args))

    def next_finished(self) -> Finished:
        if not self._queue:
            raise RuntimeError("next_finished called with no call pending")
        tag, fn, args = self._queue.popleft()
        try:
            return Finished(tag, True, fn(*args))
        except Exception as e:  # reported to the run, which retries or fails
            return Finished(tag, False, error=e)

    def pending(self) -> int:
        return len(self._queue)

    def cancel_pending(self) -> None:
        self._queue.clear()

    def __repr__(self) -> str:
        return "SerialExecutor()"
