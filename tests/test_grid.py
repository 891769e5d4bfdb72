"""Grids: specs from TOML, YAML and key=v1,v2 strings; the cross product as
tasks with stable ids; one folder per point, the summary table and plot; resume."""

from __future__ import annotations

import csv
import json
import sys

import numpy as np
import pytest

from qsample.execution import (
    GridSpec,
    TaskProgress,
    expand_grid,
    grid_spec_from_file,
    grid_spec_from_sets,
    grid_summary,
    run_grid,
    task_seed,
)

from execution_tasks import grid_point

TOML = """
figure = "score"

[vary]
rate = [0.1, 0.2]
method = ["sa", "exact"]

[fixed]
scale = 2.0
layers = [3, 4]
"""

YAML = """
figure: score
vary:
  rate: [0.1, 0.2]
  method: [sa, exact]
fixed:
  scale: 2.0
  layers: [3, 4]
"""


def quiet() -> TaskProgress:
    return TaskProgress(enabled=False)


# ---------------------------------------------------------------- specs


def test_toml_and_yaml_specs_read_the_same(tmp_path):
    (tmp_path / "g.toml").write_text(TOML)
    (tmp_path / "g.yaml").write_text(YAML)
    toml_spec = grid_spec_from_file(tmp_path / "g.toml")
    assert toml_spec == grid_spec_from_file(tmp_path / "g.yaml")
    assert toml_spec.vary == {"rate": (0.1, 0.2), "method": ("sa", "exact")}
    assert toml_spec.fixed == {"scale": 2.0, "layers": [3, 4]}
    assert toml_spec.figure == "score"


def test_set_strings_vary_keys_with_several_values_and_fix_the_others():
    spec = grid_spec_from_sets(
        ["rate=0.1,0.2", "method=sa,exact", "scale=2.0", "n=3", "flag=true", "name='7'"]
    )
    assert spec.vary == {"rate": (0.1, 0.2), "method": ("sa", "exact")}
    assert spec.fixed == {"scale": 2.0, "n": 3, "flag": True, "name": "7"}
    assert isinstance(spec.fixed["n"], int)


def test_set_strings_override_a_file_spec(tmp_path):
    (tmp_path / "g.toml").write_text(TOML)
    spec = grid_spec_from_file(tmp_path / "g.toml").overridden_by(
        grid_spec_from_sets(["rate=0.5", "scale=1,3"])
    )
    assert spec.vary == {"method": ("sa", "exact"), "scale": (1, 3)}
    assert spec.fixed == {"layers": [3, 4], "rate": 0.5}


@pytest.mark.parametrize(
    "text, error, match",
    [
        ("[vary]\nrate = 0.1\n", ValueError, "vary.rate must be a list"),
        ("[vary]\nrate = [0.1, 0.1]\n", ValueError, "'rate' lists the value '0.1' twice"),
        ("[vary]\nrate = []\n", ValueError, "non-empty list"),
        ("[vary]\nrate = [[1]]\n", TypeError, "text, numbers or booleans"),
        ("[vary]\nmethod = ['a,b']\n", ValueError, "without ','"),
        ("[vary]\nrate = [1]\n[fixed]\nrate = 2\n", ValueError, "both varied and fixed"),
        ("[vary]\nrate = [1]\n[other]\nx = 1\n", ValueError, "unknown key 'other'"),
        ("vary = 3\n", ValueError, "'vary' must be a table"),
        ("[vary\n", ValueError, "not valid TOML"),
    ],
)
def test_bad_specs_are_refused_naming_the_file_and_setting(tmp_path, text, error, match):
    path = tmp_path / "g.toml"
    path.write_text(text)
    with pytest.raises(error, match=match) as info:
        grid_spec_from_file(path)
    assert str(path) in str(info.value)


@pytest.mark.parametrize(
    "items, match",
    [
        (["rate"], "must read key=v1,v2"),
        (["rate="], "must read key=v1,v2"),
        (["1rate=1,2"], "must start with a letter"),
        (["rate=1,2", "rate=3,4"], "given twice"),
    ],
)
def test_bad_set_strings_are_refused(items, match):
    with pytest.raises(ValueError, match=match):
        grid_spec_from_sets(items)


def test_a_spec_file_must_be_toml_or_yaml(tmp_path):
    with pytest.raises(ValueError, match=r"\.toml, \.yaml or \.yml"):
        grid_spec_from_file(tmp_path / "g.json")


def test_yaml_without_pyyaml_says_what_to_install(tmp_path, monkeypatch):
    (tmp_path / "g.yml").write_text(YAML)
    monkeypatch.setitem(sys.modules, "yaml", None)
    with pytest.raises(ImportError, match="pip install pyyaml"):
        grid_spec_from_file(tmp_path / "g.yml")


# ---------------------------------------------------------------- points


def test_the_cross_product_with_ids_independent_of_the_order_of_settings():
    spec = grid_spec_from_sets(["rate=0.1,0.2,0.3", "method=sa,exact", "scale=2"])
    points = expand_grid(spec)
    assert [p.id for p in points][:3] == [
        "method=sa,rate=0.1",
        "method=exact,rate=0.1",
        "method=sa,rate=0.2",
    ]
    assert len({p.id for p in points}) == 6
    assert points[1].settings == {"scale": 2, "rate": 0.1, "method": "exact"}
    reordered = expand_grid(grid_spec_from_sets(["method=sa,exact", "rate=0.1,0.2,0.3"]))
    assert {p.id for p in reordered} == {p.id for p in points}


def test_numpy_values_read_as_plain_ones_in_ids():
    spec = GridSpec({"rate": np.array([0.01, 0.1]), "n": [np.int64(3)]}, {"scale": np.float64(2.0)})
    assert [p.id for p in expand_grid(spec)] == ["n=3,rate=0.01", "n=3,rate=0.1"]
    assert type(spec.fixed["scale"]) is float


def test_a_grid_needs_a_varied_setting():
    with pytest.raises(ValueError, match="at least one setting to vary"):
        expand_grid(grid_spec_from_sets(["rate=1"]))


# ---------------------------------------------------------------- running a grid


def test_a_grid_writes_a_folder_per_point_a_summary_and_a_plot(tmp_path):
    spec = grid_spec_from_sets(["rate=0.1,0.2,0.3", "method=sa,exact", "scale=2"])
    result = run_grid(spec, grid_point, tmp_path, 5, progress=False)
    assert [f["label"] for f in result.figures] == [p.varied["method"] for p in result.points]
    for point, figures in zip(result.points, result.figures):
        folder = tmp_path / point.id
        seed = task_seed(5, point.id)
        assert json.loads((folder / "result.json").read_text())["result"] == figures
        assert json.loads((folder / "settings.json").read_text()) == {
            "point": point.id,
            "seed": seed,
            "settings": point.settings,
        }
        assert (folder / "samples.txt").exists()
    with open(result.summary_csv) as f:
        rows = list(csv.DictReader(f))
    assert list(rows[0]) == ["rate", "method", "score", "noise", "label"]  # lists stay out
    assert [float(r["score"]) for r in rows] == [f["score"] for f in result.figures]
    assert [r["method"] for r in rows] == [p.varied["method"] for p in result.points]
    assert result.plot == tmp_path / "score.png"
    assert result.plot.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_point_figures_come_from_the_point_seed(tmp_path):
    spec = grid_spec_from_sets(["rate=0.1,0.2", "method=sa"])
    result = run_grid(spec, grid_point, tmp_path / "a", 5, progress=False)
    for point, figures in zip(result.points, result.figures):
        expected = grid_point(point.settings, tmp_path, task_seed(5, point.id))
        assert figures == expected


def test_a_resumed_grid_runs_only_the_points_without_a_result(tmp_path):
    markers = tmp_path / "markers"
    markers.mkdir()
    out = tmp_path / "grid"
    spec = grid_spec_from_sets(["rate=0.1,0.2", "method=sa,exact", f"markers={markers}"])
    first = run_grid(spec, grid_point, out, 5, progress=False)
    assert len(list(markers.iterdir())) == 4

    progress = quiet()
    again = run_grid(spec, grid_point, out, 5, progress=progress)
    assert (progress.resumed, progress.done) == (2 * 2, 0)
    assert again.figures == first.figures
    assert len(list(markers.iterdir())) == 4

    bigger = grid_spec_from_sets(["rate=0.1,0.2,0.3", "method=sa,exact", f"markers={markers}"])
    progress = quiet()
    grown = run_grid(bigger, grid_point, out, 5, progress=progress)
    assert (progress.resumed, progress.done) == (4, 2)
    assert grown.figures[:4] == first.figures
    assert len(list(markers.iterdir())) == 6


def test_a_grid_folder_refuses_other_fixed_settings_or_seed(tmp_path):
    spec = grid_spec_from_sets(["rate=0.1,0.2", "method=sa", "scale=2"])
    run_grid(spec, grid_point, tmp_path, 5, progress=False)
    with pytest.raises(ValueError, match=r"scale = 2 \(this run: 3\)"):
        run_grid(
            grid_spec_from_sets(["rate=0.1,0.2", "method=sa", "scale=3"]),
            grid_point,
            tmp_path,
            5,
            progress=False,
        )
    with pytest.raises(ValueError, match="another seed"):
        run_grid(spec, grid_point, tmp_path, 6, progress=False)


def test_run_point_must_return_figures_by_name(tmp_path):
    spec = grid_spec_from_sets(["rate=0.1,0.2"])
    with pytest.raises(Exception, match="run_point must return a dict of figures") as info:
        run_grid(spec, lambda s, d, seed: [1, 2], tmp_path, 1, retries=0, progress=False)
    assert isinstance(info.value.__cause__, TypeError)


def test_plot_options_are_checked(tmp_path):
    spec = grid_spec_from_sets(["rate=0.1,0.2", "method=sa,exact"])
    with pytest.raises(ValueError, match="'x' must be a varied setting"):
        run_grid(spec, grid_point, tmp_path, 1, x="scale", progress=False)
    with pytest.raises(ValueError, match="'average_over' must name varied settings"):
        run_grid(spec, grid_point, tmp_path, 1, average_over=["rate"], progress=False)
    with pytest.raises(
        ValueError,
        match=r"'figure' must name a figure holding numbers "
        r"\(score, noise\)",
    ):
        run_grid(spec, grid_point, tmp_path, 1, figure="label", progress=False)


def test_the_plot_averages_over_the_chosen_settings(tmp_path, monkeypatch):
    drawn = {}

    def capture(path, series, xlabel, ylabel, title="", categories=None, logx=False):
        drawn.update(series=series, xlabel=xlabel, ylabel=ylabel, categories=categories, logx=logx)

    from qsample import plots

    monkeypatch.setattr(plots, "figure_vs_setting", capture)
    spec = GridSpec({"method": ("sa", "exact"), "rate": (1.0, 300.0, 10.0), "seed": (1, 2, 3)})
    result = run_grid(
        spec,
        grid_point,
        tmp_path,
        2,
        x="rate",
        average_over=["seed"],
        figure="noise",
        progress=False,
    )
    assert set(drawn["series"]) == {"method=sa", "method=exact"}
    assert drawn["xlabel"] == "rate" and drawn["ylabel"] == "noise"
    assert drawn["logx"] and drawn["categories"] is None
    x, mean, std = drawn["series"]["method=exact"]
    np.testing.assert_array_equal(x, [1.0, 10.0, 300.0])
    for j, rate in enumerate(x):
        values = [
            f["noise"]
            for p, f in zip(result.points, result.figures)
            if p.varied["method"] == "exact" and p.varied["rate"] == rate
        ]
        assert len(values) == 3
        assert mean[j] == pytest.approx(np.mean(values))
        assert std[j] == pytest.approx(np.std(values))

    run_grid(spec, grid_point, tmp_path, 2, x="method", figure="noise", progress=False)
    assert drawn["categories"] == ["sa", "exact"]
    assert len(drawn["series"]) == 9 and next(iter(drawn["series"].values()))[2] is None


def test_summary_cells():
    assert grid_summary._cell(0.1) == "0.1"
    assert grid_summary._cell(True) == "true"
    assert grid_summary._cell([1]) == ""
