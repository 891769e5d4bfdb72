"""Evaluation: conditioning, reconstruction, classification, generation, the
proxy and the empirical KL."""

from __future__ import annotations

import numpy as np
import pytest

from qsample import IsingArrays, exact
from qsample import evaluate as ev
from qsample import hardware as hw
from qsample.embedding import Embedding
from qsample.model import HardwareModel

from conftest import all_spin_states


def test_conditioning_gives_the_exact_conditional_distribution():
    rng = np.random.default_rng(0)
    n = 6
    irow, icol = np.triu_indices(n, 1)
    model = IsingArrays(list(range(n)), rng.normal(size=n), irow, icol, rng.normal(size=len(irow)))
    fixed = np.array([0, 1, 0, -1, 0, 0], dtype=np.int8)
    sub, free = ev.condition(model, fixed)
    states = all_spin_states(n)
    consistent = np.all((fixed == 0) | (states == fixed), axis=1)
    p = np.exp(exact.log_probabilities(model, states[consistent]))
    p /= p.sum()
    q = np.exp(exact.log_probabilities(sub, states[consistent][:, free]))
    np.testing.assert_allclose(q, p, atol=1e-12)


def _ferromagnetic_model(n=4, coupling=-2.0):
    """A logical K_n with one qubit per chain on a complete target: strong
    ferromagnetic couplings, so every variable follows the others."""
    import networkx as nx

    target = hw.from_networkx(nx.complete_graph(n))
    embedding = Embedding({v: (v,) for v in range(n)}, target, nx.complete_graph(n))
    model = HardwareModel(embedding, seed=0)
    return model.with_parameters(np.zeros(n), np.full(model.num_edges, coupling))


def _exact_draw(model, num_reads, seed):
    return exact.sample(model, num_reads, seed=seed)


def test_reconstruction_fills_in_what_the_model_implies_and_scores_it():
    model = _ferromagnetic_model()
    truth = np.array([[1, 1, 1, 1], [-1, -1, -1, -1]], dtype=np.int8)
    known = np.array([True, True, False, False])
    r = ev.reconstruct(model, truth, known, _exact_draw, num_reconstructions=51, seed=0)
    np.testing.assert_array_equal(r.values, truth)
    assert r.wrong.tolist() == [0, 0] and r.corrupted.tolist() == [2, 2]
    # Scored against the opposite picture, every unknown pixel is wrong.
    r = ev.reconstruct(model, -truth, known, _exact_draw, num_reconstructions=51, seed=0)
    assert r.mean_wrong == 0.0
    flipped = truth.copy()
    flipped[:, 2:] *= -1
    r = ev.reconstruct(model, flipped, known, _exact_draw, num_reconstructions=51, seed=0)
    assert r.wrong.tolist() == [2, 2] and r.mean_ties == 0.0


def test_even_votes_are_reported_as_ties():
    model = _ferromagnetic_model(3, coupling=0.0)  # every free pixel a fair coin
    r = ev.reconstruct(
        model,
        np.ones((40, 3), np.int8),
        np.array([True, True, False]),
        _exact_draw,
        num_reconstructions=2,
        seed=1,
    )
    assert r.mean_ties > 0 and np.all(r.wrong + r.ties <= 1)
    assert set(np.unique(r.values[:, 2])) <= {-1, 0, 1} and 0 in r.values[:, 2]


def test_classification_picks_the_class_the_pixels_imply():
    # Two pixels and two one-hot classes: class k is on when pixel k is on.
    import networkx as nx

    target = hw.from_networkx(nx.complete_graph(4))
    embedding = Embedding({v: (v,) for v in range(4)}, target, nx.complete_graph(4))
    model = HardwareModel(embedding, seed=0)
    J = np.zeros(model.num_edges)
    pairs = list(zip(model.irow, model.icol, strict=True))
    J[pairs.index((0, 2))] = J[pairs.index((1, 3))] = -2.0
    J[pairs.index((2, 3))] = 2.0  # the classes exclude each other
    model = model.with_parameters(np.zeros(4), J)
    pixels = np.array([[1, -1], [-1, 1], [1, -1]], dtype=np.int8)
    c = ev.classify(model, pixels, [0, 1, 1], 2, _exact_draw, num_samples=50, seed=0)
    assert c.predicted.tolist() == [0, 1, 0]
    assert c.accuracy == pytest.approx(2 / 3)
    np.testing.assert_array_equal(c.confusion, [[1, 0], [1, 1]])
    generated = ev.generate(model, 1, 2, _exact_draw, num_pictures=50, seed=0)
    assert generated.shape == (50, 2) and np.mean(generated[:, 1] == 1) > 0.8


def test_masks_and_noise():
    mask = ev.block_mask((7, 6), 1, 1, 5, 4)
    assert mask.sum() == 22 and not mask.reshape(7, 6)[1:6, 1:5].any()
    with pytest.raises(ValueError, match="does not fit"):
        ev.block_mask((7, 6), 3, 3, 5, 4)
    pictures = np.ones((200, 46), np.int8)
    noisy, known = ev.salt_and_pepper(pictures, 0.5, seed=0, num_pixels=42)
    assert known[:, 42:].all() and abs((~known[:, :42]).mean() - 0.5) < 0.03
    assert np.all(noisy[known] == 1)
    with pytest.raises(ValueError, match="'rate'"):
        ev.salt_and_pepper(pictures, 1.5)
    with pytest.raises(ValueError, match="'num_pixels'"):
        ev.salt_and_pepper(pictures, 0.5, num_pixels=50)
    with pytest.raises(ValueError, match="'num_columns'"):
        ev.block_mask((7, 6), 1, 1, 5, 4, num_columns=40)


def test_a_known_mask_of_the_wrong_size_is_refused():
    model = _ferromagnetic_model()
    with pytest.raises(ValueError, match="'known' must be a mask"):
        ev.reconstruct(model, np.ones((2, 4), np.int8), np.ones(3, bool), _exact_draw)


def test_expected_wrong_counts_a_tie_as_half():
    r = ev.Reconstruction(
        np.zeros((2, 3), np.int8), np.array([1, 0]), np.array([1, 2]), np.array([3, 3])
    )
    assert r.mean_wrong == 0.5 and r.mean_ties == 1.5 and r.mean_expected_wrong == 1.25


def test_proxy_breaks_ties_and_kl_is_zero_only_for_the_truth():
    rng = np.random.default_rng(2)
    n = 5
    irow, icol = np.triu_indices(n, 1)
    truth = IsingArrays(list(range(n)), np.zeros(n), irow, icol, rng.normal(size=len(irow)))
    samples = exact.sample(truth, 200000, seed=0)
    assert ev.empirical_kl(samples, truth) < 0.005
    uniform = np.random.default_rng(1).choice(np.array([-1, 1], np.int8), (200000, n))
    assert ev.empirical_kl(uniform, truth) > 0.1
    with_ties = samples[:10].copy()
    with_ties[:, 0] = 0
    assert np.isfinite(ev.proxy(truth, with_ties))


def test_picture_tasks_carry_the_physical_model_not_the_target_graph(monkeypatch):
    """Every task is shipped to a worker: the device graph (thousands of
    qubits on an Advantage preset) must not travel with each one."""
    import io
    import pickle

    import networkx as nx

    shipped: list[str] = []

    class Spy(pickle.Pickler):
        def persistent_id(self, obj):
            if isinstance(obj, (hw.Target, nx.Graph, HardwareModel, Embedding)):
                shipped.append(type(obj).__name__)
            return None

    tasks_seen = []
    real_run_tasks = ev.run_tasks

    def recording_run_tasks(fn, tasks, seed, **kw):
        tasks_seen.extend(tasks)
        return real_run_tasks(fn, tasks, seed, **kw)

    monkeypatch.setattr(ev, "run_tasks", recording_run_tasks)
    model = _ferromagnetic_model()
    truth = np.array([[1, 1, 1, 1]] * 3, dtype=np.int8)
    r = ev.reconstruct(
        model,
        truth,
        np.array([True, True, False, False]),
        _exact_draw,
        num_reconstructions=5,
        seed=0,
    )
    np.testing.assert_array_equal(r.values, truth)
    assert tasks_seen
    for task in tasks_seen:
        Spy(io.BytesIO()).dump(task.settings)
    assert shipped == []
