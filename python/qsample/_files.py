"""Writing files so that a failure never leaves a half-written one behind:
everything goes to a temporary file in the same folder, renamed into place
only when complete."""

from __future__ import annotations

import json
import os
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import numpy as np


@contextmanager
def atomic_path(path: str | os.PathLike, suffix: str = ".tmp") -> Iterator[str]:
    """Yields a temporary path to write; it replaces ``path`` on success and is
    removed on failure. ``suffix`` keeps writers that look at it (numpy,
    matplotlib) happy."""
    path = os.fspath(path)
    fd, tmp = tempfile.mkstemp(dir=os.path.dirname(os.path.abspath(path)), suffix=suffix)
    os.close(fd)
    try:
        yield tmp
        os.replace(tmp, path)
    except BaseException:
        if os.path.exists(tmp):
            os.unlink(tmp)
        raise


def write_text(path: str | os.PathLike, text: str) -> None:
    with atomic_path(path) as tmp, open(tmp, "w") as f:
        f.write(text)


def savez(path: str | os.PathLike, **arrays: np.ndarray) -> None:
    with atomic_path(path, ".npz") as tmp, open(tmp, "wb") as f:
        np.savez(f, **arrays)


def savefig(fig: Any, path: str | os.PathLike, **kwargs: Any) -> None:
    with atomic_path(path, ".png") as tmp:
        fig.savefig(tmp, format="png", **kwargs)


def json_default(o: Any) -> Any:
    """numpy scalars and arrays (and paths) as plain JSON values."""
    if isinstance(o, np.integer):
        return int(o)
    if isinstance(o, np.floating):
        return float(o)
    if isinstance(o, np.ndarray):
        return o.tolist()
    if isinstance(o, os.PathLike):
        return os.fspath(o)
    raise TypeError(f"cannot write {type(o).__name__} as JSON")


def write_json(path: str | os.PathLike, obj: Any) -> None:
    write_text(path, json.dumps(obj, indent=1, default=json_default))
