"""The paper's datasets as int8 ±1 arrays (rows are data points).

* Bars and stripes n×m: every picture whose rows, or whose columns, are each
  all on or all off — 2^n + 2^m pictures, duplicates kept (the all-off and
  all-on pictures appear twice), as in the paper.
* OptDigits: the UCI format, the paper's preprocessing (crop 8×8 to 7×6,
  threshold, classes 1–4) and an optional one-hot ±1 class block.
* Sherrington–Kirkpatrick instances with exact i.i.d. samples from the core.

Pictures are flattened row-major: pixel (r, c) of an n×m picture is column
``r * m + c``. +1 is "on" (ink / a bar), -1 is "off".
"""

from __future__ import annotations

import os
import urllib.error
import urllib.request
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from . import exact
from ._validate import check_exact_size, check_int, check_number, check_positive_int
from .ising import IsingArrays

#: The UCI repository's OptDigits training file.
OPTDIGITS_TRAIN_URL = (
    "https://archive.ics.uci.edu/ml/machine-learning-databases/optdigits/optdigits.tra"
)
#: The paper's classes and crop: 7 rows × 6 columns of the 8×8 picture.
DIGIT_CLASSES = (1, 2, 3, 4)
DIGIT_SHAPE = (7, 6)
#: How a picture is cut: (rows, columns) kept of the 8×8 grid, by name.
DIGIT_CROPS = {"paper": (slice(0, 7), slice(1, 7)), "none": (slice(0, 8), slice(0, 8))}
#: Gray levels run 0..16; a pixel is on at or above the midpoint.
DIGIT_THRESHOLD = 8


@dataclass(frozen=True)
class Dataset:
    """±1 data (D, N) int8, optional integer labels (D,), and the picture shape
    (rows, columns) of the first ``rows * columns`` columns when they are pixels."""

    data: np.ndarray
    labels: np.ndarray | None = None
    shape: tuple[int, int] | None = None
    num_classes: int = 0  # one-hot ±1 class columns after the pixels

    def __len__(self) -> int:
        return len(self.data)

    @property
    def num_pixels(self) -> int:
        return self.data.shape[1] - self.num_classes

    def subset(self, rows: Any) -> Dataset:
        return Dataset(
            self.data[rows],
            None if self.labels is None else self.labels[rows],
            self.shape,
            self.num_classes,
        )


# -- bars and stripes ---------------------------------------------------------------
def bars_and_stripes(rows: int = 7, columns: int = 6) -> Dataset:
    """All 2^rows + 2^columns bars-and-stripes pictures, in a fixed order
    (stripes first: each row on or off; then bars: each column on or off)."""
    rows, columns = check_positive_int("rows", rows), check_positive_int("columns", columns)
    if rows * columns > 64 or max(rows, columns) > 16:
        raise ValueError(
            f"bars and stripes up to 16 rows or columns and 64 pixels: got {rows}x{columns}"
        )
    stripes = _all_patterns(rows)[:, :, None].repeat(columns, axis=2)
    bars = _all_patterns(columns)[:, None, :].repeat(rows, axis=1)
    pictures = np.concatenate([stripes, bars]).reshape(-1, rows * columns)
    labels = np.r_[np.zeros(len(stripes), np.int64), np.ones(len(bars), np.int64)]
    return Dataset(pictures.astype(np.int8), labels, (rows, columns))


def _all_patterns(n: int) -> np.ndarray:
    bits = (np.arange(2**n)[:, None] >> np.arange(n)[::-1]) & 1
    return (2 * bits - 1).astype(np.int8)


def shuffled_split(
    dataset: Dataset, num_train: int, seed: int | None = 0
) -> tuple[Dataset, Dataset]:
    """A seeded shuffle split into ``num_train`` training points and the rest."""
    num_train = check_positive_int("num_train", num_train)
    if num_train >= len(dataset):
        raise ValueError(
            f"'num_train' must be less than the dataset size {len(dataset)}: value = {num_train}"
        )
    order = np.random.default_rng(seed).permutation(len(dataset))
    return dataset.subset(order[:num_train]), dataset.subset(order[num_train:])


# -- OptDigits -----------------------------------------------------------------------
def read_optdigits(path: str | os.PathLike) -> tuple[np.ndarray, np.ndarray]:
    """The UCI OptDigits format: per line 64 gray values 0..16 and the class.
    Returns (gray (D, 64) int64, labels (D,) int64)."""
    try:
        raw = np.loadtxt(path, delimiter=",", dtype=np.int64, ndmin=2)
    except ValueError as e:
        raise ValueError(
            f"{path} is not in the OptDigits format (65 integers per line): {e}"
        ) from None
    if raw.size == 0:
        raise ValueError(
            f"{path} holds no pictures (expected lines of 65 comma-separated integers)"
        )
    if raw.shape[1] != 65:
        raise ValueError(f"{path}: expected 65 comma-separated values per line, got {raw.shape[1]}")
    gray, labels = raw[:, :64], raw[:, 64]
    if gray.min() < 0 or gray.max() > 16 or labels.min() < 0 or labels.max() > 9:
        raise ValueError(f"{path}: gray values must be 0..16 and classes 0..9")
    return gray, labels


def check_digit_classes(classes: Any) -> tuple[int, ...]:
    """Distinct digits 0..9, at least two (a class unit needs a rival)."""
    try:
        values = tuple(classes)
    except TypeError:
        raise TypeError(f"'classes' must be a sequence of digits: value = {classes!r}") from None
    for c in values:
        check_int("classes", c, 0, 9)
    if len(values) < 2 or len(set(values)) != len(values):
        raise ValueError(f"'classes' must be two or more distinct digits 0..9: value = {classes!r}")
    return tuple(int(c) for c in values)


def check_digit_crop(crop: Any) -> str:
    if crop not in DIGIT_CROPS:
        raise ValueError(f"'crop' must be one of {sorted(DIGIT_CROPS)}: value = {crop!r}")
    return str(crop)


def digit_shape(crop: str = "paper") -> tuple[int, int]:
    """(rows, columns) of a picture cut by ``crop``."""
    rows, columns = DIGIT_CROPS[check_digit_crop(crop)]
    return rows.stop - rows.start, columns.stop - columns.start


def preprocess_digits(
    gray: np.ndarray,
    labels: np.ndarray,
    *,
    classes: Any = DIGIT_CLASSES,
    one_hot: bool = False,
    crop: str = "paper",
) -> Dataset:
    """The paper's preprocessing: keep ``classes``, crop each 8×8 picture to 7×6
    (drop the leftmost and rightmost columns and the bottom row; ``crop="none"``
    keeps all 8×8), pixel = +1 at gray >= 8 else -1; with ``one_hot``, append
    one ±1 column per class (+1 for the picture's class). Labels become
    indices into ``classes``."""
    gray = np.asarray(gray)
    if gray.ndim != 2 or gray.shape[1] != 64:
        raise ValueError(f"'gray' must have shape (D, 64): got {gray.shape}")
    labels = np.asarray(labels)
    if labels.shape != (len(gray),):
        raise ValueError(
            f"'labels' must have one entry per picture ({len(gray)}): got shape {labels.shape}"
        )
    classes = check_digit_classes(classes)
    rows, columns = DIGIT_CROPS[check_digit_crop(crop)]
    keep = np.isin(labels, classes)
    pictures = gray[keep].reshape(-1, 8, 8)[:, rows, columns].reshape(keep.sum(), -1)
    pixels = np.where(pictures >= DIGIT_THRESHOLD, 1, -1).astype(np.int8)
    position = {c: k for k, c in enumerate(classes)}
    index = np.array([position[int(c)] for c in labels[keep]], dtype=np.int64)
    if one_hot:
        block = -np.ones((len(index), len(classes)), dtype=np.int8)
        block[np.arange(len(index)), index] = 1
        pixels = np.concatenate([pixels, block], axis=1)
    return Dataset(
        pixels, index.astype(np.int64), digit_shape(crop), len(classes) if one_hot else 0
    )


def optdigits_train(
    path: str | os.PathLike | None = None,
    *,
    cache_dir: str | os.PathLike | None = None,
    download: bool = True,
    one_hot: bool = False,
    classes: Any = DIGIT_CLASSES,
    crop: str = "paper",
) -> Dataset:
    """The UCI OptDigits training split, preprocessed (1545 pictures of 1–4 by
    default; 3823 of all ten classes).

    Read from ``path`` if given; else from ``cache_dir`` (default
    ``$QSAMPLE_DATA`` or ``~/.cache/qsample``), downloading it there first from
    the UCI repository when ``download`` is true.
    """
    if path is None:
        cache = Path(
            cache_dir or os.environ.get("QSAMPLE_DATA") or Path.home() / ".cache" / "qsample"
        )
        path = cache / "optdigits.tra"
        if not path.exists():
            if not download:
                raise FileNotFoundError(f"{path} does not exist and download=False")
            _download(OPTDIGITS_TRAIN_URL, path)
    elif not Path(path).exists():
        raise FileNotFoundError(f"OptDigits training file not found: {path}")
    classes = check_digit_classes(classes)
    gray, labels = read_optdigits(path)
    absent = [c for c in classes if not np.any(labels == c)]
    if absent:
        raise ValueError(
            f"{path} has no pictures of class {', '.join(map(str, absent))}; "
            f"training needs every class of {list(classes)}"
        )
    return preprocess_digits(gray, labels, one_hot=one_hot, classes=classes, crop=crop)


def _download(url: str, path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".part")
    try:
        with urllib.request.urlopen(url, timeout=30) as r, open(tmp, "wb") as f:
            f.write(r.read())
        read_optdigits(tmp)  # refuse to cache anything that is not the file
        os.replace(tmp, path)
    except (urllib.error.URLError, OSError) as e:
        raise OSError(
            f"could not download the OptDigits training file from {url} ({e}); "
            f"download it by hand and pass its path, or put it at {path}"
        ) from None
    finally:
        if tmp.exists():
            tmp.unlink()


def optdigits_test(
    *, one_hot: bool = False, classes: Any = DIGIT_CLASSES, crop: str = "paper"
) -> Dataset:
    """The UCI OptDigits test split (scikit-learn's ``load_digits()`` is that
    file), preprocessed: 723 pictures of 1–4 by default; 1797 of all ten classes."""
    try:
        from sklearn.datasets import load_digits
    except ImportError:
        raise ImportError(
            "the OptDigits test split comes from scikit-learn: pip install 'qsample[digits]'"
        ) from None
    d = load_digits()
    return preprocess_digits(
        d.data.astype(np.int64), d.target, one_hot=one_hot, classes=classes, crop=crop
    )


# -- Sherrington–Kirkpatrick --------------------------------------------------------
def sk_instance(n: int = 15, zeta: float = 2.0, seed: int | None = 0) -> IsingArrays:
    """An SK model on n spins: J_ij ~ Normal(0, zeta / sqrt(n)), h = 0."""
    n = check_int("n", n, 2)
    check_exact_size(n, "exact sampling", name="n")
    check_number("zeta", zeta, 0.0, low_open=True)
    rng = np.random.default_rng(seed)
    irow, icol = np.triu_indices(n, 1)
    return IsingArrays(
        list(range(n)),
        np.zeros(n),
        irow.astype(np.int64),
        icol.astype(np.int64),
        rng.normal(0.0, zeta / np.sqrt(n), len(irow)),
    )


def sk_dataset(
    n: int = 15, num_samples: int = 150, zeta: float = 2.0, seed: int | None = 0, beta: float = 1.0
) -> tuple[IsingArrays, Dataset]:
    """An SK instance and ``num_samples`` exact i.i.d. samples at ``beta``."""
    model = sk_instance(n, zeta, seed)
    num_samples = check_positive_int("num_samples", num_samples)
    child = None if seed is None else int(np.random.default_rng(seed).integers(2**63))
    return model, Dataset(exact.sample(model, num_samples, beta=beta, seed=child))
