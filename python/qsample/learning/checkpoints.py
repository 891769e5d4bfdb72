"""Trainer checkpoints: everything needed to continue learning exactly as if
never stopped (parameters, momentum, RNG and mini-batch state, history), with
fingerprints of the model structure and the data it was trained on, plus
whatever the caller keeps beside it (an experiment's figures so far).

A checkpoint is one ``.npz`` written atomically, so a kill at any moment leaves
either the previous checkpoint or the new one. :class:`PeriodicCheckpoint`
writes one every k iterations and, after Ctrl-C, the state as of the last
iteration that finished with all its callbacks.
"""

from __future__ import annotations

import copy
import hashlib
import json
import os
from collections.abc import Callable, Mapping
from dataclasses import asdict, dataclass, fields
from typing import TYPE_CHECKING, Any

import numpy as np

from .. import _files
from ..hardware import _label_from_json
from .history import History, RangeEvent

if TYPE_CHECKING:
    from .trainer import Trainer

FORMAT = "qsample-checkpoint-2"
_WHAT = "a qsample checkpoint (.npz written by Trainer.save_checkpoint)"
_ARRAYS = ("h", "J", "velocity_h", "velocity_J", "order")
#: Prefix of the caller's arrays among the checkpoint's entries.
_EXTRA = "extra."


def fingerprint(*arrays: np.ndarray) -> str:
    """SHA-256 of the arrays' dtypes, shapes and contents."""
    digest = hashlib.sha256()
    for a in arrays:
        a = np.ascontiguousarray(a)
        digest.update(f"{a.dtype.str}{a.shape};".encode())
        digest.update(a.tobytes())
    return digest.hexdigest()


@dataclass
class Snapshot:
    """A trainer's state at the end of one iteration (copies, so that later
    iterations do not change it). The history and range events only grow, so
    their lengths stand for them."""

    iteration: int
    h: np.ndarray
    J: np.ndarray
    velocity_h: np.ndarray
    velocity_J: np.ndarray
    rng: dict[str, Any]
    cursor: int
    order: np.ndarray
    stopped: str | None
    history_length: int
    num_range_events: int


def snapshot(trainer: Trainer) -> Snapshot:
    return Snapshot(
        trainer.iteration,
        trainer.h.copy(),
        trainer.J.copy(),
        trainer.velocity_h.copy(),
        trainer.velocity_J.copy(),
        copy.deepcopy(dict(trainer.rng.bit_generator.state)),
        trainer._cursor,
        trainer._order.copy(),
        trainer.stopped,
        len(trainer.history),
        len(trainer.range_events),
    )


def capture(
    trainer: Trainer, state: Snapshot, extra: Mapping[str, Any] | None = None, path: str = ""
) -> Checkpoint:
    """``state`` of ``trainer`` and the caller's ``extra`` as a :class:`Checkpoint`
    in memory (what :func:`write` writes; what ``Trainer.load_checkpoint``
    restores). ``path`` names it in error messages."""
    extra = dict(extra or {})
    meta = {
        "format": FORMAT,
        "iteration": state.iteration,
        "rng": state.rng,
        "cursor": state.cursor,
        "history": {k: v[: state.history_length] for k, v in asdict(trainer.history).items()},
        "hyper": asdict(trainer.hyper),
        "stopped": state.stopped,
        "range_events": [asdict(e) for e in trainer.range_events[: state.num_range_events]],
        "num_variables": trainer.model.num_variables,
        "num_edges": len(state.J),
        "model_fingerprint": _model_fingerprint(trainer),
        "data_fingerprint": fingerprint(trainer.data),
        "extra": {k: v for k, v in extra.items() if not isinstance(v, np.ndarray)},
    }
    # Through JSON and back: the checkpoint holds what a file would hold.
    meta = json.loads(json.dumps(meta, default=_files.json_default))
    arrays = {
        "h": state.h,
        "J": state.J,
        "velocity_h": state.velocity_h,
        "velocity_J": state.velocity_J,
        "order": state.order,
    }
    return Checkpoint(path, meta, arrays, extra)


def write(
    path: str | os.PathLike,
    trainer: Trainer,
    state: Snapshot,
    extra: Mapping[str, Any] | None = None,
) -> None:
    """Write ``state`` of ``trainer`` and the caller's ``extra`` (JSON values;
    numpy arrays are stored as arrays, exactly) to ``path`` atomically."""
    save(path, capture(trainer, state, extra, os.fspath(path)))


def save(
    path: str | os.PathLike, checkpoint: Checkpoint, extra: Mapping[str, Any] | None = None
) -> None:
    """Write ``checkpoint`` (captured, or read from a file) to ``path``
    atomically, with ``extra`` in place of its own if given."""
    extra = dict(checkpoint.extra if extra is None else extra)
    meta = dict(checkpoint.meta)
    meta["extra"] = {k: v for k, v in extra.items() if not isinstance(v, np.ndarray)}
    arrays = {_EXTRA + k: v for k, v in extra.items() if isinstance(v, np.ndarray)}
    _files.savez(
        path,
        **{k: checkpoint.arrays[k] for k in _ARRAYS},
        **arrays,
        meta=np.array(json.dumps(meta, default=_files.json_default)),
    )


def _model_fingerprint(trainer: Trainer) -> str:
    return fingerprint(
        np.asarray(trainer.model.irow, np.int64), np.asarray(trainer.model.icol, np.int64)
    )


@dataclass
class Checkpoint:
    """A checkpoint read from ``path`` and checked for internal consistency (see
    :func:`read_checkpoint`); ``extra`` holds what the caller saved beside it."""

    path: str
    meta: dict[str, Any]
    arrays: dict[str, np.ndarray]
    extra: dict[str, Any]

    @property
    def iteration(self) -> int:
        return int(self.meta["iteration"])


def read_checkpoint(path: str | os.PathLike, what: str = _WHAT) -> Checkpoint:
    """Read and check a checkpoint: its format, that every array has the length
    the metadata gives and is finite, that the mini-batch order is a
    permutation and its cursor inside it, that the history has one entry per
    iteration and that the RNG state is one. ``ValueError`` naming the file and
    the problem for anything else (``what`` says what the file should be); whether
    it fits a given trainer is checked by :meth:`Trainer.load_checkpoint`."""
    path = os.fspath(path)
    z = _files.read_npz(path, what)
    if "meta" not in z:
        raise ValueError(f"{path} is not {what}: it has no metadata")
    try:
        meta = _files.parse_json(str(z["meta"]))
    except ValueError as e:
        raise ValueError(f"{path} is not {what}: its metadata is not JSON ({e})") from None
    if not isinstance(meta, dict) or meta.get("format") != FORMAT:
        found = meta.get("format") if isinstance(meta, dict) else None
        if isinstance(found, str) and found.startswith("qsample-checkpoint-"):
            raise ValueError(
                f"{path} was written by another version of qsample (format "
                f"{found!r}, this one reads {FORMAT!r}); start a new run"
            )
        raise ValueError(f"{path} is not {what}")
    try:
        _check(meta, z)
    except (KeyError, TypeError, ValueError, IndexError, OverflowError) as e:
        problem = f"no {e} entry" if isinstance(e, KeyError) else str(e)
        raise ValueError(f"{path} is not a usable checkpoint: {problem}") from None
    extra = dict(meta["extra"])
    extra.update({k[len(_EXTRA) :]: v for k, v in z.items() if k.startswith(_EXTRA)})
    return Checkpoint(path, meta, {k: z[k] for k in _ARRAYS}, extra)


def _check(meta: dict[str, Any], z: Mapping[str, np.ndarray]) -> None:

    missing = [k for k in _ARRAYS if k not in z]
    if missing:
        raise ValueError(f"it has no {', '.join(missing)} array")
    n, m = meta["num_variables"], meta["num_edges"]
    for name, size in (("h", n), ("velocity_h", n), ("J", m), ("velocity_J", m)):
        a = z[name]
        if a.dtype.kind != "f" or a.shape != (size,):
            raise ValueError(f"'{name}' must be {size} floats, got {a.dtype} of shape {a.shape}")
        if not np.all(np.isfinite(a)):
            raise ValueError(f"'{name}' holds values that are not finite")
    order = z["order"]
    if (
        order.dtype.kind not in "iu"
        or order.ndim != 1
        or not np.array_equal(np.sort(order), np.arange(len(order)))
    ):
        raise ValueError("'order' must be a permutation of the data points")
    iteration, cursor = meta["iteration"], meta["cursor"]
    for name, value, high in (("iteration", iteration, None), ("cursor", cursor, len(order))):
        if (
            isinstance(value, bool)
            or not isinstance(value, int)
            or value < 0
            or (high is not None and value > high)
        ):
            limit = f"in [0, {high}]" if high is not None else ">= 0"
            raise ValueError(f"'{name}' must be an integer {limit}: value = {value!r}")
    history = meta["history"]
    names = {f.name for f in fields(History)}
    if not isinstance(history, dict) or set(history) != names:
        raise ValueError(f"'history' must have the entries {sorted(names)}")
    for name, values in history.items():
        if (
            not isinstance(values, list)
            or len(values) != iteration
            or not all(isinstance(v, (int, float)) and not isinstance(v, bool) for v in values)
        ):
            raise ValueError(f"history '{name}' must hold {iteration} numbers, one per iteration")
    np.random.PCG64().state = meta["rng"]  # raises unless it is a PCG64 state
    if meta["stopped"] is not None and not isinstance(meta["stopped"], str):
        raise ValueError(f"'stopped' must be a text or null: value = {meta['stopped']!r}")
    for e in meta["range_events"]:
        RangeEvent(**e)
        tuple(_label_from_json(v) for v in e["variables"])
        if len([float(x) for x in e["limit"]]) != 2:
            raise ValueError(f"a range event's 'limit' must be a pair: value = {e['limit']!r}")
    if not isinstance(meta["hyper"], dict) or not isinstance(meta["extra"], dict):
        raise ValueError("'hyper' and 'extra' must be objects")
    for name in ("model_fingerprint", "data_fingerprint"):
        if not isinstance(meta[name], str):
            raise ValueError(f"'{name}' must be a text: value = {meta[name]!r}")


def restore(
    trainer: Trainer, source: str | os.PathLike | Checkpoint, *, same_data: bool = True
) -> None:
    """Load ``source`` into ``trainer`` after checking that it was made for the
    same model structure, hyperparameters and data. With ``same_data=False``
    the trainer keeps its own data and starts a new pass over it (a shuffled
    order, when it learns from mini-batches); everything else is restored."""

    c = source if isinstance(source, Checkpoint) else read_checkpoint(source)
    meta, path = c.meta, c.path
    if (meta["num_variables"], meta["num_edges"]) != (trainer.model.num_variables, len(trainer.J)):
        raise ValueError(
            f"{path}: checkpoint is for {meta['num_variables']} variables and "
            f"{meta['num_edges']} edges; this trainer has {trainer.model.num_variables} "
            f"and {len(trainer.J)}"
        )
    if meta["model_fingerprint"] != _model_fingerprint(trainer):
        raise ValueError(
            f"{path}: checkpoint is for a model with other edges (another embedding or target)"
        )
    hyper = json.loads(json.dumps(asdict(trainer.hyper)))
    if meta["hyper"] != hyper:
        raise ValueError(
            f"{path}: checkpoint was made with hyperparameters {meta['hyper']}; "
            f"this trainer has {hyper}"
        )
    if same_data and len(c.arrays["order"]) != len(trainer.data):
        raise ValueError(
            f"{path}: checkpoint is for {len(c.arrays['order'])} data points; "
            f"this trainer has {len(trainer.data)}"
        )
    if same_data and meta["data_fingerprint"] != fingerprint(trainer.data):
        raise ValueError(
            f"{path}: checkpoint was trained on other data (the fingerprints of "
            "the training data differ)"
        )
    a = c.arrays
    trainer.h, trainer.J = a["h"].astype(np.float64), a["J"].astype(np.float64)
    trainer.velocity_h = a["velocity_h"].astype(np.float64)
    trainer.velocity_J = a["velocity_J"].astype(np.float64)
    if same_data:
        trainer._order = a["order"].astype(np.int64)
        trainer._cursor = meta["cursor"]
    trainer.iteration = meta["iteration"]
    trainer.rng.bit_generator.state = meta["rng"]
    trainer.history = History(**meta["history"])
    trainer.stopped = meta["stopped"]
    trainer.range_events = [
        RangeEvent(
            **{
                **e,
                "variables": tuple(_label_from_json(v) for v in e["variables"]),
                "limit": tuple(e["limit"]),
            }
        )
        for e in meta["range_events"]
    ]
    trainer._clipped = {(e.kind, e.index) for e in trainer.range_events}
    trainer._validated = False


class PeriodicCheckpoint:
    """Keeps a trainer's checkpoint at ``path`` up to date: written every
    ``every`` iterations, and by :meth:`save` (e.g. after Ctrl-C, or at the end)
    as of the last iteration that finished with all its callbacks.

    Register it as the trainer's *last* callback, every iteration
    (``callbacks=[..., (1, keeper)]``), so that the other callbacks' results for
    an iteration are in before its state counts as complete, and call
    :meth:`start` once the trainer is ready (built, or loaded from a
    checkpoint). ``extra(iteration)`` returns what to save beside the trainer
    as of that iteration (JSON values or numpy arrays).
    """

    def __init__(
        self,
        path: str | os.PathLike,
        every: int,
        extra: Callable[[int], Mapping[str, Any]] | None = None,
    ) -> None:
        from .._validate import check_positive_int

        self.path = path
        self.every = check_positive_int("checkpoint_every", every)
        self.extra = extra
        self._trainer: Trainer | None = None
        self._last: Snapshot | None = None
        self._written: int | None = None

    def start(self, trainer: Trainer, write: bool = True) -> None:
        """Take the trainer's current state as complete (and write it)."""
        self._trainer = trainer
        self._last = snapshot(trainer)
        self._written = None
        if write:
            self.save()

    def __call__(self, trainer: Trainer, iteration: int) -> None:
        self._trainer = trainer
        self._last = snapshot(trainer)
        if iteration % self.every == 0:
            self.save()

    @property
    def iteration(self) -> int | None:
        """The iteration of the last complete state (None before :meth:`start`)."""
        return None if self._last is None else self._last.iteration

    def save(self) -> int:
        """Write the last complete state unless it is on disk already; returns its
        iteration."""
        if self._trainer is None or self._last is None:
            raise RuntimeError("PeriodicCheckpoint.start(trainer) was not called")
        state = self._last
        if self._written != state.iteration:
            extra = self.extra(state.iteration) if self.extra is not None else None
            write(self.path, self._trainer, state, extra)
            self._written = state.iteration
        return state.iteration
