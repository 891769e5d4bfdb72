"""Experiments on the execution seam: SK units, picture batches and grid points
run on a LocalCluster of 2 processes (started here, on the loopback address)
give the serial figures bit for bit; grids resume from their folder."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import pytest

from qsample.embedding import find_embedding
from qsample.execution import DaskExecutor, grid_spec_from_sets
from qsample.experiments import BASSettings, SKSettings, make_target, run_bas, run_sk
from qsample.experiments.grids import experiment_grid, flat_figures

FAST = dict(target="zephyr4", embedding="clique")
#: Figures that measure time, not results.
TIMINGS = ("seconds", "training_seconds")


@pytest.fixture
def dask_executor(cluster):
    _, client = cluster
    client.wait_for_workers(2)
    with DaskExecutor(client) as executor:
        yield executor


def _figures(result: dict) -> dict[str, float]:
    return {k: v for k, v in flat_figures(result["figures"]).items() if not k.endswith(TIMINGS)}


def test_sk_units_on_two_workers_give_the_serial_figures(tmp_path, dask_executor):
    s = SKSettings(instances=2, iterations=8, learning_rates=(0.01, 0.02), **FAST)
    for name in ("serial", "parallel"):
        (tmp_path / name).mkdir()
    serial = run_sk(s, tmp_path / "serial", progress=False)
    parallel = run_sk(s, tmp_path / "parallel", progress=False, executor=dask_executor)
    assert _figures(parallel) == _figures(serial)
    assert len(list((tmp_path / "parallel" / "units").glob("*/result.json"))) == 4


def test_picture_batches_on_two_workers_give_the_serial_reconstructions(tmp_path, dask_executor):
    s = BASSettings(iterations=4, evaluate_at=(2,), num_reconstructions=10, **FAST)
    for name in ("serial", "parallel"):
        (tmp_path / name).mkdir()
    serial = run_bas(s, tmp_path / "serial", progress=False)
    parallel = run_bas(s, tmp_path / "parallel", progress=False, executor=dask_executor)
    assert _figures(parallel) == _figures(serial)


def test_embedding_tries_on_two_workers_find_the_serial_embedding(dask_executor):
    target = make_target("dw2x", 0)
    serial = find_embedding(15, target, tries=4, seed=2)
    parallel = find_embedding(15, target, tries=4, seed=2, executor=dask_executor)
    assert parallel.chains == serial.chains


def _summary(folder: Path) -> list[dict[str, str]]:
    with open(folder / "summary.csv") as f:
        return [
            {k: v for k, v in row.items() if not k.endswith(TIMINGS)} for row in csv.DictReader(f)
        ]


def test_a_grid_on_two_workers_gives_the_serial_summary_and_resumes(tmp_path, dask_executor):
    spec = grid_spec_from_sets(
        [
            "iterations=2,3",
            "learning_rate=0.01,0.02",
            "num_reconstructions=5",
            "target=zephyr4",
            "embedding=clique",
        ]
    )
    serial = experiment_grid("bas", spec, tmp_path / "serial", 3, quick=True, progress=False)
    parallel = experiment_grid(
        "bas", spec, tmp_path / "parallel", 3, quick=True, progress=False, executor=dask_executor
    )
    assert _summary(parallel.folder) == _summary(serial.folder)
    assert serial.plot is not None and serial.plot.name == "expected_mistakes_per_picture.end.png"
    # A grid run again in its folder computes nothing new and keeps the figures.
    point = serial.folder / "iterations=2,learning_rate=0.01" / "result.json"
    before = point.read_text()
    again = experiment_grid("bas", spec, tmp_path / "serial", 3, quick=True, progress=False)
    assert point.read_text() == before and _summary(again.folder) == _summary(serial.folder)
    # Another experiment (or --quick setting) cannot take over the folder.
    with pytest.raises(ValueError, match="experiment"):
        experiment_grid(
            "sk",
            grid_spec_from_sets(["iterations=2,3"]),
            tmp_path / "serial",
            3,
            quick=True,
            progress=False,
        )
    settings = json.loads(
        (serial.folder / "iterations=3,learning_rate=0.02" / "settings.json").read_text()
    )["settings"]
    assert settings["iterations"] == 3 and settings["learning_rate"] == 0.02


def test_unknown_grid_settings_are_refused_before_any_run(tmp_path):
    with pytest.raises(ValueError, match="no setting 'learning_rat'"):
        experiment_grid(
            "bas",
            grid_spec_from_sets(["learning_rat=0.1,0.2"]),
            tmp_path / "g",
            0,
            quick=True,
            progress=False,
        )
    assert not (tmp_path / "g").exists()
