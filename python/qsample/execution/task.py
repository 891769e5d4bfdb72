"""A task: one call of a pure function ``fn(settings, task_id, seed) -> result``."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class Task:
    """``id`` names the task within its run (it also derives the task's seed, so
    keep it stable: e.g. ``"instance=3,method=sa"``); ``settings`` is what the
    function receives, picklable when the task runs on Dask workers."""

    id: str
    settings: Any = None

    def __post_init__(self) -> None:
        if not isinstance(self.id, str):
            raise TypeError(f"'Task.id' must be a string: value = {self.id!r}")
        if not self.id:
            raise ValueError("'Task.id' must be a non-empty string: value = ''")


def check_tasks(tasks: Iterable[Task]) -> list[Task]:
    """The tasks as a list; ids must be unique since results and seeds are keyed by them."""
    out = list(tasks)
    seen: set[str] = set()
    for i, t in enumerate(out):
        if not isinstance(t, Task):
            raise TypeError(f"'tasks' must hold Task objects: item {i} is {type(t).__name__}")
        if t.id in seen:
            raise ValueError(f"'tasks' must have unique ids: {t.id!r} appears twice")
        seen.add(t.id)
    return out
