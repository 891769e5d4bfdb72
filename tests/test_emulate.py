"""The emulated device: an unknown, parameter-dependent temperature and noise
on every call, which gray-box learning must absorb without being told."""

from __future__ import annotations

import dimod
import dimod.testing
import numpy as np
import pytest

import qsample
from qsample import exact
from qsample.learning import Hyperparameters, SampledMoments, embedded_trainer
from qsample.learning.moments import sample_moments
from qsample.model import HardwareModel
from qsample.samplers.emulated import EmulatedDevice, parameter_dependent_beta

from problems import moment_errors, sk6


def test_sampler_api():
    dimod.testing.assert_sampler_api(EmulatedDevice(qsample.ExactSampler(), beta=0.5))


def test_the_factor_scales_every_bias():
    bqm = dimod.BinaryQuadraticModel.from_ising({0: 0.3, 1: -0.2}, {(0, 1): 0.8})
    states = np.array([[s0, s1] for s0 in (-1, 1) for s1 in (-1, 1)], dtype=np.int8)
    expected = np.exp(exact.log_probabilities(bqm, states, beta=0.4))
    ss = EmulatedDevice(qsample.ExactSampler(), beta=0.4).sample(bqm, num_reads=40000, seed=1)
    got = np.array([np.mean(np.all(ss.record.sample == s, axis=1)) for s in states])
    sigma = np.sqrt(expected * (1 - expected) / 40000)
    assert np.all(np.abs(got - expected) < 5 * sigma)
    # Energies are under the model as given, not as the device ran it.
    np.testing.assert_allclose(ss.record.energy, bqm.energies((ss.record.sample, ss.variables)))


def test_noise_is_redrawn_on_every_call_and_keeps_the_vartype():
    seen = []

    class Spy(qsample.ExactSampler):
        def sample(self, bqm, **kw):
            seen.append(dict(bqm.linear))
            return super().sample(bqm, **kw)

    device = EmulatedDevice(Spy(), beta=1.0, noise_h=0.1, seed=0)
    bqm = dimod.BinaryQuadraticModel({"a": 1.0, "b": 0.0}, {("a", "b"): -1.0}, 0.5, "BINARY")
    ss = device.sample(bqm, num_reads=5, seed=0)
    device.sample(bqm, num_reads=5, seed=0)
    assert ss.vartype is dimod.BINARY and set(ss.variables) == {"a", "b"}
    assert seen[0] != seen[1]


def test_parameter_dependent_beta_falls_with_the_largest_bias():
    beta = parameter_dependent_beta(base=0.8, slope=0.5)
    small = dimod.BinaryQuadraticModel.from_ising({0: 0.1}, {(0, 1): 0.2})
    large = dimod.BinaryQuadraticModel.from_ising({0: 0.1}, {(0, 1): 2.0})
    assert beta(small) == pytest.approx(0.8 / 1.1)
    assert beta(large) == pytest.approx(0.8 / 2.0)


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({"beta": 0.0}, "'beta'"),
        ({"beta": float("inf")}, "'beta'"),
        ({"noise_h": -1.0}, "'noise_h'"),
        ({"noise_j": float("nan")}, "'noise_j'"),
    ],
)
def test_bad_settings_are_refused(kwargs, match):
    with pytest.raises(ValueError, match=match):
        EmulatedDevice(qsample.ExactSampler(), **kwargs)


def _decoded_through(device, model, calls=10, reads=1000):
    """Decoded moments of the model as the device samples it, averaged over
    calls so the per-call noise averages as it does during learning."""
    decoded = []
    for k in range(calls):
        ss = device.sample(model.to_bqm(), num_reads=reads, seed=100 + k)
        columns = [ss.variables.index(q) for q in model.qubits]
        decoded.append(model.decode(ss.record.sample[:, columns]).values)
    irow, icol = np.triu_indices(decoded[0].shape[1], 1)
    return sample_moments(np.concatenate(decoded), irow, icol)


def test_learning_converges_through_an_unknown_temperature_and_noise():
    problem = sk6()
    # beta_eff = 0.7 / (1 + 0.1 max|bias|): hotter than the programmed scale, and
    # more so as the learned parameters grow; sigma 0.05 noise on every h and J.
    device = EmulatedDevice(
        qsample.ExactSampler(),
        beta=parameter_dependent_beta(0.7, 0.1),
        noise_h=0.05,
        noise_j=0.05,
        seed=3,
    )
    model = HardwareModel(problem.embedding, seed=0)
    trainer = embedded_trainer(
        model,
        problem.data,
        SampledMoments(device),
        Hyperparameters(learning_rate=0.05, num_reads=500, range_policy="ignore"),
        seed=0,
        progress=False,
    )
    before = moment_errors(problem, *_decoded_through(device, model))
    trainer.run(400)
    learned = model.with_parameters(trainer.h, trainer.J)
    after = moment_errors(problem, *_decoded_through(device, learned))
    assert before[1] > 0.5
    assert max(after) < 0.08, after
    # The learner compensated a temperature it never saw: the same parameters
    # sampled at the programmed scale (beta = 1, no noise) do not match the data.
    exact_device = EmulatedDevice(qsample.ExactSampler(), beta=1.0)
    assert max(moment_errors(problem, *_decoded_through(exact_device, learned))) > 0.1
