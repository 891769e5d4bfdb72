"""Running the tasks of a run through an executor: seeds from the tasks' ids,
retries of failed attempts, finished results kept in a results folder, one
progress bar."""

from __future__ import annotations

import os
from collections.abc import Callable, Generator, Iterable
from typing import Any, Union

from .._validate import check_int
from .executor import ExecutionInterrupted, Executor
from .progress import TaskProgress
from .seeds import task_seed
from .serial import SerialExecutor
from .store import ResultStore
from .task import Task, check_tasks

#: ``fn(settings, task_id, seed) -> result``: pure, so any attempt anywhere gives the same result.
TaskFunction = Callable[[Any, str, int], Any]
StoreLike = Union[str, "os.PathLike[str]", ResultStore, None]


class TaskFailedError(RuntimeError):
    """Some tasks failed on every attempt; ``errors`` maps their ids to the last
    exception. The other tasks finished (and are in the results folder, if any)."""

    def __init__(self, message: str, errors: dict[str, BaseException]) -> None:
        super().__init__(message)
        self.errors = errors


def iter_task_results(
    fn: TaskFunction,
    tasks: Iterable[Task],
    seed: int,
    *,
    executor: Executor | None = None,
    store: StoreLike = None,
    retries: int = 2,
    progress: bool | None | TaskProgress = None,
) -> Generator[tuple[int, Any], None, None]:
    """Yields ``(index, result)`` for every task as it finishes (in any order),
    ``index`` being the task's position in ``tasks``.

    Each task runs as ``fn(task.settings, task.id, task_seed(seed, task.id))``.
    With a ``store`` (a results folder or ``ResultStore``) a task with a finished
    result there is not run again, each new result is written there as soon as
    it arrives, and the results yielded are the stored JSON values (numpy
    values become plain numbers and lists) whether read back or fresh.

    An attempt that raises, or whose worker is lost, is submitted again, up to
    ``retries`` times; a task failing every attempt does not stop the others,
    and ``TaskFailedError`` is raised once they are done. On Ctrl-C, or when
    the iteration is abandoned, pending attempts are cancelled.

    ``progress``: show the bar (True, False, None: only on a terminal), or a
    ``TaskProgress`` whose counts the caller reads afterwards.
    """
    tasks = check_tasks(tasks)
    seed = check_int("seed", seed, 0, 2**64 - 1)
    retries = check_int("retries", retries, 0)
    if store is not None and not isinstance(store, ResultStore):
        store = ResultStore(store)
    if executor is None:
        executor = SerialExecutor()
    bar = progress if isinstance(progress, TaskProgress) else TaskProgress(progress)

    seeds = [task_seed(seed, t.id) for t in tasks]
    resumed: list[tuple[int, Any]] = []
    todo: list[int] = []
    for i, t in enumerate(tasks):
        found, result = store.load(t.id, seeds[i]) if store is not None else (False, None)
        if found:
            resumed.append((i, result))
        else:
            todo.append(i)

    def submit(i: int, attempt: int) -> None:
        executor.submit((i, attempt), fn, tasks[i].settings, tasks[i].id, seeds[i])

    bar.start(len(tasks), len(resumed))
    try:
        for i in todo:
            submit(i, 0)
        yield from resumed
        errors: dict[str, BaseException] = {}
        while executor.pending():
            try:
                finished = executor.next_finished()
            except ExecutionInterrupted as e:
                if store is None:
                    raise
                raise ExecutionInterrupted(
                    f"{e}; the finished results are in {store.folder}: "
                    f"run again to compute only the rest"
                ) from e
            i, attempt = finished.tag
            if finished.ok:
                value = finished.value
                if store is not None:
                    value = store.save(tasks[i].id, seeds[i], value)
                bar.task_done()
                yield i, value
            elif attempt < retries:
                bar.task_retried()
                submit(i, attempt + 1)
            else:
                bar.task_failed()
                assert finished.error is not None
                errors[tasks[i].id] = finished.error
        if errors:
            raise _failure(errors, len(tasks), retries, store)
    except BaseException:
        executor.cancel_pending()
        raise
    finally:
        bar.close()


def run_tasks(
    fn: TaskFunction,
    tasks: Iterable[Task],
    seed: int,
    *,
    executor: Executor | None = None,
    store: StoreLike = None,
    retries: int = 2,
    progress: bool | None | TaskProgress = None,
) -> list[Any]:
    """The results of all tasks, in the order of ``tasks`` (see ``iter_task_results``)."""
    tasks = check_tasks(tasks)
    results: list[Any] = [None] * len(tasks)
    for i, value in iter_task_results(
        fn, tasks, seed, executor=executor, store=store, retries=retries, progress=progress
    ):
        results[i] = value
    return results


def _failure(
    errors: dict[str, BaseException], total: int, retries: int, store: ResultStore | None
) -> TaskFailedError:
    shown = "; ".join(f"{tid!r} ({type(e).__name__}: {e})" for tid, e in list(errors.items())[:5])
    more = f"; and {len(errors) - 5} more" if len(errors) > 5 else ""
    attempts = "1 attempt" if retries == 0 else f"{retries + 1} attempts"
    text = f"{len(errors)} of {total} tasks failed after {attempts} each: {shown}{more}"
    if store is not None:
        text += (
            f". The other results are in {store.folder}: run again to compute only the "
            f"tasks without one"
        )
    error = TaskFailedError(text, errors)
    error.__cause__ = next(iter(errors.values()))
    return error
