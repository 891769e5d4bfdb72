"""Hostile inputs, driven by hypothesis: every public sampler (SA, exact,
parallel tempering, SQA, persistent chains, the emulated device; their dimod
and array entry points; ``qsample.exact``, ``qsample.ais``,
``qsample.energies``) and every loader (models, embeddings, checkpoints, users'
data files, grid specs, the command line's readers), given malformed input,
either gives a correct result or raises ``ValueError``, ``TypeError`` or
``MemoryError`` whose message names the parameter (or the file) at fault.

A correct result is one for the model given: energies equal dimod's, samples
are spins (or 0/1) over the model's variables and hold the fixed ones, both
doors of a sampler give the same reads, exact quantities equal a brute-force
enumeration. Never another exception, a panic (pyo3's ``PanicException`` is a
``BaseException``), an abort or a hang.

Accepted calls are small, so they finish at once. Requests too large to ever
fit, which must be refused before anything is allocated, run in a subprocess:
an abort there fails a test instead of killing the test run.
"""

from __future__ import annotations

import contextlib
import io
import json
import math
import os
import shutil
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import dimod
import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

import qsample
from qsample import (
    Embedding,
    EmulatedDevice,
    ExactSampler,
    HardwareModel,
    IsingArrays,
    ParallelTemperingSampler,
    PersistentChainSampler,
    SimulatedAnnealingSampler,
    SimulatedQuantumAnnealingSampler,
    ais,
    datafiles,
    exact,
)
from qsample import embedding as em
from qsample import hardware as hw
from qsample.cli import main
from qsample.execution import GridSpec, grid_spec_from_file
from qsample.ising import from_bqm, sorted_variables
from qsample.learning import ExactMoments, Hyperparameters, Trainer, read_checkpoint
from qsample.learning.trainer import logical_complete_graph

from conftest import all_spin_states

# Biases at the ends of the float range overflow sums to inf (numpy warns; the
# results say inf, as dimod's do), and all-zero models get the schedule's warning.
pytestmark = [
    pytest.mark.filterwarnings("ignore:overflow encountered:RuntimeWarning"),
    pytest.mark.filterwarnings("ignore:All biases are zero:UserWarning"),
]

ALLOWED = (ValueError, TypeError, MemoryError)
#: What a call that was refused returns in these tests.
REFUSED = object()
#: The parts of a model an error may name when the model itself is at fault.
MODEL_PARTS = ("bqm", "model", "h", "J", "offset", "variables", "irow", "icol")
FEW = settings(max_examples=100, suppress_health_check=[HealthCheck.too_slow])
SLOW = settings(max_examples=10, suppress_health_check=[HealthCheck.too_slow])


def attempt(call: Callable[[], Any], *names: str) -> Any:
    """``call()``, or REFUSED if it raised an allowed error whose message names
    one of ``names`` (parameters, quoted as the messages quote them, or files)."""
    try:
        return call()
    except ALLOWED as e:
        text = str(e)
        quoted = [n if ("/" in n or n.startswith("'")) else f"'{n}'" for n in names]
        assert any(q in text for q in quoted), f"{type(e).__name__} names none of {quoted}: {text}"
        return REFUSED
    except KeyboardInterrupt:
        raise
    except BaseException as e:  # a panic is a BaseException
        raise AssertionError(f"{type(e).__name__} escaped: {e}") from e


# -- hostile values --------------------------------------------------------------------
NOT_INTEGERS = st.one_of(
    st.floats(allow_nan=True, allow_infinity=True),
    st.text(max_size=2),
    st.none(),
    st.booleans(),
    st.just([1]),
    st.just(np.float64(2.0)),
    st.just(object()),
)
NEGATIVE = st.sampled_from([-1, -(2**63), -(2**64), np.int64(-5)])
#: Beyond every bound a count may have (refused by range, not by memory).
BEYOND = st.sampled_from([2**64, 2**65, 10**30])
FLOATS = st.one_of(
    st.floats(-3, 3),
    st.floats(allow_nan=True, allow_infinity=True),
    st.sampled_from([0.0, 5e-324, 1e-300, 1e300, -1e308, 1e308]),
)
JUNK = st.one_of(
    NOT_INTEGERS,
    NEGATIVE,
    BEYOND,
    st.dictionaries(st.integers(0, 3), st.integers(-2, 2)),
    st.just(np.zeros((2, 2, 2))),
)


def count(valid: st.SearchStrategy, zero_allowed: bool = False) -> st.SearchStrategy:
    bad = [NEGATIVE, BEYOND, NOT_INTEGERS] + ([] if zero_allowed else [st.just(0)])
    return st.one_of(valid, *bad)


def seeds() -> st.SearchStrategy:
    return st.one_of(st.none(), st.integers(0, 2**64 - 1), NEGATIVE, st.just(2**64), NOT_INTEGERS)


# -- models ---------------------------------------------------------------------------
LABELS = st.one_of(
    st.integers(-2, 5), st.text("ab", max_size=2), st.tuples(st.integers(0, 1), st.integers(0, 1))
)


@st.composite
def bqms(draw: Any, max_variables: int = 4) -> dimod.BinaryQuadraticModel:
    labels = draw(st.lists(LABELS, max_size=max_variables, unique=True))
    linear = {v: draw(FLOATS) for v in labels}
    quadratic = {}
    if len(labels) > 1:
        for a, b in draw(
            st.lists(st.tuples(st.sampled_from(labels), st.sampled_from(labels)), max_size=6)
        ):
            if a != b:
                quadratic[(a, b)] = draw(FLOATS)
    vartype = draw(st.sampled_from([dimod.SPIN, dimod.BINARY]))
    return dimod.BinaryQuadraticModel(linear, quadratic, draw(FLOATS), vartype)


NOT_MODELS = st.one_of(
    st.none(),
    st.integers(),
    st.text(max_size=3),
    st.just({0: 1.0}),
    st.just(dimod.ConstrainedQuadraticModel()),
    st.just([np.zeros(2)]),
    st.just((np.zeros(2),)),
    st.just((np.zeros(2), np.zeros(2), 0)),
)


@st.composite
def matrix_models(draw: Any) -> tuple[Any, Any]:
    """``(h, J)`` pairs, well formed or not."""
    n = draw(st.integers(0, 4))
    h = draw(
        st.one_of(
            hnp.arrays(np.float64, n, elements=FLOATS),
            hnp.arrays(
                np.float64, hnp.array_shapes(min_dims=0, max_dims=2, max_side=3), elements=FLOATS
            ),
            st.just(["a"] * n),
            st.just([[1.0], [1.0, 2.0]]),
            NOT_INTEGERS,
        )
    )
    J = draw(
        st.one_of(
            hnp.arrays(np.float64, (n, n), elements=FLOATS),
            hnp.arrays(np.float64, (n, n), elements=st.floats(-2, 2)).map(lambda a: np.triu(a, 1)),
            hnp.arrays(
                np.float64, hnp.array_shapes(min_dims=0, max_dims=3, max_side=3), elements=FLOATS
            ),
            st.just([[0.0, 1.0], [0.0]]),
            NOT_INTEGERS,
        )
    )
    return h, J


def matrix_bqm(h: Any, J: Any) -> dimod.BinaryQuadraticModel:
    """The model an accepted ``(h, J)`` pair stands for, built by dimod alone
    (strict upper triangle of J)."""
    h, J = np.asarray(h, dtype=float), np.asarray(J, dtype=float)
    n = len(h)
    return dimod.BinaryQuadraticModel.from_ising(
        {i: h[i] for i in range(n)},
        {(i, j): J[i, j] for i in range(n) for j in range(i + 1, n) if J[i, j] != 0},
    )


@st.composite
def arrays_models(draw: Any) -> dict[str, Any]:
    """The fields of an IsingArrays, well formed or not."""
    n = draw(st.integers(0, 4))
    m = draw(st.integers(0, 4))
    index = st.one_of(
        st.integers(0, max(n - 1, 0)),
        st.integers(-2, n + 2),
        st.sampled_from([2**63 - 1, -(2**63)]),
    )
    indices = st.one_of(
        hnp.arrays(np.int64, m, elements=index),
        hnp.arrays(np.float64, m, elements=st.floats(0, 3)),
        st.just(np.array([2**64 - 1] * m, dtype=np.uint64)),
        st.lists(st.integers(0, 3), max_size=4),
    )
    return {
        "variables": draw(
            st.one_of(
                st.lists(LABELS, min_size=n, max_size=n, unique=True),
                st.lists(st.integers(0, 1), min_size=n, max_size=n),
                st.just([[0]] * n),
            )
        ),
        "h": draw(
            st.one_of(
                hnp.arrays(np.float64, n, elements=FLOATS),
                hnp.arrays(np.float64, (n, 1)),
                st.just(["x"] * n),
                st.lists(FLOATS, max_size=5),
            )
        ),
        "irow": draw(indices),
        "icol": draw(indices),
        "J": draw(
            st.one_of(
                hnp.arrays(np.float64, m, elements=FLOATS),
                hnp.arrays(np.complex128, m),
                st.lists(FLOATS, max_size=5),
            )
        ),
        "offset": draw(st.one_of(FLOATS, st.text(max_size=1), st.just(10**400))),
    }


def sane(bqm: dimod.BinaryQuadraticModel) -> bool:
    """Whether energies of ``bqm`` can be compared: finite biases whose sums
    stay far from the ends of the float range (in either vartype)."""
    spin = bqm.spin
    values = np.array(
        [
            *spin.linear.values(),
            *spin.quadratic.values(),
            spin.offset,
            *bqm.linear.values(),
            *bqm.quadratic.values(),
            bqm.offset,
        ],
        dtype=float,
    )
    return bool(
        np.all(np.isfinite(values))
        and np.abs(values).sum() < 1e200
        and np.all((values == 0) | (np.abs(values) > 1e-200))
    )


def scale(bqm: dimod.BinaryQuadraticModel) -> float:
    spin = bqm.spin
    return 1.0 + float(
        sum(map(abs, (*spin.linear.values(), *spin.quadratic.values(), spin.offset)))
    )


# -- what a correct result is ---------------------------------------------------------
def check_sampleset(
    ss: Any,
    bqm: dimod.BinaryQuadraticModel,
    num_reads: int | None,
    fixed: dict[Any, Any] | None = None,
) -> None:
    """``ss`` holds reads of ``bqm``: its variables and vartype, ``num_reads``
    of them (when known), energies as dimod computes them, fixed values held."""
    assert isinstance(ss, dimod.SampleSet)
    assert ss.vartype is bqm.vartype
    assert set(ss.variables) == set(bqm.variables)
    allowed = {-1, 1} if bqm.vartype is dimod.SPIN else {0, 1}
    assert set(np.unique(ss.record.sample).tolist()) <= allowed
    if num_reads is not None:
        assert int(ss.record.num_occurrences.sum()) == num_reads
    if sane(bqm) and len(ss):
        np.testing.assert_allclose(
            ss.record.energy, bqm.energies(ss), rtol=1e-9, atol=1e-9 * scale(bqm)
        )
    for v, x in (fixed or {}).items():
        assert np.all(ss.record.sample[:, ss.variables.index(v)] == x)


def check_spins(samples: Any, rows: int | None, n: int) -> None:
    assert isinstance(samples, np.ndarray) and samples.dtype == np.int8
    assert samples.ndim == 2 and samples.shape[1] == n
    if rows is not None:
        assert samples.shape[0] == rows
    assert np.all(np.abs(samples) == 1)


def brute_force(
    bqm: dimod.BinaryQuadraticModel, order: list[Any], beta: float
) -> tuple[np.ndarray, np.ndarray, float, float] | None:
    """(states, log P of each, log Z, the size of beta E) over every state in
    ``order``, or None where the floats cannot say. The offset moves log Z
    only; it is kept out of the probabilities, where it would cost digits."""
    states = all_spin_states(len(order))
    without_offset = bqm.spin.copy()
    without_offset.offset = 0.0
    with np.errstate(all="ignore"):
        x = -beta * without_offset.energies((states, order))
        top = x.max(initial=-np.inf)
        lse = float(top + np.log(np.exp(x - top).sum()))
        log_z = lse - beta * bqm.spin.offset
        magnitude = float(np.abs(x).max(initial=0.0) + abs(beta * bqm.spin.offset))
    if not (np.all(np.isfinite(x)) and math.isfinite(log_z) and math.isfinite(magnitude)):
        return None
    return states, x - lse, log_z, magnitude


def close(a: Any, b: Any, magnitude: float) -> None:
    np.testing.assert_allclose(a, b, rtol=1e-7, atol=1e-9 * (1.0 + magnitude))


# -- the samplers ---------------------------------------------------------------------
SA = SimulatedAnnealingSampler()
#: Every sampler on the native core, by name; a new instance per use, so that a
#: persistent sampler's chains do not carry from one call into another.
NATIVE = {
    "SimulatedAnnealingSampler": SimulatedAnnealingSampler,
    "ExactSampler": ExactSampler,
    "ParallelTemperingSampler": ParallelTemperingSampler,
    "SimulatedQuantumAnnealingSampler": SimulatedQuantumAnnealingSampler,
    "PersistentChainSampler": PersistentChainSampler,
}
SWEEPS = count(st.integers(0, 12), zero_allowed=True) | st.just(2**40 + 1)
BETAS = FLOATS | NOT_INTEGERS | BEYOND
BETA_RANGES = st.one_of(st.none(), st.tuples(FLOATS, FLOATS), st.lists(FLOATS, max_size=3), JUNK)
#: Each sampler's own parameters: small valid values or hostile ones (a valid
#: default, e.g. 1000 sweeps, is still small for models of at most 4 variables).
OWN = {
    "SimulatedAnnealingSampler": lambda labels: {
        "num_sweeps": SWEEPS,
        "num_sweeps_per_beta": count(st.integers(1, 3)) | st.just(2**40 + 1),
        "beta_range": BETA_RANGES,
        "beta_schedule_type": st.sampled_from(
            ["linear", "geometric", "custom", "Linear", "", None, 3]
        ),
        "beta_schedule": st.one_of(
            st.none(),
            st.lists(FLOATS, max_size=4),
            hnp.arrays(np.float64, (2, 2)),
            st.text(max_size=2),
            JUNK,
        ),
        "initial_states": st.one_of(
            st.none(),
            st.lists(
                st.lists(
                    st.sampled_from([-1, 1, 0, 2]), min_size=len(labels), max_size=len(labels)
                ),
                max_size=3,
            ),
            hnp.arrays(np.int8, hnp.array_shapes(min_dims=1, max_dims=3, max_side=3)),
            st.tuples(st.just([[1] * len(labels)]), st.just(labels)),
            JUNK,
        ),
        "initial_states_generator": st.sampled_from(["none", "tile", "random", "Random", None, 0]),
        "interrupt_function": st.sampled_from([None, lambda: False, lambda: True, 3]),
        "randomize_order": st.sampled_from([False, True, np.bool_(True), "yes", None, 1]),
    },
    "ExactSampler": lambda labels: {"beta": BETAS},
    "ParallelTemperingSampler": lambda labels: {
        "beta": BETAS,
        "beta_range": BETA_RANGES,
        "num_replicas": count(st.integers(1, 4)) | st.just(4097),
        "betas": st.one_of(st.none(), st.lists(FLOATS, max_size=4), JUNK),
        "num_sweeps": SWEEPS,
        "samples_per_chain": count(st.integers(1, 3)),
        "thinning": count(st.integers(1, 3)),
        "cluster_moves": st.sampled_from([False, True, "yes", 1]),
        "cluster_beta_min": FLOATS | NOT_INTEGERS,
    },
    "SimulatedQuantumAnnealingSampler": lambda labels: {
        "num_sweeps": SWEEPS,
        "num_slices": count(st.integers(1, 4)) | st.just(10**6),
        "beta": BETAS,
        "s_stop": FLOATS | NOT_INTEGERS,
        "schedule": st.one_of(
            st.none(),
            hnp.arrays(
                np.float64, st.tuples(st.integers(0, 3), st.integers(2, 4)), elements=FLOATS
            ),
            st.just([[0.0, 1.0, 1.0], [1.0, 0.0, 2.0]]),
            JUNK,
        ),
    },
    "PersistentChainSampler": lambda labels: {"beta": BETAS, "num_sweeps": SWEEPS},
}


@st.composite
def sampler_parameters(draw: Any, name: str, bqm: dimod.BinaryQuadraticModel) -> dict[str, Any]:
    """Some of the parameters of sampler ``name`` (valid or not) for ``bqm``."""
    labels = list(bqm.variables)
    spin_values = st.sampled_from([-1, 1, 0, 2, True, 1.0, None, "1"])
    shared = {
        "num_reads": count(st.integers(1, 5)),
        "seed": seeds(),
        "fixed_variables": st.one_of(
            st.none(),
            st.just({}),
            st.dictionaries(st.sampled_from(labels) if labels else LABELS, spin_values, max_size=2),
            st.dictionaries(st.sampled_from(["missing", 99]), spin_values, max_size=1),
            st.lists(st.integers(), max_size=2),
            st.text(max_size=2),
        ),
        "proposal_acceptance_criteria": st.sampled_from(
            ["Metropolis", "Gibbs", "gibbs", "Glauber", "", None, 1]
        ),
        "num_threads": st.one_of(
            st.none(), st.integers(1, 2), st.just(0), NEGATIVE, st.just(10**6), BEYOND, NOT_INTEGERS
        ),
        "precision": st.sampled_from(["auto", "single", "double", "half", "", None, 64]),
    }
    accepted = set(NATIVE[name]().parameters)
    optional = {k: v for k, v in {**shared, **OWN[name](labels)}.items() if k in accepted}
    return draw(st.fixed_dictionaries({}, optional=optional))


def expected_reads(params: dict[str, Any]) -> int | None:
    """How many reads an accepted call returns, when the arguments say it."""
    if params.get("initial_states") is not None or params.get("interrupt_function"):
        return None
    return params.get("num_reads") or 1


@FEW
@pytest.mark.parametrize("name", sorted(NATIVE))
@given(data=st.data())
def test_every_native_sampler_gives_reads_of_the_model_or_names_the_parameter(name, data):
    bqm = data.draw(st.one_of(bqms(), NOT_MODELS))
    params = data.draw(
        sampler_parameters(name, bqm)
        if isinstance(bqm, dimod.BinaryQuadraticModel)
        else st.just({"num_reads": 2})
    )
    names = (*params, *MODEL_PARTS, "beta", "beta_range", "beta_schedule", "betas")
    ss = attempt(lambda: NATIVE[name]().sample(bqm, **params), *names)
    if ss is REFUSED:
        return
    fixed = params.get("fixed_variables") or {}
    check_sampleset(ss, bqm, expected_reads(params), fixed)
    # The array door gives the same reads of the same model (SPIN: same fixed values).
    if (
        bqm.vartype is dimod.SPIN
        and isinstance(params.get("seed"), int)
        and expected_reads(params) is not None
    ):
        ising = from_bqm(bqm, sorted_variables(bqm))
        kwargs = {k: v for k, v in params.items() if k not in ("num_reads", "seed")}
        arrays = NATIVE[name]().sample_arrays(
            ising, params.get("num_reads"), params["seed"], **kwargs
        )
        columns = [ss.variables.index(v) for v in ising.variables]
        np.testing.assert_array_equal(arrays, ss.record.sample[:, columns])


@FEW
@given(st.data())
def test_the_array_entry_point_gives_spins_of_the_model_or_names_the_parameter(data):
    name = data.draw(st.sampled_from(sorted(NATIVE)))
    fields = data.draw(arrays_models())
    ising = attempt(lambda: IsingArrays(**fields), *fields)
    if ising is REFUSED:
        return
    params = data.draw(sampler_parameters(name, ising.to_bqm()))
    params.pop("initial_states", None)  # BQM-side arguments (labels, vartype)
    params.pop("fixed_variables", None)
    num_reads = params.pop("num_reads", None)
    seed = params.pop("seed", 0)
    offset = data.draw(st.one_of(st.integers(0, 2**64 - 1), NEGATIVE, BEYOND, NOT_INTEGERS))
    extra = data.draw(st.sampled_from([{}, {"not_a_parameter": 1}]))
    out = attempt(
        lambda: NATIVE[name]().sample_arrays(
            ising, num_reads, seed, read_offset=offset, **params, **extra
        ),
        *params,
        *extra,
        "num_reads",
        "seed",
        "read_offset",
        *MODEL_PARTS,
        "beta",
        "beta_range",
        "beta_schedule",
        "betas",
    )
    if out is REFUSED:
        return
    rows = None if params.get("interrupt_function") else (num_reads or 1)
    check_spins(out, rows, ising.num_variables)


@FEW
@given(st.data())
def test_the_exact_sampler_gives_reads_of_the_model_or_names_the_parameter(data):
    bqm = data.draw(st.one_of(bqms(), NOT_MODELS))
    params = data.draw(
        st.fixed_dictionaries(
            {},
            optional={
                "num_reads": count(st.integers(1, 5)),
                "beta": FLOATS | NOT_INTEGERS | BEYOND,
                "seed": seeds(),
            },
        )
    )
    ss = attempt(lambda: ExactSampler().sample(bqm, **params), *params, *MODEL_PARTS, "beta")
    if ss is not REFUSED:
        check_sampleset(ss, bqm, params.get("num_reads") or 1)


@FEW
@given(st.data())
def test_the_emulated_device_gives_reads_of_the_model_given_or_names_the_parameter(data):
    child = data.draw(st.sampled_from([ExactSampler(), SA, "sampler", None]))
    options = data.draw(
        st.fixed_dictionaries(
            {},
            optional={
                "beta": st.one_of(
                    FLOATS,
                    NOT_INTEGERS,
                    BEYOND,
                    st.sampled_from(
                        [
                            lambda b: 0.5,
                            lambda b: -1.0,
                            lambda b: float("nan"),
                            lambda b: "x",
                            lambda b: 10**400,
                        ]
                    ),
                ),
                "noise_h": FLOATS | NOT_INTEGERS | BEYOND,
                "noise_j": FLOATS | NOT_INTEGERS,
                "seed": seeds(),
            },
        )
    )
    device = attempt(lambda: EmulatedDevice(child, **options), "child", *options)
    if device is REFUSED:
        return
    bqm = data.draw(st.one_of(bqms(3), NOT_MODELS))
    num_reads = data.draw(count(st.integers(1, 4)))
    ss = attempt(
        lambda: device.sample(bqm, num_reads=num_reads, seed=1),
        "num_reads",
        *MODEL_PARTS,
        "beta",
        "noise_h",
        "noise_j",
        "beta_range",
    )
    if ss is not REFUSED:  # energies of the model as given, not as the device saw it
        check_sampleset(ss, bqm, num_reads)


# -- exact results and energies -------------------------------------------------------
def exact_model(data: Any) -> tuple[Any, dimod.BinaryQuadraticModel | None]:
    """A model argument and, when it is well formed, the BQM it stands for."""
    kind = data.draw(st.sampled_from(["bqm", "matrix", "arrays", "junk"]))
    if kind == "bqm":
        bqm = data.draw(bqms())
        return bqm, bqm
    if kind == "matrix":
        h, J = data.draw(matrix_models())
        return (h, J), None
    if kind == "arrays":
        fields = data.draw(arrays_models())
        ising = attempt(lambda: IsingArrays(**fields), *fields)
        return (None, None) if ising is REFUSED else (ising, ising.to_bqm())
    return data.draw(NOT_MODELS), None


def samples_for(data: Any, n: int) -> Any:
    return data.draw(
        st.one_of(
            st.lists(
                st.lists(st.sampled_from([-1, 1]), min_size=n, max_size=n), min_size=1, max_size=3
            ),
            hnp.arrays(
                st.sampled_from([np.int8, np.int64, np.float64]),
                hnp.array_shapes(min_dims=0, max_dims=3, max_side=3),
                elements=st.sampled_from([-1, 1, 0]),
            ),
            hnp.arrays(np.uint8, (1, n), elements=st.sampled_from([1, 255])),
            st.just([[1] * n, [1] * (n + 1)]),
            st.just([["a"] * n]),
            st.just(np.full((1, n), np.nan)),
            NOT_INTEGERS,
        )
    )


@FEW
@given(st.data())
def test_exact_results_equal_enumeration_or_name_the_parameter(data):
    model, given_bqm = exact_model(data)
    if model is None:
        return
    if given_bqm is None and isinstance(model, tuple) and len(model) == 2:
        accepted = attempt(lambda: qsample.ising.from_matrix(*model), "h", "J")
        given_bqm = None if accepted is REFUSED else matrix_bqm(*model)
    beta = data.draw(st.one_of(st.floats(0, 3), FLOATS, NOT_INTEGERS, BEYOND))
    names = (*MODEL_PARTS, "beta")
    moments = attempt(lambda: exact.moments(model, beta), *names)
    log_z = attempt(lambda: exact.log_partition(model, beta), *names)
    n = 0 if given_bqm is None else given_bqm.num_variables
    samples = samples_for(data, n)
    log_p = attempt(lambda: exact.log_probabilities(model, samples, beta), *names, "samples")
    proxy = attempt(lambda: exact.log_likelihood_proxy(model, samples, beta), *names, "samples")
    reads = data.draw(count(st.integers(1, 4)))
    offset = data.draw(st.one_of(st.integers(0, 2**64 - 1), NEGATIVE, NOT_INTEGERS))
    drawn = attempt(
        lambda: exact.sample(model, reads, beta, 0, offset), *names, "num_reads", "read_offset"
    )
    energies = attempt(lambda: qsample.energies(model, samples), *MODEL_PARTS, "samples")
    if given_bqm is None:
        assert all(r is REFUSED for r in (moments, log_z, log_p, proxy, drawn, energies))
        return
    # Arrays come in the model's variable order (the index order of an (h, J) pair).
    order = list(range(n)) if isinstance(model, tuple) else list(given_bqm.variables)
    if drawn is not REFUSED:
        check_spins(drawn, reads, n)
    if energies is not REFUSED and sane(given_bqm):
        s = np.atleast_2d(np.asarray(samples))
        close(energies, given_bqm.spin.energies((s, order)), scale(given_bqm))
    truth = brute_force(given_bqm, order, float(beta)) if log_z is not REFUSED else None
    if truth is None:
        return
    states, log_probs, want, magnitude = truth
    close(log_z, want, magnitude)
    if moments is not REFUSED:
        p = np.exp(log_probs)
        close(moments.log_partition, want, magnitude)
        # Rounding beta E (of size `magnitude`) moves each probability by ~eps * magnitude.
        atol = 1e-9 + 1e-14 * magnitude
        np.testing.assert_allclose(moments.mean, p @ states, atol=atol)
        np.testing.assert_allclose(moments.correlation, (states.T * p) @ states, atol=atol)
    if log_p is not REFUSED:
        s = np.atleast_2d(np.asarray(samples))
        index = [int(np.flatnonzero((states == row).all(axis=1))[0]) for row in s]
        close(log_p, log_probs[index], magnitude)
        if proxy is not REFUSED:
            close(proxy, np.mean(log_probs[index]), magnitude)


@FEW
@given(st.data())
def test_annealed_importance_sampling_estimates_the_model_or_names_the_parameter(data):
    model, given_bqm = exact_model(data)
    if model is None:
        return
    labels = [] if given_bqm is None else list(given_bqm.variables)
    options = data.draw(
        st.fixed_dictionaries(
            {},
            optional={
                "num_runs": count(st.integers(1, 20)),
                "num_steps": count(st.integers(1, 20)),
                "schedule": st.one_of(
                    st.sampled_from(["linear", "geometric+linear", "geometric", "cubic", None]),
                    st.lists(FLOATS, max_size=4),
                    JUNK,
                ),
                "sweeps_per_beta": count(st.integers(1, 2)),
                "acceptance": st.sampled_from(["Metropolis", "gibbs", "Glauber", None]),
                "fixed_variables": st.one_of(
                    st.none(),
                    st.dictionaries(
                        st.sampled_from(labels or ["missing"]),
                        st.sampled_from([-1, 1, 0, "1"]),
                        max_size=2,
                    ),
                    JUNK,
                ),
                "seed": seeds(),
                "run_offset": st.one_of(st.integers(0, 2**64 - 1), NEGATIVE, BEYOND),
                "num_threads": st.one_of(
                    st.none(), st.integers(1, 2), st.just(10**6), NOT_INTEGERS
                ),
                "precision": st.sampled_from(["auto", "double", "half", None]),
                "keep_states": st.sampled_from([False, True, 1]),
                "keep_energies": st.sampled_from([False, True, "no"]),
            },
        )
    )
    beta = data.draw(st.one_of(st.floats(0, 3), FLOATS, NOT_INTEGERS))
    estimate = attempt(
        lambda: ais.log_partition(model, beta, **options),
        *options,
        "beta",
        *MODEL_PARTS,
        "schedule",
        "fixed_variables",
        "chain_majorities",
    )
    if estimate is REFUSED:
        return
    runs = options.get("num_runs", 256)
    assert estimate.log_weights.shape == (runs,)
    if given_bqm is not None and sane(given_bqm) and not options.get("fixed_variables"):
        spin = given_bqm.spin
        if not any(spin.linear.values()) and not any(spin.quadratic.values()):
            # No biases: every weight is 1, the estimate exact, n ln 2 - beta offset.
            want = spin.num_variables * math.log(2) - float(beta) * spin.offset
            close(estimate.log_partition, want, abs(float(beta) * spin.offset))


@FEW
@given(st.data())
def test_a_model_whose_index_arrays_changed_in_place_is_not_answered_for_the_old_one(data):
    """The core keeps a model's structure between calls; arrays changed in place
    (IsingArrays is frozen, its arrays are not) must not meet the old structure."""
    n = data.draw(st.integers(2, 5))
    pairs = [(i, j) for i in range(n) for j in range(i + 1, n)]
    chosen = data.draw(st.lists(st.sampled_from(pairs), min_size=1, max_size=4, unique=True))
    irow, icol = (np.array(c, dtype=np.int64) for c in zip(*chosen))
    ising = IsingArrays(list(range(n)), np.zeros(n), irow, icol, np.arange(1.0, len(irow) + 1))
    samples = np.array(
        data.draw(
            st.lists(
                st.lists(st.sampled_from([-1, 1]), min_size=n, max_size=n), min_size=1, max_size=4
            )
        ),
        dtype=np.int8,
    )
    qsample.energies(ising, samples)
    moved = data.draw(st.lists(st.sampled_from(pairs), min_size=len(chosen), max_size=len(chosen)))
    ising.irow[:], ising.icol[:] = zip(*moved)
    want = ising.to_bqm().energies((samples, ising.variables))
    np.testing.assert_allclose(qsample.energies(ising, samples), want)
    np.testing.assert_allclose(exact.log_partition(ising), exact.log_partition(ising.to_bqm()))


# -- too large to ever fit: refused before allocating, in a subprocess -----------------
DOORS = (
    "sa",
    "sa_random_order",
    "exact",
    "exact.sample",
    "core_exact",
    *(f"{name}.sample_arrays" for name in NATIVE),
)


def _request_too_large(n: int, log_reads: int, door: str) -> None:
    """2^log_reads reads (or 2^63 - 1) of a model of n spins through ``door``:
    refused at once naming 'num_reads', or, for a model without variables
    (nothing to store), answered at once."""
    from qsample import _core

    reads = 2**log_reads - (log_reads == 63)
    irow, icol = np.triu_indices(n, 1)
    ising = IsingArrays(
        list(range(n)),
        np.full(n, 0.5),
        irow.astype(np.int64),
        icol.astype(np.int64),
        -np.ones(len(irow)),
    )
    calls = {
        "sa": lambda: SA.sample(ising.to_bqm(), num_reads=reads, num_sweeps=1),
        "sa_random_order": lambda: SA.sample_arrays(
            ising, reads, 0, num_sweeps=1, randomize_order=True
        ),
        "exact": lambda: ExactSampler().sample(ising.to_bqm(), num_reads=reads),
        "exact.sample": lambda: exact.sample(ising, reads, seed=0),
        "core_exact": lambda: _core.exact_sample(ising.native(), 1.0, reads, 0),
        **{
            f"{name}.sample_arrays": (lambda cls=cls: cls().sample_arrays(ising, reads, 0))
            for name, cls in NATIVE.items()
        },
    }
    out = attempt(calls[door], "num_reads")
    if out is not REFUSED:
        assert n == 0
        shape = out.record.sample.shape if isinstance(out, dimod.SampleSet) else out.shape
        assert shape[1] == 0


def _requests_too_large_to_fit_are_refused() -> None:
    """Run by the subprocess of the next test: every door with a model without
    variables (whose reads the core once walked one by one), then hypothesis's
    choice of door, model size and read count."""
    for door in DOORS:
        _request_too_large(0, 62, door)
    settings(max_examples=60, database=None, deadline=None)(
        given(st.integers(0, 3), st.integers(44, 63), st.sampled_from(DOORS))(_request_too_large)
    )()


def _limit_address_space() -> None:
    """A runaway allocation in the subprocess fails at once (an abort, which
    the test reports) instead of pressing on the machine's memory."""
    try:
        import resource
    except ImportError:  # not on this platform: the memory checks still refuse first
        return
    limit = 8 * 2**30
    soft, hard = resource.getrlimit(resource.RLIMIT_AS)
    if hard == resource.RLIM_INFINITY or hard > limit:
        resource.setrlimit(resource.RLIMIT_AS, (limit, hard))


def test_requests_too_large_to_fit_are_refused_before_allocating():
    """Such requests once aborted the interpreter or ran the machine out of
    memory. The subprocess fails (an abort, an escaped exception, a hang) if
    any is not refused at once."""
    code = (
        "import sys; sys.path[:0] = [sys.argv[1]]; import test_hostile_inputs as t; "
        "t._requests_too_large_to_fit_are_refused(); print('all refused')"
    )
    done = subprocess.run(
        [sys.executable, "-c", code, str(Path(__file__).parent)],
        capture_output=True,
        text=True,
        timeout=300,
        preexec_fn=_limit_address_space if os.name == "posix" else None,
    )
    assert done.returncode == 0 and "all refused" in done.stdout, (
        f"exit {done.returncode}\n{done.stdout}\n{done.stderr[-3000:]}"
    )


# -- files ----------------------------------------------------------------------------
DEEP = "__deeply_nested__"
JSON_LEAVES = st.one_of(
    st.none(),
    st.booleans(),
    st.floats(allow_nan=True, allow_infinity=True),
    st.text(max_size=3),
    st.sampled_from([-1, 0, -(2**64), DEEP]),
)


def json_junk(big_integers: bool = True) -> st.SearchStrategy:
    leaves = JSON_LEAVES | (
        st.sampled_from([2**63, 2**64, 10**400]) if big_integers else st.nothing()
    )
    return st.recursive(
        leaves,
        lambda c: st.lists(c, max_size=3) | st.dictionaries(st.text(max_size=3), c, max_size=3),
        max_leaves=6,
    )


def json_paths(doc: Any, path: tuple = ()) -> list[tuple]:
    """Paths to every value of ``doc`` (the first two entries of each list)."""
    out = [path]
    items = (
        doc.items()
        if isinstance(doc, dict)
        else (enumerate(doc[:2]) if isinstance(doc, list) else ())
    )
    for k, v in items:
        out += json_paths(v, (*path, k))
    return out


def replaced(doc: Any, path: tuple, value: Any) -> str:
    """``doc`` as JSON text with the value at ``path`` replaced by ``value``."""
    doc = json.loads(json.dumps(doc))
    if not path:
        doc = value
    else:
        here = doc
        for k in path[:-1]:
            here = here[k]
        here[path[-1]] = value
    text = json.dumps(doc)
    return text.replace(f'"{DEEP}"', "[" * 5000 + "]" * 5000)


@st.composite
def damaged_json(draw: Any, good: str, big_integers: bool = True) -> str:
    doc = json.loads(good)
    if draw(st.booleans()):
        return replaced(doc, draw(st.sampled_from(json_paths(doc))), draw(json_junk(big_integers)))
    return draw(damaged_bytes(good.encode())).decode("utf-8", errors="replace")


@st.composite
def damaged_bytes(draw: Any, good: bytes) -> bytes:
    kind = draw(st.sampled_from(["empty", "truncated", "flipped", "appended", "garbage"]))
    if kind == "empty":
        return b""
    if kind == "truncated":
        return good[: draw(st.integers(0, len(good) - 1))]
    if kind == "flipped":
        data = bytearray(good)
        for i in draw(st.lists(st.integers(0, len(good) - 1), min_size=1, max_size=8)):
            data[i] ^= draw(st.integers(1, 255))
        return bytes(data)
    if kind == "appended":
        return good + draw(st.binary(min_size=1, max_size=64))
    return draw(st.binary(max_size=256))


JUNK_ARRAYS = st.one_of(
    hnp.arrays(
        st.sampled_from(
            [np.float64, np.float32, np.int64, np.uint8, np.bool_, np.complex128, "<U3"]
        ),
        hnp.array_shapes(min_dims=0, max_dims=2, min_side=0, max_side=4),
    ),
    st.sampled_from(
        [
            np.array(np.nan),
            np.full(4, np.inf),
            np.array([2**64 - 1], np.uint64),
            np.array("not json"),
            np.array("[" * 5000 + "]" * 5000),
        ]
    ),
)


def npz_bytes(arrays: dict[str, np.ndarray]) -> bytes:
    buffer = io.BytesIO()
    np.savez(buffer, **arrays)
    return buffer.getvalue()


@st.composite
def damaged_npz(draw: Any, good: bytes, json_entry: str | None) -> bytes:
    """The archive with one entry replaced (by junk, by the same array with bad
    values, or its JSON entry damaged) or removed, or its bytes damaged."""
    with np.load(io.BytesIO(good)) as z:
        arrays = {k: z[k] for k in z.files}
    kinds = ["entry", "values", "remove", "bytes"] + (["json"] if json_entry else [])
    kind = draw(st.sampled_from(kinds))
    key = draw(st.sampled_from(sorted(arrays)))
    if kind == "entry":
        arrays[key] = draw(JUNK_ARRAYS)
    elif kind == "json":
        arrays[json_entry] = np.array(draw(damaged_json(str(arrays[json_entry]))))
    elif kind == "values" and arrays[key].dtype.kind in "iuf" and arrays[key].size:
        a = arrays[key].copy()
        a.flat[draw(st.integers(0, a.size - 1))] = draw(
            st.sampled_from([np.nan, np.inf, -1, 1e308, 2**40])
            if a.dtype.kind == "f"
            else st.sampled_from([-1, 2**31, a.size, 0])
        )
        arrays[key] = a
    elif kind == "remove":
        del arrays[key]
    else:
        return draw(damaged_bytes(good))
    return npz_bytes(arrays)


@pytest.fixture(scope="module")
def files(tmp_path_factory):
    """Good files of every kind qsample reads, and where to write damaged copies."""
    folder = tmp_path_factory.mktemp("hostile")
    model = HardwareModel(em.clique_embedding(5, hw.chimera(2)), seed=1)
    model.save(folder / "model.npz")
    model.embedding.save(folder / "embedding.json")
    ising = logical_complete_graph(4, seed=0)
    data = exact.sample(ising, 20, seed=1)
    trainer = Trainer(
        ising, data, ExactMoments(), Hyperparameters(batch_size=5), seed=0, progress=False
    ).run(3)
    trainer.save_checkpoint(
        folder / "checkpoint.npz", extra={"note": [1, 2], "curve": np.arange(3.0)}
    )
    run = folder / "run"
    with contextlib.redirect_stdout(io.StringIO()):
        assert (
            main(
                [
                    "train",
                    "bas",
                    "--iterations",
                    "2",
                    "--out",
                    str(run),
                    "--target",
                    "zephyr4",
                    "--embedding",
                    "clique",
                    "--no-progress",
                ]
            )
            == 0
        )
    (run / "results.json").unlink()  # as if stopped after its last checkpoint
    evaluate = folder / "evaluate"
    evaluate.mkdir()
    model.save(evaluate / "model.npz")
    settings_doc = json.loads((run / "run.json").read_text())["settings"]
    (evaluate / "results.json").write_text(
        json.dumps({"experiment": "bas", "settings": settings_doc})
    )
    spins = np.array([[1, 0, 1], [0, 1, 1], [1, 1, 0], [0, 0, 1]])
    buffer = io.BytesIO()
    np.save(buffer, spins)
    pixels = io.BytesIO()
    import matplotlib.image

    matplotlib.image.imsave(pixels, np.eye(4), cmap="gray", format="png")
    user_files = {
        ".npy": buffer.getvalue(),
        ".npz": npz_bytes({"x": spins, "y": spins[:, 0]}),
        ".csv": b"a,b,label\n1,0,x\n0,?,y\n1,1,x\n",
        ".txt": b"1 0 1\n-1 1 -1\n",
        ".pbm": b"P1\n3 2\n1 0 1\n0 1 0\n",
        ".png": pixels.getvalue(),
    }
    grid_files = {
        ".toml": b'figure = "score"\n[vary]\nrate = [0.1, 0.2]\nmethod = ["sa", '
        b'"exact"]\n[fixed]\nscale = 2.0\nlayers = [3, 4]\n',
        ".yaml": b"figure: score\nvary:\n  rate: [0.1, 0.2]\n  method: [sa, exact]\n"
        b"fixed:\n  scale: 2.0\n  layers: [3, 4]\n",
    }
    return {
        "folder": folder,
        "ising": ising,
        "data": data,
        "run": run,
        "evaluate": evaluate,
        "user_files": user_files,
        "grid_files": grid_files,
    }


def write(files: dict[str, Any], name: str, content: bytes | str) -> Path:
    path = files["folder"] / "damaged" / name
    path.parent.mkdir(exist_ok=True)
    if isinstance(content, str):
        content = content.encode()
    path.write_bytes(content)
    return path


@FEW
@given(st.data())
def test_damaged_model_files_load_as_a_model_or_name_the_file(files, data):
    good = (files["folder"] / "model.npz").read_bytes()
    path = write(files, "model.npz", data.draw(damaged_npz(good, "embedding")))
    model = attempt(lambda: HardwareModel.load(path), str(path))
    if model is not REFUSED:
        assert isinstance(model, HardwareModel)
        assert model.h.shape == (model.num_qubits,) and np.all(np.isfinite(model.h))
        assert model.J.shape == (len(model.irow),) and np.all(np.isfinite(model.J))


@FEW
@given(st.data())
def test_damaged_embedding_files_load_as_an_embedding_or_name_the_file(files, data):
    good = (files["folder"] / "embedding.json").read_text()
    path = write(files, "embedding.json", data.draw(damaged_json(good)))
    embedding = attempt(lambda: Embedding.load(path), str(path))
    if embedding is not REFUSED:
        em.validate(embedding.chains, embedding.target, embedding.source)


@FEW
@given(st.data())
def test_damaged_checkpoints_load_into_a_trainer_that_runs_or_name_the_file(files, data):
    good = (files["folder"] / "checkpoint.npz").read_bytes()
    path = write(files, "checkpoint.npz", data.draw(damaged_npz(good, "meta")))
    attempt(lambda: read_checkpoint(path), str(path))
    trainer = Trainer(
        files["ising"],
        files["data"],
        ExactMoments(),
        Hyperparameters(batch_size=5),
        seed=0,
        progress=False,
    )
    loaded = attempt(lambda: trainer.load_checkpoint(path), str(path))
    if loaded is not REFUSED:  # what a checkpoint let in, a trainer can continue from
        attempt(lambda: loaded.run(2), *MODEL_PARTS, "beta")


@FEW
@given(st.data())
def test_damaged_data_files_read_as_spins_or_name_the_file(files, data):
    suffix = data.draw(st.sampled_from(sorted(files["user_files"])))
    good = files["user_files"][suffix]
    damaged = data.draw(damaged_npz(good, None) if suffix == ".npz" else damaged_bytes(good))
    folder = files["folder"] / "damaged" / "pictures"
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True)
    path = folder / f"data{suffix}"
    path.write_bytes(damaged)
    target = folder if suffix in datafiles.PICTURE_SUFFIXES else path
    labels = data.draw(st.sampled_from([None, "label", "y", -1, 7]))
    read = attempt(lambda: datafiles.read_binary_file(target, labels=labels), str(target), "labels")
    if read is not REFUSED:
        check_binary(read.spins, read.missing)


@FEW
@given(
    st.one_of(
        JUNK,
        NOT_MODELS,
        hnp.arrays(
            st.sampled_from([np.float64, np.int64, np.bool_, np.uint8, "<U2", np.complex128]),
            hnp.array_shapes(min_dims=0, max_dims=3, min_side=0, max_side=3),
        ),
        st.lists(
            st.lists(st.sampled_from([0, 1, -1, 2, None, "1", True, np.nan, 1.5]), max_size=3),
            max_size=3,
        ),
    )
)
def test_in_memory_data_reads_as_spins_or_names_the_argument(X):
    read = attempt(lambda: datafiles.as_spins(X, "pictures"), "pictures")
    if read is not REFUSED:
        check_binary(*read)


@FEW
@given(st.data())
def test_damaged_grid_specs_read_as_a_grid_or_name_the_file(files, data):
    suffix = data.draw(st.sampled_from(sorted(files["grid_files"])))
    path = write(files, f"grid{suffix}", data.draw(damaged_bytes(files["grid_files"][suffix])))
    spec = attempt(lambda: grid_spec_from_file(path), str(path))
    if spec is not REFUSED:
        assert isinstance(spec, GridSpec)


def check_binary(spins: np.ndarray, missing: np.ndarray) -> None:
    """Spins of data: int8 rows of ±1, 0 exactly where an entry is missing."""
    assert spins.dtype == np.int8 and spins.ndim == 2 and spins.shape == missing.shape
    assert np.array_equal(spins == 0, missing) and np.all(np.abs(spins) <= 1)


def run_cli(argv: list[str]) -> tuple[int, str]:
    err = io.StringIO()
    with contextlib.redirect_stderr(err), contextlib.redirect_stdout(io.StringIO()):
        try:
            code = main(argv)
        except BaseException as e:  # main must return, whatever happens
            raise AssertionError(f"qsample {' '.join(argv)} raised {e!r}") from e
    return code, err.getvalue()


def one_line_error(code: int, err: str, command: str, *names: str) -> None:
    assert code == 2, f"exit {code}: {err}"
    assert err.count("\n") == 1 and err.startswith(f"qsample {command}: error: "), err
    assert any(name in err for name in names), err


@SLOW
@given(st.data())
def test_evaluate_reading_a_damaged_model_or_results_file_says_which_in_one_line(files, data):
    src = files["evaluate"]
    folder = files["folder"] / "damaged" / "evaluate"
    shutil.rmtree(folder, ignore_errors=True)
    shutil.copytree(src, folder)
    if data.draw(st.booleans()):
        (folder / "model.npz").write_bytes(
            data.draw(damaged_npz((src / "model.npz").read_bytes(), "embedding"))
        )
    else:
        (folder / "results.json").write_text(
            data.draw(damaged_json((src / "results.json").read_text()))
        )
    code, err = run_cli(
        [
            "evaluate",
            str(folder / "model.npz"),
            "bas",
            "--out",
            str(folder / "out"),
            "--no-progress",
        ]
    )
    # The model has 5 variables, BAS pictures 42: no evaluation can succeed.
    one_line_error(code, err, "evaluate", str(folder / "model.npz"), str(folder / "results.json"))
    assert not (folder / "out").exists()


@SLOW
@given(st.data())
def test_resuming_from_damaged_run_files_finishes_the_run_or_says_which_file(files, data):
    src = files["run"]
    folder = files["folder"] / "damaged" / "run"
    shutil.rmtree(folder, ignore_errors=True)
    shutil.copytree(src, folder)
    name = data.draw(st.sampled_from(["run.json", "embedding.json", "checkpoint.npz"]))
    good = (src / name).read_bytes()
    if name == "checkpoint.npz":
        damaged = data.draw(damaged_npz(good, "meta"))
    else:  # no huge integers: a run record may ask for any number of iterations
        damaged = data.draw(damaged_json(good.decode(), big_integers=False)).encode()
    (folder / name).write_bytes(damaged)
    code, err = run_cli(["train", "bas", "--resume", str(folder), "--no-progress"])
    if code == 0:  # the damage left a usable file: the run finished
        assert (folder / "results.json").is_file()
        return
    one_line_error(code, err, "train bas", str(folder))


# -- what the properties found, pinned ------------------------------------------------
def _i64(*values: int) -> np.ndarray:
    return np.array(values, dtype=np.int64)


def _one_coupling(**fields: Any) -> IsingArrays:
    return IsingArrays(
        **{
            "variables": [0, 1],
            "h": np.zeros(2),
            "irow": _i64(0),
            "icol": _i64(1),
            "J": np.ones(1),
            **fields,
        }
    )


def _npz_with(path: Path, good: Path, **arrays: Any) -> Path:
    with np.load(good) as z:
        content = {k: z[k] for k in z.files}
    content.update(arrays)
    path.write_bytes(npz_bytes(content))
    return path


DEEP_JSON = "[" * 5000 + "]" * 5000

FOUND: dict[str, tuple[Callable[[Path, dict[str, Any]], Any], type, str]] = {
    # IsingArrays took any arrays: the core raised untyped errors, SA's schedule an
    # IndexError, float indices were truncated (another model), a NaN offset gave NaNs.
    "complex couplings": (lambda d, f: _one_coupling(J=np.ones(1, complex)), TypeError, "'J'"),
    "float indices": (lambda d, f: _one_coupling(irow=np.array([0.7])), TypeError, "'irow'"),
    "indices outside": (lambda d, f: _one_coupling(icol=_i64(5)), ValueError, "'icol'"),
    "NaN offset": (lambda d, f: _one_coupling(offset=np.nan), ValueError, "'offset'"),
    "repeated labels": (lambda d, f: _one_coupling(variables=[0, 0]), ValueError, "'variables'"),
    # The default schedule of a model at the ends of the float range was NaN or 0,
    # refused as if the user had given a bad 'beta_schedule'.
    "subnormal biases": (
        lambda d, f: SA.sample(
            dimod.BinaryQuadraticModel.from_ising({0: 1e-320}, {(0, 1): 5e-324})
        ),
        ValueError,
        "'beta_range'",
    ),
    # EmulatedDevice checked its numbers with np.isfinite (raw TypeErrors, no name)
    # and not at all what a callable beta returned.
    "device beta None": (lambda d, f: EmulatedDevice(SA, beta=None), TypeError, "'beta'"),
    "device seed": (lambda d, f: EmulatedDevice(SA, seed=-1), ValueError, "'seed'"),
    "device noise": (lambda d, f: EmulatedDevice(SA, noise_j="x"), TypeError, "'noise_j'"),
    "device beta negative": (
        lambda d, f: EmulatedDevice(ExactSampler(), beta=lambda b: -1.0).sample(
            dimod.BinaryQuadraticModel.from_ising({0: 1}, {})
        ),
        ValueError,
        "'beta'",
    ),
    # numpy's own messages for ragged or non-numeric input named nothing.
    "ragged samples": (
        lambda d, f: qsample.energies((np.zeros(2), np.zeros((2, 2))), [[1, 1], [1]]),
        ValueError,
        "'samples'",
    ),
    "text fields": (lambda d, f: exact.log_partition((["a"], [[0.0]])), TypeError, "'h'"),
    "ragged couplings": (
        lambda d, f: exact.log_partition(([0, 0], [[0, 1], [0]])),
        ValueError,
        "'J'",
    ),
    # float() of an integer beyond the float range raised OverflowError.
    "huge rate": (
        lambda d, f: Hyperparameters(learning_rate=10**400),
        ValueError,
        "'learning_rate'",
    ),
    "huge range": (
        lambda d, f: hw.Target.from_dict({**hw.chimera(1).to_dict(), "h_range": [10**400, 1]}),
        ValueError,
        "target description",
    ),
    # A settings tuple where one rate belongs passed the settings checks and failed
    # later, inside the run, without naming the file it came from.
    "several rates for one": (
        lambda d, f: qsample.experiments.BASSettings(learning_rate=()),
        TypeError,
        "'learning_rate'",
    ),
    # RecursionError from deep JSON, OverflowError from a forged RNG state, the
    # imaginary parts of a model's fields dropped without a word.
    "deep embedding": (
        lambda d, f: Embedding.load(write(f, "deep.json", DEEP_JSON)),
        ValueError,
        "deep.json",
    ),
    "deep label": (
        lambda d, f: Embedding.load(
            write(
                f,
                "label.json",
                replaced(
                    json.loads((f["folder"] / "embedding.json").read_text()),
                    ("source", "nodes", 0),
                    json.loads("[" * 500 + "0" + "]" * 500),
                ),
            )
        ),
        ValueError,
        "label.json",
    ),
    "deep checkpoint": (
        lambda d, f: read_checkpoint(
            _npz_with(d / "deep.npz", f["folder"] / "checkpoint.npz", meta=np.array(DEEP_JSON))
        ),
        ValueError,
        "deep.npz",
    ),
    "forged RNG state": (
        lambda d, f: read_checkpoint(
            _npz_with(
                d / "rng.npz",
                f["folder"] / "checkpoint.npz",
                meta=np.array(
                    replaced(
                        json.loads(str(np.load(f["folder"] / "checkpoint.npz")["meta"])),
                        ("rng", "uinteger"),
                        2**64,
                    )
                ),
            )
        ),
        ValueError,
        "rng.npz",
    ),
    "complex fields": (
        lambda d, f: HardwareModel.load(
            _npz_with(
                d / "complex.npz",
                f["folder"] / "model.npz",
                h=np.load(f["folder"] / "model.npz")["h"] + 1j,
            )
        ),
        ValueError,
        "complex.npz",
    ),
    # AIS: a bad schedule name blamed 'kind', huge counts reached numpy or the core
    # (unnamed errors, an OverflowError), weights beyond the float range 'log_weights'.
    "AIS schedule name": (
        lambda d, f: ais.log_partition(_one_coupling(), schedule=""),
        ValueError,
        "'schedule'",
    ),
    "AIS steps": (
        lambda d, f: ais.log_partition(_one_coupling(), num_steps=2**40),
        MemoryError,
        "'num_steps'",
    ),
    "AIS runs": (
        lambda d, f: ais.log_partition(_one_coupling(), num_runs=2**64),
        ValueError,
        "'num_runs'",
    ),
    "AIS sweeps": (
        lambda d, f: ais.log_partition(_one_coupling(), sweeps_per_beta=2**64),
        ValueError,
        "'sweeps_per_beta'",
    ),
    "AIS weights": (
        lambda d, f: ais.log_partition(_one_coupling(h=np.array([0, 9e307])), beta=2.0),
        ValueError,
        "'beta'",
    ),
    # Grid specs: bytes that are not UTF-8 (UnicodeDecodeError, without the file's
    # name) and nesting deeper than the parsers' recursion (RecursionError).
    "grid spec not text": (
        lambda d, f: grid_spec_from_file(write(f, "bytes.toml", b"x = 1\n\x80")),
        ValueError,
        "bytes.toml",
    ),
    "deep grid spec": (
        lambda d, f: grid_spec_from_file(write(f, "deep.yaml", "vary: " + DEEP_JSON)),
        ValueError,
        "deep.yaml",
    ),
    # A user's damaged or empty .npz/.npy raised zipfile's and numpy's own errors.
    "truncated user npz": (
        lambda d, f: datafiles.read_binary_file(
            write(f, "user.npz", f["user_files"][".npz"][:100])
        ),
        ValueError,
        "user.npz",
    ),
    "empty user npy": (
        lambda d, f: datafiles.read_binary_file(write(f, "user.npy", b"")),
        ValueError,
        "user.npy",
    ),
    # The new samplers' defaults at the ends of the float range: a ladder from 0
    # (numpy's own error), slice betas of inf (refused by the core under its name).
    "ladder from zero": (
        lambda d, f: ParallelTemperingSampler().sample(
            dimod.BinaryQuadraticModel.from_ising({0: 9e307}, {})
        ),
        ValueError,
        "'beta_range'",
    ),
    "infinite slice beta": (
        lambda d, f: SimulatedQuantumAnnealingSampler().sample(
            dimod.BinaryQuadraticModel.from_ising({0: 1.0}, {}), beta=1e308
        ),
        ValueError,
        "'beta'",
    ),
    # With no variables the core walked every read (2^62 of them: a hang); the
    # shortcut must still refuse read numbers beyond 2^64.
    "no variables, last read": (
        lambda d, f: SA.sample_arrays(
            IsingArrays([], np.zeros(0), _i64(), _i64(), np.zeros(0)), 2, 0, read_offset=2**64 - 1
        ),
        ValueError,
        "'read_offset'",
    ),
}


@pytest.mark.parametrize("case", sorted(FOUND))
def test_each_case_the_properties_found_is_refused_naming_the_parameter(case, files, tmp_path):
    call, kind, fragment = FOUND[case]
    with pytest.raises(kind) as raised:
        call(tmp_path, files)
    assert fragment in str(raised.value)


@pytest.mark.parametrize(
    "name,options",
    [
        ("SimulatedAnnealingSampler", {"num_sweeps": 1, "randomize_order": True}),
        ("SimulatedAnnealingSampler", {"num_sweeps": 1}),
        ("ParallelTemperingSampler", {"num_sweeps": 1, "num_replicas": 2}),
        ("SimulatedQuantumAnnealingSampler", {"num_sweeps": 1, "num_slices": 1}),
        ("PersistentChainSampler", {"num_sweeps": 1}),
    ],
)
def test_the_memory_check_counts_what_a_sampler_keeps_per_read(monkeypatch, name, options):
    """Beside its samples a sampler keeps per-read work (the core's task lists,
    a persistent sampler's chains): a request whose samples fit twice over but
    whose work does not is refused before any of it is allocated."""
    reads = 10**4
    one = IsingArrays([0], np.ones(1), _i64(), _i64(), np.zeros(0))
    monkeypatch.setattr(qsample.ising._core, "available_memory", lambda: 2 * reads)
    with pytest.raises(MemoryError, match="'num_reads'"):
        NATIVE[name]().sample_arrays(one, reads, 0, **options)
    monkeypatch.setattr(qsample.ising._core, "available_memory", lambda: 1000 * reads)
    assert NATIVE[name]().sample_arrays(one, reads, 0, **options).shape == (reads, 1)
