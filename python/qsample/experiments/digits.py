"""OptDigits with one-hot classes (the paper's Figs. 4 and 6): accuracy,
reconstruction under salt-and-pepper noise, class-conditioned generation.

The paper's setting is classes 1-4 on pictures cropped to 7x6 (46 variables);
``classes`` and ``crop`` give today's size, all ten classes on the whole 8x8
picture (74 variables). A logistic regression on the same binarized pixels is
reported beside the model's accuracy as a classical yardstick."""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from .. import datasets
from .. import evaluate as ev
from ..estimator import EmbeddedBoltzmannMachine
from ..execution import Executor
from ..learning import PeriodicCheckpoint, SampledMoments
from ..learning.checkpoints import Checkpoint
from ..model import HardwareModel
from .bas import _plot_history
from .common import _check_settings, _finish, _report, embedded_machine, sa_phase
from .runs import (
    CHECKPOINT_FILE,
    DEFAULT_CHECKPOINT_EVERY,
    begin_run,
    experiment_state,
    fit_machine,
    previous_checkpoint,
    run_embedding,
)


@dataclass
class DigitsSettings:
    train_path: str | None = None  # None: the cache, downloaded if needed
    iterations: int = 6000
    learning_rate: float = 0.0025
    batch_size: int = 200
    num_reads: int = 200
    classify_samples: int = 100
    noise_rate: float = 0.5
    num_reconstructions: int = 100
    generate_per_class: int = 10
    classes: tuple[int, ...] = datasets.DIGIT_CLASSES
    crop: str = "paper"  # or "none": the whole 8x8 picture
    target: str = "dw2x"
    embedding: str = "minorminer"
    embedding_tries: int = 5
    seed: int = 0
    evaluate_at: tuple[int, ...] = field(default_factory=tuple)  # accuracy along the way

    def __post_init__(self) -> None:
        _check_settings(
            self,
            (
                "iterations",
                "batch_size",
                "num_reads",
                "classify_samples",
                "num_reconstructions",
                "generate_per_class",
                "embedding_tries",
            ),
            ("learning_rate",),
        )
        self.classes = datasets.check_digit_classes(self.classes)
        self.crop = datasets.check_digit_crop(self.crop)
        if not 0 <= self.noise_rate <= 1:
            raise ValueError(f"'noise_rate' must be in [0, 1]: value = {self.noise_rate!r}")
        if self.train_path is not None and not Path(self.train_path).is_file():
            raise FileNotFoundError(f"OptDigits training file not found: {self.train_path}")

    @classmethod
    def quick(cls, train_path: str | None = None) -> DigitsSettings:
        return cls(
            train_path=train_path,
            iterations=300,
            learning_rate=0.01,
            embedding_tries=1,
            num_reconstructions=30,
        )

    @classmethod
    def full(cls, train_path: str | None = None) -> DigitsSettings:
        return cls(train_path=train_path, evaluate_at=(1000, 2000, 3000, 4000, 5000))


def run_digits(
    settings: DigitsSettings,
    out: Path,
    progress: bool | None = None,
    evaluate: bool = True,
    *,
    checkpoint_every: int = DEFAULT_CHECKPOINT_EVERY,
    resume: bool = False,
    executor: Executor | None = None,
) -> dict[str, Any]:
    """Train the model of the pixels and one-hot classes (the paper's: 42 + 4
    variables, 1545 training pictures) on the training split; test accuracy on
    the test split of the same classes (723 pictures of 1-4; 1797 of all ten),
    reconstructions under salt-and-pepper noise and class-conditioned generation.

    A checkpoint is kept in ``out`` every ``checkpoint_every`` iterations; with
    ``resume`` the run continues from what ``out`` holds (see
    :mod:`qsample.experiments.runs`)."""
    start = time.perf_counter()
    s = settings
    begin_run(out, "digits", s, evaluate, resume)
    train = _split(s, "train")
    test = _split(s, "test") if evaluate else None
    embedding = run_embedding(out, train.data.shape[1], s, resume, executor)
    pixels = train.data.shape[1] - train.num_classes
    machine = embedded_machine(
        embedding,
        s,
        learning_rate=s.learning_rate,
        num_reads=s.num_reads,
        batch_size=s.batch_size,
        classification_samples=s.classify_samples,
        progress=progress,
    )
    accuracy_along: dict[str, float] = {}

    def accuracy(m: EmbeddedBoltzmannMachine, it: int) -> None:
        if test is not None and it in s.evaluate_at:
            predicted = m.predict(test.data[:, :pixels], executor=executor)
            accuracy_along[str(it)] = float(np.mean(predicted == test.labels))

    def state(it: int) -> dict[str, Any]:  # the accuracies measured by iteration it
        return {
            "experiment": "digits",
            "accuracy_along": {k: v for k, v in accuracy_along.items() if int(k) <= it},
        }

    keeper = PeriodicCheckpoint(out / CHECKPOINT_FILE, checkpoint_every, state)
    previous = previous_checkpoint(out, resume)
    if previous is not None:
        accuracy_along.update(_saved_accuracies(previous))
    # The estimator appends the one-hot class units to the pixels, as the dataset has them.
    fit_machine(
        machine, train.data[:, :pixels], train.labels, keeper, out, previous, [(1, accuracy)]
    )
    learned = machine.model_
    learned.save(out / "model.npz")
    _plot_history(out, machine.history_)
    figures: dict[str, Any] = {
        "embedding": _report(embedding),
        "iterations": machine.n_iter_,
        "num_train": len(train),
        "accuracy_along": accuracy_along,
        "max_abs_J_intra": machine.history_.max_abs_J_intra[-1],
        "max_abs_J_inter": machine.history_.max_abs_J_inter[-1],
    }
    if test is not None:
        # Judged by the sampler it learned with: qsample's SA on the learning schedule.
        figures.update(
            evaluate_digits(learned, s, out, test, sa_phase(), progress, executor, train=train)
        )
    return _finish(out, "digits", settings, figures, start)


def _split(s: DigitsSettings, which: str) -> datasets.Dataset:
    """The training or test split of the settings' classes and crop, one-hot."""
    if which == "train":
        return datasets.optdigits_train(s.train_path, one_hot=True, classes=s.classes, crop=s.crop)
    return datasets.optdigits_test(one_hot=True, classes=s.classes, crop=s.crop)


def _local_train_split(s: DigitsSettings) -> datasets.Dataset | None:
    """The training split when its file is at hand (never downloaded: only the
    logistic-regression yardstick needs it once the model is trained)."""
    try:
        if s.train_path is not None:
            return _split(s, "train")
        return datasets.optdigits_train(
            download=False, one_hot=True, classes=s.classes, crop=s.crop
        )
    except FileNotFoundError:
        return None


def digits_variables(s: DigitsSettings) -> int:
    """Pixels and class units of the settings' model."""
    rows, columns = datasets.digit_shape(s.crop)
    return rows * columns + len(s.classes)


def logistic_regression_accuracy(train: datasets.Dataset, test: datasets.Dataset) -> float:
    """Test accuracy of a logistic regression on the same binarized pixels: the
    classical yardstick for the model's classification."""
    from sklearn.linear_model import LogisticRegression

    classifier = LogisticRegression(max_iter=2000)
    classifier.fit(train.data[:, : train.num_pixels], train.labels)
    return float(classifier.score(test.data[:, : test.num_pixels], test.labels))


def _saved_accuracies(checkpoint: Checkpoint) -> dict[str, float]:
    saved = experiment_state(checkpoint, "digits").get("accuracy_along")
    if not isinstance(saved, dict) or not all(
        k.isdigit() and isinstance(v, float) for k, v in saved.items()
    ):
        raise ValueError(
            f"{checkpoint.path}: the saved accuracies are not a mapping of iterations to numbers"
        )
    return saved


def evaluate_digits(
    model: HardwareModel,
    s: DigitsSettings,
    out: Path,
    test: datasets.Dataset | None = None,
    phase: SampledMoments | None = None,
    progress: bool | None = None,
    executor: Executor | None = None,
    *,
    train: datasets.Dataset | None = None,
) -> dict[str, Any]:
    from .. import plots

    test = test or _split(s, "test")
    train = train or _local_train_split(s)
    phase = phase or sa_phase()
    pixels, num_classes, shape = test.num_pixels, test.num_classes, datasets.digit_shape(s.crop)
    c = ev.classify(
        model,
        test.data[:, :pixels],
        test.labels,
        num_classes,
        phase.draw,
        num_samples=s.classify_samples,
        seed=s.seed,
        progress=progress,
        executor=executor,
    )
    names = [str(k) for k in s.classes]
    plots.confusion(
        out / "digits_confusion.png",
        c.confusion,
        names,
        f"test accuracy {c.accuracy:.3f} ({len(test)} pictures)",
    )
    noisy, known = ev.salt_and_pepper(test.data, s.noise_rate, seed=s.seed, num_pixels=pixels)
    known[:, pixels:] = False  # the class is not given to the reconstruction
    # As in the paper's clamping, the corrupted positions are known and treated
    # as missing: only the intact pixels are fixed, so the noisy values never
    # reach the model and the clean pictures serve as the truth to score on.
    r = ev.reconstruct(
        model,
        test.data,
        known,
        phase.draw,
        num_reconstructions=s.num_reconstructions,
        seed=s.seed,
        columns=np.arange(pixels),
        progress=progress,
        executor=executor,
    )
    corrupted_wrong = r.wrong.sum() / max(int(r.corrupted.sum()), 1)
    k = 12
    plots.picture_grid(
        out / "digits_reconstructions.png",
        [
            ("test", list(test.data[:k])),
            (f"{s.noise_rate:.0%} noise", list(noisy[:k])),
            ("given (gray: missing)", list(noisy[:k])),
            ("reconstructed", list(r.values[:k])),
        ],
        shape,
        f"salt-and-pepper rate {s.noise_rate}, corrupted positions known and "
        "reconstructed (red: tied)",
        known=[None, None, known[:k], None],
    )
    rows = []
    for cls_index, name in enumerate(names):
        generated = ev.generate(
            model,
            cls_index,
            num_classes,
            phase.draw,
            num_pictures=s.generate_per_class,
            seed=s.seed + cls_index,
        )
        real = test.data[test.labels == cls_index][: s.generate_per_class]
        rows += [(f"real {name}", list(real)), (f"generated {name}", list(generated))]
    plots.picture_grid(
        out / "digits_generated.png",
        rows,
        shape,
        "class-conditioned generation beside real test pictures",
    )
    baseline = (
        {}
        if train is None
        else {"logistic_regression_accuracy": logistic_regression_accuracy(train, test)}
    )
    return {
        "num_test": len(test),
        "test_accuracy": c.accuracy,
        **baseline,
        "confusion": c.confusion,
        "reconstruction": {
            "noise_rate": s.noise_rate,
            "corrupted_positions_known": True,
            "expected_wrong_per_picture": r.mean_expected_wrong,
            "wrong_per_picture": r.mean_wrong,
            "ties_per_picture": r.mean_ties,
            "corrupted_per_picture": float(r.corrupted.mean()),
            "wrong_fraction_of_corrupted": float(corrupted_wrong),
        },
    }
