"""The summary of a grid: a CSV table of every point's varied settings and
scalar figures, and a plot of one figure against a varied setting."""

from __future__ import annotations

import csv
import io
import os
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

import numpy as np

from .. import _files
from .grid_spec import GridSpec, Scalar, format_value

if TYPE_CHECKING:  # typing.TypeGuard is new in Python 3.10
    from typing import TypeGuard


def _is_number(v: Any) -> TypeGuard[int | float]:
    return isinstance(v, (int, float)) and not isinstance(v, bool)


def scalar_figure_names(figures: Sequence[Mapping[str, Any]]) -> list[str]:
    """Names of figures holding a number, text or boolean, in order of first appearance."""
    names: dict[str, None] = {}
    for f in figures:
        for k, v in f.items():
            if isinstance(v, (int, float, str, bool)):
                names.setdefault(k)
    return list(names)


def numeric_figure_names(figures: Sequence[Mapping[str, Any]]) -> list[str]:
    names: dict[str, None] = {}
    for f in figures:
        for k, v in f.items():
            if _is_number(v):
                names.setdefault(k)
    return list(names)


def write_summary_csv(
    path: str | os.PathLike,
    spec: GridSpec,
    varied: Sequence[Mapping[str, Scalar]],
    figures: Sequence[Mapping[str, Any]],
) -> list[str]:
    """One row per point: its varied settings, then its scalar figures (lists and
    tables stay in the points' folders). Returns the figure columns."""
    columns = scalar_figure_names(figures)
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow([*spec.vary, *columns])
    for v, f in zip(varied, figures):
        writer.writerow(
            [format_value(k, v[k]) for k in spec.vary] + [_cell(f.get(c)) for c in columns]
        )
    _files.write_text(path, out.getvalue())
    return columns


def _cell(v: Any) -> str:
    if v is None or isinstance(v, (list, dict)):
        return ""
    if isinstance(v, bool):
        return "true" if v else "false"
    return repr(v) if isinstance(v, float) else str(v)


def plot_figure(
    path: str | os.PathLike,
    spec: GridSpec,
    varied: Sequence[Mapping[str, Scalar]],
    figures: Sequence[Mapping[str, Any]],
    figure: str,
    x: str,
    average_over: Sequence[str] = (),
) -> None:
    """``figure`` against the varied setting ``x``: one line per combination of
    the other varied settings, averaged (mean ± std band) over ``average_over``."""
    from .. import plots

    xs = list(spec.vary[x])
    numeric_x = all(_is_number(v) for v in xs)
    if numeric_x:
        xs = sorted(xs)
    position = {format_value(x, v): i for i, v in enumerate(xs)}
    line_keys = [k for k in spec.vary if k != x and k not in average_over]

    groups: dict[str, list[list[float]]] = {}
    for v, f in zip(varied, figures):
        value = f.get(figure)
        if not _is_number(value):
            continue  # a point without this figure (e.g. it does not apply there)
        label = ", ".join(f"{k}={format_value(k, v[k])}" for k in line_keys) or figure
        cells = groups.setdefault(label, [[] for _ in xs])
        cells[position[format_value(x, v[x])]].append(float(value))

    series = {}
    for label, cells in groups.items():
        keep = [i for i, c in enumerate(cells) if c]
        at = np.array([xs[i] for i in keep], dtype=float) if numeric_x else np.array(keep, float)
        mean = np.array([np.mean(cells[i]) for i in keep])
        std = np.array([np.std(cells[i]) for i in keep]) if average_over else None
        series[label] = (at, mean, std)
    low, high = (min(map(float, xs)), max(map(float, xs))) if numeric_x else (0.0, 0.0)
    logx = numeric_x and low > 0 and high >= 100 * low
    title = f"mean ± std over {', '.join(average_over)}" if average_over else ""
    plots.figure_vs_setting(
        path,
        series,
        xlabel=x,
        ylabel=figure,
        title=title,
        categories=None if numeric_x else [format_value(x, v) for v in xs],
        logx=logx,
    )
