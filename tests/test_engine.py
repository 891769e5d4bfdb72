"""The sampler engine: read r of a seed is the same in any call (offsets, read
counts, thread counts, SIMD builds), one sampler protocol that the learning
loop dispatches on, a native model built once, the learning schedule reaching
qsample's annealer through composites, and precision chosen from the model."""

from __future__ import annotations

import hashlib
import os
import subprocess
import sys
import textwrap

import dimod
import numpy as np
import pytest

import qsample
from qsample import _core, exact
from qsample.execution import sample_in_chunks
from qsample.ising import from_bqm
from qsample.learning import Hyperparameters, SampledMoments, Trainer, embedded_trainer
from qsample.learning.phases import DEFAULT_SA_PARAMETERS
from qsample.model import HardwareModel
from qsample.samplers.base import has_array_entry_point
from qsample.samplers.emulated import EmulatedDevice

from conftest import random_bqm
from problems import sk6

SA = qsample.SimulatedAnnealingSampler()


def glass(n: int = 60, seed: int = 3) -> qsample.IsingArrays:
    return from_bqm(random_bqm(n, seed, density=0.15))


# -- read r of a seed ----------------------------------------------------------------
@pytest.mark.parametrize("randomize_order", [False, True])
@pytest.mark.parametrize("criterion", ["Metropolis", "Gibbs"])
def test_calls_with_read_offsets_concatenate_to_one_call(randomize_order, criterion):
    ising = glass()
    kw = dict(
        num_sweeps=40, randomize_order=randomize_order, proposal_acceptance_criteria=criterion
    )
    whole = SA.sample_arrays(ising, 45, 11, **kw)
    # Pieces that cut lane groups anywhere, including single reads (the
    # spin-parallel kernel) and a partial group.
    pieces = [(0, 1), (1, 2), (3, 14), (17, 16), (33, 12)]
    parts = [SA.sample_arrays(ising, n, 11, read_offset=off, **kw) for off, n in pieces]
    np.testing.assert_array_equal(np.concatenate(parts), whole)


def test_each_read_alone_is_the_read_of_a_large_call():
    ising = glass(200, 5)
    many = SA.sample_arrays(ising, 40, 2, num_sweeps=30)
    for r in (0, 7, 16, 39):
        one = SA.sample_arrays(ising, 1, 2, num_sweeps=30, read_offset=r)
        np.testing.assert_array_equal(one[0], many[r])


def test_exact_samples_split_by_offset():
    ising = from_bqm(random_bqm(10, 4))
    whole = qsample.ExactSampler().sample_arrays(ising, 30, 5, beta=0.7)
    parts = [
        qsample.ExactSampler().sample_arrays(ising, n, 5, read_offset=o, beta=0.7)
        for o, n in [(0, 13), (13, 17)]
    ]
    np.testing.assert_array_equal(np.concatenate(parts), whole)


def test_chunked_sampling_with_the_annealer_equals_one_call():
    ising = glass()
    whole = SA.sample_arrays(ising, 100, 9, num_sweeps=20)
    chunked = sample_in_chunks(SA, ising, 100, 9, chunk_reads=23, num_sweeps=20)
    np.testing.assert_array_equal(chunked, whole)


def _samples_digest(simd: str) -> str:
    code = textwrap.dedent("""
        import hashlib, numpy as np, qsample
        from qsample.ising import from_bqm
        import dimod
        rng = np.random.default_rng(0)
        n = 50
        J = {(i, j): float(rng.normal()) for i in range(n) for j in range(i + 1, n)
             if rng.random() < 0.2}
        h = {i: float(rng.normal()) for i in range(n)}
        ising = from_bqm(dimod.BinaryQuadraticModel.from_ising(h, J))
        sa = qsample.SimulatedAnnealingSampler()
        out = [qsample._core.simd_kernel()]
        for precision in ("single", "double"):
            for crit in ("Metropolis", "Gibbs"):
                for reads in (3, 37):
                    s = sa.sample_arrays(ising, reads, 4, num_sweeps=50, precision=precision,
                                         proposal_acceptance_criteria=crit)
                    out.append(hashlib.sha256(s.tobytes()).hexdigest())
        print(" ".join(out))
    """)
    env = {**os.environ, "QSAMPLE_SIMD": simd}
    return subprocess.run(
        [sys.executable, "-c", code], env=env, check=True, capture_output=True, text=True
    ).stdout.split()


def test_simd_builds_give_bit_identical_samples():
    levels = {"baseline": _samples_digest("baseline")}
    best = _core.simd_kernel()
    for level in ("avx2", "avx512"):
        if level == best or (level == "avx2" and best == "avx512"):
            levels[level] = _samples_digest(level)
    assert levels["baseline"][0] == "baseline"
    digests = {tuple(v[1:]) for v in levels.values()}
    assert len(digests) == 1, {k: v[0] for k, v in levels.items()}


def test_read_counts_do_not_change_samples_across_thread_counts():
    ising = glass(120, 1)
    one = SA.sample_arrays(ising, 50, 3, num_sweeps=20, num_threads=1)
    three = SA.sample_arrays(ising, 50, 3, num_sweeps=20, num_threads=3)
    np.testing.assert_array_equal(one, three)


# -- the protocol and the negative phase ------------------------------------------------
def test_negative_phase_dispatches_on_the_protocol_and_honours_overrides():
    calls = []

    class OwnSample(qsample.SimulatedAnnealingSampler):
        def sample(self, bqm, **kw):
            calls.append("sample")
            return super().sample(bqm, **kw)

    class OwnArrays(qsample.SimulatedAnnealingSampler):
        def sample_arrays(self, model, num_reads=None, seed=None, **kw):
            calls.append("sample_arrays")
            return super().sample_arrays(model, num_reads, seed, **kw)

    ising = glass(20)
    assert has_array_entry_point(SA) and has_array_entry_point(qsample.ExactSampler())
    assert not has_array_entry_point(OwnSample())
    assert has_array_entry_point(OwnArrays())
    SampledMoments(OwnSample())(ising, 8, 0)
    SampledMoments(OwnArrays())(ising, 8, 0)
    assert calls == ["sample", "sample_arrays"]


def test_learning_parameters_are_checked_as_sample_checks_them():
    ising = glass(20)
    # Case-insensitive criterion, as dwave-samplers and sample() take it: Gibbs, not Metropolis.
    phase = SampledMoments(SA, {"proposal_acceptance_criteria": "gibbs", "num_sweeps": 30})
    gibbs = SA.sample_arrays(
        ising,
        16,
        5,
        proposal_acceptance_criteria="Gibbs",
        **{k: v for k, v in phase.parameters.items() if k != "proposal_acceptance_criteria"},
    )
    np.testing.assert_array_equal(phase(ising, 16, 5).samples, gibbs)
    for bad, error in [
        ({"randomize_order": "no"}, TypeError),
        ({"proposal_acceptance_criteria": "heat-bath"}, ValueError),
        ({"initial_states_generator": "tile"}, ValueError),
    ]:
        with pytest.raises(error, match=next(iter(bad))):
            SampledMoments(SA, bad).validate(ising, 10)
        with pytest.raises(error, match=next(iter(bad))):
            SA.sample(ising.to_bqm(), **bad)


def test_fixed_variables_and_initial_states_reach_the_negative_phase():
    ising = glass(20)
    fixed = {ising.variables[0]: 1, ising.variables[3]: -1}
    result = SampledMoments(SA, {"fixed_variables": fixed})(ising, 32, 1)
    assert np.all(result.samples[:, 0] == 1) and np.all(result.samples[:, 3] == -1)
    start = np.ones((32, ising.num_variables), dtype=np.int8)
    kept = SampledMoments(
        SA, {"initial_states": start, "num_sweeps": 0, "beta_schedule_type": "linear"}
    )(ising, 32, 1)
    np.testing.assert_array_equal(kept.samples, start)


def test_the_trainer_builds_the_native_structure_once(monkeypatch):
    problem = sk6()
    built = []
    real = _core.IsingModel

    def counting(*args):
        built.append(args[0])
        return real(*args)

    monkeypatch.setattr("qsample.ising._core.IsingModel", counting)
    model = HardwareModel(problem.embedding, seed=0)
    trainer = embedded_trainer(
        model,
        problem.data,
        SampledMoments(),
        Hyperparameters(num_reads=40, range_policy="ignore"),
        seed=0,
        progress=False,
    )
    trainer.run(6)
    assert built == [model.num_qubits]
    assert trainer.negative.samples.shape == (40, model.num_qubits)


def _learned(sampler, parameters=None, iterations=150):
    problem = sk6()
    model = HardwareModel(problem.embedding, seed=0)
    trainer = embedded_trainer(
        model,
        problem.data,
        SampledMoments(sampler, parameters),
        Hyperparameters(learning_rate=0.05, num_reads=300, range_policy="ignore"),
        seed=0,
        progress=False,
    )
    trainer.run(iterations)
    return trainer


def test_the_learning_schedule_reaches_the_annealer_inside_composites():
    default = _learned(
        EmulatedDevice(SA, beta=3.0, noise_h=0.03, noise_j=0.03, seed=1), iterations=60
    )
    by_hand = _learned(
        EmulatedDevice(SA, beta=3.0, noise_h=0.03, noise_j=0.03, seed=1),
        dict(DEFAULT_SA_PARAMETERS),
        iterations=60,
    )
    np.testing.assert_array_equal(default.h, by_hand.h)
    np.testing.assert_array_equal(default.J, by_hand.J)
    tracked = dimod.TrackingComposite(SA)
    phase = SampledMoments(tracked)
    phase(glass(12), 4, 0)
    assert tracked.input["beta_schedule_type"] == "custom"
    np.testing.assert_array_equal(
        tracked.input["beta_schedule"], DEFAULT_SA_PARAMETERS["beta_schedule"]
    )


def test_learning_through_an_emulated_device_with_the_annealer_converges():
    problem = sk6()
    device = EmulatedDevice(SA, beta=3.0, noise_h=0.01, noise_j=0.01, seed=1)
    trainer = _learned(device, iterations=300)
    model = HardwareModel(problem.embedding, seed=0).with_parameters(trainer.h, trainer.J)
    phase = SampledMoments(device)
    # Averaged over calls, as the per-call noise averages out during learning.
    decoded = np.concatenate(
        [model.decode(phase.draw(model.to_ising(), 1000, k)).values for k in range(10)]
    ).astype(float)
    irow, icol = np.triu_indices(decoded.shape[1], 1)
    corr = (decoded[:, irow] * decoded[:, icol]).mean(axis=0)
    assert np.abs(corr - problem.data_correlation).max() < 0.12
    assert np.abs(decoded.mean(axis=0) - problem.data_mean).max() < 0.12


def test_a_composite_that_hides_the_schedule_is_refused():
    class Opaque(dimod.ComposedSampler):
        children = [SA]
        parameters = {"num_reads": []}
        properties = {}

        def sample(self, bqm, **kw):
            return SA.sample(bqm, **kw)

    with pytest.raises(ValueError, match="learning schedule"):
        SampledMoments(Opaque())


def test_exact_negative_phase_needs_no_samples():
    problem = sk6()
    ising = qsample.learning.logical_complete_graph(6, seed=0)
    trainer = Trainer(ising, problem.data, qsample.ExactMoments(), progress=False)
    trainer.run(2)
    assert trainer.negative.samples is None


# -- sizes, threads, precision -------------------------------------------------------------
def test_requests_that_would_not_fit_in_memory_are_refused_up_front():
    bqm = random_bqm(8, 0)
    with pytest.raises(MemoryError, match="num_reads"):
        SA.sample(bqm, num_reads=10**12)
    with pytest.raises(MemoryError, match="num_reads"):
        qsample.ExactSampler().sample(bqm, num_reads=10**10)
    with pytest.raises(MemoryError, match="num_reads"):
        exact.sample(bqm, 2**61)
    with pytest.raises(MemoryError):
        _core.anneal(from_bqm(bqm).native(), np.ones(1), 1, 2**62, 0)
    with pytest.raises(MemoryError):
        _core.exact_sample(from_bqm(bqm).native(), 1.0, 2**62, 0)


@pytest.mark.parametrize(
    "sampler",
    [SA, qsample.ParallelTemperingSampler(), qsample.SimulatedQuantumAnnealingSampler()],
    ids=["sa", "pt", "sqa"],
)
def test_many_reads_of_no_variables_need_no_work(sampler):
    sampleset = sampler.sample(dimod.BQM("SPIN"), num_reads=10**6, seed=1)
    assert len(sampleset) == 10**6 and not sampleset.variables
    assert np.all(sampleset.record.energy == 0)


def test_thread_counts_are_bounded():
    with pytest.raises(ValueError, match="num_threads"):
        SA.sample(random_bqm(5, 0), num_threads=10**6)
    with pytest.raises(ValueError, match="num_threads"):
        _core.anneal(glass(5).native(), np.ones(1), 1, 2, 0, num_threads=10**6)


@pytest.mark.parametrize("scale", [1e-40, 1e-30, 1e30])
def test_any_overall_scale_anneals_as_the_unit_model(scale):
    # Only beta * E matters: a model scaled by any factor inside the float
    # range gives the same samples (below f32's range the fields used to
    # vanish; above it the couplings became infinite).
    base = random_bqm(14, 8, density=0.4)
    scaled = base.copy()
    scaled.scale(scale)
    kw = dict(num_reads=100, seed=2, num_sweeps=300)
    unit = SA.sample(base, **kw)
    got = SA.sample(scaled, **kw)
    assert got.info["precision"] == unit.info["precision"]
    np.testing.assert_array_equal(got.record.sample, unit.record.sample)


def _cancelling_model(big: float) -> dimod.BinaryQuadraticModel:
    """Spin 'x' feels two couplings of size ``big`` that cancel but for 3, from
    spins pinned by fields of 1000 * big, and a field of -2: its net field is
    +1, so at beta = 1 P(x = -1) = e / (e + 1/e) = 0.881. Rounded to single
    precision the 3 and the -2 are lost beside the big terms."""
    return dimod.BinaryQuadraticModel.from_ising(
        {"x": -2.0, "j": -1000 * big, "k": -1000 * big}, {("x", "j"): big + 3.0, ("x", "k"): -big}
    )


def test_wide_dynamic_range_anneals_in_double_precision():
    bqm = _cancelling_model(1e9)
    kw = dict(num_reads=2000, seed=2, beta_schedule_type="custom", beta_schedule=[1.0] * 20)
    ss = SA.sample(bqm, **kw)
    assert ss.info["precision"] == "double"
    p_down = float(np.mean(ss.record.sample[:, ss.variables.index("x")] == -1))
    expected = np.e / (np.e + 1 / np.e)
    assert abs(p_down - expected) < 5 * np.sqrt(expected * (1 - expected) / 2000)
    forced = SA.sample(bqm, precision="single", **kw)
    wrong = float(np.mean(forced.record.sample[:, forced.variables.index("x")] == -1))
    assert abs(wrong - expected) > 0.2  # what "auto" avoids
    # The same shape with small couplings is exact in single precision.
    assert SA.sample(_cancelling_model(1.0), **kw).info["precision"] == "single"


def test_exact_enumeration_of_huge_finite_biases_is_exact_or_refused():
    bqm = random_bqm(8, 1)
    big = bqm.copy()
    big.scale(1e300)
    small = exact.moments(bqm, beta=1.0)
    m = exact.moments(big, beta=1e-300)
    np.testing.assert_allclose(m.mean, small.mean, atol=1e-9)
    assert np.isfinite(m.log_partition)
    with pytest.raises(ValueError, match="beta"):
        exact.log_partition(big, beta=1.0)


def test_a_nan_or_infinite_offset_is_refused():
    for bad in (np.nan, np.inf):
        bqm = dimod.BinaryQuadraticModel.from_ising({0: 1.0}, {}, offset=bad)
        with pytest.raises(ValueError, match="offset"):
            SA.sample(bqm)
        with pytest.raises(ValueError, match="offset"):
            exact.log_partition(bqm)


def test_ctrl_c_stops_a_long_native_call_promptly(tmp_path):
    script = tmp_path / "long.py"
    script.write_text(
        textwrap.dedent("""
        import signal, sys, time, numpy as np, qsample
        from qsample.ising import from_bqm
        import dimod
        # A shell's background job starts with SIGINT ignored, and Python then
        # installs no Ctrl-C handler: ask for the one an interactive run has.
        signal.signal(signal.SIGINT, signal.default_int_handler)
        n = 400
        bqm = dimod.BinaryQuadraticModel.from_ising(
            {}, {(i, (i + 1) % n): 1.0 for i in range(n)})
        print("start", flush=True)
        try:
            qsample.SimulatedAnnealingSampler().sample(bqm, num_reads=64, num_sweeps=10**7)
        except KeyboardInterrupt:
            print("KeyboardInterrupt at", time.monotonic(), flush=True)
            sys.exit(3)
    """)
    )
    import signal
    import time

    proc = subprocess.Popen([sys.executable, str(script)], stdout=subprocess.PIPE, text=True)
    assert proc.stdout.readline().strip() == "start"
    time.sleep(1.5)
    sent = time.monotonic()
    proc.send_signal(signal.SIGINT)
    try:
        rc = proc.wait(timeout=20)
    finally:
        proc.kill()
    out = proc.stdout.read()
    assert rc == 3, out
    stopped = float(out.split("KeyboardInterrupt at")[1])
    assert stopped - sent < 1.0, stopped - sent


def _digest(a: np.ndarray) -> str:
    return hashlib.sha256(np.ascontiguousarray(a).tobytes()).hexdigest()


def test_the_benchmark_runs(capsys):
    pytest.importorskip("dwave.samplers")
    from qsample.benchmark import main

    assert (
        main(
            ["--reads", "1,17", "--sweeps", "3", "--repeats", "1", "--problems", "gaussian,bas,k46"]
        )
        == 0
    )
    table = capsys.readouterr().out
    rows = [line for line in table.splitlines() if line.startswith("| ")]
    assert len(rows) == 1 + 6  # the header, then 3 problems x 2 read counts
