"""A run's results folder over its life, and resuming it.

A run first writes ``run.json`` (the experiment, its settings) and its
embedding, then keeps ``checkpoint.npz`` up to date while it learns (every k
iterations, and after Ctrl-C as of the last complete iteration), and ends with
``results.json``. A folder with a checkpoint and no results can be resumed and
ends with the same figures as a run never stopped. A run that fails before its
first checkpoint leaves nothing behind; the leftovers of writes killed midway
are removed whenever a run starts or resumes in a folder.
"""

from __future__ import annotations

import json
import os
import shutil
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import asdict
from pathlib import Path
from typing import Any

from .. import _files
from ..embedding import Embedding
from ..estimator import EmbeddedBoltzmannMachine
from ..execution import Executor
from ..learning import PeriodicCheckpoint, Trainer
from ..learning.checkpoints import Checkpoint, read_checkpoint
from .common import make_embedding, make_target, results_folder

RUN_FILE = "run.json"
CHECKPOINT_FILE = "checkpoint.npz"
RESULTS_FILE = "results.json"
EMBEDDING_FILE = "embedding.json"
#: Results of finished units of work (one folder per task), for experiments
#: made of independent units (SK).
UNITS_FOLDER = "units"
RUN_FORMAT = "qsample-run-1"
#: Iterations between checkpoints unless told otherwise.
DEFAULT_CHECKPOINT_EVERY = 100


class Interrupted(KeyboardInterrupt):
    """Ctrl-C stopped a run after its state was saved: ``where`` says how far it
    got; the run in ``folder`` can be resumed."""

    def __init__(self, folder: Path, where: str) -> None:
        super().__init__(f"interrupted at {where}; the run in {folder} can be resumed")
        self.folder, self.where = folder, where


@contextmanager
def open_results_folder(
    out: str | os.PathLike | None, name: str, *, resume: bool = False
) -> Iterator[Path]:
    """The folder a run writes to: ``out`` (created; must be empty) or a new
    ``results/<name>-<time>``, or with ``resume`` the existing ``out``. If the
    body fails before a checkpoint was written, everything the run wrote goes
    and so does the folder if it was made here; a folder being resumed is kept."""
    if resume:
        if out is None or not Path(out).is_dir():
            raise FileNotFoundError(f"no results folder to resume at {out}")
        path = Path(out)
        _files.clean_orphans(path)
        yield path
        return
    anchor = Path("results") if out is None else Path(out)
    made = [p for p in (anchor, *anchor.parents) if not p.exists()]  # deepest first
    path = results_folder(out, name)
    if out is None:
        made.insert(0, path)
    try:
        yield path
    except BaseException:
        if not resumable(path):
            _discard(path, made)
        raise


def resumable(folder: str | os.PathLike) -> bool:
    """Whether a stopped run in ``folder`` left state to resume from: a
    checkpoint, or finished units."""
    folder = Path(folder)
    units = folder / UNITS_FOLDER
    return (folder / CHECKPOINT_FILE).exists() or (
        units.is_dir() and any(units.glob("*/result.json"))
    )


def _discard(path: Path, made: list[Path]) -> None:
    """Remove what a failed run wrote (the folder was empty when it started) and
    the folders made for it."""
    for p in path.iterdir():
        if p.is_file() or p.is_symlink():
            p.unlink()
        elif p.is_dir():
            shutil.rmtree(p)
    for folder in made:
        if folder.is_dir() and not any(folder.iterdir()):
            folder.rmdir()


def begin_run(out: Path, name: str, settings: Any, evaluate: bool, resume: bool) -> None:
    """Record the run (``run.json``) so it can be resumed; when resuming, check
    that the record is this experiment's with these settings."""
    _files.clean_orphans(out)
    record = {
        "format": RUN_FORMAT,
        "experiment": name,
        "evaluate": evaluate,
        "settings": asdict(settings),
    }
    record = json.loads(json.dumps(record, default=_files.json_default))
    if not resume:
        _files.write_json(out / RUN_FILE, record)
        return
    stored = read_run_record(out)
    if (stored["experiment"], stored["evaluate"]) != (name, evaluate):
        raise ValueError(
            f"{out / RUN_FILE} records a {stored['experiment']} run"
            f"{'' if stored['evaluate'] else ' (training only)'}, not a {name} "
            f"run{'' if evaluate else ' (training only)'}"
        )
    if stored["settings"] != record["settings"]:
        changed = sorted(
            k
            for k in {*stored["settings"], *record["settings"]}
            if stored["settings"].get(k) != record["settings"].get(k)
        )
        raise ValueError(
            f"{out / RUN_FILE} was written with other settings ({', '.join(changed)} "
            "differ); a run resumes with the settings it started with"
        )


def read_run_record(folder: str | os.PathLike) -> dict[str, Any]:
    """The record of the run in ``folder``; ``ValueError`` saying why it cannot be
    resumed (no record, a damaged one, or the run finished)."""
    folder = Path(folder)
    path = folder / RUN_FILE
    if not path.is_file():
        raise ValueError(
            f"{folder} holds no run to resume (no {RUN_FILE}; resume a folder "
            "that a qsample experiment wrote)"
        )
    if (folder / RESULTS_FILE).exists():
        raise ValueError(
            f"the run in {folder} has finished ({RESULTS_FILE} is written); nothing to resume"
        )
    record = _files.read_json(path, "a qsample run record")
    ok = (
        isinstance(record, dict)
        and record.get("format") == RUN_FORMAT
        and isinstance(record.get("experiment"), str)
        and isinstance(record.get("evaluate"), bool)
        and isinstance(record.get("settings"), dict)
    )
    if not ok:
        raise ValueError(
            f"{path} is not a qsample run record (format {RUN_FORMAT!r} with "
            "the experiment, whether it evaluates, and its settings)"
        )
    return record


def run_embedding(
    out: Path, n: int, settings: Any, resume: bool, executor: Executor | None = None
) -> Embedding:
    """The run's embedding of K_n: the one it saved when resuming, else a new one
    (saved at once, so that a resumed run learns on the same chains; the
    embedder's tries run as tasks of ``executor``)."""
    path = out / EMBEDDING_FILE
    if resume and path.exists():
        embedding = Embedding.load(path)
        if embedding.source.number_of_nodes() != n:
            raise ValueError(
                f"{path} embeds {embedding.source.number_of_nodes()} variables; the run needs {n}"
            )
        return embedding
    s = settings
    embedding = make_embedding(
        n, make_target(s.target, s.seed), s.embedding, s.embedding_tries, s.seed, executor
    )
    embedding.save(path)
    return embedding


def previous_checkpoint(out: Path, resume: bool) -> Checkpoint | None:
    """The run's checkpoint when resuming and there is one."""
    path = out / CHECKPOINT_FILE
    return read_checkpoint(path) if resume and path.exists() else None


def experiment_state(checkpoint: Checkpoint, name: str) -> dict[str, Any]:
    """What the experiment saved beside its trainer, after checking that a
    ``name`` run saved it."""
    extra = checkpoint.extra
    if extra.get("experiment") != name:
        raise ValueError(
            f"{checkpoint.path} is not a checkpoint of a {name} run "
            f"(it records {extra.get('experiment')!r})"
        )
    return extra


def train(
    trainer: Trainer, iterations: int, keeper: PeriodicCheckpoint, out: Path, where: str = ""
) -> None:
    """Run ``trainer`` up to ``iterations`` in all, checkpointed by ``keeper`` (the
    trainer's last callback); after Ctrl-C, save the last complete iteration and
    raise :class:`Interrupted`. ``where`` names the part of the run, if any."""
    keeper.start(trainer)
    try:
        trainer.run(max(iterations - trainer.iteration, 0))
    except KeyboardInterrupt:
        done = keeper.save()
        raise Interrupted(out, f"{where}iteration {done}") from None
    keeper.save()


def fit_machine(
    machine: EmbeddedBoltzmannMachine,
    X: Any,
    y: Any,
    keeper: PeriodicCheckpoint,
    out: Path,
    previous: Checkpoint | None,
    callbacks: Sequence[Any] = (),
) -> None:
    """Fit ``machine`` (continuing ``previous``, the run's checkpoint, if any),
    checkpointed by ``keeper``; after Ctrl-C, the last complete iteration is
    saved and :class:`Interrupted` raised."""
    try:
        machine.fit(X, y, callbacks=callbacks, checkpoint=keeper, resume=previous)
    except KeyboardInterrupt:
        if keeper.iteration is None:  # stopped before learning began: nothing to resume
            raise
        raise Interrupted(out, f"iteration {keeper.save()}") from None
