"""The D-Wave backend, offline against a stand-in with a DWaveSampler's
structure and properties, and against a real QPU when a token is configured."""

from __future__ import annotations

import dimod
import dimod.testing
import numpy as np
import pytest

from qsample import dwave as qdw
from qsample import hardware as hw
from qsample.learning import Hyperparameters
from qsample.model import HardwareModel

from problems import sk6


@pytest.fixture(scope="module")
def qpu():
    return qdw.qpu_stand_in(hw.chimera(2))


def test_stand_in_looks_like_a_dwave_sampler(qpu):
    dimod.testing.assert_sampler_api(qpu)
    dimod.testing.assert_composite_api(qpu)
    dimod.testing.assert_structured_api(qpu)
    props = qpu.properties
    for key in ("qubits", "couplers", "h_range", "j_range", "topology", "parameters"):
        assert key in props
    assert {"auto_scale", "annealing_time", "programming_thermalization"} <= set(qpu.parameters)


def test_target_from_the_sampler_has_its_graph_and_ranges(qpu):
    target = qdw.target_of(qpu)
    assert target.family == "chimera" and target.shape == (2, 2, 4)
    assert set(target.graph.nodes) == set(qpu.nodelist)
    assert target.num_couplers == len(qpu.edgelist)
    assert target.h_range == (-2.0, 2.0) and target.j_range == (-1.0, 1.0)


def test_pegasus_stand_in_round_trips_its_target():
    qpu = qdw.qpu_stand_in(hw.pegasus(2))
    assert qdw.target_of(qpu).family == "pegasus"
    emb = qdw.embed(qpu, 4, clique=True)
    assert set(emb.chains) == {0, 1, 2, 3}


def test_auto_scale_false_refuses_out_of_range_and_true_rescales(qpu):
    a, b = qpu.edgelist[0]
    bqm = dimod.BinaryQuadraticModel.from_ising({a: 0.0, b: 0.0}, {(a, b): -3.0})
    with pytest.raises(ValueError, match="outside the solver's range"):
        qpu.sample(bqm, num_reads=2, auto_scale=False)
    # Rescaled to J = -1, the full range: the spins agree with probability
    # 1 / (1 + e^-2) = 0.88 at the end of the schedule, not 0.998 as at J = -3.
    ss = qpu.sample(bqm, num_reads=2000, seed=1)
    agree = np.mean(ss.record.sample[:, 0] == ss.record.sample[:, 1])
    assert 0.82 < agree < 0.94, agree


def test_qpu_keywords_pass_through_and_structure_is_enforced(qpu):
    bqm = dimod.BinaryQuadraticModel.from_ising({qpu.nodelist[0]: 0.5}, {})
    ss = qpu.sample(
        bqm,
        num_reads=3,
        annealing_time=20,
        programming_thermalization=1000,
        readout_thermalization=0,
        auto_scale=False,
    )
    assert len(ss) == 3
    with pytest.raises(dimod.BinaryQuadraticModelStructureError):
        qpu.sample(dimod.BinaryQuadraticModel.from_ising({}, {("x", "y"): 1.0}))


def test_training_with_the_qpu_as_the_physical_sampler(qpu):
    problem = sk6()
    embedding = qdw.embed(qpu, 6, tries=5, seed=0)
    model = HardwareModel(embedding, seed=0)
    calls = []

    class Recording(qdw.QPUStandIn):
        def sample(self, bqm, **kwargs):
            calls.append((set(bqm.variables), kwargs))
            return super().sample(bqm, **kwargs)

    recording = Recording(qpu.child, qpu.nodelist, qpu.edgelist)
    trainer = qdw.trainer(
        recording,
        model,
        problem.data,
        Hyperparameters(learning_rate=0.05, num_reads=200),
        sampler_parameters={"annealing_time": 20},
        progress=False,
    )
    trainer.run(40)
    # The physical model goes to the device as it is: its own qubits, unscaled.
    variables, kwargs = calls[-1]
    assert variables == set(model.qubits)
    assert kwargs["auto_scale"] is False and kwargs["annealing_time"] == 20
    assert kwargs["num_reads"] == 200
    assert trainer.j_range == (-1.0, 1.0)
    assert trainer.history.moment_error_J[-1] < 0.5 * trainer.history.moment_error_J[0]


def test_a_model_off_the_device_is_refused(qpu):
    problem = sk6()
    other = qdw.qpu_stand_in(hw.chimera(3))
    model = HardwareModel(qdw.embed(other, 6, tries=2, seed=1), seed=0)
    if set(model.qubits) <= set(qpu.nodelist):
        pytest.skip("the embedding happens to fit the smaller device")
    with pytest.raises(ValueError, match="qubits the sampler does not have"):
        qdw.trainer(qpu, model, problem.data)


def test_sampler_parameter_names_are_checked(qpu):
    with pytest.raises(ValueError, match="does not accept"):
        qdw.qpu_negative_phase(qpu, sampler_parameters={"anneal_time": 20})


def test_missing_dwave_system_says_what_to_install(monkeypatch):
    import builtins

    real_import = builtins.__import__

    def no_system(name, *args, **kwargs):
        if name.startswith("dwave.system"):
            raise ImportError(name)
        return real_import(name, *args, **kwargs)

    monkeypatch.setattr(builtins, "__import__", no_system)
    with pytest.raises(ImportError, match=r"pip install 'qsample\[dwave\]'"):
        qdw.connect()


@pytest.mark.skipif(
    not qdw.has_token(),
    reason="no D-Wave API token configured "
    "(set DWAVE_API_TOKEN or run 'dwave setup' to run this on a QPU)",
)
def test_real_qpu_learning_step():  # pragma: no cover - needs a QPU
    qpu = qdw.connect()
    problem = sk6()
    model = HardwareModel(qdw.embed(qpu, 6, tries=5, seed=0), seed=0)
    trainer = qdw.trainer(qpu, model, problem.data, Hyperparameters(num_reads=100), progress=False)
    trainer.run(2)
    assert trainer.iteration == 2
