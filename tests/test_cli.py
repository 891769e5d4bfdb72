"""The command line: commands from one registry, each accepting only its own
options, each option documented; every failure one line naming the file or
option (a traceback only with --debug); no results folder left by a failure."""

from __future__ import annotations

import argparse
import json

import numpy as np
import pytest

from qsample import cli, experiments
from qsample import embedding as em
from qsample import hardware as hw
from qsample.cli import Command, main
from qsample.model import HardwareModel

FAST = ["--target", "zephyr4", "--embedding", "clique", "--no-progress"]


def _one_line_error(capsys, command: str, *fragments: str) -> str:
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "Traceback" not in err, err
    assert err.startswith(f"qsample {command}: error: "), err
    for fragment in fragments:
        assert fragment in err, err
    return err


def _parsers(parser: argparse.ArgumentParser, prog: str = "qsample"):
    """Every (prog, parser) below ``parser``, depth first."""
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            for name, sub in action.choices.items():
                yield f"{prog} {name}", sub
                yield from _parsers(sub, f"{prog} {name}")


# -- the registry ----------------------------------------------------------------------
def test_every_command_of_the_registry_is_a_subcommand_and_documents_its_options():
    parsers = dict(_parsers(cli.build_parser()))
    assert {f"qsample {c.name}" for c in cli.all_commands()} <= set(parsers)
    assert {f"qsample {name}" for name in experiments.EXPERIMENTS} <= set(parsers)
    for prog, parser in parsers.items():
        for action in parser._actions:
            assert action.help, f"{prog} {action.option_strings or action.dest} has no help"


@pytest.mark.parametrize(
    "command,argv",
    [
        ("bas", ["--instances", "3"]),
        ("sk", ["--optdigits", "x.tra"]),
        ("train bas", ["--optdigits", "x.tra"]),
        ("bas", ["--learning-rate", "0.1", "0.2"]),
        ("embed", ["5", "--iterations", "3"]),
        ("evaluate", ["m.npz", "bas", "--quick"]),
        ("demo", ["--out", "x"]),
        ("digits", ["--spins", "5"]),
        ("shootout", ["--checkpoint-every", "5"]),  # it keeps finished runs, not checkpoints
    ],
)
def test_each_command_accepts_only_its_own_options(command, argv, capsys):
    assert main([*command.split(), *argv]) == 2
    _one_line_error(capsys, command, "unrecognized arguments", f"see qsample {command} --help")


def test_names_come_from_the_modules_that_own_them():
    parsers = dict(_parsers(cli.build_parser()))

    def choices(prog, dest):
        return next(a.choices for a in parsers[prog]._actions if a.dest == dest)

    assert list(choices("qsample bas", "target")) == list(experiments.TARGETS)
    assert list(choices("qsample embed", "embedding")) == list(experiments.EMBEDDING_METHODS)
    one_model = [e.name for e in experiments.EXPERIMENTS.values() if e.trains_one_model]
    assert list(choices("qsample evaluate", "dataset")) == one_model
    assert list(choices("qsample train", "dataset")) == one_model


def test_a_command_added_to_the_registry_runs_with_its_own_options(monkeypatch, capsys):
    def add(p):
        p.add_argument("--name", required=True, help="who to greet")

    def run(args):
        print(f"hello {args.name}")
        return 0

    monkeypatch.setattr(cli, "COMMANDS", [*cli.COMMANDS, Command("hello", "greet", add, run)])
    assert main(["hello", "--name", "you"]) == 0
    assert capsys.readouterr().out == "hello you\n"
    assert main(["hello", "--iterations", "3", "--name", "you"]) == 2
    _one_line_error(capsys, "hello", "unrecognized arguments: --iterations 3")
    assert main(["hello", "--help"]) == 0
    assert "who to greet" in capsys.readouterr().out


# -- one line per failure -----------------------------------------------------------------
@pytest.mark.parametrize(
    "argv,command,fragment",
    [
        (["embed", "6", "--seed", "-5"], "embed", "'--seed' must be an integer in [0, "),
        (["embed", "6", "--seed", str(2**70)], "embed", "'--seed' must be an integer in [0, "),
        (
            ["embed", "6", "--embedding", "clique", "--seed", str(2**32)],
            "embed",
            "'--seed' must be an integer in [0, 4294967295]",
        ),
        (["embed", "0"], "embed", "'N' must be a positive integer: value = 0"),
        (["bas", "--seed", "-1", *FAST], "bas", "'--seed' must be an integer in [0, "),
        (["sk", "--seed", str(2**64), *FAST], "sk", "'--seed' must be an integer in [0, "),
        (["demo", "--seed", "-3"], "demo", "'--seed' must be an integer in [0, "),
        (["demo", "--spins", "40"], "demo", "'--spins' must be an integer in [1, 20]"),
        (["evaluate", "m.npz", "bas", "--seed", "-2"], "evaluate", "'--seed' must be an integer"),
        (["bas", "--tries", "0", *FAST], "bas", "'--tries' must be a positive integer"),
        (["sk", "--learning-rate", "0.1", "-0.1", *FAST], "sk", "'--learning-rate' must be"),
        (["bas", "--checkpoint-every", "0", *FAST], "bas", "'--checkpoint-every' must be"),
        (["bas", "--seed", "x"], "bas", "argument --seed: invalid int value: 'x'"),
    ],
)
def test_bad_options_are_one_line_naming_the_option(tmp_path, capsys, argv, command, fragment):
    assert main([*argv, "--out", str(tmp_path / "out")] if command != "demo" else argv) == 2
    _one_line_error(capsys, command, fragment)
    assert not (tmp_path / "out").exists()


@pytest.fixture(scope="module")
def bas_model(tmp_path_factory):
    """A saved 42-variable model with the results.json a bas run writes beside it."""
    folder = tmp_path_factory.mktemp("bas")
    model = HardwareModel(em.clique_embedding(42, hw.zephyr(4)), seed=0)
    model.save(folder / "model.npz")
    settings = experiments.BASSettings(target="zephyr4", embedding="clique")
    experiments.write_json(
        folder / "results.json", {"experiment": "bas", "settings": settings.__dict__}
    )
    return folder


def _damaged_copies(folder, good):
    data = good.read_bytes()
    for name, content in {
        "empty": b"",
        "truncated": data[: len(data) // 2],
        "garbage": b"\x00\x01not a qsample file\xff",
    }.items():
        (folder / f"{name}{good.suffix}").write_bytes(content)
        yield folder / f"{name}{good.suffix}"


def test_damaged_model_files_are_one_line_errors(tmp_path, capsys, bas_model):
    paths = list(_damaged_copies(tmp_path, bas_model / "model.npz"))
    (tmp_path / "list.npz").write_text("[1, 2]")
    paths.append(tmp_path / "list.npz")
    np.savez(tmp_path / "other.npz", h=np.zeros(3))
    paths.append(tmp_path / "other.npz")
    for path in paths:
        assert main(["evaluate", str(path), "bas", "--out", str(tmp_path / "out")]) == 2
        _one_line_error(capsys, "evaluate", str(path), "is not a qsample model file")
        assert not (tmp_path / "out").exists()


@pytest.mark.parametrize(
    "content,fragment",
    [
        ("", "is not a qsample results file: the file is empty"),
        ('{"experiment": "bas", "sett', "is not a qsample results file: not valid JSON"),
        ("[1, 2]", "is not a qsample results file (it has no settings)"),
        ('{"experiment": "digits", "settings": {}}', "records a 'digits' run"),
        ('{"experiment": "bas", "settings": {"colour": 1}}', "colour are not bas settings"),
        ('{"experiment": "bas", "settings": {"rows": "seven"}}', "'rows' must be a positive"),
    ],
)
def test_damaged_results_files_beside_a_model_are_one_line_errors(
    tmp_path, capsys, bas_model, content, fragment
):
    (tmp_path / "model.npz").write_bytes((bas_model / "model.npz").read_bytes())
    (tmp_path / "results.json").write_text(content)
    assert (
        main(["evaluate", str(tmp_path / "model.npz"), "bas", "--out", str(tmp_path / "out")]) == 2
    )
    _one_line_error(capsys, "evaluate", str(tmp_path / "results.json"), fragment)
    assert not (tmp_path / "out").exists()


def test_a_model_of_other_data_is_refused(tmp_path, capsys, bas_model):
    assert (
        main(["evaluate", str(bas_model / "model.npz"), "digits", "--out", str(tmp_path / "out")])
        == 2
    )
    _one_line_error(
        capsys, "evaluate", "records a 'bas' run; the model beside it was not trained on digits"
    )
    (tmp_path / "model.npz").write_bytes((bas_model / "model.npz").read_bytes())
    assert (
        main(["evaluate", str(tmp_path / "model.npz"), "digits", "--out", str(tmp_path / "out")])
        == 2
    )
    warning, error = capsys.readouterr().err.splitlines()
    assert warning.startswith("warning: no ") and "assuming the default settings" in warning
    assert error.startswith("qsample evaluate: error: ") and error.endswith(
        "models 42 variables; digits pictures with their classes have 46"
    )
    assert not (tmp_path / "out").exists()


def test_damaged_files_of_a_run_being_resumed_are_one_line_errors(tmp_path, capsys, monkeypatch):
    run = tmp_path / "run"
    assert main(["train", "bas", "--iterations", "2", "--out", str(run), *FAST]) == 0
    (run / "results.json").unlink()  # as if it had stopped after its last checkpoint
    good = {name: (run / name).read_bytes() for name in ("embedding.json", "checkpoint.npz")}
    for name, data in good.items():
        for bad in (b"", data[: len(data) // 2], b"garbage"):
            (run / name).write_bytes(bad)
            assert main(["train", "bas", "--resume", str(run), "--no-progress"]) == 2
            _one_line_error(capsys, "train bas", str(run / name), "is not a qsample")
        (run / name).write_bytes(data)
    assert main(["train", "bas", "--resume", str(run), "--no-progress"]) == 0


def test_debug_shows_the_traceback_and_internal_errors_say_so(monkeypatch, capsys, tmp_path):
    with pytest.raises(ValueError, match="'N' must be a positive integer"):
        main(["embed", "0", "--debug"])

    def broken(*args, **kwargs):
        raise KeyError("chains")

    monkeypatch.setattr(experiments, "make_embedding", broken)
    assert main(["embed", "5", "--out", str(tmp_path / "e")]) == 1
    _one_line_error(capsys, "embed", "internal error (KeyError: 'chains'); run with --debug")
    assert not (tmp_path / "e").exists()


# -- nothing left behind by a failure -------------------------------------------------------
def test_failed_commands_leave_no_results_folder(tmp_path, capsys, monkeypatch, bas_model):
    # An embedding that cannot be found, after the folder was made.
    assert (
        main(
            [
                "embed",
                "400",
                "--target",
                "zephyr4",
                "--embedding",
                "clique",
                "--out",
                str(tmp_path / "embed"),
            ]
        )
        == 2
    )
    capsys.readouterr()
    assert not (tmp_path / "embed").exists()
    # An OptDigits file without the paper's classes.
    part = tmp_path / "part.tra"
    part.write_text("".join(",".join(["0"] * 64 + [str(c)]) + "\n" for c in (1, 2, 7)))
    assert main(["digits", "--optdigits", str(part), "--out", str(tmp_path / "digits"), *FAST]) == 2
    _one_line_error(capsys, "digits", f"{part} has no pictures of class 3, 4")
    assert not (tmp_path / "digits").exists()
    # An evaluation that fails midway; a folder given empty stays, empty.
    (tmp_path / "given").mkdir()

    def failing(*args, **kwargs):
        raise ValueError("the sampler failed")

    monkeypatch.setattr("qsample.evaluate.reconstruct", failing)
    assert (
        main(
            [
                "evaluate",
                str(bas_model / "model.npz"),
                "bas",
                "--out",
                str(tmp_path / "evaluate"),
                "--no-progress",
            ]
        )
        == 2
    )
    assert (
        main(
            [
                "evaluate",
                str(bas_model / "model.npz"),
                "bas",
                "--out",
                str(tmp_path / "given"),
                "--no-progress",
            ]
        )
        == 2
    )
    capsys.readouterr()
    assert not (tmp_path / "evaluate").exists()
    assert list((tmp_path / "given").iterdir()) == []


def test_a_run_failing_after_its_first_checkpoint_keeps_it_and_says_how_to_resume(
    tmp_path, capsys, monkeypatch
):
    from qsample.experiments import bas

    def failing(*args, **kwargs):
        raise OSError("disk full")

    monkeypatch.setattr(bas, "_plot_history", failing)
    out = tmp_path / "run"
    assert main(["bas", "--iterations", "2", "--out", str(out), *FAST]) == 2
    _one_line_error(capsys, "bas", "disk full; resume with: qsample bas --resume")
    assert (out / "checkpoint.npz").exists() and (out / "run.json").exists()
    monkeypatch.undo()
    assert main(["bas", "--resume", str(out), "--no-progress"]) == 0
    assert json.loads((out / "results.json").read_text())["figures"]["iterations"] == 2


def test_an_interrupt_before_the_first_checkpoint_leaves_nothing(tmp_path, capsys, monkeypatch):
    def interrupted(*args, **kwargs):
        raise KeyboardInterrupt

    monkeypatch.setattr("qsample.experiments.runs.make_embedding", interrupted)
    monkeypatch.chdir(tmp_path)
    assert main(["bas", *FAST]) == 130  # into results/bas-<time>
    assert capsys.readouterr().err == "qsample bas: interrupted; nothing to resume\n"
    assert list(tmp_path.iterdir()) == []
    assert main(["sk", "--out", str(tmp_path / "a" / "b"), *FAST]) == 130
    assert list(tmp_path.iterdir()) == []
