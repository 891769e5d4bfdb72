"""The sampler shoot-out: every contender at the shared budget, the stopping
rule of a run (iteration budget and time budget), the fitted temperature of
the test log-likelihood, and ``qsample shootout`` end to end with tiny
settings (its folder, resume, no folder left on failure)."""

from __future__ import annotations

import csv
import json
from dataclasses import replace
from pathlib import Path

import networkx as nx
import numpy as np
import pytest

from qsample import exact, hardware
from qsample.cli import main
from qsample.embedding import Embedding
from qsample.experiments import UNITS_FOLDER
from qsample.experiments.shootout import (
    Budgets,
    ShootoutSettings,
    evaluation_points,
    learn,
)
from qsample.experiments.shootout_samplers import (
    PHYSICAL_SAMPLERS,
    SAMPLERS,
    check_samplers,
    contender,
)
from qsample.experiments.shootout_temperature import fit_beta, fit_beta_exact
from qsample.ising import IsingArrays
from qsample.learning import (
    ExactMoments,
    Hyperparameters,
    SampledMoments,
    Trainer,
    logical_complete_graph,
)
from qsample.model import HardwareModel

TINY = ShootoutSettings(
    bas_iterations=3,
    bas_reads=16,
    bas_sweeps=20,
    bas_seconds=0.0,
    num_reconstructions=2,
    instances=1,
    sk_iterations=4,
    sk_reads=16,
    sk_sweeps=20,
    sk_seconds=0.0,
    likelihood_at=(1.0,),
    likelihood_runs=16,
    likelihood_steps=50,
    likelihood_chain_runs=1,
    likelihood_chain_steps=20,
    likelihood_fit_pictures=8,
    max_iterations_factor=1,
    bas_repeats=2,
    target="zephyr4",
    embedding="clique",
    embedding_tries=1,
)


@pytest.fixture
def tiny_quick(monkeypatch):
    """``qsample shootout --quick`` with the tiny settings."""
    monkeypatch.setattr(ShootoutSettings, "quick", classmethod(lambda cls: TINY))


# -- the contenders ----------------------------------------------------------------------
@pytest.mark.parametrize("reads, sweeps", [(96, 200), (150, 200), (16, 20)])
def test_every_physical_contender_spends_the_budget(reads, sweeps):
    for name in PHYSICAL_SAMPLERS:
        c = contender(name, reads, sweeps)
        # Parallel tempering's whole chains round the budget down, by at most a round.
        assert 0.9 * reads * sweeps <= c.replica_sweeps <= reads * sweeps, name
    assert contender("sa", reads, sweeps).num_reads == reads


def test_contenders_draw_samples_of_a_model():
    model = _logical(5, seed=3)
    for name in PHYSICAL_SAMPLERS:
        c = contender(name, 16, 20, threads=1)
        c.phase.validate(model, c.num_reads)
        result = c.phase(model, c.num_reads, 7)
        assert result.samples.shape == (c.num_reads, 5), name
        assert c.nominal_beta(model) > 0
    assert isinstance(contender("exact", 16, 20).phase, ExactMoments)


def test_bad_sampler_names_are_refused():
    with pytest.raises(ValueError, match="'samplers'.*'annealer'"):
        check_samplers(("sa", "annealer"))
    with pytest.raises(ValueError, match="repeat"):
        check_samplers(("sa", "sa"))
    with pytest.raises(TypeError, match="'samplers'"):
        check_samplers("sa")
    with pytest.raises(ValueError, match="'sampler'"):
        contender("annealer", 16, 20)
    assert check_samplers(list(SAMPLERS)) == SAMPLERS


@pytest.mark.parametrize(
    "change, message",
    [
        ({"tasks": ()}, "'tasks'"),
        ({"tasks": ("bas", "digits")}, "'tasks'"),
        ({"likelihood_at": (0.0,)}, "'likelihood_at'"),
        ({"bas_seconds": -1.0}, "'bas_seconds'"),
        ({"spins": 25}, "'spins'"),
        ({"bas_iterations": 0}, "'bas_iterations'"),
    ],
)
def test_bad_settings_are_refused(change, message):
    with pytest.raises(ValueError, match=message):
        replace(TINY, **change)


# -- a run's stopping rule -----------------------------------------------------------------
def _logical(n: int, seed: int) -> IsingArrays:
    return logical_complete_graph(n, seed=seed, scale=0.5)


def _trainer() -> Trainer:
    model = _logical(4, seed=1)
    data = exact.sample(model, 50, seed=2)
    return Trainer(
        _logical(4, seed=0), data, ExactMoments(), Hyperparameters(num_reads=1), progress=False
    )


def test_a_run_goes_on_until_both_budgets_are_spent():
    seen = []
    record = learn(
        _trainer(),
        Budgets(iterations=3, seconds=0.0, cap=10),
        lambda k: None,
        lambda k, what, t: seen.append((k, what)),
        {2},
        {3},
    )
    assert len(record.seconds) == 3 and record.time_point == 1  # no time budget
    assert seen == [
        (1, "reconstruction"),
        (1, "likelihood"),
        (2, "reconstruction"),
        (3, "likelihood"),
        (3, "reconstruction"),
    ]
    assert np.all(np.diff(record.seconds) >= 0)
    # A time budget it cannot reach: the cap stops it, and no time point is claimed.
    record = learn(
        _trainer(),
        Budgets(iterations=3, seconds=1e9, cap=5),
        lambda k: None,
        lambda k, what, t: None,
        set(),
        set(),
    )
    assert len(record.seconds) == 5 and record.time_point is None


def test_evaluation_points_are_one_two_five_up_to_the_cap():
    assert evaluation_points(Budgets(30, 0.0, 150)) == {1, 2, 5, 10, 20, 30, 50, 100}


def test_the_likelihood_is_always_read_at_the_iteration_budget():
    assert Budgets(100, 0.0, 500).likelihood_points((0.1,)) == {10, 100}


# -- the fitted temperature ------------------------------------------------------------------
def test_fitted_beta_of_a_logical_model_is_the_data_temperature():
    model = _logical(6, seed=5)
    data = exact.sample(model, 40000, beta=0.6, seed=1)
    fit = fit_beta_exact(model, data, 3.0)
    assert fit.beta == pytest.approx(0.6, rel=0.1)
    assert not fit.edge
    assert fit.train_log_likelihood.max() == pytest.approx(
        exact.log_probabilities(model, data, beta=fit.beta).mean()
    )


def test_fitted_beta_of_an_embedded_model_is_the_data_temperature():
    # Chains of odd length: every state decodes to a picture (a tie would count
    # for none, and data without the tied states would favour colder betas).
    target = hardware.chimera(1)
    embedding = Embedding(
        {0: (0, 4, 1), 1: (2,), 2: (5,), 3: (3, 6, 7)}, target, nx.complete_graph(4)
    )
    rng = np.random.default_rng(0)
    base = HardwareModel(embedding, seed=0)
    J = np.where(base.intra_chain, -1.0, rng.normal(0.0, 0.7, len(base.J)))
    model = base.with_parameters(rng.normal(0.0, 0.3, base.num_qubits), J)
    ising = model.to_ising()
    pictures = model.decode(exact.sample(ising, 20000, beta=0.5, seed=2)).values
    fit = fit_beta(
        model,
        pictures,
        2.0,
        num_runs=256,
        num_steps=2000,
        chain_runs=64,
        chain_steps=500,
        max_pictures=len(pictures),
    )
    # Every training log-likelihood of the search is the exact one, by enumeration.
    n = model.num_qubits
    states = ((np.arange(2**n)[:, None] >> np.arange(n)) & 1).astype(np.int8) * 2 - 1
    codes = model.decode(states).values @ (2 ** np.arange(4)) + 15
    rows = pictures @ (2 ** np.arange(4)) + 15
    for beta, estimate in zip(fit.grid, fit.train_log_likelihood):
        log_p = exact.log_probabilities(ising, states, beta=beta)
        per_picture = np.full(31, -np.inf)
        np.logaddexp.at(per_picture, codes, log_p)
        assert estimate == pytest.approx(per_picture[rows].mean(), abs=0.03), beta
    assert fit.beta == pytest.approx(0.5, rel=0.2)
    assert not fit.edge


def test_a_fit_at_the_grid_edge_says_so():
    model = _logical(6, seed=5)
    data = exact.sample(model, 5000, beta=2.0, seed=1)
    assert fit_beta_exact(model, data, 1.0).edge


# -- the command -------------------------------------------------------------------------------
def _run(tmp_path: Path, name: str, *extra: str) -> Path:
    out = tmp_path / name
    assert main(["shootout", "--quick", "--out", str(out), "--no-progress", *extra]) == 0
    return out


def test_shootout_writes_the_table_curves_and_plots(tmp_path, tiny_quick, capsys):
    out = _run(tmp_path, "all")
    printed = capsys.readouterr().out
    assert "best per second" in printed
    result = json.loads((out / "results.json").read_text())
    assert result["experiment"] == "shootout"
    f = result["figures"]
    assert list(f["bas"]["samplers"]) == [n for n in SAMPLERS if n != "exact"]
    assert list(f["sk"]["samplers"]) == list(SAMPLERS)
    sa = f["bas"]["samplers"]["sa"]
    assert sa["at_budget"]["iteration"] == 3 and sa["at_time"]["iteration"] == 1
    assert sa["runs"] == 2
    assert 0 <= sa["at_budget"]["mistakes_per_picture"] <= 20
    assert sa["at_budget"]["log_likelihood"] < 0 and sa["at_budget"]["fitted_beta"] > 0
    assert sa["spin_updates_per_iteration"] == 16 * 20 * f["bas"]["embedding"]["physical_qubits"]
    assert f["bas"]["best_per_second"]["mistakes_per_picture"] in PHYSICAL_SAMPLERS
    assert f["sk"]["best_per_second"]["lambda_gap"] in PHYSICAL_SAMPLERS  # exact: the reference
    exact_sk = f["sk"]["samplers"]["exact"]
    # The exact gradient's test log-likelihood is below the truth's own.
    assert exact_sk["at_budget"]["log_likelihood"] < f["sk"]["test_ceiling_mean"]
    assert exact_sk["at_budget"]["log_likelihood_gap_to_truth"] < 0
    with open(out / "summary.csv", newline="") as fh:
        rows = list(csv.DictReader(fh))
    assert [(r["task"], r["sampler"]) for r in rows] == (
        [("bas", n) for n in SAMPLERS if n != "exact"] + [("sk", n) for n in SAMPLERS]
    )
    assert float(rows[0]["budget_measure"]) == pytest.approx(
        sa["at_budget"]["mistakes_per_picture"], rel=1e-5
    )
    curves = json.loads((out / "curves.json").read_text())
    assert len(curves["sk"]["exact"]["lambda_gap"]) == 4
    assert [e["iteration"] for e in curves["bas"]["sa"]["mistakes"]] == [1, 2, 3]
    for name in (
        "shootout_bas.png",
        "shootout_sk.png",
        "run.json",
        "embedding_bas.json",
        "embedding_sk.json",
        "models/bas_sa_repeat1.npz",
    ):
        assert (out / name).stat().st_size > 0, name


def test_shootout_of_one_task_and_some_samplers(tmp_path, tiny_quick):
    out = _run(tmp_path, "some", "--tasks", "sk", "--samplers", "pcd", "exact")
    f = json.loads((out / "results.json").read_text())["figures"]
    assert "bas" not in f and list(f["sk"]["samplers"]) == ["pcd", "exact"]
    assert not (out / "shootout_bas.png").exists()


def test_a_stopped_shootout_resumes_with_the_unfinished_runs(
    tmp_path, tiny_quick, monkeypatch, capsys
):
    straight = _run(tmp_path, "straight", "--tasks", "sk", "--samplers", "sa", "pcd")
    real = SampledMoments.__call__
    calls = [0]

    def call(self, *args):
        calls[0] += 1
        if calls[0] == 6:  # the second run's second iteration
            raise KeyboardInterrupt
        return real(self, *args)

    monkeypatch.setattr(SampledMoments, "__call__", call)
    stopped = tmp_path / "stopped"
    args = ["shootout", "--quick", "--tasks", "sk", "--samplers", "sa", "pcd", "--no-progress"]
    assert main([*args, "--out", str(stopped)]) == 130
    assert (
        "interrupted at 1 of 2 runs; resume with: qsample shootout --resume"
        in capsys.readouterr().err
    )
    finished = sorted(p.parent.name for p in (stopped / UNITS_FOLDER).glob("*/result.json"))
    assert len(finished) == 1
    kept = (stopped / UNITS_FOLDER / finished[0] / "result.json").read_text()
    monkeypatch.setattr(SampledMoments, "__call__", real)
    assert main(["shootout", "--resume", str(stopped), "--no-progress"]) == 0
    assert (stopped / UNITS_FOLDER / finished[0] / "result.json").read_text() == kept
    a = json.loads((stopped / "results.json").read_text())["figures"]["sk"]["samplers"]
    b = json.loads((straight / "results.json").read_text())["figures"]["sk"]["samplers"]
    for name in ("sa", "pcd"):  # the same learning, whatever the clock said
        for key in ("lambda_gap", "log_likelihood", "fitted_beta"):
            assert a[name]["at_budget"][key] == b[name]["at_budget"][key], (name, key)


def test_a_failed_shootout_leaves_no_folder(tmp_path, tiny_quick, monkeypatch, capsys):
    from qsample.experiments import shootout

    def broken(unit, task_id, seed):
        raise RuntimeError("a run broke")

    monkeypatch.setattr(shootout, "_unit", broken)
    out = tmp_path / "nested" / "failed"
    assert main(["shootout", "--quick", "--tasks", "sk", "--out", str(out), "--no-progress"]) == 1
    assert "a run broke" in capsys.readouterr().err
    assert not (tmp_path / "nested").exists()


def test_bas_cannot_run_on_exact_alone(tmp_path, capsys):
    with pytest.raises(ValueError, match="only 'exact'"):
        replace(TINY, tasks=("bas",), samplers=("exact",))
    out = tmp_path / "refused"
    assert main(["shootout", "--tasks", "bas", "--samplers", "exact", "--out", str(out)]) == 2
    assert "only 'exact'" in capsys.readouterr().err
    assert not out.exists()
