"""The command line end to end: every experiment writes its results folder
(results.json with settings, versions and figures; the model; PNG plots)."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
from sklearn.datasets import load_digits
from test_datasets import OPTDIGITS

from qsample.cli import main
from qsample.model import HardwareModel

FAST = ["--target", "zephyr4", "--embedding", "clique", "--no-progress"]


def _results(folder: Path) -> dict:
    result = json.loads((folder / "results.json").read_text())
    assert {"settings", "environment", "figures", "wall_seconds"} <= set(result)
    assert result["environment"]["qsample"]
    return result


def test_bas_quick_learns_to_reconstruct(tmp_path):
    """The README's main job: the quick BAS run on the D-Wave-2X-like target."""
    out = tmp_path / "bas"
    assert main(["bas", "--quick", "--out", str(out), "--no-progress"]) == 0
    f = _results(out)["figures"]
    wrong = f["mistakes_per_picture"]
    assert set(wrong) == {"1", "100", "300"}
    assert wrong["1"] > 5 and wrong["300"] < 1.0, wrong
    for name in (
        "model.npz",
        "embedding.json",
        "checkpoint.npz",
        "history.json",
        "bas_reconstructions.png",
        "bas_mistakes.png",
        "learning.png",
    ):
        assert (out / name).stat().st_size > 0, name
    model = HardwareModel.load(out / "model.npz")
    assert model.layout.num_logical == 42
    # evaluate the saved model again from the command line
    again = tmp_path / "again"
    assert (
        main(["evaluate", str(out / "model.npz"), "bas", "--out", str(again), "--no-progress"]) == 0
    )
    evaluated = _results(again)["figures"]
    assert evaluated["mistakes_per_picture"]["end"] == wrong["300"]  # same split, same model
    assert f["expected_mistakes_per_picture"]["300"] >= wrong["300"]
    # Another seed's split would overlap the training pictures: refused.
    assert (
        main(
            [
                "evaluate",
                str(out / "model.npz"),
                "bas",
                "--seed",
                "1",
                "--out",
                str(tmp_path / "other"),
                "--no-progress",
            ]
        )
        == 2
    )


def test_sk_writes_curves_and_plot(tmp_path):
    out = tmp_path / "sk"
    assert (
        main(["sk", "--quick", "--iterations", "20", "--instances", "2", "--out", str(out), *FAST])
        == 0
    )
    f = _results(out)["figures"]
    assert set(f["curves"]) == {"exact logical, eta=0.01", "SA physical, eta=0.01"}
    assert f["data_proxy_mean"] < 0 and f["kl_exact_logical"]["0.01"] > 0
    assert (out / "sk_proxy.png").stat().st_size > 0


@pytest.mark.skipif(not OPTDIGITS.exists(), reason=f"the UCI training file is not at {OPTDIGITS}")
def test_digits_writes_accuracy_reconstructions_and_generation(tmp_path):
    out = tmp_path / "digits"
    assert (
        main(
            [
                "digits",
                "--quick",
                "--iterations",
                "30",
                "--optdigits",
                str(OPTDIGITS),
                "--out",
                str(out),
                *FAST,
            ]
        )
        == 0
    )
    f = _results(out)["figures"]
    assert f["num_train"] == 1545 and f["num_test"] == 723
    assert 0.25 < f["test_accuracy"] <= 1.0
    assert len(f["confusion"]) == 4
    # Scored against the clean pictures: better than the coin a corrupted pixel is.
    assert f["reconstruction"]["wrong_fraction_of_corrupted"] < 0.4, f["reconstruction"]
    for name in ("digits_confusion.png", "digits_reconstructions.png", "digits_generated.png"):
        assert (out / name).stat().st_size > 0


@pytest.mark.skipif(not OPTDIGITS.exists(), reason=f"the UCI training file is not at {OPTDIGITS}")
def test_digits_of_chosen_classes_on_whole_pictures(tmp_path):
    out = tmp_path / "digits"
    assert (
        main(
            [
                "digits",
                "--quick",
                "--iterations",
                "20",
                "--classes",
                "0,7-8",
                "--crop",
                "none",
                "--optdigits",
                str(OPTDIGITS),
                "--out",
                str(out),
                "--target",
                "zephyr12",
                "--embedding",
                "clique",
                "--no-progress",
            ]
        )
        == 0
    )
    f = _results(out)["figures"]
    labels = np.loadtxt(OPTDIGITS, delimiter=",", dtype=int)[:, -1]
    assert f["num_train"] == np.isin(labels, [0, 7, 8]).sum()
    assert f["num_test"] == np.isin(load_digits().target, [0, 7, 8]).sum()
    assert f["embedding"]["logical_variables"] == 64 + 3
    assert len(f["confusion"]) == 3 and 1 / 3 < f["test_accuracy"] <= 1.0
    assert 0.9 < f["logistic_regression_accuracy"] <= 1.0
    # The model is judged again from its file, with the classes and crop of its run.
    again = tmp_path / "again"
    assert (
        main(["evaluate", str(out / "model.npz"), "digits", "--out", str(again), "--no-progress"])
        == 0
    )
    assert _results(again)["figures"]["test_accuracy"] == f["test_accuracy"]


def test_train_and_embed_commands(tmp_path):
    assert main(["train", "bas", "--iterations", "3", "--out", str(tmp_path / "t"), *FAST]) == 0
    f = _results(tmp_path / "t")["figures"]
    assert "mistakes_per_picture" not in f and f["iterations"] == 3
    assert (
        main(
            [
                "train",
                "digits",
                "--iterations",
                "2",
                "--optdigits",
                str(OPTDIGITS),
                "--out",
                str(tmp_path / "td"),
                *FAST,
            ]
        )
        == 0
        if OPTDIGITS.exists()
        else True
    )
    if OPTDIGITS.exists():
        assert "test_accuracy" not in _results(tmp_path / "td")["figures"]
    assert (
        main(["embed", "10", "--target", "chimera16", "--tries", "1", "--out", str(tmp_path / "e")])
        == 0
    )
    assert (tmp_path / "e" / "embedding.png").stat().st_size > 0


def test_bad_arguments_fail_cleanly(tmp_path, capsys):
    (tmp_path / "full").mkdir()
    (tmp_path / "full" / "x").write_text("keep me")
    assert main(["bas", "--out", str(tmp_path / "full"), *FAST]) == 2
    assert "not empty" in capsys.readouterr().err
    assert (tmp_path / "full" / "x").read_text() == "keep me"
    assert (
        main(
            [
                "digits",
                "--optdigits",
                str(tmp_path / "none.tra"),
                "--out",
                str(tmp_path / "d"),
                *FAST,
            ]
        )
        == 2
    )
    assert "not found" in capsys.readouterr().err
    assert not (tmp_path / "d").exists()
    assert main(["bas", "--iterations", "0", "--out", str(tmp_path / "z"), *FAST]) == 2
    assert "'--iterations' must be a positive integer" in capsys.readouterr().err
    assert main(["bas", "--learning-rate", "0.1", "0.2", "--out", str(tmp_path / "z"), *FAST]) == 2
    assert not (tmp_path / "z").exists()


def test_likelihood_command_reports_the_terms_beside_the_ceiling(tmp_path, capsys):
    assert main(["train", "bas", "--iterations", "3", "--out", str(tmp_path / "t"), *FAST]) == 0
    model = str(tmp_path / "t" / "model.npz")
    small = [
        "--runs",
        "16",
        "--steps",
        "100",
        "--chain-runs",
        "16",
        "--chain-steps",
        "100",
        "--no-progress",
    ]
    assert main(["likelihood", model, "--out", str(tmp_path / "l"), *small]) == 0
    result = _results(tmp_path / "l")
    f = result["figures"]
    assert f["ceiling"] == pytest.approx(-np.log(190))
    assert f["num_pictures"] == 96 and f["num_distinct_pictures"] >= 94
    assert f["log_likelihood_per_picture"] == pytest.approx(
        f["aligned_per_picture"] + f["chains_per_picture"]
    )
    # Three iterations from tiny random parameters: far below the ceiling.
    assert f["log_likelihood_per_picture"] < f["ceiling"] - 5
    assert f["chains_per_picture"] >= 0
    assert "ceiling -5.247" in capsys.readouterr().out
    assert main(["likelihood", model, "--beta", "-1", "--out", str(tmp_path / "b"), *small]) == 2
    assert "'--beta'" in capsys.readouterr().err
    assert not (tmp_path / "b").exists()
