"""The command line for any binary dataset: qsample fit, sample, impute and
predict end to end, a stopped fit continued by the same command, and every bad
input reported as one line naming the file, row, column or option at fault."""

from __future__ import annotations

import json
import os
import stat
from pathlib import Path

import numpy as np
import pytest

from qsample import EmbeddedBoltzmannMachine, dwave, hardware
from qsample.cli import main
from qsample.learning import SampledMoments, read_checkpoint

FAST = [
    "--target",
    "zephyr4",
    "--embedding",
    "clique",
    "--iterations",
    "12",
    "--learning-rate",
    "0.05",
    "--num-reads",
    "32",
    "--check-samples",
    "50",
    "--no-progress",
]
PATTERNS = np.array([[1, 1, 1, 0, 0, 0], [0, 0, 1, 1, 0, 1]])


def _one_line_error(capsys, command: str, *fragments: str) -> str:
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "Traceback" not in err, err
    assert err.startswith(f"qsample {command}: error: "), err
    for fragment in fragments:
        assert fragment in err, err
    return err


def _write_csv(
    path: Path, rows: int = 60, seed: int = 0, holes: bool = False, labels: bool = True
) -> np.ndarray:
    """Rows of two noisy patterns, with a header and (``labels``) a label column
    ``kind``; ``holes`` blanks two entries per row (an empty field and a ?)."""
    rng = np.random.default_rng(seed)
    y = rng.integers(0, 2, rows)
    X = np.where(rng.random((rows, 6)) < 0.08, 1 - PATTERNS[y], PATTERNS[y])
    lines = ["a,b,c,d,e,f" + (",kind" if labels else "")]
    for r, label in zip(X, y):
        fields = [str(v) for v in r]
        if holes:
            fields[1], fields[4] = "", "?"
        lines.append(",".join(fields) + (f",{'xy'[label]}" if labels else ""))
    path.write_text("\n".join(lines) + "\n")
    return X


@pytest.fixture(scope="module")
def run(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("fit")
    _write_csv(folder / "data.csv")
    assert (
        main(
            [
                "fit",
                str(folder / "data.csv"),
                "--labels",
                "kind",
                "--out",
                str(folder / "run"),
                *FAST,
            ]
        )
        == 0
    )
    return folder / "run"


def test_fit_writes_a_run_folder(run):
    names = {p.name for p in run.iterdir()}
    assert {
        "run.json",
        "embedding.json",
        "checkpoint.npz",
        "estimator.npz",
        "results.json",
        "history.json",
        "learning.png",
        "moments.png",
    } <= names
    result = json.loads((run / "results.json").read_text())
    f = result["figures"]
    assert f["data"]["rows"] == 60 and f["data"]["classes"] == ["x", "y"]
    assert f["embedding"]["logical_variables"] == 8 and f["iterations"] == 12
    assert f["check"]["samples"] == 50 and result["settings"]["labels"] == "kind"
    machine = EmbeddedBoltzmannMachine.load(run / "estimator.npz")
    assert list(machine.feature_names_in_) == list("abcdef")
    assert machine.n_iter_ == 12 and list(machine.classes_) == ["x", "y"]


def test_the_same_fit_again_does_nothing_and_another_is_refused(run, capsys):
    data = str(run.parent / "data.csv")
    assert main(["fit", data, "--labels", "kind", "--out", str(run), *FAST]) == 0
    assert "finished" in capsys.readouterr().out
    assert main(["fit", data, "--labels", "kind", "--out", str(run), *FAST, "--seed", "4"]) == 2
    _one_line_error(
        capsys,
        "fit",
        f"'--out' '{run}' holds a run with other settings (seed differ); --overwrite replaces it",
    )
    other = run.parent / "other.csv"
    _write_csv(other, seed=9)
    assert main(["fit", str(other), "--labels", "kind", "--out", str(run), *FAST]) == 2
    _one_line_error(capsys, "fit", "holds a run on other data")


def test_overwrite_replaces_a_run_and_keeps_other_files(tmp_path, capsys):
    _write_csv(tmp_path / "data.csv")
    out = tmp_path / "out"
    out.mkdir()
    (out / "notes.txt").write_text("mine")
    assert (
        main(["fit", str(tmp_path / "data.csv"), "--labels", "kind", "--out", str(out), *FAST]) == 2
    )
    _one_line_error(capsys, "fit", "holds other files and no qsample fit run; --overwrite")
    assert (
        main(
            [
                "fit",
                str(tmp_path / "data.csv"),
                "--labels",
                "kind",
                "--out",
                str(out),
                "--overwrite",
                *FAST,
            ]
        )
        == 0
    )
    assert (out / "notes.txt").read_text() == "mine" and (out / "estimator.npz").exists()
    assert (
        main(
            [
                "fit",
                str(tmp_path / "data.csv"),
                "--labels",
                "kind",
                "--out",
                str(out),
                "--overwrite",
                *FAST,
                "--seed",
                "1",
            ]
        )
        == 0
    )  # another run in place of the first
    assert json.loads((out / "results.json").read_text())["settings"]["seed"] == 1


@pytest.fixture
def interrupt_at(monkeypatch):
    def arm(k: int) -> None:
        real = SampledMoments.__call__
        calls = [0]

        def call(self, *args):
            calls[0] += 1
            if calls[0] == k:
                raise KeyboardInterrupt
            return real(self, *args)

        monkeypatch.setattr(SampledMoments, "__call__", call)

    return arm


def test_a_stopped_fit_is_continued_by_the_same_command(
    tmp_path, capsys, monkeypatch, interrupt_at
):
    _write_csv(tmp_path / "data.csv", labels=False)
    args = ["fit", str(tmp_path / "data.csv"), *FAST, "--checkpoint-every", "5"]
    assert main([*args, "--out", str(tmp_path / "straight")]) == 0
    stopped = tmp_path / "stopped"
    interrupt_at(8)
    capsys.readouterr()
    assert main([*args, "--out", str(stopped)]) == 130
    assert capsys.readouterr().err == (
        "qsample fit: interrupted at iteration 7; the same command continues the run\n"
    )
    assert read_checkpoint(stopped / "checkpoint.npz").iteration == 7
    monkeypatch.undo()
    assert main([*args, "--out", str(stopped)]) == 0
    assert "continuing the run in" in capsys.readouterr().out
    a = EmbeddedBoltzmannMachine.load(stopped / "estimator.npz")
    b = EmbeddedBoltzmannMachine.load(tmp_path / "straight" / "estimator.npz")
    np.testing.assert_array_equal(a.model_.J, b.model_.J)
    assert a.history_.norm_J == b.history_.norm_J


def test_a_fit_failing_before_its_first_checkpoint_leaves_nothing(tmp_path, capsys):
    _write_csv(tmp_path / "data.csv", labels=False)
    out = tmp_path / "new" / "run"
    assert (
        main(["fit", str(tmp_path / "data.csv"), "--out", str(out), *FAST, "--learning-rate", "-1"])
        == 2
    )
    _one_line_error(capsys, "fit", "'--learning-rate' must be a finite number")
    assert not out.exists()


# -- bad input -----------------------------------------------------------------------------
@pytest.mark.parametrize(
    "content,fragments",
    [
        (None, ["data file", "does not exist"]),
        ("", ["is empty (no rows)"]),
        ("a,b,c\n1,0,1\n0,1\n", ["line 3 has 2 fields where line 1 has 3"]),
        ("a,b,c\n1,0,1\n0,2,1\n", ["line 3, column 2 ('b') is '2'; values must be 0/1"]),
        (
            "1,0,1\n0,,1\n",
            ["missing entries (the first in data row 2, column 2); fit needs complete rows"],
        ),
    ],
)
def test_bad_data_files_are_one_line(tmp_path, capsys, content, fragments):
    path = tmp_path / "data.csv"
    if content is not None:
        path.write_text(content)
    assert main(["fit", str(path), "--out", str(tmp_path / "run"), *FAST]) == 2
    _one_line_error(capsys, "fit", str(path) if content is not None else "data.csv", *fragments)
    assert not (tmp_path / "run").exists()


def test_more_variables_than_the_target_holds(tmp_path, capsys):
    path = tmp_path / "wide.npy"
    np.save(path, np.ones((4, 60), np.int8))
    assert main(["fit", str(path), "--out", str(tmp_path / "run"), "--no-progress"]) == 2
    _one_line_error(
        capsys,
        "fit",
        "60 features make 60 logical variables: K60 cannot be embedded in D-Wave 2X-like",
        "needs at least",
        "Named targets with room for it: ",
        "pegasus16",
    )
    assert not (tmp_path / "run").exists()


def test_an_out_that_cannot_be_written(tmp_path, capsys):
    _write_csv(tmp_path / "data.csv", labels=False)
    (tmp_path / "file").write_text("x")
    assert (
        main(["fit", str(tmp_path / "data.csv"), "--out", str(tmp_path / "file" / "run"), *FAST])
        == 2
    )
    _one_line_error(capsys, "fit", "'--out'", "is not writable")
    assert main(["fit", str(tmp_path / "data.csv"), "--out", str(tmp_path / "file"), *FAST]) == 2
    _one_line_error(capsys, "fit", "is a file, not a folder")
    if os.geteuid() != 0:  # root writes anywhere
        locked = tmp_path / "locked"
        locked.mkdir()
        locked.chmod(stat.S_IRUSR | stat.S_IXUSR)
        try:
            assert (
                main(["fit", str(tmp_path / "data.csv"), "--out", str(locked / "run"), *FAST]) == 2
            )
            _one_line_error(capsys, "fit", "is not writable")
        finally:
            locked.chmod(stat.S_IRWXU)
    assert main(["sample", "x.npz", "--out", str(tmp_path / "nowhere" / "s.csv")]) == 2
    _one_line_error(capsys, "sample", "the folder", "does not exist")


def test_bad_options_name_the_option(run, tmp_path, capsys):
    model = str(run / "estimator.npz")
    assert main(["sample", model, "-n", "0"]) == 2
    _one_line_error(capsys, "sample", "'--num-samples' must be a positive integer")
    assert main(["sample", model, "--seed", "-1"]) == 2
    _one_line_error(capsys, "sample", "'--seed' must be an integer")
    assert main(["sample", model, "--class", "z"]) == 2
    _one_line_error(capsys, "sample", "'--class' 'z' is not one of the model's classes")
    assert main(["sample", model, "--out", str(tmp_path / "s.json")]) == 2
    _one_line_error(capsys, "sample", "must end in .csv, .txt or .npy")
    assert main(["sample", str(tmp_path / "none.npz")]) == 2
    _one_line_error(capsys, "sample", "model file", "does not exist")
    assert main(["sample", str(run.parent / "data.csv")]) == 2
    _one_line_error(capsys, "sample", "is not a qsample estimator file")
    assert main(["sample", model, "--labels", "kind"]) == 2  # not an option of sample
    _one_line_error(capsys, "sample", "unrecognized arguments: --labels kind")


# -- sample, impute, predict -------------------------------------------------------------------
def test_sample_writes_csv_or_npy_and_reports_ties(tmp_path, capsys):
    chains = {v: (v, v + 4) for v in range(4)}  # chains of two qubits tie
    machine = EmbeddedBoltzmannMachine(
        target=hardware.chimera(1), embedding=chains, iterations=0, random_state=0
    )
    machine.fit(np.ones((3, 4), np.int8)).save(tmp_path / "m.npz")
    csv = tmp_path / "s.csv"
    assert main(["sample", str(tmp_path / "m.npz"), "-n", "50", "--out", str(csv)]) == 0
    report = capsys.readouterr().out
    rows = [line.split(",") for line in csv.read_text().splitlines()]
    ties = sum(v == "" for r in rows for v in r)
    assert len(rows) == 50 and all(len(r) == 4 for r in rows) and ties > 0
    assert {v for r in rows for v in r} <= {"0", "1", ""}
    assert f"50 samples of 4 variables to {csv}; {ties} tied entries" in report
    assert "written as empty fields" in report
    assert main(["sample", str(tmp_path / "m.npz"), "-n", "50", "--out", str(csv)]) == 2
    _one_line_error(capsys, "sample", "exists; --overwrite replaces it")
    npy = tmp_path / "s.npy"
    assert main(["sample", str(tmp_path / "m.npz"), "-n", "50", "--out", str(npy)]) == 0
    assert np.sum(np.load(npy) == 0) == ties
    capsys.readouterr()
    assert main(["sample", str(tmp_path / "m.npz"), "-n", "50", "--ties", "random", "--spins"]) == 0
    out, err = capsys.readouterr()
    assert "no tied entries" in err
    assert {v for line in out.splitlines() for v in line.split(",")} <= {"1", "-1"}


def test_sample_of_a_class(run, capsys):
    assert main(["sample", str(run), "-n", "40", "--class", "y"]) == 0
    rows = np.array(
        [
            [float(v) if v else np.nan for v in line.split(",")]  # "": a tie
            for line in capsys.readouterr().out.splitlines()[1:]
        ]
    )
    assert np.mean(rows == PATTERNS[1]) > np.mean(rows == PATTERNS[0]) + 0.2


def test_impute_fills_empty_fields_and_question_marks(run, tmp_path, capsys):
    truth = _write_csv(tmp_path / "holes.csv", rows=20, seed=5, holes=True)
    out = tmp_path / "filled.csv"
    assert (
        main(
            [
                "impute",
                str(run / "estimator.npz"),
                str(tmp_path / "holes.csv"),
                "--labels",
                "kind",
                "--out",
                str(out),
                "--no-progress",
            ]
        )
        == 0
    )
    assert "filled 40 missing entries in 20 of 20 rows" in capsys.readouterr().out
    lines = out.read_text().splitlines()
    assert lines[0] == "a,b,c,d,e,f"
    filled = np.array([[int(v) for v in line.split(",")] for line in lines[1:]])
    assert np.mean(filled == truth) > 0.9
    # Without the labels the classes are sampled too; NaN in .npy is missing as well.
    values = np.where(np.arange(6) == 2, np.nan, truth.astype(float))
    np.save(tmp_path / "holes.npy", values)
    assert (
        main(
            [
                "impute",
                str(run),
                str(tmp_path / "holes.npy"),
                "--no-progress",
                "--reconstructions",
                "30",
            ]
        )
        == 0
    )
    out, err = capsys.readouterr()
    assert "filled 20 missing entries" in err and len(out.splitlines()) == 21
    assert main(["impute", str(run), str(tmp_path / "holes.csv"), "--no-progress"]) == 2
    _one_line_error(capsys, "impute", "column 7 ('kind') is 'y'", "name a column of class labels")
    np.save(tmp_path / "wide.npy", np.ones((3, 7), np.int8))
    assert main(["impute", str(run), str(tmp_path / "wide.npy"), "--no-progress"]) == 2
    _one_line_error(capsys, "impute", "has 7 columns; the model was fitted on 6", "--labels")


def test_predict_reports_the_accuracy(run, tmp_path, capsys):
    _write_csv(tmp_path / "test.csv", rows=30, seed=3)
    out = tmp_path / "p.csv"
    assert (
        main(
            [
                "predict",
                str(run),
                str(tmp_path / "test.csv"),
                "--labels",
                "kind",
                "--out",
                str(out),
                "--proba",
                "--no-progress",
            ]
        )
        == 0
    )
    line = capsys.readouterr().out
    accuracy = float(line.split("accuracy ")[1].split()[0])
    assert accuracy > 0.8
    rows = out.read_text().splitlines()
    assert rows[0] == "predicted,p(x),p(y)" and len(rows) == 31
    assert (
        main(
            ["predict", str(run), str(tmp_path / "test.csv"), "--labels", "kind", "--samples", "0"]
        )
        == 2
    )
    _one_line_error(capsys, "predict", "'--samples' must be a positive integer")


def test_predict_needs_a_model_with_classes(tmp_path, capsys):
    _write_csv(tmp_path / "data.csv", labels=False)
    assert main(["fit", str(tmp_path / "data.csv"), "--out", str(tmp_path / "run"), *FAST]) == 0
    capsys.readouterr()
    assert main(["predict", str(tmp_path / "run"), str(tmp_path / "data.csv")]) == 2
    _one_line_error(capsys, "predict", "was fitted without labels")


def test_fit_on_a_qpu(tmp_path, capsys, monkeypatch):
    monkeypatch.setattr(dwave, "connect", lambda **_: dwave.qpu_stand_in(hardware.chimera(4)))
    _write_csv(tmp_path / "data.csv", labels=False)
    out = tmp_path / "run"
    assert (
        main(
            [
                "fit",
                str(tmp_path / "data.csv"),
                "--out",
                str(out),
                "--sampler",
                "qpu",
                "--iterations",
                "3",
                "--tries",
                "2",
                "--no-progress",
                "--check-samples",
                "20",
            ]
        )
        == 0
    )
    f = json.loads((out / "results.json").read_text())["figures"]
    assert f["range_policy"] == "stop" and f["embedding"]["target"].startswith("qsample-stand")
    assert (
        main(
            [
                "fit",
                str(tmp_path / "data.csv"),
                "--out",
                str(tmp_path / "x"),
                "--sampler",
                "qpu",
                "--target",
                "dw2x",
            ]
        )
        == 2
    )
    _one_line_error(capsys, "fit", "with --sampler qpu the target is the QPU's")

    def no_solver(**_):
        raise ImportError("the D-Wave backend needs dwave-system: pip install ...")

    monkeypatch.setattr(dwave, "connect", no_solver)
    assert (
        main(["fit", str(tmp_path / "data.csv"), "--out", str(tmp_path / "x"), "--sampler", "qpu"])
        == 2
    )
    _one_line_error(capsys, "fit", "needs dwave-system")
    assert not (tmp_path / "x").exists()


def test_result_files_follow_the_umask(tmp_path):
    _write_csv(tmp_path / "data.csv", labels=False)
    old = os.umask(0o022)
    try:
        assert main(["fit", str(tmp_path / "data.csv"), "--out", str(tmp_path / "run"), *FAST]) == 0
    finally:
        os.umask(old)
    for name in ("estimator.npz", "results.json", "moments.png"):
        assert stat.S_IMODE((tmp_path / "run" / name).stat().st_mode) == 0o644, name


@pytest.mark.parametrize(
    "option,value,fragment",
    [
        ("--iterations", "-1", "'--iterations' must be an integer >= 0"),
        ("--tries", "0", "'--tries' must be a positive integer"),
        ("--num-sweeps", "0", "'--num-sweeps' must be a positive integer"),
        ("--embedding-budget", "0", "'--embedding-budget' must be a finite number"),
        ("--batch-size", "500", "'--batch-size' (500) must not exceed the number of data points"),
        ("--seed", "-2", "'--seed' must be an integer in [0, "),
    ],
)
def test_bad_fit_options_name_the_option(tmp_path, capsys, option, value, fragment):
    _write_csv(tmp_path / "data.csv", labels=False)
    assert (
        main(
            [
                "fit",
                str(tmp_path / "data.csv"),
                "--out",
                str(tmp_path / "run"),
                *FAST,
                option,
                value,
            ]
        )
        == 2
    )
    _one_line_error(capsys, "fit", fragment)
    assert not (tmp_path / "run").exists()


def test_fit_a_folder_of_pictures_with_a_subfolder_per_class(tmp_path, capsys):
    rng = np.random.default_rng(0)
    for kind, column in (("left", 0), ("right", 2)):
        (tmp_path / "pictures" / kind).mkdir(parents=True)
        for i in range(12):
            picture = (rng.random((3, 3)) < 0.1).astype(int)
            picture[:, column] = 1  # a dark column on the left or on the right
            body = "\n".join(" ".join(str(v) for v in row) for row in picture)
            (tmp_path / "pictures" / kind / f"{i}.pbm").write_text(f"P1\n3 3\n{body}\n")
    out = tmp_path / "run"
    assert main(["fit", str(tmp_path / "pictures"), "--out", str(out), *FAST]) == 0
    f = json.loads((out / "results.json").read_text())["figures"]
    assert f["data"]["classes"] == ["left", "right"] and f["data"]["picture_shape"] == [3, 3]
    assert (out / "samples.png").stat().st_size > 0
    assert main(["sample", str(out), "-n", "3", "--class", "right"]) == 0
