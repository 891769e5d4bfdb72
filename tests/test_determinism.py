"""A seed fixes the samples whatever the thread count; the GIL is released."""

from __future__ import annotations

import threading
import time

import numpy as np
import pytest

from qsample import SimulatedAnnealingSampler
from qsample.ising import from_bqm

from conftest import random_bqm


@pytest.mark.parametrize("randomize_order", [False, True])
@pytest.mark.parametrize("criterion", ["Metropolis", "Gibbs"])
def test_same_seed_same_samples_for_any_thread_count(randomize_order, criterion):
    bqm = random_bqm(40, 7, density=0.2)
    kwargs = dict(
        num_reads=37,
        num_sweeps=50,
        seed=123,
        randomize_order=randomize_order,
        proposal_acceptance_criteria=criterion,
    )
    sampler = SimulatedAnnealingSampler()
    one = sampler.sample(bqm, num_threads=1, **kwargs).record.sample
    two = sampler.sample(bqm, num_threads=2, **kwargs).record.sample
    five = sampler.sample(bqm, num_threads=5, **kwargs).record.sample
    np.testing.assert_array_equal(one, two)
    np.testing.assert_array_equal(one, five)
    other = sampler.sample(bqm, num_threads=2, **{**kwargs, "seed": 124}).record.sample
    assert not np.array_equal(one, other)


def test_reads_do_not_depend_on_how_many_reads_are_asked_for():
    # Read r follows stream (seed, r): asking for more reads keeps the first ones.
    bqm = random_bqm(20, 2, density=0.3)
    sampler = SimulatedAnnealingSampler()
    few = sampler.sample(bqm, num_reads=5, num_sweeps=30, seed=8).record.sample
    many = sampler.sample(bqm, num_reads=40, num_sweeps=30, seed=8).record.sample
    np.testing.assert_array_equal(few, many[:5])


def test_gil_is_released_during_sampling():
    ising = from_bqm(random_bqm(200, 1, density=0.05))
    betas = np.linspace(0.1, 2.0, 300)
    barrier = threading.Barrier(2)
    spans: list[tuple[float, float]] = []

    def run() -> None:
        barrier.wait()
        start = time.perf_counter()
        SimulatedAnnealingSampler().sample_arrays(
            ising, 64, 1, beta_schedule_type="custom", beta_schedule=betas, num_threads=1
        )
        spans.append((start, time.perf_counter()))

    threads = [threading.Thread(target=run) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    (a0, a1), (b0, b1) = spans
    # Held GIL would serialise the two native calls: one would start after the other ends.
    overlap = min(a1, b1) - max(a0, b0)
    assert overlap > 0.5 * min(a1 - a0, b1 - b0), spans


def test_python_threads_run_while_core_samples():
    ising = from_bqm(random_bqm(200, 1, density=0.05))
    betas = np.linspace(0.1, 2.0, 400)
    ticks = [0]
    done = threading.Event()
    in_call = threading.Event()

    def count() -> None:
        in_call.wait()
        while not done.is_set():
            ticks[0] += 1

    counter = threading.Thread(target=count)
    counter.start()
    in_call.set()
    before = ticks[0]
    SimulatedAnnealingSampler().sample_arrays(
        ising, 64, 1, beta_schedule_type="custom", beta_schedule=betas, num_threads=1
    )
    during = ticks[0] - before
    done.set()
    counter.join()
    assert during > 1000
