"""One progress bar over the tasks of a run, with the counts done, failed and retried."""

from __future__ import annotations

from typing import Any


def progress_disabled(progress: bool | None) -> bool | None:
    """tqdm's ``disable`` for a ``progress`` flag: None shows a bar only on a terminal."""
    return None if progress is None else not progress


class TaskProgress:
    """Counts what happens to the tasks of one run and shows it as a tqdm bar
    on stderr (``enabled``: True, False, or None for only on a terminal). The
    counts stay readable after the run, e.g. how many attempts were retried
    after a worker was lost.

    ``resumed``: tasks whose finished result was read from the results folder;
    ``done``: tasks finished in this run; ``retried``: attempts submitted again
    after an error or a lost worker; ``failed``: tasks that used up their retries.
    """

    def __init__(self, enabled: bool | None = None, desc: str = "tasks") -> None:
        self.enabled = enabled
        self.desc = desc
        self.total = 0
        self.resumed = 0
        self.done = 0
        self.failed = 0
        self.retried = 0
        self._bar: Any = None

    def start(self, total: int, resumed: int) -> None:
        self.total, self.resumed = total, resumed
        if self.enabled is not False:
            from tqdm.auto import tqdm

            self._bar = tqdm(
                total=total,
                initial=resumed,
                desc=self.desc,
                unit="task",
                dynamic_ncols=True,
                disable=progress_disabled(self.enabled),
            )
            self._show()

    def task_done(self) -> None:
        self.done += 1
        self._advance()

    def task_failed(self) -> None:
        self.failed += 1
        self._advance()

    def task_retried(self) -> None:
        self.retried += 1
        self._show()

    def close(self) -> None:
        if self._bar is not None:
            self._bar.close()
            self._bar = None

    def _advance(self) -> None:
        self._show(refresh=False)
        if self._bar is not None:
            self._bar.update(1)

    def _show(self, refresh: bool = True) -> None:
        if self._bar is not None:
            text = f"done={self.resumed + self.done} failed={self.failed} retried={self.retried}"
            if self.resumed:
                text += f" (resumed {self.resumed})"
            self._bar.set_postfix_str(text, refresh=refresh)
