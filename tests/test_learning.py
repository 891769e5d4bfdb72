"""The moment-matching trainer: convergence with exact and SA samples on a
hardware-embedded model, exact-gradient logical learning, checkpoints and
resume, the device-range policies, and refusal of bad settings."""

from __future__ import annotations

import numpy as np
import pytest

import qsample
from qsample import exact
from qsample.learning import (
    ExactMoments,
    Hyperparameters,
    SampledMoments,
    Trainer,
    embedded_trainer,
    logical_complete_graph,
)
from qsample.model import HardwareModel

from problems import N, decoded_moments, moment_errors, sk6

# The untrained model's decoded correlations are ~0 while the data's reach 0.65,
# so a tolerance of 0.06 is a tenth of the starting error. With a fixed seed the
# tests are deterministic; 0.06 leaves ~1.5x margin over the fluctuation of the
# learned moments that 2000 samples per iteration leave at eta = 0.03.
TOLERANCE = 0.06


@pytest.fixture(scope="module")
def problem():
    return sk6()


def _learn(problem, sampler, iterations, num_reads=2000, eta=0.03):
    model = HardwareModel(problem.embedding, seed=0)
    trainer = embedded_trainer(
        model,
        problem.data,
        SampledMoments(sampler),
        Hyperparameters(learning_rate=eta, num_reads=num_reads, range_policy="ignore"),
        seed=0,
        progress=False,
    )
    before = moment_errors(problem, *decoded_moments(model))
    trainer.run(iterations)
    after = moment_errors(problem, *decoded_moments(model.with_parameters(trainer.h, trainer.J)))
    return trainer, before, after


def test_exact_sampler_on_the_physical_graph_matches_the_data(problem):
    trainer, before, after = _learn(problem, qsample.ExactSampler(), 200)
    assert before[1] > 10 * TOLERANCE
    assert max(after) < TOLERANCE, after
    # Chains hold: the paper's observation that intra-chain couplings grow first.
    assert trainer.history.max_abs_J_intra[-1] > trainer.history.max_abs_J_inter[-1]


def test_simulated_annealing_on_the_physical_graph_matches_the_data(problem):
    trainer, before, after = _learn(problem, None, 300)
    assert before[1] > 10 * TOLERANCE
    assert max(after) < TOLERANCE, after
    assert len(trainer.history) == 300
    assert trainer.history.moment_error_J[-1] < trainer.history.moment_error_J[0]


def test_any_dimod_sampler_drives_learning(problem):
    from dwave.samplers import SimulatedAnnealingSampler as DWaveSA

    sampler = SampledMoments(
        DWaveSA(),
        sampler_parameters={
            "beta_schedule_type": "linear",
            "beta_range": (0.01, 1.0),
            "num_sweeps": 100,
        },
    )
    model = HardwareModel(problem.embedding, seed=0)
    trainer = embedded_trainer(
        model,
        problem.data,
        sampler,
        Hyperparameters(learning_rate=0.05, num_reads=200, range_policy="ignore"),
        progress=False,
    )
    trainer.run(30)
    assert trainer.history.moment_error_J[-1] < 0.5 * trainer.history.moment_error_J[0]


def test_exact_gradient_logical_learning_matches_the_data_moments(problem):
    trainer = Trainer(
        logical_complete_graph(N, seed=0),
        problem.data,
        ExactMoments(),
        Hyperparameters(learning_rate=0.05, range_policy="ignore"),
        progress=False,
    )
    trainer.run(300)
    m = exact.moments(trainer.current_model())
    irow, icol = np.triu_indices(N, 1)
    errors = moment_errors(problem, m.mean, m.correlation[irow, icol])
    assert max(errors) < 0.01, errors


def test_exact_moments_refuse_models_too_large_to_enumerate():
    big = logical_complete_graph(exact.MAX_EXACT_SPINS + 1)
    data = np.ones((3, big.num_variables), dtype=np.int8)
    with pytest.raises(ValueError, match="at most"):
        Trainer(big, data, ExactMoments(), progress=False).step()


def _minibatch_trainer(problem, seed=3):
    model = HardwareModel(problem.embedding, seed=0)
    return embedded_trainer(
        model,
        problem.data,
        SampledMoments(),
        Hyperparameters(learning_rate=0.02, num_reads=64, batch_size=96, range_policy="ignore"),
        seed=seed,
        progress=False,
    )


def test_resume_from_a_checkpoint_continues_exactly(problem, tmp_path):
    straight = _minibatch_trainer(problem).run(14)
    first = _minibatch_trainer(problem).run(9)
    first.save_checkpoint(tmp_path / "ckpt.npz")
    resumed = _minibatch_trainer(problem, seed=99).load_checkpoint(tmp_path / "ckpt.npz").run(5)
    np.testing.assert_array_equal(resumed.h, straight.h)
    np.testing.assert_array_equal(resumed.J, straight.J)
    np.testing.assert_array_equal(resumed.velocity_J, straight.velocity_J)
    assert resumed.iteration == 14
    assert resumed.history.moment_error_J == straight.history.moment_error_J


def test_same_seed_same_parameters_different_seed_differs(problem):
    a = _minibatch_trainer(problem, seed=5).run(3)
    b = _minibatch_trainer(problem, seed=5).run(3)
    c = _minibatch_trainer(problem, seed=6).run(3)
    np.testing.assert_array_equal(a.J, b.J)
    assert not np.array_equal(a.J, c.J)


def test_checkpoint_for_another_model_is_refused(problem, tmp_path):
    _minibatch_trainer(problem).run(1).save_checkpoint(tmp_path / "c.npz")
    other = Trainer(logical_complete_graph(N), problem.data, ExactMoments(), progress=False)
    with pytest.raises(ValueError, match="checkpoint is for"):
        other.load_checkpoint(tmp_path / "c.npz")
    other_hyper = embedded_trainer(
        HardwareModel(problem.embedding),
        problem.data,
        SampledMoments(),
        Hyperparameters(learning_rate=0.5),
        progress=False,
    )
    with pytest.raises(ValueError, match="hyperparameters"):
        other_hyper.load_checkpoint(tmp_path / "c.npz")
    fewer = embedded_trainer(
        HardwareModel(problem.embedding),
        problem.data[:200],
        SampledMoments(),
        Hyperparameters(learning_rate=0.02, num_reads=64, batch_size=96, range_policy="ignore"),
        progress=False,
    )
    with pytest.raises(ValueError, match="500 data points"):
        fewer.load_checkpoint(tmp_path / "c.npz")


def _range_trainer(problem, policy):
    model = HardwareModel(problem.embedding, seed=0)
    return embedded_trainer(
        model,
        problem.data,
        SampledMoments(),
        Hyperparameters(learning_rate=0.05, num_reads=100, range_policy=policy),
        j_range=(-0.2, 0.2),
        h_range=(-2.0, 2.0),
        progress=False,
    )


def test_stop_policy_stops_before_leaving_the_range_and_says_where(problem):
    trainer = _range_trainer(problem, "stop").run(200)
    assert trainer.stopped is not None and 0 < trainer.iteration < 200
    event = trainer.range_events[0]
    assert event.kind == "J" and event.iteration == trainer.iteration + 1
    assert abs(event.value) > 0.2 and event.limit == (-0.2, 0.2)
    assert len(event.variables) == 2
    assert f"iteration {event.iteration}" in trainer.stopped
    # The parameters are the last ones inside the range; further steps do nothing.
    assert np.abs(trainer.J).max() <= 0.2
    assert not trainer.step() and len(trainer.history) == trainer.iteration


def test_clip_policy_keeps_learning_inside_the_range(problem):
    trainer = _range_trainer(problem, "clip").run(60)
    assert trainer.stopped is None and trainer.iteration == 60
    assert trainer.range_events and np.abs(trainer.J).max() <= 0.2
    assert np.isclose(np.abs(trainer.J).max(), 0.2)
    # Each parameter's first crossing is logged once, not once per iteration it stays pinned.
    crossed = [(e.kind, e.index) for e in trainer.range_events]
    assert len(crossed) == len(set(crossed))


def test_a_refused_step_leaves_the_momentum_alone(problem, tmp_path):
    trainer = _range_trainer(problem, "stop")
    while trainer.step():
        velocity = trainer.velocity_J.copy()
    np.testing.assert_array_equal(trainer.velocity_J, velocity)
    trainer.save_checkpoint(tmp_path / "stopped.npz")
    restored = _range_trainer(problem, "stop").load_checkpoint(tmp_path / "stopped.npz")
    np.testing.assert_array_equal(restored.velocity_J, velocity)
    assert restored.stopped == trainer.stopped
    assert restored.range_events == trainer.range_events


def test_default_range_is_the_targets(problem):
    model = HardwareModel(problem.embedding)
    trainer = embedded_trainer(model, problem.data, progress=False)
    assert trainer.h_range == model.target.h_range
    assert trainer.j_range == model.target.j_range


def test_the_old_name_J_range_still_works_with_a_deprecation_warning(problem):
    model = HardwareModel(problem.embedding)
    with pytest.warns(DeprecationWarning, match="'J_range' is deprecated; use 'j_range'"):
        trainer = embedded_trainer(model, problem.data, J_range=(-0.3, 0.3), progress=False)
    assert trainer.j_range == (-0.3, 0.3)
    with pytest.warns(DeprecationWarning, match="'J_range'"):
        assert trainer.J_range == (-0.3, 0.3)
    with pytest.raises(TypeError, match="'j_range' only"), pytest.warns(DeprecationWarning):
        Trainer(model.to_ising(), model.encode(problem.data), j_range=(-1, 1), J_range=(-1, 1))


def test_callbacks_run_every_k_iterations(problem):
    seen = []
    model = HardwareModel(problem.embedding)
    trainer = embedded_trainer(
        model,
        problem.data,
        SampledMoments(),
        Hyperparameters(num_reads=16),
        progress=False,
        callbacks=[(3, lambda t, it: seen.append(it))],
    )
    trainer.run(10)
    assert seen == [3, 6, 9]
    h = trainer.history
    assert len(h.sampling_seconds) == len(h.norm_J) == len(h.max_abs_J_inter) == 10


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({"learning_rate": -0.1}, r"'learning_rate' must be a finite number in \(0"),
        ({"learning_rate": float("nan")}, "'learning_rate' must be a finite number"),
        ({"momentum": 1.0}, r"'momentum' must be a finite number in \[0.0, 1.0\)"),
        ({"momentum": -0.1}, "'momentum'"),
        ({"l2": -1e-5}, r"'l2' must be a finite number in \[0.0, inf\]"),
        ({"num_reads": 0}, "'num_reads' must be a positive integer"),
        ({"batch_size": 0}, "'batch_size' must be a positive integer"),
        ({"range_policy": "wrap"}, "'range_policy' must be one of"),
    ],
)
def test_bad_hyperparameters_are_refused(kwargs, match):
    with pytest.raises(ValueError, match=match):
        Hyperparameters(**kwargs)


def test_batch_larger_than_the_data_is_refused(problem):
    with pytest.raises(ValueError, match=r"'batch_size' \(501\) must not exceed"):
        Trainer(
            logical_complete_graph(N), problem.data, ExactMoments(), Hyperparameters(batch_size=501)
        )


@pytest.mark.parametrize("bad", [np.zeros((4, N)), np.ones((4, N + 1)), np.ones((0, N))])
def test_bad_data_is_refused(bad):
    with pytest.raises(ValueError, match="'data'"):
        Trainer(logical_complete_graph(N), bad, ExactMoments())


def test_sampler_parameters_are_checked_before_the_first_iteration(problem):
    with pytest.raises(ValueError, match="does not accept"):
        SampledMoments(sampler_parameters={"anealing_time": 5})
    with pytest.raises(ValueError, match="num_reads"):
        SampledMoments(sampler_parameters={"num_reads": 5})
    with pytest.raises(ValueError, match="'seed' is set on every call"):
        SampledMoments(sampler_parameters={"seed": 5})
    with pytest.raises(ValueError, match="'num_sweeps' must be a positive integer"):
        SampledMoments(sampler_parameters={"num_sweeps": 0})
    trainer = Trainer(
        logical_complete_graph(N),
        problem.data,
        SampledMoments(sampler_parameters={"beta_schedule_type": "cubic"}),
        progress=False,
    )
    with pytest.raises(ValueError, match="beta_schedule_type"):
        trainer.step()
    assert trainer.iteration == 0 and not np.any(trainer.velocity_J)


def test_num_iterations_must_be_a_non_negative_integer(problem):
    trainer = Trainer(logical_complete_graph(N), problem.data, ExactMoments(), progress=False)
    with pytest.raises(ValueError, match="'num_iterations'"):
        trainer.run(-1)


def test_num_sweeps_alone_keeps_the_fixed_learning_schedule():
    phase = SampledMoments(sampler_parameters={"num_sweeps": 50})
    assert phase.parameters["beta_schedule_type"] == "custom"
    np.testing.assert_array_equal(phase.parameters["beta_schedule"], np.linspace(0, 1, 50))


def test_sample_moments_in_the_core_are_numpys_figures():
    """int8 samples are reduced by the core (integer sums); any other dtype by
    numpy: the same bits, ties (0) and non-contiguous arrays included, and bad
    indices are refused with the parameter named."""
    from qsample.learning import sample_moments

    rng = np.random.default_rng(3)
    s = np.where(rng.random((37, 50)) < 0.4, -1, 1).astype(np.int8)
    s[rng.random(s.shape) < 0.05] = 0
    irow, icol = rng.integers(0, 50, 300), rng.integers(0, 50, 300)
    for samples in (s, s[::2], s[:, ::-1]):
        core = sample_moments(samples, irow, icol)
        ref = sample_moments(samples.astype(np.float64), irow, icol)
        for a, b in zip(core, ref):
            np.testing.assert_array_equal(a, b)
    with pytest.raises(ValueError, match="icol"):
        sample_moments(s, irow, np.full(300, 50))
