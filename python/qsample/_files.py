"""Files on disk. Writes never leave a half-written file behind: everything
goes to a temporary file in the same folder, flushed to disk and renamed into
place only when complete. Reads of qsample's own files turn whatever a
truncated, empty or foreign file raises into one ``ValueError`` naming the
file and what was expected."""

from __future__ import annotations

import json
import os
import tempfile
import threading
import zipfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import numpy as np

#: Temporary files start with this, so that the leftovers of a killed write
#: are recognisable (see :func:`clean_orphans`).
TEMP_PREFIX = ".qsample-tmp-"

_UMASK_LOCK = threading.Lock()


def current_umask() -> int:
    """The process umask. Linux reports it in /proc; elsewhere it can only be read
    by setting it, which races with threads creating files, hence the fallback."""
    try:
        with open("/proc/self/status") as f:
            for line in f:
                if line.startswith("Umask:"):
                    return int(line.split()[1], 8)
    except (OSError, ValueError, IndexError):
        pass
    with _UMASK_LOCK:
        mask = os.umask(0o077)
        os.umask(mask)
    return mask


@contextmanager
def atomic_path(path: str | os.PathLike, suffix: str = ".tmp") -> Iterator[str]:
    """Yields a temporary path to write; it replaces ``path`` on success and is
    removed on failure. ``suffix`` keeps writers that look at it (numpy,
    matplotlib) happy. The result gets the mode a plain ``open`` would give it
    (0666 less the umask; the temporary file's private 0600 does not survive),
    and file and folder are flushed to disk, so a crash after the rename cannot
    leave an empty file."""
    path = os.fspath(path)
    folder = os.path.dirname(os.path.abspath(path))
    fd, tmp = tempfile.mkstemp(dir=folder, prefix=TEMP_PREFIX, suffix=suffix)
    os.close(fd)
    try:
        yield tmp
        _fsync(tmp)
        os.chmod(tmp, 0o666 & ~current_umask())
        os.replace(tmp, path)
    except BaseException:
        if os.path.exists(tmp):
            os.unlink(tmp)
        raise
    _fsync_folder(folder)


def _fsync(path: str) -> None:
    fd = os.open(path, os.O_RDWR)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _fsync_folder(folder: str) -> None:
    """Makes the rename durable. Some platforms (Windows) and file systems cannot
    open or flush a folder; there the rename is as durable as they make it."""
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


def clean_orphans(folder: str | os.PathLike) -> list[Path]:
    """Remove the temporary files that killed writes left in ``folder`` (a kill
    between creating and renaming one gives no chance to clean up); returns them."""
    removed = []
    for p in sorted(Path(folder).glob(TEMP_PREFIX + "*")):
        if p.is_file():
            p.unlink()
            removed.append(p)
    return removed


def write_text(path: str | os.PathLike, text: str) -> None:
    with atomic_path(path) as tmp, open(tmp, "w") as f:
        f.write(text)


def savez(path: str | os.PathLike, **arrays: np.ndarray) -> None:
    with atomic_path(path, ".npz") as tmp, open(tmp, "wb") as f:
        np.savez(f, allow_pickle=False, **arrays)


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


def read_npz(path: str | os.PathLike, what: str) -> dict[str, np.ndarray]:
    """Every array of the ``.npz`` file at ``path``, read into memory. A file that
    is not a readable ``.npz`` archive (empty, truncated, another format, pickled
    objects) raises ``ValueError`` naming it and ``what`` it should be; a missing
    file raises ``FileNotFoundError``."""
    # A damaged archive fails deep inside zipfile, zlib or numpy's header parser
    # with whatever those raise (BadZipFile, EOFError, zlib.error, SyntaxError,
    # TokenError, MemoryError for a forged shape...): all mean "not such a file".
    try:
        z = np.load(path, allow_pickle=False)
    except (FileNotFoundError, IsADirectoryError, PermissionError):
        raise
    except Exception as e:
        raise ValueError(f"{path} is not {what}: {_reason(e)}") from None
    if not isinstance(z, np.lib.npyio.NpzFile):
        raise ValueError(f"{path} is not {what}: it holds a single array, not an .npz archive")
    try:
        with z:
            return {k: z[k] for k in z.files}
    except Exception as e:
        raise ValueError(f"{path} is not {what}: {_reason(e)}") from None


def parse_json(text: str) -> Any:
    """The JSON value of ``text``; ``ValueError`` for anything else, including
    nesting too deep for Python's parser (which raises RecursionError)."""
    try:
        return json.loads(text)
    except RecursionError:
        raise ValueError("not valid JSON (nested too deeply)") from None


def read_json(path: str | os.PathLike, what: str) -> Any:
    """The JSON value in the file at ``path``; ``ValueError`` naming the file and
    ``what`` it should be when it is empty, truncated or not JSON."""
    try:
        with open(path, encoding="utf-8") as f:
            return parse_json(f.read())
    except (ValueError, UnicodeDecodeError) as e:  # JSONDecodeError is a ValueError
        raise ValueError(f"{path} is not {what}: {_reason(e)}") from None


def _reason(e: BaseException) -> str:
    text = " ".join(str(e).split())
    if isinstance(e, EOFError) or "No data left" in text:
        return "the file is empty or truncated"
    if isinstance(e, zipfile.BadZipFile):
        return f"not a readable zip archive, perhaps truncated ({text})"
    if "pickled" in text:
        return "not an .npz archive of plain arrays"
    if isinstance(e, json.JSONDecodeError):
        return "the file is empty" if not e.doc.strip() else f"not valid JSON ({text})"
    if isinstance(e, UnicodeDecodeError):
        return f"not a text file ({text})"
    return f"it cannot be read ({type(e).__name__}: {text})"
