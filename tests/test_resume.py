"""Experiments keep checkpoints and resume: a run stopped by Ctrl-C (or killed)
and resumed with ``--resume`` ends with the figures and the model of a run
never stopped, bit for bit, and the state an experiment computed before the
stop (reconstructions, finished SK units) is not computed again."""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap
from pathlib import Path

import numpy as np
import pytest
from test_datasets import OPTDIGITS

from qsample import _files
from qsample import evaluate as ev
from qsample.cli import main
from qsample.experiments import CHECKPOINT_FILE, UNITS_FOLDER
from qsample.learning import SampledMoments, read_checkpoint

FAST = ["--target", "zephyr4", "--embedding", "clique", "--no-progress"]
#: Figures that measure time, not results.
TIMINGS = {"training_seconds"}


def _figures(folder: Path) -> dict:
    figures = json.loads((folder / "results.json").read_text())["figures"]
    figures = {k: v for k, v in figures.items() if k not in TIMINGS}
    if "embedding" in figures:  # how long the embedding took is a timing too
        figures["embedding"] = {k: v for k, v in figures["embedding"].items() if k != "seconds"}
    return figures


def _same_models(a: Path, b: Path) -> None:
    models = sorted(p.name for p in a.glob("model*.npz"))
    assert models and models == sorted(p.name for p in b.glob("model*.npz"))
    for name in models:
        x, y = np.load(a / name), np.load(b / name)
        for key in ("h", "J", "irow", "icol"):
            np.testing.assert_array_equal(x[key], y[key])


@pytest.fixture
def interrupt_at(monkeypatch):
    """Make the k-th negative phase of SA learning raise KeyboardInterrupt, as
    Ctrl-C does inside a long native call."""

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


def test_bas_interrupted_and_resumed_gives_the_uninterrupted_figures(
    tmp_path, capsys, monkeypatch, interrupt_at
):
    args = ["bas", "--quick", "--iterations", "6", "--checkpoint-every", "2", *FAST]
    assert main([*args, "--out", str(tmp_path / "straight")]) == 0
    stopped = tmp_path / "stopped"
    interrupt_at(5)  # inside iteration 5
    capsys.readouterr()
    assert main([*args, "--out", str(stopped)]) == 130
    err = capsys.readouterr().err
    assert err == (
        f"qsample bas: interrupted at iteration 4; resume with: qsample bas --resume {stopped}\n"
    )
    assert read_checkpoint(stopped / CHECKPOINT_FILE).iteration == 4
    assert not (stopped / "results.json").exists()
    monkeypatch.undo()
    reconstructed = []
    real = ev.reconstruct
    monkeypatch.setattr(ev, "reconstruct", lambda *a, **k: reconstructed.append(1) or real(*a, **k))
    (stopped / f"{_files.TEMP_PREFIX}killed.npz").write_bytes(b"half a write")
    assert main(["bas", "--resume", str(stopped), "--no-progress"]) == 0
    assert "resuming the run in" in capsys.readouterr().out
    assert len(reconstructed) == 1  # iteration 1's reconstruction came from the checkpoint
    assert not list(stopped.glob(f"{_files.TEMP_PREFIX}*"))
    assert _figures(stopped) == _figures(tmp_path / "straight")
    assert set(_figures(stopped)["mistakes_per_picture"]) == {"1", "6"}
    _same_models(stopped, tmp_path / "straight")
    # A finished run has nothing to resume.
    assert main(["bas", "--resume", str(stopped)]) == 2
    assert "has finished" in capsys.readouterr().err


def test_sk_interrupted_inside_a_unit_resumes_to_the_same_figures(tmp_path, capsys, interrupt_at):
    args = ["sk", "--quick", "--iterations", "5", "--instances", "2", *FAST]
    assert main([*args, "--out", str(tmp_path / "straight")]) == 0
    stopped = tmp_path / "stopped"
    interrupt_at(8)  # the second instance's third SA iteration
    capsys.readouterr()
    assert main([*args, "--out", str(stopped)]) == 130
    assert (
        "interrupted at 1 of 2 units; resume with: qsample sk --resume" in capsys.readouterr().err
    )
    finished = sorted(p.parent.name for p in (stopped / UNITS_FOLDER).glob("*/result.json"))
    assert finished == ["instance=0,eta=0.01"]
    assert main(["sk", "--resume", str(stopped), "--no-progress"]) == 0
    assert _figures(stopped) == _figures(tmp_path / "straight")
    _same_models(stopped, tmp_path / "straight")
    a, b = np.load(stopped / "sk_curves.npz"), np.load(tmp_path / "straight" / "sk_curves.npz")
    for key in a.files:
        np.testing.assert_array_equal(a[key], b[key])


@pytest.mark.skipif(not OPTDIGITS.exists(), reason=f"the UCI training file is not at {OPTDIGITS}")
def test_a_killed_training_resumes_from_its_last_periodic_checkpoint(tmp_path):
    """kill -9 gives no chance to save: the periodic checkpoint (every 3
    iterations, mini-batches of 200 over 1545 pictures) must carry the run."""
    args = [
        "train",
        "digits",
        "--quick",
        "--iterations",
        "10",
        "--checkpoint-every",
        "3",
        "--optdigits",
        str(OPTDIGITS),
        *FAST,
    ]
    assert main([*args, "--out", str(tmp_path / "straight")]) == 0
    killed = tmp_path / "killed"
    script = textwrap.dedent(f"""
        import os, signal
        from qsample.cli import main
        from qsample.learning import SampledMoments
        real, calls = SampledMoments.__call__, [0]
        def call(self, *args):
            calls[0] += 1
            if calls[0] == 8:
                os.kill(os.getpid(), signal.SIGKILL)
            return real(self, *args)
        SampledMoments.__call__ = call
        main({[*args, "--out", str(killed)]!r})
    """)
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True)
    assert done.returncode == -9, done.stderr
    assert read_checkpoint(killed / CHECKPOINT_FILE).iteration == 6
    assert main(["train", "digits", "--resume", str(killed), "--no-progress"]) == 0
    assert _figures(killed) == _figures(tmp_path / "straight")
    _same_models(killed, tmp_path / "straight")


def test_resume_refuses_other_settings_and_the_wrong_command(tmp_path, capsys, interrupt_at):
    stopped = tmp_path / "stopped"
    interrupt_at(3)
    assert main(["train", "bas", "--iterations", "5", "--out", str(stopped), *FAST]) == 130
    capsys.readouterr()
    assert main(["bas", "--resume", str(stopped)]) == 2
    assert (
        f"holds a 'qsample train bas' run; resume it with: qsample train bas --resume "
        f"{stopped}" in capsys.readouterr().err
    )
    assert main(["train", "bas", "--resume", str(stopped), "--iterations", "9"]) == 2
    assert "drop --iterations" in capsys.readouterr().err
    assert main(["sk", "--resume", str(tmp_path / "nowhere")]) == 2
    assert "holds no run to resume" in capsys.readouterr().err
    run = json.loads((stopped / "run.json").read_text())
    run["settings"]["num_train"] = 100
    (stopped / "run.json").write_text(json.dumps(run))
    assert main(["train", "bas", "--resume", str(stopped)]) == 2
    err = capsys.readouterr().err
    assert "checkpoint.npz: checkpoint is for 96 data points; this trainer has 100" in err
    assert "resume with" not in err  # the same command would fail again
    (stopped / "run.json").write_text("{")
    assert main(["train", "bas", "--resume", str(stopped)]) == 2
    assert "run.json is not a qsample run record: not valid JSON" in capsys.readouterr().err
