"""Trainer checkpoints: damaged or foreign checkpoints are refused naming the
file, what the caller keeps beside the trainer comes back exactly, and a
periodic checkpoint saved after an interruption (inside the sampler or inside a
callback) resumes to the same parameters as a run never interrupted."""

from __future__ import annotations

import json

import numpy as np
import pytest

from qsample.learning import (
    Hyperparameters,
    PeriodicCheckpoint,
    SampledMoments,
    embedded_trainer,
    read_checkpoint,
)
from qsample.model import HardwareModel

from problems import sk6


@pytest.fixture(scope="module")
def problem():
    return sk6()


def _trainer(problem, data=None, callbacks=()):
    model = HardwareModel(problem.embedding, seed=0)
    return embedded_trainer(
        model,
        problem.data if data is None else data,
        SampledMoments(),
        Hyperparameters(learning_rate=0.02, num_reads=32, batch_size=96, range_policy="ignore"),
        seed=3,
        progress=False,
        callbacks=list(callbacks),
    )


def _same_state(a, b):
    for name in ("h", "J", "velocity_h", "velocity_J"):
        np.testing.assert_array_equal(getattr(a, name), getattr(b, name))
    assert a.iteration == b.iteration
    assert a.history.moment_error_J == b.history.moment_error_J


@pytest.fixture(scope="module")
def saved(problem, tmp_path_factory):
    path = tmp_path_factory.mktemp("ckpt") / "c.npz"
    _trainer(problem).run(3).save_checkpoint(path)
    return path


def test_a_checkpoint_trained_on_other_data_of_the_same_size_is_refused(problem, saved):
    other = problem.data.copy()
    other[0] = -other[0]
    with pytest.raises(ValueError, match="c.npz: checkpoint was trained on other data"):
        _trainer(problem, other).load_checkpoint(saved)


def _rewrite(saved, path, meta=None, **arrays):
    z = dict(np.load(saved))
    m = json.loads(str(z["meta"]))
    m.update(meta or {})
    z.update(arrays, meta=np.array(json.dumps(m)))
    np.savez(path, **{k: v for k, v in z.items() if v is not None})
    return path


@pytest.mark.parametrize(
    "meta,arrays,match",
    [
        ({}, {"h": np.zeros(3)}, "'h' must be"),
        ({}, {"J": None}, "no J array"),
        ({}, {"velocity_J": "nan"}, "'velocity_J' holds values that are not finite"),
        ({}, {"order": "duplicate"}, "'order' must be a permutation"),
        ({"cursor": 10**6}, {}, r"'cursor' must be an integer in \[0, 500\]"),
        ({"iteration": 5}, {}, "history 'moment_error_h' must hold 5 numbers"),
        ({"rng": {"bit_generator": "MT19937"}}, {}, "usable checkpoint"),
        ({"data_fingerprint": 7}, {}, "'data_fingerprint' must be a text"),
        ({"history": None}, {}, "'history' must have the entries"),
        ({"format": "qsample-checkpoint-1"}, {}, "another version of qsample"),
        ({"format": "other"}, {}, "is not a qsample checkpoint"),
    ],
)
def test_damaged_checkpoints_are_refused_naming_the_file(
    problem, saved, tmp_path, meta, arrays, match
):
    z = np.load(saved)
    if arrays.get("velocity_J") == "nan":
        arrays["velocity_J"] = np.full_like(z["velocity_J"], np.nan)
    if arrays.get("order") == "duplicate":
        arrays["order"] = np.zeros_like(z["order"])
    path = _rewrite(saved, tmp_path / "bad.npz", meta, **arrays)
    with pytest.raises(ValueError, match=match) as info:
        read_checkpoint(path)
    assert "bad.npz" in str(info.value)
    with pytest.raises(ValueError, match="bad.npz"):
        _trainer(problem).load_checkpoint(path)


@pytest.mark.parametrize("content", [b"", b"garbage", "half"])
def test_truncated_or_foreign_checkpoint_files_are_refused(problem, saved, tmp_path, content):
    path = tmp_path / "bad.npz"
    path.write_bytes(saved.read_bytes()[:2000] if content == "half" else content)
    with pytest.raises(ValueError, match="bad.npz is not a qsample checkpoint"):
        _trainer(problem).load_checkpoint(path)


def test_what_the_caller_keeps_beside_comes_back_exactly(problem, tmp_path):
    trainer = _trainer(problem).run(2)
    kept = {
        "curve": np.array([0.1, 1 / 3, np.pi]),
        "votes": np.arange(6, dtype=np.int8),
        "figures": {"1": 0.25, "2": [1, 2]},
        "label": "instance 0",
    }
    trainer.save_checkpoint(tmp_path / "c.npz", extra=kept)
    c = read_checkpoint(tmp_path / "c.npz")
    assert c.iteration == 2
    assert c.extra["figures"] == kept["figures"] and c.extra["label"] == kept["label"]
    for name in ("curve", "votes"):
        np.testing.assert_array_equal(c.extra[name], kept[name])
        assert c.extra[name].dtype == kept[name].dtype


class _InterruptAt:
    """Raises KeyboardInterrupt at the given call, as Ctrl-C in a long call would."""

    def __init__(self, inner, at):
        self.inner, self.at, self.calls = inner, at, 0

    def __getattr__(self, name):
        return getattr(self.inner, name)

    def __call__(self, *args):
        self.calls += 1
        if self.calls == self.at:
            raise KeyboardInterrupt
        return self.inner(*args)


def test_an_interrupt_inside_the_sampler_saves_the_last_complete_iteration(problem, tmp_path):
    straight = _trainer(problem).run(10)
    keeper = PeriodicCheckpoint(tmp_path / "c.npz", every=4)
    trainer = _trainer(problem, callbacks=[(1, keeper)])
    keeper.start(trainer)
    trainer.negative_phase = _InterruptAt(trainer.negative_phase, 7)  # during iteration 7
    with pytest.raises(KeyboardInterrupt):
        trainer.run(10)
    assert read_checkpoint(tmp_path / "c.npz").iteration == 4  # the periodic one
    assert keeper.save() == 6
    resumed = _trainer(problem).load_checkpoint(tmp_path / "c.npz")
    assert resumed.iteration == 6
    _same_state(resumed.run(4), straight)


def test_an_interrupt_inside_a_callback_does_not_count_that_iteration(problem, tmp_path):
    straight = _trainer(problem).run(9)
    seen = []

    def slow_evaluation(t, it):
        if it == 5 and not seen:
            seen.append(it)
            raise KeyboardInterrupt

    keeper = PeriodicCheckpoint(
        tmp_path / "c.npz", every=100, extra=lambda it: {"done": list(range(1, it + 1))}
    )
    trainer = _trainer(problem, callbacks=[(1, slow_evaluation), (1, keeper)])
    keeper.start(trainer)
    with pytest.raises(KeyboardInterrupt):
        trainer.run(9)
    assert trainer.iteration == 5 and keeper.save() == 4
    c = read_checkpoint(tmp_path / "c.npz")
    assert c.extra["done"] == [1, 2, 3, 4]
    _same_state(_trainer(problem).load_checkpoint(c).run(5), straight)


def test_periodic_checkpoints_are_written_every_k_iterations(problem, tmp_path):
    written = []
    keeper = PeriodicCheckpoint(
        tmp_path / "c.npz", every=3, extra=lambda it: written.append(it) or {}
    )
    trainer = _trainer(problem, callbacks=[(1, keeper)])
    keeper.start(trainer)
    trainer.run(7)
    assert written == [0, 3, 6]
    assert keeper.save() == 7 and written == [0, 3, 6, 7]
    assert keeper.save() == 7 and written == [0, 3, 6, 7]  # already on disk
    with pytest.raises(ValueError, match="'checkpoint_every'"):
        PeriodicCheckpoint(tmp_path / "c.npz", every=0)
