"""PNG figures of the experiments (matplotlib, imported lazily, Agg backend).

Pictures are drawn black on white (+1 = ink); a tied pixel (0) is drawn red,
as the paper draws its undecided pixels in a separate colour, and unknown
(corrupted) pixels gray.
"""

from __future__ import annotations

import os
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np

from . import _files

TIE_RGB = (0.85, 0.1, 0.1)
UNKNOWN_RGB = (0.6, 0.6, 0.75)


def _pyplot() -> Any:
    try:
        import matplotlib
    except ImportError:
        raise ImportError("plots need matplotlib: pip install matplotlib") from None
    matplotlib.use("Agg", force=False)
    import matplotlib.pyplot as plt

    return plt


def _save(fig: Any, path: str | os.PathLike) -> None:
    try:
        _files.savefig(fig, path, dpi=120, bbox_inches="tight")
    finally:
        _pyplot().close(fig)


def picture_rgb(
    values: np.ndarray, shape: tuple[int, int], known: np.ndarray | None = None
) -> np.ndarray:
    """(rows, cols, 3) image of one ±1/0 picture; unknown pixels gray if ``known`` given."""
    v = np.asarray(values)[: shape[0] * shape[1]].reshape(shape)
    rgb = np.where(v[..., None] > 0, 0.0, 1.0) * np.ones(3)
    rgb[v == 0] = TIE_RGB
    if known is not None:
        k = np.asarray(known)[: shape[0] * shape[1]].reshape(shape)
        rgb[~k] = UNKNOWN_RGB
    return rgb


def picture_grid(
    path: str | os.PathLike,
    rows: Sequence[tuple[str, Sequence[np.ndarray]]],
    shape: tuple[int, int],
    title: str = "",
    known: Sequence[np.ndarray | None] | None = None,
) -> None:
    """A grid of pictures: one labelled row per entry of ``rows``; ``known``
    (one mask per row, or None) grays out unknown pixels."""
    plt = _pyplot()
    ncols = max(len(r[1]) for r in rows)
    height = 1.0 * len(rows) + 0.4
    fig, axes = plt.subplots(len(rows), ncols, figsize=(0.8 * ncols + 1.2, height), squeeze=False)
    # Margins in inches, not fractions: a tall grid keeps its title close.
    fig.subplots_adjust(top=1 - 0.45 / height, bottom=0.1 / height)
    for i, (label, pictures) in enumerate(rows):
        for j in range(ncols):
            ax = axes[i][j]
            ax.set_xticks([])
            ax.set_yticks([])
            if j < len(pictures):
                mask = None if known is None or known[i] is None else np.asarray(known[i])[j]
                ax.imshow(picture_rgb(pictures[j], shape, mask), interpolation="nearest")
            else:
                ax.axis("off")
        axes[i][0].set_ylabel(label, rotation=0, ha="right", va="center", fontsize=8)
    if title:
        fig.suptitle(title, fontsize=9, y=1 - 0.15 / height)
    _save(fig, path)


def curves(
    path: str | os.PathLike,
    series: Mapping[str, tuple[np.ndarray, np.ndarray, np.ndarray | None]],
    xlabel: str,
    ylabel: str,
    title: str = "",
    band: tuple[float, float, str] | None = None,
    logx: bool = False,
) -> None:
    """Lines (x, mean, std or None) with ±std shading, and an optional horizontal
    band (low, high, label)."""
    plt = _pyplot()
    fig, ax = plt.subplots(figsize=(6.4, 4.2))
    if band is not None:
        ax.axhspan(band[0], band[1], color="0.85", label=band[2])
    for label, (x, mean, std) in series.items():
        marker = "o" if len(x) < 20 else None  # few points: show where they are
        (line,) = ax.plot(x, mean, label=label, lw=1.4, marker=marker, ms=4)
        if std is not None:
            ax.fill_between(x, mean - std, mean + std, color=line.get_color(), alpha=0.2)
    if logx:
        ax.set_xscale("log")
    ax.set_xlabel(xlabel)
    ax.set_ylabel(ylabel)
    if title:
        ax.set_title(title, fontsize=10)
    ax.legend(fontsize=8)
    ax.grid(alpha=0.3)
    _save(fig, path)


def confusion(
    path: str | os.PathLike, matrix: np.ndarray, names: Sequence[str], title: str = ""
) -> None:
    plt = _pyplot()
    fig, ax = plt.subplots(figsize=(3.8, 3.4))
    ax.imshow(matrix, cmap="Blues")
    for (i, j), v in np.ndenumerate(matrix):
        ax.text(
            j,
            i,
            str(v),
            ha="center",
            va="center",
            color="white" if v > matrix.max() / 2 else "black",
            fontsize=9,
        )
    ax.set_xticks(range(len(names)), names)
    ax.set_yticks(range(len(names)), names)
    ax.set_xlabel("predicted")
    ax.set_ylabel("true")
    if title:
        ax.set_title(title, fontsize=10)
    _save(fig, path)


def figure_vs_setting(
    path: str | os.PathLike,
    series: Mapping[str, tuple[np.ndarray, np.ndarray, np.ndarray | None]],
    xlabel: str,
    ylabel: str,
    title: str = "",
    categories: Sequence[str] | None = None,
    logx: bool = False,
) -> None:
    """A figure of a grid against one varied setting: one line (x, mean, std or
    None) per combination of the other settings. With ``categories`` the x
    values are positions 0, 1, ... labelled by them (a setting of text values)."""
    plt = _pyplot()
    fig, ax = plt.subplots(figsize=(6.4, 4.2))
    for label, (x, mean, std) in series.items():
        (line,) = ax.plot(x, mean, label=label, lw=1.4, marker="o", ms=4)
        if std is not None:
            ax.fill_between(x, mean - std, mean + std, color=line.get_color(), alpha=0.2)
    if categories is not None:
        ax.set_xticks(range(len(categories)), categories)
    elif logx:
        ax.set_xscale("log")
    ax.set_xlabel(xlabel)
    ax.set_ylabel(ylabel)
    if title:
        ax.set_title(title, fontsize=10)
    if len(series) > 1:
        ax.legend(fontsize=8)
    ax.grid(alpha=0.3)
    _save(fig, path)


def agreement(
    path: str | os.PathLike,
    panels: Mapping[str, tuple[np.ndarray, np.ndarray]],
    xlabel: str,
    ylabel: str,
    title: str = "",
) -> None:
    """One scatter panel per entry (x, y) beside the diagonal y = x: how far a
    model's figures are from the data's."""
    plt = _pyplot()
    fig, axes = plt.subplots(1, len(panels), figsize=(3.6 * len(panels), 3.6), squeeze=False)
    for ax, (label, (x, y)) in zip(axes[0], panels.items()):
        ax.plot([-1, 1], [-1, 1], color="0.6", lw=1)
        ax.scatter(x, y, s=8, alpha=0.6)
        ax.set_xlim(-1.05, 1.05)
        ax.set_ylim(-1.05, 1.05)
        ax.set_aspect("equal")
        ax.set_xlabel(xlabel)
        ax.set_ylabel(ylabel)
        ax.set_title(label, fontsize=9)
        ax.grid(alpha=0.3)
    if title:
        fig.suptitle(title, fontsize=10)
    _save(fig, path)
