"""Bars and stripes 7x6 (the paper's Fig. 5): learn, then reconstruct a
blacked-out block; and the test log-likelihood of a trained model."""

from __future__ import annotations

import time
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

import numpy as np

from .. import datasets
from .. import evaluate as ev
from ..estimator import EmbeddedBoltzmannMachine
from ..execution import Executor
from ..learning import History, PeriodicCheckpoint
from ..learning.checkpoints import Checkpoint
from ..likelihood import logical_log_likelihood
from ..model import HardwareModel
from .common import _check_settings, _finish, _report, embedded_machine, write_json
from .runs import (
    CHECKPOINT_FILE,
    DEFAULT_CHECKPOINT_EVERY,
    begin_run,
    experiment_state,
    fit_machine,
    previous_checkpoint,
    run_embedding,
)

#: The paper's expected mistakes per reconstructed BAS picture (of 20 pixels).
PAPER_BAS = {1: 10.45, 100: 3.73, 1000: 0.59, 3850: 0.13}


@dataclass
class BASSettings:
    rows: int = 7
    columns: int = 6
    num_train: int = 96
    iterations: int = 3850
    learning_rate: float = 0.0025
    num_reads: int = 96
    block: tuple[int, int, int, int] = (1, 1, 5, 4)  # top, left, height, width
    num_reconstructions: int = 100
    evaluate_at: tuple[int, ...] = (1, 100, 1000)  # and always the end
    target: str = "dw2x"
    embedding: str = "minorminer"
    embedding_tries: int = 10
    seed: int = 0

    def __post_init__(self) -> None:
        _check_settings(
            self,
            (
                "rows",
                "columns",
                "num_train",
                "iterations",
                "num_reads",
                "num_reconstructions",
                "embedding_tries",
            ),
            ("learning_rate",),
        )
        ev.block_mask((self.rows, self.columns), *self.block)  # the block fits

    @classmethod
    def quick(cls) -> BASSettings:
        return cls(iterations=300, learning_rate=0.01, evaluate_at=(1, 100), embedding_tries=2)

    @classmethod
    def full(cls) -> BASSettings:
        return cls()


def run_bas(
    settings: BASSettings,
    out: Path,
    progress: bool | None = None,
    evaluate: bool = True,
    *,
    checkpoint_every: int = DEFAULT_CHECKPOINT_EVERY,
    resume: bool = False,
    executor: Executor | None = None,
) -> dict[str, Any]:
    """Train on 96 BAS pictures; reconstruct the 96 test pictures with a
    blacked-out block at the evaluation iterations and at the end (the
    pictures' sampling runs as tasks of ``executor``, serial by default).

    A checkpoint is kept in ``out`` every ``checkpoint_every`` iterations; with
    ``resume`` the run continues from what ``out`` holds (see
    :mod:`qsample.experiments.runs`)."""
    start = time.perf_counter()
    s = settings
    begin_run(out, "bas", s, evaluate, resume)
    train, test = datasets.shuffled_split(
        datasets.bars_and_stripes(s.rows, s.columns), s.num_train, seed=s.seed
    )
    known = ev.block_mask((s.rows, s.columns), *s.block)
    embedding = run_embedding(out, s.rows * s.columns, s, resume, executor)
    machine = embedded_machine(
        embedding, s, learning_rate=s.learning_rate, num_reads=s.num_reads, progress=progress
    )
    at = sorted({*s.evaluate_at, s.iterations}) if evaluate else []
    recon: dict[int, ev.Reconstruction] = {}

    def reconstruct(m: EmbeddedBoltzmannMachine, it: int) -> None:
        if it in at:
            recon[it] = m.reconstruct(test.data, ~known, executor=executor)

    def state(it: int) -> dict[str, Any]:  # the reconstructions done by iteration it
        done = {
            f"reconstruction.{k}.{f}": getattr(r, f)
            for k, r in recon.items()
            if k <= it
            for f in _RECONSTRUCTION_FIELDS
        }
        return {"experiment": "bas", **done}

    keeper = PeriodicCheckpoint(out / CHECKPOINT_FILE, checkpoint_every, state)
    previous = previous_checkpoint(out, resume)
    if previous is not None:
        recon.update(_saved_reconstructions(previous))
    fit_machine(machine, train.data, None, keeper, out, previous, [(1, reconstruct)])
    machine.model_.save(out / "model.npz")
    history = machine.history_
    figures: dict[str, Any] = {
        "embedding": _report(embedding),
        "iterations": machine.n_iter_,
        "training_seconds": float(
            np.sum(history.sampling_seconds) + np.sum(history.update_seconds)
        ),
        "max_abs_J_intra": history.max_abs_J_intra[-1],
        "max_abs_J_inter": history.max_abs_J_inter[-1],
    }
    if recon:
        figures["mistakes_per_picture"] = {str(k): r.mean_wrong for k, r in recon.items()}
        figures["ties_per_picture"] = {str(k): r.mean_ties for k, r in recon.items()}
        # Ties settled by a fair coin: the figure comparable with the paper's.
        figures["expected_mistakes_per_picture"] = {
            str(k): r.mean_expected_wrong for k, r in recon.items()
        }
        figures["corrupted_pixels_per_picture"] = int(np.sum(~known))
        figures["paper_mistakes_per_picture"] = {str(k): v for k, v in PAPER_BAS.items()}
        _plot_bas(out, s, test.data, known, recon)
    _plot_history(out, history)
    return _finish(out, "bas", settings, figures, start)


_RECONSTRUCTION_FIELDS = ("values", "wrong", "ties", "corrupted")


def _saved_reconstructions(checkpoint: Checkpoint) -> dict[int, ev.Reconstruction]:
    state = experiment_state(checkpoint, "bas")
    found: dict[int, dict[str, np.ndarray]] = {}
    for key, value in state.items():
        parts = key.split(".")
        if parts[0] == "reconstruction" and len(parts) == 3 and parts[1].isdigit():
            found.setdefault(int(parts[1]), {})[parts[2]] = value
    try:
        return {
            it: ev.Reconstruction(**{f: np.asarray(found[it][f]) for f in _RECONSTRUCTION_FIELDS})
            for it in sorted(found)
        }
    except KeyError as e:
        raise ValueError(f"{checkpoint.path}: a saved reconstruction lacks {e}") from None


def bas_ceiling(rows: int = 7, columns: int = 6) -> float:
    """-ln(number of distinct pictures): the log-likelihood per picture of a
    model uniform over bars and stripes, the target of learning (-ln 190 =
    -5.247 nats for 7x6, whose all-on and all-off pictures are both a bar and
    a stripe pattern)."""
    return -float(np.log(len(np.unique(datasets.bars_and_stripes(rows, columns).data, axis=0))))


def bas_log_likelihood(
    model: HardwareModel,
    settings: BASSettings,
    *,
    beta: float = 1.0,
    seed: int = 0,
    progress: bool | None = None,
    **options: Any,
) -> dict[str, Any]:
    """The test log-likelihood (nats per picture) of a model trained with
    ``settings`` on the test split those settings give, split into the aligned
    and chain terms (:func:`qsample.likelihood.logical_log_likelihood`, which
    takes ``options``), beside the ceiling :func:`bas_ceiling`."""
    s = settings
    if model.layout.num_logical != s.rows * s.columns:
        raise ValueError(
            f"the model has {model.layout.num_logical} logical variables; BAS "
            f"{s.rows}x{s.columns} has {s.rows * s.columns} pixels"
        )
    _, test = datasets.shuffled_split(
        datasets.bars_and_stripes(s.rows, s.columns), s.num_train, seed=s.seed
    )
    r = logical_log_likelihood(model, test.data, beta=beta, seed=seed, progress=progress, **options)
    return {
        **r.summary(),
        "ceiling": bas_ceiling(s.rows, s.columns),
        "num_distinct_pictures": int(len(np.unique(test.data, axis=0))),
    }


def _plot_bas(
    out: Path,
    s: BASSettings,
    truth: np.ndarray,
    known: np.ndarray,
    recon: dict[int, ev.Reconstruction],
) -> None:
    from .. import plots

    k = 12
    its = sorted(recon)
    rows = [("data", list(truth[:k])), ("blacked out", list(truth[:k]))]
    rows += [(f"iteration {it}", list(recon[it].values[:k])) for it in its]
    masks = [None, np.broadcast_to(known, (k, known.size))] + [None] * len(its)
    plots.picture_grid(
        out / "bas_reconstructions.png",
        rows,
        (s.rows, s.columns),
        "BAS reconstructions (red: tied pixels)",
        known=masks,
    )
    plots.curves(
        out / "bas_mistakes.png",
        {
            "qsample (SA), ties as half": (
                np.array(its),
                np.array([recon[i].mean_expected_wrong for i in its]),
                None,
            ),
            "paper (D-Wave 2X)": (
                np.array(list(PAPER_BAS)),
                np.array(list(PAPER_BAS.values())),
                None,
            ),
        },
        "iteration",
        "wrong pixels per picture (of 20)",
        "BAS 7x6 block reconstruction",
        logx=True,
    )


def _plot_history(out: Path, h: History) -> None:
    from .. import plots

    x = np.arange(1, len(h) + 1)
    plots.curves(
        out / "learning.png",
        {
            "max |<z>_data - <z>_model|": (x, np.array(h.moment_error_h), None),
            "max |<zz>_data - <zz>_model|": (x, np.array(h.moment_error_J), None),
            "max |J| inside chains": (x, np.array(h.max_abs_J_intra), None),
            "max |J| between chains": (x, np.array(h.max_abs_J_inter), None),
        },
        "iteration",
        "value",
        "learning history",
    )
    write_json(out / "history.json", asdict(h))
