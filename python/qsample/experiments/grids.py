"""Grids of experiment runs: every point of a grid spec is one run of an
experiment (its settings overridden by the point's), in its own folder, as a
task of the execution seam; the grid writes a summary table and a plot of one
figure against the varied settings (see :mod:`qsample.execution.grid`).
"""

from __future__ import annotations

import dataclasses
import fnmatch
import functools
import os
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from ..execution import Executor, GridSpec, run_grid
from ..execution.grid import GridResult
from .registry import EXPERIMENTS


def settings_for(experiment: str, quick: bool, values: Mapping[str, Any]) -> Any:
    """The experiment's settings (quick or full) with ``values`` in place; a
    single value given for a tuple setting (``learning_rates``) is a
    one-element tuple. ``ValueError`` naming an unknown setting."""
    e = _experiment(experiment)
    base = e.settings.quick() if quick else e.settings.full()
    fields = {f.name: f for f in dataclasses.fields(e.settings)}
    unknown = sorted(set(values) - set(fields))
    if unknown:
        raise ValueError(
            f"{experiment} has no setting {unknown[0]!r}; its settings are {sorted(fields)}"
        )
    changes = {}
    for key, value in values.items():
        if isinstance(getattr(base, key), tuple) and not isinstance(value, (list, tuple)):
            value = (value,)
        changes[key] = tuple(value) if isinstance(value, list) else value
    return dataclasses.replace(base, **changes)


#: The figure a grid of each experiment plots unless told otherwise (a
#: pattern over the flat figure names).
HEADLINES = {
    "bas": "expected_mistakes_per_picture.end",
    "digits": "test_accuracy",
    "sk": "curves.SA physical*.final_gap_to_data_mean",
}


def flat_figures(figures: Mapping[str, Any], prefix: str = "") -> dict[str, float]:
    """The numbers among an experiment's figures, nested keys joined by dots
    (``mistakes_per_picture.300``): what a grid's summary and plot take. A
    figure measured along the iterations (keys that are numbers) also gets
    ``.end``, its value at the last one, so grids over ``iterations`` compare."""
    out: dict[str, float] = {}
    for key, value in figures.items():
        name = f"{prefix}{key}"
        if isinstance(value, Mapping):
            out.update(flat_figures(value, f"{name}."))
            steps = [k for k in value if str(k).isdigit()]
            last = max(steps, key=int) if steps else None
            if last is not None and isinstance(value[last], (int, float)):
                out[f"{name}.end"] = float(value[last])
        elif isinstance(value, bool):
            out[name] = float(value)
        elif isinstance(value, (int, float)):
            out[name] = float(value)
    return out


def headline(experiment: str, names: Sequence[str]) -> str | None:
    """The default figure of a grid of ``experiment`` among ``names``."""
    pattern = HEADLINES.get(experiment)
    return next((n for n in names if pattern and fnmatch.fnmatchcase(n, pattern)), None)


def run_point(
    experiment: str, quick: bool, settings: dict[str, Any], out_dir: Path, seed: int
) -> dict[str, float]:
    """One grid point: the experiment with the point's settings, run in
    ``out_dir``. Without a ``seed`` setting the point's own seed (from the
    grid's seed and the point's id) seeds the run."""
    values = dict(settings)
    values.setdefault("seed", seed % 2**31)
    s = settings_for(experiment, quick, values)
    for stale in out_dir.iterdir():  # a point tried before (a lost worker) starts afresh
        if stale.name not in ("settings.json",):
            _remove(stale)
    result = EXPERIMENTS[experiment].start(s, out_dir, progress=False)
    return flat_figures(result["figures"])


def _remove(path: Path) -> None:
    if path.is_dir():
        import shutil

        shutil.rmtree(path)
    else:
        path.unlink()


def experiment_grid(
    experiment: str,
    spec: GridSpec,
    out: str | os.PathLike,
    seed: int,
    *,
    quick: bool = False,
    executor: Executor | None = None,
    progress: bool | None = None,
    figure: str | None = None,
    x: str | None = None,
    average_over: Sequence[str] = (),
) -> GridResult:
    """Run ``experiment`` at every point of ``spec`` (settings checked for every
    point before any runs) and summarise the grid in ``out``."""
    e = _experiment(experiment)
    from ..execution import expand_grid

    for point in expand_grid(spec):
        values = dict(point.settings)
        values.setdefault("seed", 0)
        settings_for(e.name, quick, values)
    fn = functools.partial(run_point, e.name, quick)
    chosen: Any = figure
    if figure is None and spec.figure is None:
        chosen = functools.partial(headline, e.name)
    return run_grid(
        spec,
        fn,
        out,
        seed,
        executor=executor,
        progress=progress,
        figure=chosen,
        x=x,
        average_over=average_over,
        identity={"experiment": e.name, "quick": quick},
    )


def _experiment(name: str) -> Any:
    if name not in EXPERIMENTS:
        raise ValueError(f"'experiment' must be one of {tuple(EXPERIMENTS)}: value = {name!r}")
    return EXPERIMENTS[name]
