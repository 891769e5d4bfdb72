"""EmbeddedBoltzmannMachine: scikit-learn's estimator conventions, exact
continuation, files, every input kind, errors that name row and column, and
models that learn (prediction beats chance, imputation fills what is missing)."""

from __future__ import annotations

import pickle
import subprocess
import sys
import textwrap
import warnings

import networkx as nx
import numpy as np
import pytest

from qsample import EmbeddedBoltzmannMachine, datasets, dwave, hardware
from qsample.embedding import Embedding, clique_embedding
from qsample.execution import SerialExecutor
from qsample.learning import read_checkpoint

sklearn = pytest.importorskip("sklearn")
from sklearn.base import clone  # noqa: E402
from sklearn.utils import estimator_checks  # noqa: E402
from sklearn.utils.validation import check_is_fitted  # noqa: E402

#: Small and quick: K9 (or K11 with two classes) on a Zephyr Z(4,4) by the clique embedder.
SMALL = dict(
    target="zephyr4",
    embedding="clique",
    num_reads=32,
    random_state=3,
    num_reconstructions=16,
    classification_samples=24,
    log_likelihood_runs=32,
    log_likelihood_steps=200,
)
BAS = datasets.bars_and_stripes(3, 3)


def machine(**settings) -> EmbeddedBoltzmannMachine:
    return EmbeddedBoltzmannMachine(**{**SMALL, "iterations": 20, **settings})


def labelled(n: int = 60, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """Six features, two classes: each class has its own pattern, every feature
    flipped with probability 0.1."""
    rng = np.random.default_rng(seed)
    y = rng.integers(0, 2, n)
    patterns = np.array([[1, 1, 1, -1, -1, -1], [-1, -1, 1, 1, -1, 1]], dtype=np.int8)
    flips = np.where(rng.random((n, 6)) < 0.1, -1, 1)
    return (patterns[y] * flips).astype(np.int8), np.array(["no", "yes"])[y]


@pytest.fixture(scope="module")
def bas_model() -> EmbeddedBoltzmannMachine:
    return machine(iterations=150, learning_rate=0.05).fit(BAS.data)


@pytest.fixture(scope="module")
def classifier() -> tuple[EmbeddedBoltzmannMachine, np.ndarray, np.ndarray]:
    X, y = labelled()
    return machine(iterations=80, learning_rate=0.05).fit(X, y), X, y


def same_learning(a: EmbeddedBoltzmannMachine, b: EmbeddedBoltzmannMachine) -> None:
    np.testing.assert_array_equal(a.model_.h, b.model_.h)
    np.testing.assert_array_equal(a.model_.J, b.model_.J)
    assert a.n_iter_ == b.n_iter_
    assert a.history_.norm_J == b.history_.norm_J


# -- conventions ------------------------------------------------------------------------
#: The checks of sklearn.utils.estimator_checks that apply: the others fit on
#: real-valued random data, which a model of binary variables refuses (their
#: conventions are tested below on binary data instead).
APPLICABLE_CHECKS = [
    "check_estimator_cloneable",
    "check_estimator_repr",
    "check_no_attributes_set_in_init",
    "check_estimators_unfitted",
    "check_do_not_raise_errors_in_init_or_set_params",
    "check_parameters_default_constructible",
    "check_get_params_invariance",
    "check_set_params",
    "check_valid_tag_types",
    "check_estimator_tags_renamed",
    "check_mixin_order",
]


@pytest.mark.parametrize("check", APPLICABLE_CHECKS)
def test_scikit_learn_checks(check):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # "does not inherit from BaseEstimator": by design
        getattr(estimator_checks, check)("EmbeddedBoltzmannMachine", machine())


def test_settings_are_stored_as_given_and_cloned():
    embedding = clique_embedding(9, hardware.zephyr(4))
    est = EmbeddedBoltzmannMachine(
        embedding=embedding, learning_rate=0.1, sampler_parameters={"num_sweeps": 50}
    )
    params = est.get_params()
    assert params["embedding"] is embedding and params["learning_rate"] == 0.1
    twin = clone(est)
    assert twin.get_params()["learning_rate"] == 0.1 and twin is not est
    assert twin.set_params(learning_rate=0.2, iterations=7) is twin
    assert (twin.learning_rate, twin.iterations, est.learning_rate) == (0.2, 7, 0.1)
    with pytest.raises(ValueError, match="'learnign_rate' is not a setting"):
        est.set_params(learnign_rate=1)
    assert repr(EmbeddedBoltzmannMachine(iterations=5)) == "EmbeddedBoltzmannMachine(iterations=5)"
    # Nothing is checked before fit, and fit names the setting at fault.
    bad = EmbeddedBoltzmannMachine(learning_rate=-1, target="nowhere")
    with pytest.raises(ValueError, match="'target' must be one of"):
        bad.fit(BAS.data)
    with pytest.raises(ValueError, match="'learning_rate' must be"):
        bad.set_params(target="zephyr4", embedding="clique").fit(BAS.data)


@pytest.mark.parametrize(
    "method,args",
    [
        ("sample", (3,)),
        ("predict", (BAS.data,)),
        ("predict_proba", (BAS.data,)),
        ("impute", (BAS.data,)),
        ("score", (BAS.data,)),
        ("save", ("x.npz",)),
    ],
)
def test_nothing_fitted_before_fit(method, args):
    est = machine()
    assert not [k for k in vars(est) if k.endswith("_")]
    with pytest.raises(sklearn.exceptions.NotFittedError, match=f"before '{method}'"):
        getattr(est, method)(*args)


def test_fit_learns_attributes_and_leaves_the_settings_alone(bas_model):
    est = machine()
    before = est.get_params()
    assert est.fit(BAS.data) is est
    after = est.get_params()
    assert all(after[k] is before[k] for k in before)
    check_is_fitted(est)
    assert est.n_features_in_ == 9 and est.n_iter_ == 20 and len(est.history_) == 20
    assert est.embedding_.report().logical_variables == 9
    assert est.target_.name == "Z(4,4)" and est.seed_ == 3 and est.stopped_ is None
    assert est.range_policy_ == "ignore" and not hasattr(est, "classes_")
    # A second fit starts again: the same seed gives the same model.
    same_learning(est, machine().fit(BAS.data))
    same_learning(est.fit(BAS.data), machine().fit(BAS.data))


def test_evaluation_changes_nothing(classifier):
    est, X, _ = classifier
    before = dict(vars(est))
    est.predict(X[:5])
    est.sample(5)
    est.impute(X[:3].astype(float))
    assert vars(est).keys() == before.keys()
    assert all(vars(est)[k] is v for k, v in before.items())


# -- continuing ----------------------------------------------------------------------------
def test_two_partial_fits_are_one_fit_of_the_sum_bit_for_bit():
    X, y = labelled(50)
    whole = machine(batch_size=20, iterations=12).fit(X, y)  # mini-batches: the cursor counts
    parts = machine(batch_size=20, iterations=5)
    parts.partial_fit(X, y)
    parts.partial_fit(X, y, iterations=7)
    same_learning(whole, parts)
    np.testing.assert_array_equal(whole.trainer_.velocity_J, parts.trainer_.velocity_J)
    assert whole.trainer_.rng.bit_generator.state == parts.trainer_.rng.bit_generator.state


def test_partial_fit_goes_on_after_save_load_and_pickle(tmp_path):
    X, y = labelled(50)
    whole = machine(batch_size=20, iterations=10).fit(X, y)
    first = machine(batch_size=20, iterations=4).fit(X, y)
    first.save(tmp_path / "m.npz")
    loaded = EmbeddedBoltzmannMachine.load(tmp_path / "m.npz")
    assert not hasattr(loaded, "trainer_")
    same_learning(whole, loaded.partial_fit(X, y, iterations=6))
    thawed = pickle.loads(pickle.dumps(first))
    same_learning(whole, thawed.partial_fit(X, y, iterations=6))


def test_a_loaded_model_goes_on_from_new_rows_as_the_live_one_does(tmp_path):
    X, y = labelled(60)
    live = machine(batch_size=10, iterations=4).fit(X[:30], y[:30])
    live.save(tmp_path / "m.npz")
    live.partial_fit(X[30:], y[30:])
    loaded = EmbeddedBoltzmannMachine.load(tmp_path / "m.npz").partial_fit(X[30:], y[30:])
    same_learning(live, loaded)


def test_partial_fit_learns_from_new_rows_and_refuses_a_new_structure():
    X, y = labelled(60)
    est = machine(iterations=5).partial_fit(X[:30], y[:30], classes=["no", "yes"])
    est.partial_fit(X[30:], y[30:])
    assert est.n_iter_ == 10
    np.testing.assert_array_equal(est.model_.decode(est.trainer_.data).values[:, :6], X[30:])
    est.set_params(learning_rate=0.01)  # learning settings may change
    est.partial_fit(X[30:], y[30:], iterations=1)
    assert est.trainer_.hyper.learning_rate == 0.01
    est.set_params(target="pegasus6")
    with pytest.raises(ValueError, match=r"\['target'\] changed since"):
        est.partial_fit(X, y)
    with pytest.raises(ValueError, match="'yes!' .* not one of the classes"):
        est.set_params(target="zephyr4").partial_fit(X[:2], ["yes", "yes!"])


def test_callbacks_see_the_current_model_and_checkpoints_resume(tmp_path):
    seen = []

    def record(est, it):
        seen.append((it, est.n_iter_, float(est.model_.J[0])))

    straight = machine(iterations=6).fit(BAS.data, callbacks=[(2, record)])
    assert [s[:2] for s in seen] == [(2, 2), (4, 4), (6, 6)]
    assert seen[-1][2] == straight.model_.J[0]
    path = tmp_path / "c.npz"
    machine(iterations=4).fit(BAS.data, checkpoint=path, checkpoint_every=2)
    assert read_checkpoint(path).iteration == 4
    same_learning(straight, machine(iterations=6).fit(BAS.data, resume=path))


# -- files ---------------------------------------------------------------------------------
def test_save_and_load_in_a_fresh_process(tmp_path, classifier):
    est, X, y = classifier
    path = tmp_path / "model.npz"
    est.save(path)
    script = textwrap.dedent(f"""
        import json, numpy as np
        from qsample import EmbeddedBoltzmannMachine
        est = EmbeddedBoltzmannMachine.load({str(path)!r})
        X = np.load({str(tmp_path / "X.npy")!r})
        print(json.dumps({{"predict": est.predict(X).tolist(),
                          "sample": est.sample(7).tolist(),
                          "classes": est.classes_.tolist(), "n_iter": est.n_iter_,
                          "params": {{k: v for k, v in est.get_params().items()
                                     if isinstance(v, (int, float, str))}}}}))
    """)
    np.save(tmp_path / "X.npy", X[:10])
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    import json

    fresh = json.loads(done.stdout)
    assert fresh["predict"] == est.predict(X[:10]).tolist()
    assert fresh["sample"] == est.sample(7).tolist()
    assert fresh["classes"] == ["no", "yes"] and fresh["n_iter"] == est.n_iter_
    assert fresh["params"]["learning_rate"] == est.learning_rate


def test_load_refuses_other_files(tmp_path, bas_model):
    model_file = tmp_path / "hardware.npz"
    bas_model.model_.save(model_file)
    with pytest.raises(ValueError, match="is not a qsample estimator file"):
        EmbeddedBoltzmannMachine.load(model_file)
    checkpoint = tmp_path / "c.npz"
    machine(iterations=1).fit(BAS.data, checkpoint=checkpoint)
    with pytest.raises(ValueError, match="it is a trainer checkpoint"):
        EmbeddedBoltzmannMachine.load(checkpoint)
    (tmp_path / "empty.npz").write_bytes(b"")
    with pytest.raises(ValueError, match="empty.npz is not a qsample estimator file"):
        EmbeddedBoltzmannMachine.load(tmp_path / "empty.npz")


def test_a_sampler_object_is_named_in_the_file_and_given_again(tmp_path):
    from qsample import SimulatedAnnealingSampler

    sa = SimulatedAnnealingSampler()
    est = machine(iterations=3, sampler=sa, sampler_parameters={"num_sweeps": 50}).fit(BAS.data)
    est.save(tmp_path / "m.npz")
    blind = EmbeddedBoltzmannMachine.load(tmp_path / "m.npz")
    with pytest.raises(
        ValueError, match="trained with SimulatedAnnealingSampler, which a file cannot hold"
    ):
        blind.sample(3)
    again = EmbeddedBoltzmannMachine.load(tmp_path / "m.npz", sampler=sa)
    np.testing.assert_array_equal(again.sample(5), est.sample(5))


# -- inputs ----------------------------------------------------------------------------------
def _inputs():
    zero_one = (BAS.data > 0).astype(np.int64)
    kinds = {
        "pm1": BAS.data,
        "01": zero_one,
        "bool": zero_one.astype(bool),
        "float": zero_one.astype(float),
        "list": zero_one.tolist(),
    }
    import scipy.sparse

    kinds["sparse"] = scipy.sparse.csr_matrix(zero_one)
    try:
        import pandas as pd
    except ImportError:
        pass
    else:
        kinds["frame"] = pd.DataFrame(zero_one, columns=[f"p{i}" for i in range(9)])
    return kinds


def test_every_input_kind_gives_the_same_model():
    reference = machine(iterations=5).fit(BAS.data)
    for kind, X in _inputs().items():
        est = machine(iterations=5).fit(X)
        np.testing.assert_array_equal(est.model_.J, reference.model_.J, err_msg=kind)
        assert est.impute(X).shape == (16, 9)
    if "frame" in _inputs():
        frame = _inputs()["frame"]
        est = machine(iterations=1).fit(frame)
        assert list(est.feature_names_in_) == [f"p{i}" for i in range(9)]
        with pytest.raises(ValueError, match="the model was fitted on"):
            est.impute(frame.rename(columns={"p0": "q0"}))


@pytest.mark.parametrize(
    "X,message",
    [
        (np.where(np.arange(27).reshape(9, 3) == 10, 2, 1), "row 3, column 1 is 2"),
        ([[0, 1, 1], [1, 0, "x"]], "row 1, column 2 is 'x'"),
        ([[0, 0, 1], [1, -1, 1]], "row 0, column 1 is 0 but the column also holds -1"),
        ([[0, 1, np.nan], [1, 0, 1]], "missing entry at row 0, column 2; fit needs complete rows"),
        ([[0, 1], [1, 0, 1]], "row 1 has 3 values where row 0 has 2"),
        (np.zeros((0, 3)), "at least one row"),
    ],
)
def test_bad_data_is_named_by_row_and_column(X, message):
    with pytest.raises(ValueError, match=message.replace("(", r"\(")):
        machine().fit(X)


def test_bad_containers_and_labels_are_refused(classifier):
    est, X, y = classifier
    with pytest.raises(TypeError, match="'X' must be a numpy array, a list of rows"):
        machine().fit({"a": [0, 1]})
    with pytest.raises(ValueError, match="'y' has 3 labels for 60 rows"):
        machine().fit(X, y[:3])
    with pytest.raises(ValueError, match="at least two classes"):
        machine().fit(X, np.zeros(60))
    with pytest.raises(ValueError, match="continuous"):
        machine().fit(X, np.linspace(0, 1, 60))
    with pytest.raises(ValueError, match="'y' is missing the label of row 2"):
        machine().fit(X, [1, 0, None] + [1] * 57)
    with pytest.raises(ValueError, match="'X' has 5 columns; the model was fitted on 6"):
        est.predict(X[:, :5])


# -- what the model does ---------------------------------------------------------------------
def test_predict_on_a_small_labelled_problem_beats_chance(classifier):
    est, _, _ = classifier
    X, y = labelled(40, seed=1)  # new rows from the same classes
    predicted = est.predict(X)
    assert set(predicted) <= {"no", "yes"}
    accuracy = est.score(X, y)
    assert accuracy == np.mean(predicted == y) and accuracy > 0.8  # chance: about 0.5
    proba = est.predict_proba(X)
    assert proba.shape == (40, 2) and np.allclose(proba.sum(axis=1), 1)
    np.testing.assert_array_equal(est.classes_[np.argmax(proba, axis=1)], predicted)
    # The picture batches can run as tasks of an executor: the same answers.
    np.testing.assert_array_equal(est.predict(X, executor=SerialExecutor()), predicted)
    with pytest.raises(ValueError, match="score\\(X, y\\) is the accuracy"):
        est.score(X)
    with pytest.raises(ValueError, match="'classification_samples' must be a positive"):
        clone(est).set_params(classification_samples=0).fit(X, y).predict(X)


def test_impute_fills_the_missing_entries(bas_model):
    rng = np.random.default_rng(0)
    hidden = np.zeros(BAS.data.shape, dtype=bool)
    hidden[np.arange(16), rng.integers(0, 9, 16)] = True
    X = np.where(hidden, np.nan, BAS.data)
    filled = bas_model.impute(X)
    assert filled.dtype == np.int8 and set(np.unique(filled)) <= {-1, 0, 1}
    np.testing.assert_array_equal(filled[~hidden], BAS.data[~hidden])
    assert np.mean(filled[hidden] == BAS.data[hidden]) > 0.8  # chance: 0.5
    # A mask says the same as NaN; reconstruct scores the filled entries.
    np.testing.assert_array_equal(bas_model.impute(BAS.data, hidden), filled)
    r = bas_model.reconstruct(BAS.data, hidden)
    np.testing.assert_array_equal(r.values, filled)
    assert r.corrupted.sum() == 16 and r.wrong.sum() == np.sum(filled[hidden] == -BAS.data[hidden])


def test_samples_look_like_the_data_and_report_ties(bas_model):
    samples = bas_model.sample(400)
    patterns = {tuple(r) for r in BAS.data}
    assert np.mean([tuple(s) in patterns for s in samples]) > 0.6  # 14 of 512 states
    np.testing.assert_array_equal(samples, bas_model.sample(400))  # the fitted seed
    assert not np.array_equal(samples, bas_model.sample(400, random_state=1))
    # Chains of two qubits tie; "keep" writes 0, "random" a coin.
    chains = {v: (v, v + 4) for v in range(4)}
    paired = EmbeddedBoltzmannMachine(
        target=hardware.chimera(1), embedding=chains, iterations=0, random_state=0
    )
    paired.fit(np.ones((3, 4), np.int8))
    kept = paired.sample(200)
    assert (kept == 0).any()
    assert not (paired.sample(200, tie="random") == 0).any()
    np.testing.assert_array_equal(
        paired.set_params(tie="random").sample(200)[kept != 0], kept[kept != 0]
    )


def test_class_conditioned_samples(classifier):
    est, _, _ = classifier
    yes = est.sample(50, y="yes")
    no = est.sample(50, y="no")
    pattern_yes = np.array([-1, -1, 1, 1, -1, 1])
    assert np.mean(yes == pattern_yes) > np.mean(no == pattern_yes) + 0.3
    with pytest.raises(ValueError, match="'maybe'"):
        est.sample(3, y="maybe")


def test_score_without_labels_is_a_log_likelihood(bas_model):
    trained = bas_model.score(BAS.data)
    untrained = machine(iterations=0).fit(BAS.data).score(BAS.data)
    assert untrained == pytest.approx(-9 * np.log(2), abs=0.05)  # uniform over 512 states
    assert -9 * np.log(2) + 1.5 < trained <= 0


# -- samplers and targets ----------------------------------------------------------------
def test_a_qpu_samples_with_its_ranges_and_the_paper_stop_rule():
    qpu = dwave.qpu_stand_in(hardware.chimera(2))
    est = EmbeddedBoltzmannMachine(
        target=qpu, iterations=3, num_reads=16, random_state=0, embedding_tries=2
    )
    est.fit(BAS.data[:, :4])
    assert est.range_policy_ == "stop" and est.target_.name.startswith("qsample-stand-in")
    assert est.trainer_.negative_phase.parameters == {"auto_scale": False}
    assert est.sample(3).shape == (3, 4)


def test_exact_gradient_and_a_graph_target():
    graph = nx.cycle_graph(8)
    graph.add_edges_from((i, i + 4) for i in range(4))
    est = EmbeddedBoltzmannMachine(
        target=graph,
        sampler="exact",
        iterations=5,
        random_state=0,
        learning_rate=0.1,
        embedding_tries=3,
    )
    est.fit(BAS.data[:, :3])
    assert est.target_.num_qubits == 8 and est.n_iter_ == 5
    assert est.sample(4).shape == (4, 3)
    with pytest.raises(ValueError, match="at most 30 variables"):
        machine(sampler="exact").fit(np.ones((2, 12), np.int8))  # K12: over 30 qubits


def test_a_target_too_small_says_which_presets_fit():
    X = np.ones((2, 60), np.int8)
    with pytest.raises(
        ValueError,
        match="60 features make 60 logical variables: K60 cannot "
        "be embedded in D-Wave 2X-like.*Named targets with "
        "room for it",
    ):
        EmbeddedBoltzmannMachine(target="dw2x").fit(X)


def test_a_given_embedding_must_cover_the_variables():
    embedding = clique_embedding(5, hardware.zephyr(4))
    with pytest.raises(ValueError, match="must embed K9 over the logical variables 0 .. 8"):
        EmbeddedBoltzmannMachine(embedding=embedding).fit(BAS.data)
    with pytest.raises(ValueError, match="brings its own target"):
        EmbeddedBoltzmannMachine(embedding=embedding, target="dw2x").fit(BAS.data[:, :5])
    assert isinstance(
        EmbeddedBoltzmannMachine(embedding=embedding, iterations=1).fit(BAS.data[:, :5]).embedding_,
        Embedding,
    )


# -- scikit-learn around it -----------------------------------------------------------------
def test_in_a_pipeline_and_under_grid_search():
    from sklearn.model_selection import GridSearchCV
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import Binarizer

    X, y = labelled(48)
    real = (X + 1) / 2 * 0.8 + 0.1  # gray levels either side of 0.5
    pipe = make_pipeline(Binarizer(threshold=0.5), machine(iterations=40, learning_rate=0.05))
    pipe.fit(real, y)
    assert pipe.score(real, y) > 0.8
    search = GridSearchCV(machine(iterations=15), {"learning_rate": [0.001, 0.05]}, cv=2)
    search.fit(X, y)
    assert search.best_params_ == {"learning_rate": 0.05}
    assert set(search.predict(X[:4])) <= {"no", "yes"}
    density = GridSearchCV(machine(iterations=30), {"learning_rate": [0.0001, 0.05]}, cv=2)
    density.fit(X)  # no labels: scored by the log-likelihood of the held-out rows
    assert density.best_params_ == {"learning_rate": 0.05}
    assert -6 * np.log(2) < density.best_score_ < 0
