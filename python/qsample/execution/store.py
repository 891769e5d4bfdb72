"""The results folder of a run: one sub-folder per finished task, so that a run
interrupted as a whole (Ctrl-C, the scheduler gone) resumes from it and
recomputes only the tasks without a finished result.

Layout::

    FOLDER/run.json                 what the results belong to (see ``identity``)
    FOLDER/<task folder>/result.json    {"task_id", "seed", "result"}, written last

``result.json`` is written atomically, after the task returned, so its presence
is the mark of a finished task; a task may write more files into its folder
(``task_dir``) before that.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
from pathlib import Path
from typing import Any

from .. import _files

RESULT_FILE = "result.json"
RUN_FILE = "run.json"

_PLAIN_NAME = re.compile(r"[A-Za-z0-9._,=+-]+")
_MAX_PLAIN = 100


def task_folder_name(task_id: str) -> str:
    """A folder name for the task: the id itself when it is short and made of
    characters safe on every file system, else a cleaned prefix plus a hash
    (``~`` never appears in a plain name, so the two kinds cannot collide)."""
    if _PLAIN_NAME.fullmatch(task_id) and len(task_id) <= _MAX_PLAIN and task_id[0] != ".":
        return task_id
    cleaned = re.sub(r"[^A-Za-z0-9._,=+-]", "_", task_id)[:80].lstrip(".")
    return f"{cleaned}~{hashlib.sha256(task_id.encode('utf-8')).hexdigest()[:10]}"


def as_json_value(obj: Any) -> Any:
    """``obj`` as it reads back from JSON (numpy values as plain numbers and lists)."""
    return json.loads(json.dumps(obj, default=_files.json_default))


class ResultStore:
    """A results folder (created when missing).

    ``identity`` (JSON-able, e.g. the settings shared by every task) is written
    to ``run.json`` the first time; a later run with another identity refuses
    the folder, so results of different runs are never mixed. Each result also
    records the task's seed, and a run deriving another seed refuses it too.
    """

    def __init__(self, folder: str | os.PathLike, identity: Any = None) -> None:
        self.folder = Path(folder)
        self.folder.mkdir(parents=True, exist_ok=True)
        if identity is not None:
            self._claim(as_json_value(identity))

    def _claim(self, identity: Any) -> None:
        path = self.folder / RUN_FILE
        if path.exists():
            found = json.loads(path.read_text()).get("identity")
            if found != identity:
                raise ValueError(
                    f"results folder {self.folder} belongs to another run: it holds "
                    f"{_difference(found, identity)}; use another folder, or the same settings "
                    f"to resume"
                )
        else:
            _files.write_json(path, {"identity": identity})

    def task_dir(self, task_id: str) -> Path:
        """The task's folder (created when missing), for files beside its result."""
        path = self.folder / task_folder_name(task_id)
        path.mkdir(parents=True, exist_ok=True)
        return path

    def result_path(self, task_id: str) -> Path:
        return self.folder / task_folder_name(task_id) / RESULT_FILE

    def load(self, task_id: str, seed: int) -> tuple[bool, Any]:
        """(True, result) for a finished task, (False, None) for one to compute."""
        path = self.result_path(task_id)
        if not path.exists():
            return False, None
        try:
            record = json.loads(path.read_text())
            found_id, found_seed, result = record["task_id"], record["seed"], record["result"]
        except (ValueError, KeyError, TypeError) as e:
            raise ValueError(
                f"{path} is not a result written by qsample ({e}); move it away "
                f"to recompute the task"
            ) from None
        if found_id != task_id:
            raise ValueError(
                f"{path} holds the result of task {found_id!r}, not {task_id!r} "
                f"(their folder names collide on this file system); use ids that "
                f"differ in more than letter case"
            )
        if found_seed != seed:
            raise ValueError(
                f"{path} was computed with seed {found_seed}, but this run derives "
                f"seed {seed} for task {task_id!r}: the folder belongs to a run with "
                f"another seed; use another folder, or the same seed to resume"
            )
        return True, result

    def save(self, task_id: str, seed: int, result: Any) -> Any:
        """Write the task's result atomically and return it as it reads back."""
        try:
            value = as_json_value(result)
        except (TypeError, ValueError) as e:
            raise TypeError(
                f"the result of task {task_id!r} must be JSON-serialisable to be "
                f"stored in {self.folder}: {e}"
            ) from None
        self.task_dir(task_id)
        _files.write_json(
            self.result_path(task_id), {"task_id": task_id, "seed": seed, "result": value}
        )
        return value


def _difference(found: Any, wanted: Any) -> str:
    if isinstance(found, dict) and isinstance(wanted, dict):
        keys = sorted(k for k in set(found) | set(wanted) if found.get(k) != wanted.get(k))
        return ", ".join(f"{k} = {found.get(k)!r} (this run: {wanted.get(k)!r})" for k in keys)
    return f"{found!r} (this run: {wanted!r})"
