"""Side by side with dwave-samplers' SimulatedAnnealingSampler (1.8): where
qsample promises to be a drop-in, both samplers get the same arguments and must
behave the same — the exception *type* (messages differ on purpose: qsample's
name the parameter and the value), the number of reads, variables, vartype,
the keys and types of ``info``, and acceptance statistics (the RNGs differ, so
samples are compared only statistically).

Deliberate differences, documented in the sampler's docstring and tested
separately at the end: bools are not integers for qsample (TypeError), a
non-integral float ``num_sweeps`` is a TypeError, a non-bool
``randomize_order`` is a TypeError, seeds go up to 2**64 - 1, an exception
raised by ``interrupt_function`` propagates (dwave-samplers swallows it and
stops), and random starts come from each read's own stream (not numpy's).
"""

from __future__ import annotations

import warnings

import dimod
import numpy as np
import pytest

dwave_sa = pytest.importorskip("dwave.samplers")
from qsample import SimulatedAnnealingSampler as QSampler  # noqa: E402

DSampler = dwave_sa.SimulatedAnnealingSampler

SAMPLERS = pytest.mark.parametrize("make", [DSampler, QSampler], ids=["dwave", "qsample"])


# ---------------------------------------------------------------------------------------------
# helpers


def model(vartype: str = "SPIN") -> dimod.BinaryQuadraticModel:
    return dimod.BinaryQuadraticModel(
        {"a": 0.5, "b": -0.25, "c": 0.0}, {("a", "b"): -1.0, ("b", "c"): 1.0}, 0.5, vartype
    )


def one_spin(h: float) -> dimod.BinaryQuadraticModel:
    return dimod.BinaryQuadraticModel({"a": h}, {}, 0.0, "SPIN")


def outcome(sampler, bqm, **kwargs):
    """('ok', reads, variables, vartype) or the exception type; warnings are silenced."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            ss = sampler.sample(bqm, **kwargs)
        except Exception as exc:  # the type is what is compared
            return type(exc)
    return ("ok", len(ss), list(ss.variables), ss.vartype)


def assert_same_outcome(bqm=None, **kwargs):
    bqm = model() if bqm is None else bqm
    expected = outcome(DSampler(), bqm, **kwargs)
    got = outcome(QSampler(), bqm, **kwargs)
    assert got == expected, f"dwave: {expected}, qsample: {got}"


def flip_fraction(make, h, beta, criterion, randomize_order=False, reads=4000, start=1):
    """Fraction of reads of a single spin that flip in one sweep at ``beta``."""
    ss = make().sample(
        one_spin(h),
        beta_schedule_type="custom",
        beta_schedule=[beta],
        initial_states=([[start]] * reads, "a"),
        seed=7,
        proposal_acceptance_criteria=criterion,
        randomize_order=randomize_order,
    )
    return float(np.mean(ss.record.sample[:, 0] != start))


def within(p_hat, p, n, sigmas=5.0):
    return abs(p_hat - p) <= sigmas * np.sqrt(max(p * (1 - p), 1e-12) / n) + 1e-12


# ---------------------------------------------------------------------------------------------
# 1. interrupt_function


class TestInterrupt:
    def test_is_a_declared_parameter(self):
        assert "interrupt_function" in DSampler().parameters
        assert "interrupt_function" in QSampler().parameters

    @SAMPLERS
    def test_called_once_after_every_read_with_no_arguments(self, make):
        calls = []

        def never(*args, **kwargs):
            calls.append((args, kwargs))
            return False

        ss = make().sample(model(), num_reads=5, num_sweeps=10, seed=3, interrupt_function=never)
        assert len(ss) == 5
        assert calls == [((), {})] * 5

    @SAMPLERS
    @pytest.mark.parametrize("k", [1, 3, 5])
    def test_true_on_kth_call_returns_k_reads(self, make, k):
        calls = []

        def stop():
            calls.append(1)
            return len(calls) >= k

        ss = make().sample(model(), num_reads=5, num_sweeps=10, seed=3, interrupt_function=stop)
        assert len(calls) == k
        assert len(ss) == k

    @SAMPLERS
    def test_interrupted_reads_are_the_first_reads_of_the_full_run(self, make):
        bqm = dimod.generators.ran_r(1, 12, seed=5)
        calls = []

        def stop_after_three():
            calls.append(1)
            return len(calls) >= 3

        part = make().sample(
            bqm, num_reads=10, num_sweeps=20, seed=9, interrupt_function=stop_after_three
        )
        full = make().sample(bqm, num_reads=10, num_sweeps=20, seed=9)
        assert len(part) == 3
        assert np.array_equal(part.record.sample, full.record.sample[:3])

    @SAMPLERS
    def test_info_has_the_same_keys_when_interrupted(self, make):
        ss = make().sample(
            model(), num_reads=4, num_sweeps=5, seed=1, interrupt_function=lambda: True
        )
        assert len(ss) == 1
        assert set(ss.info) == set(make().sample(model(), num_reads=4, num_sweeps=5, seed=1).info)

    @SAMPLERS
    @pytest.mark.parametrize("result", ["no", 1, np.True_], ids=["str", "int", "np.bool"])
    def test_any_truthy_result_interrupts(self, make, result):
        # dwave converts the result with Python truth; an array whose truth raises counts as True.
        ss = make().sample(
            model(), num_reads=4, num_sweeps=5, seed=1, interrupt_function=lambda: result
        )
        assert len(ss) == 1

    @SAMPLERS
    @pytest.mark.parametrize("result", [None, 0.0, []], ids=["None", "0.0", "[]"])
    def test_falsy_result_does_not_interrupt(self, make, result):
        ss = make().sample(
            model(), num_reads=4, num_sweeps=5, seed=1, interrupt_function=lambda: result
        )
        assert len(ss) == 4

    def test_an_exception_in_the_function_propagates(self):
        # Deliberate: dwave-samplers swallows it and stops; qsample lets it through.
        def boom():
            raise RuntimeError("boom")

        with pytest.raises(RuntimeError, match="boom"):
            QSampler().sample(model(), num_reads=4, num_sweeps=5, seed=1, interrupt_function=boom)

    @pytest.mark.parametrize("value", ["yes", 1, True, [1]])
    def test_non_callable_raises_type_error(self, value):
        with pytest.raises(TypeError, match="interrupt_function"):
            DSampler().sample(model(), num_sweeps=5, seed=1, interrupt_function=value)
        with pytest.raises(TypeError, match="interrupt_function"):
            QSampler().sample(model(), num_sweeps=5, seed=1, interrupt_function=value)

    @SAMPLERS
    def test_never_called_on_an_empty_model(self, make):
        calls = []
        ss = make().sample(
            dimod.BinaryQuadraticModel("SPIN"),
            num_reads=4,
            interrupt_function=lambda: calls.append(1) or True,
        )
        assert (len(ss), calls) == (4, [])


# ---------------------------------------------------------------------------------------------
# 2. initial_states_generator and initial_states

STATES2 = ([[1, -1, 1], [-1, -1, -1]], "abc")


@pytest.mark.parametrize("generator", ["none", "tile", "bogus", "Random", None, 1])
@pytest.mark.parametrize("num_reads", [None, 3])
def test_generator_without_initial_states(generator, num_reads):
    # dwave always runs dimod's parse_initial_states: 'none' -> "insufficient number of
    # initial states given", 'tile' -> "cannot tile an empty sample set of initial states",
    # anything unknown -> "unknown value for 'initial_states_generator'" (all ValueError).
    # qsample only parses when initial_states is given, so all of these succeed today.
    assert_same_outcome(
        num_sweeps=0, seed=1, num_reads=num_reads, initial_states_generator=generator
    )


@pytest.mark.parametrize("generator", ["none", "tile", "random", "bogus", "NONE"])
@pytest.mark.parametrize("num_reads", [None, 1, 2, 5])
def test_generator_with_initial_states(generator, num_reads):
    assert_same_outcome(
        num_sweeps=0,
        seed=1,
        num_reads=num_reads,
        initial_states=STATES2,
        initial_states_generator=generator,
    )


@pytest.mark.parametrize("generator", ["tile", "random", "none"])
@pytest.mark.parametrize("num_reads", [1, 2, 5])
def test_expanded_starts_are_identical(generator, num_reads):
    # With zero sweeps the starts come back; both use dimod's generators with the same seed.
    def starts(make):
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            try:
                return (
                    make()
                    .sample(
                        model(),
                        num_sweeps=0,
                        seed=1,
                        num_reads=num_reads,
                        initial_states=STATES2,
                        initial_states_generator=generator,
                    )
                    .record.sample
                )
            except ValueError:
                return "ValueError"

    d, q = starts(DSampler), starts(QSampler)
    assert (d == q) if isinstance(d, str) else np.array_equal(d, q)


# ---------------------------------------------------------------------------------------------
# 3. TypeError vs ValueError (only the exception type is compared)

SAME = [
    ("num_reads", 2.0),
    ("num_reads", "2"),
    ("num_reads", 0),
    ("num_reads", -1),
    ("num_reads", np.int64(2)),
    ("num_sweeps", -1),
    ("num_sweeps", np.int64(3)),
    ("num_sweeps", 0),
    ("num_sweeps", 10.0),
    ("num_sweeps", "10"),
    ("num_sweeps_per_beta", 0),
    ("num_sweeps_per_beta", -1),
    ("num_sweeps_per_beta", np.int64(2)),
    ("num_sweeps_per_beta", 1.0),
    ("num_sweeps_per_beta", "1"),
    ("num_sweeps_per_beta", None),
    ("seed", 1.0),
    ("seed", "1"),
    ("seed", -1),
    ("seed", 2**64),
    ("seed", np.uint64(3)),
    ("seed", 0),
    ("seed", 2**31 - 1),
    ("beta_range", (0.1,)),
    ("beta_range", (0.1, 1.0, 2.0)),
    ("beta_range", (-1, 1.0)),
    ("beta_range", (0, 1.0)),
    ("beta_range", (1.0, 0.1)),
    ("beta_range", np.array([0.1, 1.0])),
    ("beta_range", 1.0),
    ("beta_range", "ab"),
    ("beta_range", True),
    ("beta_range", (0.1, None)),
    ("beta_range", ("0.1", "1")),
]


@pytest.mark.parametrize(("name", "value"), SAME, ids=repr)
def test_argument_types_and_ranges(name, value):
    assert_same_outcome(**{"num_sweeps": 10, "seed": 1, name: value})


def test_sweeps_beyond_any_reasonable_run_are_refused():
    # dwave: OverflowError at its C int boundary; qsample: ValueError naming the bound.
    with pytest.raises(OverflowError):
        DSampler().sample(
            model(), num_sweeps_per_beta=2**31, beta_schedule_type="custom", beta_schedule=[1.0]
        )
    with pytest.raises(ValueError, match="num_sweeps_per_beta"):
        QSampler().sample(
            model(), num_sweeps_per_beta=2**62, beta_schedule_type="custom", beta_schedule=[1.0]
        )


# ---------------------------------------------------------------------------------------------
# 4. custom schedules


@pytest.mark.parametrize("schedule", [[0.1, 1.0, np.inf], [np.inf]], ids=["ends-inf", "inf"])
def test_infinite_beta_is_accepted(schedule):
    assert_same_outcome(beta_schedule_type="custom", beta_schedule=schedule, seed=1)


@SAMPLERS
@pytest.mark.parametrize("criterion", ["Metropolis", "Gibbs"])
@pytest.mark.parametrize(
    ("h", "expected"), [(0.0, 0.0), (0.5, 1.0), (-0.5, 0.0)], ids=["dE=0", "dE<0", "dE>0"]
)
def test_infinite_beta_is_a_strict_greedy_quench(make, criterion, h, expected):
    # At beta = inf dwave skips every dE >= 0 (threshold 44.36/beta = 0): only strictly
    # downhill flips, for Metropolis and Gibbs alike. Start +1, dE = -2h.
    assert flip_fraction(make, h, np.inf, criterion, reads=200) == expected


@SAMPLERS
@pytest.mark.parametrize("criterion", ["Metropolis", "Gibbs"])
def test_huge_finite_beta_still_moves_on_flat_directions(make, criterion):
    # At beta = 1e300: dE == 0 flips always (Metropolis) or half the time (Gibbs).
    expected = 1.0 if criterion == "Metropolis" else 0.5
    assert within(flip_fraction(make, 0.0, 1e300, criterion), expected, 4000)


@pytest.mark.parametrize(
    "schedule", [[0.1, -1.0], [-np.inf], ["a"], "abc", None, [1 + 1j]], ids=repr
)
def test_bad_schedules_same_today(schedule):
    assert_same_outcome(beta_schedule_type="custom", beta_schedule=schedule, seed=1)


@pytest.mark.parametrize(
    "schedule",
    [np.array([[0.1, 0.5], [1.0, 2.0]]), np.array([[0.5]]), 1.0, np.float64(2.0), []],
    ids=["2-D", "1x1", "scalar", "np-scalar", "empty"],
)
def test_schedules_dwave_refuses(schedule):
    # dwave: 2-D and scalar -> TypeError, [] -> ValueError; qsample the same.
    assert_same_outcome(beta_schedule_type="custom", beta_schedule=schedule, seed=1)


# ---------------------------------------------------------------------------------------------
# 5. acceptance rules and sweep order


@SAMPLERS
@pytest.mark.parametrize("randomize_order", [False, True])
@pytest.mark.parametrize("beta", [0.0, 1.0, 1e6])
def test_metropolis_flips_flat_spins(make, randomize_order, beta):
    # dE <= 0 is always accepted (qsample's Exp(1) thresholds are never 0).
    assert flip_fraction(make, 0.0, beta, "Metropolis", randomize_order, reads=400) == 1.0


@SAMPLERS
@pytest.mark.parametrize("randomize_order", [False, True])
@pytest.mark.parametrize(
    ("criterion", "h", "beta", "p"),
    [
        ("Metropolis", -0.5, 1.0, np.exp(-1.0)),
        ("Gibbs", 0.0, 1.0, 0.5),
        ("Gibbs", -0.5, 1.0, 1 / (1 + np.e)),
        ("Gibbs", 0.5, 1.0, 1 / (1 + np.exp(-1.0))),
        ("Gibbs", 0.5, 0.0, 0.5),
    ],
)
def test_acceptance_probabilities(make, randomize_order, criterion, h, beta, p):
    n = 4000
    assert within(flip_fraction(make, h, beta, criterion, randomize_order, reads=n), p, n)


def order_model():
    """Variables inserted b, a. One cold sweep from a uniform start never ends at (+1, +1)
    when a is updated first (sorted order), and does so a quarter of the time otherwise."""
    bqm = dimod.BinaryQuadraticModel("SPIN")
    bqm.add_variable("b", 1.0)
    bqm.add_variable("a", -0.5)
    bqm.add_quadratic("a", "b", -1.0)
    return bqm


@SAMPLERS
def test_sequential_sweeps_follow_sorted_labels_without_initial_states(make):
    # Both sweep in sorted label order (qsample: class by class of a colouring, sorted
    # within a class; here a comes first either way).
    ss = make().sample(
        order_model(), beta_schedule_type="custom", beta_schedule=[50.0], num_reads=2000, seed=11
    )
    both_up = np.all(ss.record.sample == 1, axis=1)
    assert not both_up.any()


@SAMPLERS
def test_default_beta_range(make):
    ss = make().sample(model("BINARY"), num_sweeps=10, seed=1)
    ref = dwave_sa.sa.sampler.default_beta_range(model("BINARY"))
    assert np.allclose(list(ss.info["beta_range"]), ref, rtol=1e-12)


# ---------------------------------------------------------------------------------------------
# 6. info, vartype, variables, empty models, num_reads=None


@pytest.mark.parametrize(
    "kwargs",
    [
        dict(num_sweeps=10, seed=1),
        dict(num_sweeps=10, seed=1, beta_range=[0.2, 3]),
        dict(beta_schedule_type="custom", beta_schedule=[0.1, 1.0], seed=1),
    ],
    ids=["default", "beta_range", "custom"],
)
def test_info(kwargs):
    d = DSampler().sample(model("BINARY"), **kwargs)
    q = QSampler().sample(model("BINARY"), **kwargs)
    assert set(d.info) <= set(q.info)
    assert set(d.info["timing"]) == set(q.info["timing"])
    assert q.info["beta_schedule_type"] == d.info["beta_schedule_type"]
    assert (q.vartype, list(q.variables)) == (d.vartype, list(d.variables))
    assert q.record.dtype.names == d.record.dtype.names
    # info['beta_range'] is the argument as given (None for 'custom' without one), or a
    # list [hot, cold] from the heuristic.
    assert type(q.info["beta_range"]) is type(d.info["beta_range"])


def test_info_keys_are_dwaves_plus_seed_and_precision():
    d = DSampler().sample(model(), num_sweeps=1, seed=1)
    q = QSampler().sample(model(), num_sweeps=1, seed=1)
    assert set(q.info) == set(d.info) | {"seed", "precision"}


@pytest.mark.parametrize("vartype", ["SPIN", "BINARY"])
@pytest.mark.parametrize(
    "kwargs",
    [
        dict(),
        dict(num_reads=3),
        dict(num_reads=3, num_sweeps=10),
        dict(beta_schedule_type="custom", beta_schedule=[1.0]),
    ],
    ids=["default", "reads", "sweeps", "custom"],
)
def test_empty_model(vartype, kwargs):
    bqm = dimod.BinaryQuadraticModel(vartype)
    bqm.offset = 1.5
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        d = DSampler().sample(bqm, seed=1, **kwargs)
        q = QSampler().sample(bqm, seed=1, **kwargs)
    assert q.record.sample.shape == d.record.sample.shape
    assert np.array_equal(q.record.energy, d.record.energy)
    assert q.vartype is d.vartype


@pytest.mark.parametrize(
    "initial_states",
    [None, ([[1, 1, 1]] * 4, "abc"), {"a": 1, "b": 1, "c": -1}],
    ids=["none", "four", "one-dict"],
)
def test_num_reads_none(initial_states):
    assert_same_outcome(num_sweeps=5, seed=1, initial_states=initial_states)


def test_seed_none_follows_numpys_global_generator():
    # dwave draws seed = numpy.random.randint(2**31), so np.random.seed fixes its samples.
    bqm = dimod.generators.ran_r(1, 10, seed=2)

    def twice(make):
        out = []
        for _ in range(2):
            np.random.seed(123)  # noqa: NPY002 - the global generator is the point
            out.append(make().sample(bqm, num_reads=4, num_sweeps=5).record.sample)
        return np.array_equal(*out)

    assert twice(DSampler)
    assert twice(QSampler)


# ---------------------------------------------------------------------------------------------
# 7. proposal_acceptance_criteria and randomize_order


@pytest.mark.parametrize("criterion", ["metropolis", "gibbs", "GIBBS", "MeTrOpOlIs"])
def test_criteria_are_case_insensitive(criterion):
    assert_same_outcome(num_sweeps=5, seed=1, proposal_acceptance_criteria=criterion)


@pytest.mark.parametrize("criterion", ["Metropolis", "Gibbs", "heat-bath", ""])
def test_criteria(criterion):
    assert_same_outcome(num_sweeps=5, seed=1, proposal_acceptance_criteria=criterion)


# ---------------------------------------------------------------------------------------------
# deliberate differences (qsample is stricter or wider; see the module notes)


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("seed", True),
        ("num_reads", False),
        ("num_sweeps", True),
        ("num_sweeps", 2.5),
        ("randomize_order", 1),
        ("proposal_acceptance_criteria", None),
        ("proposal_acceptance_criteria", b"Gibbs"),
    ],
    ids=repr,
)
def test_wrong_types_are_type_errors(name, value):
    with pytest.raises(TypeError, match=name):
        QSampler().sample(model(), **{"num_sweeps": 10, "seed": 1, name: value})


def test_out_of_range_integers_are_value_errors():
    # dwave: OverflowError for 2**64 reads; qsample: ValueError naming the parameter.
    with pytest.raises(ValueError, match="num_reads"):
        QSampler().sample(model(), num_reads=2**64)


@pytest.mark.parametrize("seed", [2**31, 2**32, 2**64 - 1])
def test_seeds_up_to_64_bits(seed):
    assert len(QSampler().sample(model(), num_sweeps=10, seed=seed)) == 1
