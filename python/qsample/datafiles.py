"""Users' own binary data, from files or memory, as ±1 spins with a mask of missing entries.

:func:`read_binary_file` reads ``.npy``, ``.npz``, ``.csv``/``.txt`` (header
optional, comma or whitespace separated) and folders of PNG/PBM pictures;
:func:`as_spins` converts numpy arrays, lists, pandas DataFrames and scipy sparse
matrices. Both give C-contiguous int8 rows of +1/-1 and a boolean mask that is
True where an entry is missing (an empty CSV field, ``?``, ``NA`` or NaN); missing
entries hold 0 in the spins, so they cannot pass for data.

Each column is read as 0/1 (0 -> -1) unless it holds a -1, then as -1/+1;
booleans and the words true/false and yes/no count as 1/0. Anything else is
refused with one error naming the file (or array), the row and column, and the
value. Files count lines and columns from 1, as an editor shows them; arrays
count rows and columns from 0, as numpy indexes them.

Pictures are flattened row-major, one picture per row; +1 is ink: a dark pixel
(PBM's 1, a PNG gray level at or below the middle of its range), as in
:mod:`qsample.datasets`.
"""

from __future__ import annotations

import csv
import os
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from numbers import Integral
from pathlib import Path
from typing import Any

import numpy as np

#: Tokens read as a missing entry (compared without case and surrounding blanks).
MISSING_TOKENS = ("", "?", "nan", "na", "n/a")
#: Words read as 1 and 0.
TRUE_WORDS = ("true", "yes")
FALSE_WORDS = ("false", "no")
TEXT_SUFFIXES = (".csv", ".txt")
PICTURE_SUFFIXES = (".png", ".pbm")
ALLOWED_IN_FILES = (
    "values must be 0/1, -1/+1, true/false or yes/no (missing: an empty field, ?, NA or NaN)"
)
ALLOWED_IN_MEMORY = "values must be 0/1, -1/+1 or booleans (missing: NaN or None)"


@dataclass(frozen=True)
class BinaryData:
    """Rows of ±1 spins read from ``source``.

    ``spins`` (rows, columns) int8, 0 where ``missing`` is True; ``labels`` the
    class column split off (or the picture folders' names), else None;
    ``columns`` the names from a CSV header; ``picture_shape`` (height, width)
    when each row is a picture.
    """

    spins: np.ndarray
    missing: np.ndarray
    source: str
    labels: np.ndarray | None = None
    columns: tuple[str, ...] | None = None
    picture_shape: tuple[int, int] | None = None

    @property
    def has_missing(self) -> bool:
        return bool(self.missing.any())

    def __len__(self) -> int:
        return len(self.spins)


# -- in memory ---------------------------------------------------------------------------
def as_spins(X: Any, name: str = "X") -> tuple[np.ndarray, np.ndarray]:
    """``X`` as (spins, missing): C-contiguous int8 ±1 (0 where missing) and a bool mask.

    Accepts numpy arrays and nested lists of {0, 1}, {-1, +1} or bools (NaN or
    None for missing), pandas DataFrames (pandas is not needed otherwise) and
    scipy sparse matrices; a 1-D input is one row. Anything else is refused:
    ``TypeError`` for a container that is not data, ``ValueError`` naming the row
    and column (from 0) of the first bad value.
    """
    columns: Sequence[Any] | None = None
    if _is_dataframe(X):
        columns = list(X.columns)
        values = _dataframe_values(X)
    elif _is_sparse(X):
        values = X.toarray()
    elif isinstance(X, (list, tuple)):
        values = _list_values(X, name)
    elif isinstance(X, np.ndarray) or _is_series(X):
        values = np.asarray(X.to_numpy() if _is_series(X) else X)
    else:
        raise TypeError(
            f"'{name}' must be a numpy array, a list of rows, a pandas DataFrame "
            f"or a scipy sparse matrix: got {type(X).__name__}"
        )
    if values.ndim == 1:
        values = values.reshape(1, -1)
    if values.ndim != 2:
        raise ValueError(f"'{name}' must be 2-D (rows of binary values): shape {values.shape}")
    if values.shape[0] == 0 or values.shape[1] == 0:
        raise ValueError(
            f"'{name}' must hold at least one row and one column: shape {values.shape}"
        )

    def position(r: int, c: int) -> str:
        label = f" ({columns[c]!r})" if columns is not None else ""
        return f"row {r}, column {c}{label}"

    origin = f"'{name}'"
    if values.dtype.kind in "US":
        raise ValueError(
            f"{origin} holds text (dtype {values.dtype}): {position(0, 0)} is "
            f"{_shown(values[0, 0])}; convert it to numbers or booleans first"
        )
    numbers = _as_numbers(
        values,
        lambda r, c: f"{origin}: {position(r, c)} is {_shown(values[r, c])}; {ALLOWED_IN_MEMORY}",
    )
    return _spins_from_numbers(
        numbers, origin, position, lambda r, c: _shown(values[r, c]), allowed=ALLOWED_IN_MEMORY
    )


def _list_values(X: list | tuple, name: str) -> np.ndarray:
    """A nested list as an array; text anywhere keeps every entry as given (object
    dtype), so the error can point at the one that is text."""
    rows = [r for r in X if isinstance(r, (list, tuple, np.ndarray))]
    if rows and len(rows) == len(X):
        lengths = [len(r) for r in X]
        for r, n in enumerate(lengths):
            if n != lengths[0]:
                raise ValueError(
                    f"'{name}': row {r} has {n} values where row 0 has "
                    f"{lengths[0]} (rows must all be the same length)"
                )
    try:
        typed = np.asarray(X)
    except (TypeError, ValueError):  # rows of different shapes inside
        return np.asarray(X, dtype=object)
    return np.asarray(X, dtype=object) if typed.dtype.kind in "USO" else typed


def _shown(value: Any) -> str:
    """A value as the user wrote it (numpy scalars as plain Python ones)."""
    return repr(value.item() if isinstance(value, np.generic) else value)


def _is_dataframe(X: Any) -> bool:
    return type(X).__module__.split(".")[0] == "pandas" and hasattr(X, "columns")


def _is_series(X: Any) -> bool:
    return (
        type(X).__module__.split(".")[0] == "pandas"
        and hasattr(X, "to_numpy")
        and not hasattr(X, "columns")
    )


def _is_sparse(X: Any) -> bool:
    return type(X).__module__.startswith("scipy.sparse") and hasattr(X, "toarray")


def _dataframe_values(frame: Any) -> np.ndarray:
    try:  # numbers, booleans and pandas' nullable types, with NA as NaN
        return frame.to_numpy(dtype=np.float64, na_value=np.nan)
    except (TypeError, ValueError):  # text somewhere: keep the values to name the bad one
        values = frame.to_numpy(dtype=object)
        import pandas as pd

        return np.where(pd.isna(values), np.array(None, dtype=object), values)


def _as_numbers(values: np.ndarray, bad: Callable[[int, int], str]) -> np.ndarray:
    """Float copy of ``values`` with NaN for missing entries; ``bad(r, c)`` words the
    error for an entry that is not a number or a bool."""
    kind = values.dtype.kind
    if kind in "biuf":
        numbers = values.astype(np.float64)
        if kind == "f" and np.isinf(numbers).any():
            r, c = (int(i) for i in np.argwhere(np.isinf(numbers))[0])
            raise ValueError(bad(r, c))
        return numbers
    if kind != "O":
        raise ValueError(bad(0, 0))
    numbers = np.empty(values.shape, dtype=np.float64)
    for (r, c), v in np.ndenumerate(values):
        if v is None:
            numbers[r, c] = np.nan
        elif isinstance(v, (bool, np.bool_, Integral, float, np.floating)) and not (
            isinstance(v, (float, np.floating)) and np.isinf(v)
        ):
            numbers[r, c] = float(v)
        else:
            raise ValueError(bad(r, c))
    return numbers


def _spins_from_numbers(
    numbers: np.ndarray,
    origin: str,
    position: Callable[[int, int], str],
    shown: Callable[[int, int], str],
    hint: str = "",
    allowed: str = ALLOWED_IN_FILES,
) -> tuple[np.ndarray, np.ndarray]:
    """Spins and mask from floats (NaN missing), each column 0/1 unless it holds a -1.
    Errors read ``{origin}: {position(r, c)} is {shown(r, c)}``."""
    missing = np.isnan(numbers)
    minus = numbers == -1
    zero = numbers == 0
    one = numbers == 1
    signed = minus.any(axis=0)
    ok = missing | one | np.where(signed, minus, zero)
    if not ok.all():
        r, c = (int(i) for i in np.argwhere(~ok)[0])
        if zero[r, c]:
            r_minus = int(np.argmax(minus[:, c]))
            raise ValueError(
                f"{origin}: {position(r, c)} is {shown(r, c)} but the column also "
                f"holds -1 (at {position(r_minus, c)}): a column must be 0/1 or "
                "-1/+1"
            )
        raise ValueError(f"{origin}: {position(r, c)} is {shown(r, c)}; {allowed}{hint}")
    spins = np.where(one, 1, -1).astype(np.int8)
    spins[missing] = 0
    return np.ascontiguousarray(spins), missing


# -- files ---------------------------------------------------------------------------------
def read_binary_file(
    path: str | os.PathLike, labels: str | int | None = None, *, key: str | None = None
) -> BinaryData:
    """Binary data from ``path`` (see the module notes for formats and conventions).

    ``labels`` names the column holding class labels, split off into
    ``BinaryData.labels``: a header name, or an index from 0 (negative counts
    from the end); in an ``.npz`` file it may also be the key of a labels array.
    ``key`` chooses the data array of an ``.npz`` holding several. In a folder,
    pictures in subfolders take the subfolder's name as their label.
    """
    p = Path(path)
    if not p.exists():
        raise FileNotFoundError(f"data file {str(p)!r} does not exist")
    if p.is_dir():
        if labels is not None:
            raise ValueError(
                f"{str(p)!r} is a folder of pictures: its labels are the names "
                "of its subfolders, not a column ('labels' must be None)"
            )
        return _read_pictures(p)
    suffix = p.suffix.lower()
    if suffix == ".npy":
        return _read_npy(p, labels)
    if suffix == ".npz":
        return _read_npz(p, labels, key)
    if suffix in TEXT_SUFFIXES:
        return _read_text(p, labels)
    raise ValueError(
        f"data file {str(p)!r} has an unknown type {p.suffix or '(none)'!r}: "
        f"use .npy, .npz, {', '.join(TEXT_SUFFIXES)} or a folder of "
        f"{'/'.join(s[1:].upper() for s in PICTURE_SUFFIXES)} pictures"
    )


def _in_file(p: Path, values: np.ndarray, labels_at: int | None) -> BinaryData:
    """Spins of a 2-D array read from ``p`` with column ``labels_at`` split off."""
    if values.ndim == 1:
        values = values.reshape(1, -1)  # one row, as in as_spins
    if values.ndim != 2:
        raise ValueError(
            f"{str(p)!r} holds an array of shape {values.shape}; data must be "
            "2-D (one row per data point)"
        )
    if values.size == 0:
        raise ValueError(f"{str(p)!r} is empty (shape {values.shape})")
    label_values = None
    if labels_at is not None:
        label_values = values[:, labels_at]
        values = np.delete(values, labels_at, axis=1)
        if values.shape[1] == 0:
            raise ValueError(f"{str(p)!r} has no columns besides the labels")
    kept = [c for c in range(values.shape[1] + (labels_at is not None)) if c != labels_at]

    def position(r: int, c: int) -> str:
        return f"row {r + 1}, column {kept[c] + 1}"

    origin = repr(str(p))
    if values.dtype.kind in "US":
        raise ValueError(
            f"{origin} holds text (dtype {values.dtype}): {position(0, 0)} is "
            f"{_shown(values[0, 0])}; save numbers or booleans"
        )
    numbers = _as_numbers(
        values,
        lambda r, c: f"{origin}: {position(r, c)} is {_shown(values[r, c])}; {ALLOWED_IN_MEMORY}",
    )
    spins, missing = _spins_from_numbers(
        numbers, origin, position, lambda r, c: _shown(values[r, c]), allowed=ALLOWED_IN_MEMORY
    )
    return BinaryData(spins, missing, str(p), label_values)


def _column_index(p: Path, labels: Any, width: int, names: Sequence[str] | None = None) -> int:
    if isinstance(labels, str):
        if names is None:
            raise ValueError(
                f"'labels' names column {labels!r} but {str(p)!r} has no column "
                "names; give the column's index (from 0)"
            )
        if labels not in names:
            raise ValueError(
                f"'labels' names column {labels!r}, which {str(p)!r} lacks; its "
                f"columns are {list(names)}"
            )
        return list(names).index(labels)
    if isinstance(labels, bool) or not isinstance(labels, Integral):
        raise TypeError(f"'labels' must be a column name or index: value = {labels!r}")
    if not -width <= int(labels) < width:
        raise ValueError(
            f"'labels' must be a column index in [{-width}, {width - 1}] for "
            f"{str(p)!r}: value = {labels!r}"
        )
    return int(labels) % width


def _load_numpy(p: Path) -> np.ndarray | dict[str, np.ndarray]:
    """The array of an ``.npy`` file or every array of an ``.npz`` archive, read
    into memory; ``ValueError`` naming the file for anything numpy cannot read."""
    try:
        loaded = np.load(p, allow_pickle=False)
        if not isinstance(loaded, np.lib.npyio.NpzFile):
            return loaded
        with loaded:
            return {k: loaded[k] for k in loaded.files}
    except (FileNotFoundError, IsADirectoryError, PermissionError):
        raise
    except ValueError as e:
        if "pickle" in str(e):  # object arrays need pickle, which could run code
            raise ValueError(
                f"{str(p)!r} cannot be read without unpickling ({e}); save plain "
                "numeric or boolean arrays"
            ) from None
        raise ValueError(f"{str(p)!r} is not a numpy file: {e}") from None
    except Exception as e:  # a damaged file fails deep in zipfile, zlib or numpy's header
        # parser with whatever they raise (BadZipFile, EOFError, TokenError, ...)
        raise ValueError(
            f"{str(p)!r} is not a readable numpy file "
            f"({type(e).__name__}: {' '.join(str(e).split())})"
        ) from None


def _read_npy(p: Path, labels: str | int | None) -> BinaryData:
    values = _load_numpy(p)
    if isinstance(values, dict):
        raise ValueError(f"{str(p)!r} is an .npz archive, not an .npy file: name it .npz")
    width = values.shape[-1] if values.ndim else 1
    at = None if labels is None else _column_index(p, labels, width)
    return _in_file(p, values, at)


def _read_npz(p: Path, labels: str | int | None, key: str | None) -> BinaryData:
    archive = _load_numpy(p)
    if not isinstance(archive, dict):
        raise ValueError(f"{str(p)!r} holds a single array, not an .npz archive: name it .npy")
    keys = list(archive)
    label_key = labels if isinstance(labels, str) and labels in keys else None
    data_keys = [k for k in keys if k != label_key]
    if key is not None:
        if key not in data_keys:
            raise ValueError(
                f"'key' must name an array of {str(p)!r} ({data_keys}): value = {key!r}"
            )
    elif len(data_keys) == 1:
        key = data_keys[0]
    else:
        raise ValueError(
            f"{str(p)!r} holds {len(data_keys)} arrays {data_keys}; say which "
            "is the data with 'key'"
            if data_keys
            else f"{str(p)!r} is empty"
        )
    values = archive[key]
    label_array = None if label_key is None else archive[label_key]
    if label_array is None:
        width = values.shape[-1] if values.ndim else 1
        at = None if labels is None else _column_index(p, labels, width)
        return _in_file(p, values, at)
    data = _in_file(p, values, None)
    if label_array.shape != (len(data),):
        raise ValueError(
            f"labels {label_key!r} of {str(p)!r} must hold one label per row "
            f"({len(data)}): shape {label_array.shape}"
        )
    return BinaryData(data.spins, data.missing, data.source, label_array)


def _read_text(p: Path, labels: str | int | None) -> BinaryData:
    try:  # utf-8-sig: a spreadsheet's byte-order mark must not become part of a name
        with open(p, newline="", encoding="utf-8-sig") as f:
            lines = [
                (i + 1, line)
                for i, line in enumerate(f)
                if line.strip() and not line.lstrip().startswith("#")
            ]
    except UnicodeDecodeError as e:
        raise ValueError(
            f"data file {str(p)!r} is not UTF-8 text ({e.reason} at byte {e.start})"
        ) from None
    if not lines:
        raise ValueError(f"data file {str(p)!r} is empty (no rows)")
    comma = "," in lines[0][1]
    if comma:
        rows = [(n, fields) for (n, _), fields in zip(lines, csv.reader(line for _, line in lines))]
    else:
        rows = [(n, line.split()) for n, line in lines]
    width = len(rows[0][1])
    for n, fields in rows:
        if len(fields) != width:
            raise ValueError(
                f"{str(p)!r}: line {n} has {len(fields)} fields where line "
                f"{rows[0][0]} has {width} (rows must all be the same length)"
            )
    names = None
    label_index = None
    if isinstance(labels, str):
        names = [t.strip() for t in rows[0][1]]
        label_index = _column_index(p, labels, width, names)
        rows = rows[1:]
    else:
        if labels is not None:
            label_index = _column_index(p, labels, width)
        if _is_header([t for c, t in enumerate(rows[0][1]) if c != label_index]):
            names = [t.strip() for t in rows[0][1]]
            rows = rows[1:]
    if not rows:
        raise ValueError(f"data file {str(p)!r} has a header but no rows")
    tokens = np.array([fields for _, fields in rows], dtype=object)
    line_of = [n for n, _ in rows]
    label_values = None
    if label_index is not None:
        label_values = _labels_from(p, tokens[:, label_index], line_of, label_index)
        tokens = np.delete(tokens, label_index, axis=1)
        if tokens.shape[1] == 0:
            raise ValueError(f"{str(p)!r} has no columns besides the labels")
    kept = [c for c in range(width) if c != label_index]

    def position(r: int, c: int) -> str:
        column = kept[c]
        name = f" ({names[column]!r})" if names is not None else ""
        return f"line {line_of[r]}, column {column + 1}{name}"

    origin = repr(str(p))
    hint = " (name a column of class labels with 'labels')" if label_index is None else ""
    numbers = _token_numbers(
        tokens,
        lambda r, c: f"{origin}: {position(r, c)} is {tokens[r, c]!r}; {ALLOWED_IN_FILES}{hint}",
    )
    spins, missing = _spins_from_numbers(
        numbers, origin, position, lambda r, c: repr(tokens[r, c]), hint
    )
    columns = None if names is None else tuple(names[c] for c in kept)
    return BinaryData(spins, missing, str(p), label_values, columns)


def _is_header(fields: list[str]) -> bool:
    """A first row is a header when some field is not a value and none is a number or
    a true/false word; so a data row with a typo is reported, not taken for names."""
    values = [_token_value(t) for t in fields]
    return any(v is None for v in values) and all(v is None or np.isnan(v) for v in values)


def _token_value(token: str) -> float | None:
    """A field's number (NaN for missing), or None when it is not a value at all."""
    t = token.strip().lower()
    if t in MISSING_TOKENS:
        return np.nan
    if t in TRUE_WORDS:
        return 1.0
    if t in FALSE_WORDS:
        return 0.0
    try:
        v = float(t)
    except ValueError:
        return None
    return v if np.isfinite(v) else None


def _token_numbers(tokens: np.ndarray, bad: Callable[[int, int], str]) -> np.ndarray:
    unique, inverse = np.unique(tokens.astype(str), return_inverse=True)
    values = np.array([_token_value(t) for t in unique], dtype=object)
    unknown = np.array([v is None for v in values])
    codes = inverse.reshape(tokens.shape)
    if unknown.any():
        r, c = (int(i) for i in np.argwhere(unknown[codes])[0])
        raise ValueError(bad(r, c))
    return values.astype(np.float64)[codes]


def _labels_from(p: Path, column: np.ndarray, line_of: list[int], index: int) -> np.ndarray:
    text = [str(t).strip() for t in column]
    for r, t in enumerate(text):
        if t.lower() in MISSING_TOKENS:
            raise ValueError(
                f"{str(p)!r}: line {line_of[r]}, column {index + 1} (the labels) "
                f"is missing ({column[r]!r}); every row needs a label"
            )
    try:
        return np.array([int(t) for t in text])
    except ValueError:
        return np.array(text)


# -- pictures ------------------------------------------------------------------------------
def _read_pictures(folder: Path) -> BinaryData:
    def pictures_in(d: Path) -> list[Path]:
        return sorted(
            f for f in d.iterdir() if f.is_file() and f.suffix.lower() in PICTURE_SUFFIXES
        )

    files = pictures_in(folder)
    names: list[str] = []
    if not files:
        for sub in sorted(d for d in folder.iterdir() if d.is_dir()):
            found = pictures_in(sub)
            files += found
            names += [sub.name] * len(found)
    if not files:
        raise ValueError(
            f"folder {str(folder)!r} holds no "
            f"{'/'.join(s[1:].upper() for s in PICTURE_SUFFIXES)} pictures "
            "(directly or one subfolder per class)"
        )
    first = read_picture(files[0])
    rows = np.empty((len(files), first.size), dtype=np.int8)
    for i, f in enumerate(files):
        picture = first if i == 0 else read_picture(f)
        if picture.shape != first.shape:
            raise ValueError(
                f"picture {str(f)!r} is {picture.shape[1]}x{picture.shape[0]} "
                f"(width x height) but {str(files[0])!r} is "
                f"{first.shape[1]}x{first.shape[0]}; all pictures must be the "
                "same size"
            )
        rows[i] = picture.reshape(-1)
    labels = np.array(names) if names else None
    return BinaryData(
        rows,
        np.zeros(rows.shape, dtype=bool),
        str(folder),
        labels,
        picture_shape=(int(first.shape[0]), int(first.shape[1])),
    )


def read_picture(path: str | os.PathLike) -> np.ndarray:
    """A PNG or PBM picture as (height, width) int8 spins, +1 for ink (dark)."""
    p = Path(path)
    if p.suffix.lower() == ".pbm":
        return np.where(read_pbm(p), 1, -1).astype(np.int8)
    import matplotlib.image

    try:
        pixels = np.asarray(matplotlib.image.imread(p), dtype=np.float64)
    except Exception as e:  # Pillow raises several types for a file that is not a PNG
        raise ValueError(f"picture {str(p)!r} cannot be read as PNG: {e}") from None
    return np.where(_gray(pixels) <= 0.5, 1, -1).astype(np.int8)


def _gray(pixels: np.ndarray) -> np.ndarray:
    """Gray levels in [0, 1] (matplotlib scales every PNG depth to that range);
    colour by luma, transparency over white."""
    if pixels.ndim == 2:
        return pixels
    channels = pixels.shape[2]
    alpha = pixels[..., -1] if channels in (2, 4) else None
    if channels >= 3:
        gray = pixels[..., :3] @ np.array([0.299, 0.587, 0.114])
    else:
        gray = pixels[..., 0]
    return gray if alpha is None else gray * alpha + (1.0 - alpha)


def read_pbm(path: str | os.PathLike) -> np.ndarray:
    """A PBM picture (plain P1 or raw P4) as a (height, width) bool array, True for black."""
    p = Path(path)
    data = p.read_bytes()
    pos = 0

    def token() -> bytes:
        nonlocal pos
        while pos < len(data):
            if data[pos : pos + 1].isspace():
                pos += 1
            elif data[pos : pos + 1] == b"#":
                end = data.find(b"\n", pos)
                pos = len(data) if end < 0 else end + 1
            else:
                break
        start = pos
        while pos < len(data) and not data[pos : pos + 1].isspace() and data[pos : pos + 1] != b"#":
            pos += 1
        return data[start:pos]

    magic = token()
    if magic not in (b"P1", b"P4"):
        raise ValueError(
            f"picture {str(p)!r} is not a PBM file (it starts with {magic[:8]!r}, not P1 or P4)"
        )
    try:
        width, height = int(token()), int(token())
    except ValueError:
        raise ValueError(f"picture {str(p)!r}: the PBM header lacks a width and height") from None
    if width < 1 or height < 1:
        raise ValueError(f"picture {str(p)!r} is {width}x{height}: it has no pixels")
    if magic == b"P4":
        pos += 1  # the single whitespace character ending the header
        row_bytes = (width + 7) // 8
        raw = np.frombuffer(
            data, dtype=np.uint8, count=min(len(data) - pos, row_bytes * height), offset=pos
        )
        if raw.size < row_bytes * height:
            raise ValueError(
                f"picture {str(p)!r} is cut short: {raw.size} of "
                f"{row_bytes * height} bytes of pixels"
            )
        bits = np.unpackbits(raw.reshape(height, row_bytes), axis=1)[:, :width]
        return bits.astype(bool)
    body = b"\n".join(line.split(b"#", 1)[0] for line in data[pos:].split(b"\n"))
    digits = bytes(b for b in body if b in b"01")
    rest = bytes(b for b in body if not chr(b).isspace() and b not in b"01")
    if rest:
        raise ValueError(
            f"picture {str(p)!r}: a plain PBM holds only 0 and 1 after its "
            f"header, found {rest[:8]!r}"
        )
    if len(digits) != width * height:
        raise ValueError(
            f"picture {str(p)!r} holds {len(digits)} pixels where its header "
            f"says {width}x{height} = {width * height}"
        )
    return (np.frombuffer(digits, dtype=np.uint8) == ord("1")).reshape(height, width)
