"""Grids of runs: the cross product of the varied settings of a ``GridSpec``,
each point a task of the execution seam, one results folder per point plus a
summary table and plot.

Layout of the grid's folder::

    OUT/grid.json                      the spec and the run seed
    OUT/run.json                       the fixed settings (another grid refuses the folder)
    OUT/<point id>/settings.json       the point's settings and seed
    OUT/<point id>/result.json         its figures, written last: the point is finished
    OUT/<point id>/...                 whatever ``run_point`` writes there
    OUT/summary.csv                    one row per point
    OUT/<figure>.png                   the chosen figure against a varied setting

The folder of an interrupted grid resumes it: finished points are not run again.
On a cluster, OUT must be a folder every worker sees (a shared file system).
"""

from __future__ import annotations

import functools
import itertools
import os
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .. import _files
from .._validate import check_int
from .executor import Executor
from .grid_spec import GridSpec, Scalar, format_value
from .grid_summary import numeric_figure_names, plot_figure, write_summary_csv
from .progress import TaskProgress
from .run import run_tasks
from .store import ResultStore, task_folder_name
from .task import Task

#: ``run_point(settings, out_dir, seed) -> figures``: one point of the grid, pure
#: in (settings, seed); it may write files into ``out_dir``, its own folder.
RunPoint = Callable[[dict, Path, int], Mapping[str, Any]]


@dataclass(frozen=True)
class GridPoint:
    """``id`` lists the varied settings sorted by name (``learning_rate=0.01,seed=3``),
    so it, the point's folder and its seed do not change when the spec lists
    them in another order; ``settings`` holds the fixed and varied settings."""

    id: str
    varied: dict[str, Scalar]
    settings: dict[str, Any]


@dataclass(frozen=True)
class GridResult:
    points: list[GridPoint]
    #: The figures of each point, in the order of ``points`` (as stored in JSON).
    figures: list[dict[str, Any]]
    folder: Path
    summary_csv: Path
    #: None when no figure holds a number.
    plot: Path | None


def point_id(varied: Mapping[str, Scalar]) -> str:
    return ",".join(f"{k}={format_value(k, varied[k])}" for k in sorted(varied))


def expand_grid(spec: GridSpec) -> list[GridPoint]:
    """Every point of the cross product, the first varied setting varying slowest."""
    if not spec.vary:
        raise ValueError(
            "a grid needs at least one setting to vary (a key with a list of values, or key=v1,v2)"
        )
    keys = list(spec.vary)
    points = []
    for values in itertools.product(*(spec.vary[k] for k in keys)):
        varied = dict(zip(keys, values))
        points.append(GridPoint(point_id(varied), varied, {**spec.fixed, **varied}))
    return points


def run_grid(
    spec: GridSpec,
    run_point: RunPoint,
    out_dir: str | os.PathLike,
    seed: int,
    *,
    executor: Executor | None = None,
    retries: int = 2,
    progress: bool | None | TaskProgress = None,
    figure: str | Callable[[list[str]], str | None] | None = None,
    x: str | None = None,
    average_over: Sequence[str] = (),
    identity: Mapping[str, Any] | None = None,
) -> GridResult:
    """Runs every point of the grid through ``executor`` (serial if None) and
    writes the summary. Each point's seed derives from ``seed`` and its id.

    The plot shows ``figure`` (default: the spec's, else the first numeric
    figure; a callable picks one from the numeric figures' names) against the
    varied setting ``x`` (default: the first), one line per
    combination of the other varied settings, averaged over ``average_over``.
    ``identity`` (besides the fixed settings) is what another grid must share
    to resume in the same folder, e.g. the experiment the points run.
    """
    seed = check_int("seed", seed, 0, 2**64 - 1)
    points = expand_grid(spec)
    x = _check_plot_axes(spec, x, average_over)
    folder = Path(out_dir)
    store = ResultStore(folder, identity={**spec.fixed, **(identity or {})})
    _files.write_json(folder / "grid.json", {**spec.as_json(), "seed": seed})

    tasks = [Task(p.id, p.settings) for p in points]
    fn = functools.partial(_run_grid_point, run_point, str(folder))
    if not isinstance(progress, TaskProgress):
        progress = TaskProgress(progress, desc="grid points")
    figures = run_tasks(
        fn, tasks, seed, executor=executor, store=store, retries=retries, progress=progress
    )

    varied = [p.varied for p in points]
    summary = folder / "summary.csv"
    write_summary_csv(summary, spec, varied, figures)
    figure = _choose_figure(figure or spec.figure, figures)
    plot = None
    if figure is not None:
        plot = folder / f"{figure}.png"
        plot_figure(plot, spec, varied, figures, figure, x, average_over)
    return GridResult(points, figures, folder, summary, plot)


def _run_grid_point(
    run_point: RunPoint, folder: str, settings: dict[str, Any], task_id: str, seed: int
) -> dict[str, Any]:
    """The task of one point, on whichever worker runs it."""
    point_dir = Path(folder) / task_folder_name(task_id)
    point_dir.mkdir(parents=True, exist_ok=True)
    _files.write_json(
        point_dir / "settings.json", {"point": task_id, "seed": seed, "settings": settings}
    )
    figures = run_point(dict(settings), point_dir, seed)
    if not isinstance(figures, Mapping) or not all(isinstance(k, str) for k in figures):
        raise TypeError(
            f"run_point must return a dict of figures by name for point "
            f"{task_id!r}, got {type(figures).__name__}"
        )
    return dict(figures)


def _check_plot_axes(spec: GridSpec, x: str | None, average_over: Sequence[str]) -> str:
    names = ", ".join(spec.vary)
    if x is None:
        x = next(iter(spec.vary))
    elif x not in spec.vary:
        raise ValueError(f"'x' must be a varied setting ({names}): value = {x!r}")
    if isinstance(average_over, str):
        raise TypeError(
            f"'average_over' must be a list of varied settings: value = {average_over!r}"
        )
    for k in average_over:
        if k not in spec.vary or k == x:
            raise ValueError(
                f"'average_over' must name varied settings other than x = {x!r} "
                f"({names}): value = {k!r}"
            )
    return x


def _choose_figure(
    figure: str | Callable[[list[str]], str | None] | None, figures: Sequence[Mapping[str, Any]]
) -> str | None:
    numeric = numeric_figure_names(figures)
    if callable(figure):
        figure = figure(list(numeric))
    if figure is None:
        return numeric[0] if numeric else None
    if figure not in numeric:
        raise ValueError(
            f"'figure' must name a figure holding numbers "
            f"({', '.join(numeric) or 'none returned'}): value = {figure!r}"
        )
    return figure
