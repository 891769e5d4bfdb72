"""The SK experiment (the paper's Fig. 7): exact-gradient learning of the
logical K_N against SA-based learning of the embedded physical model."""

from __future__ import annotations

import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from .. import _files, datasets, exact
from .. import evaluate as ev
from .._validate import check_exact_size, check_int
from ..embedding import Embedding
from ..estimator import EmbeddedBoltzmannMachine
from ..execution import Executor, Task, run_tasks
from ..ising import energies
from ..learning import ExactMoments, Hyperparameters, Trainer, logical_complete_graph
from .common import _check_settings, _finish, _report, embedded_machine
from .runs import (
    DEFAULT_CHECKPOINT_EVERY,
    UNITS_FOLDER,
    Interrupted,
    begin_run,
    run_embedding,
)


@dataclass
class SKSettings:
    instances: int = 10
    spins: int = 15
    zeta: float = 2.0
    num_samples: int = 150  # D
    iterations: int = 500
    learning_rates: tuple[float, ...] = (0.0025, 0.01)
    num_reads: int = 150  # SA samples per negative phase
    target: str = "dw2x"
    embedding: str = "minorminer"
    embedding_tries: int = 10
    seed: int = 0

    def __post_init__(self) -> None:
        _check_settings(
            self,
            ("instances", "spins", "num_samples", "iterations", "num_reads", "embedding_tries"),
            ("zeta", "learning_rates"),
        )
        check_int("spins", self.spins, 2)
        check_exact_size(self.spins, "exact samples and log Z", name="spins")

    @classmethod
    def quick(cls) -> SKSettings:
        return cls(instances=3, iterations=150, learning_rates=(0.01,), embedding_tries=3)

    @classmethod
    def full(cls) -> SKSettings:
        return cls()


def run_sk(
    settings: SKSettings,
    out: Path,
    progress: bool | None = None,
    *,
    checkpoint_every: int = DEFAULT_CHECKPOINT_EVERY,
    resume: bool = False,
    executor: Executor | None = None,
) -> dict[str, Any]:
    """Exact-gradient learning of the logical K_N vs SA-based learning of the
    embedded physical model, Λ_av per iteration against the data's Λ_av(D).

    Λ_av of the exact logical model is its expectation under the model
    (exact, from its moments); Λ_av of the physical model is that of the
    negative phase's decoded SA samples at each iteration (ties broken at random).
    Both curves give, at iteration k, the model at the start of iteration k.

    Each (instance, learning rate) is one unit of work, a task of ``executor``
    (serial by default; units run in parallel on a Dask cluster). A finished
    unit's results are kept in ``out/units``, so with ``resume`` a run
    continues with the units it had not finished (``checkpoint_every`` is not
    used: a unit is short and is computed again whole).
    """
    start = time.perf_counter()
    s = settings
    begin_run(out, "sk", s, True, resume)
    embedding = run_embedding(out, s.spins, s, resume, executor)
    tasks = [
        Task(
            _unit_id(i, eta),
            {"settings": s, "instance": i, "eta": eta, "embedding": embedding, "out": str(out)},
        )
        for i in range(s.instances)
        for eta in s.learning_rates
    ]
    try:
        results = run_tasks(
            _sk_unit_task,
            tasks,
            s.seed,
            executor=executor,
            store=out / UNITS_FOLDER,
            progress=progress,
        )
    except KeyboardInterrupt:
        done = sum(1 for t in tasks if (out / UNITS_FOLDER / t.id / "result.json").exists())
        raise Interrupted(out, f"{done} of {len(tasks)} units") from None
    units = {t.id: r for t, r in zip(tasks, results)}
    T = s.iterations
    curves: dict[str, list[np.ndarray]] = {}
    data_proxy: list[float] = []
    kl_exact: dict[float, list[float]] = {}
    kl_sa: dict[float, list[float]] = {}
    max_j: dict[float, list[Any]] = {}
    for i in range(s.instances):
        truth, data = datasets.sk_dataset(s.spins, s.num_samples, s.zeta, seed=s.seed + i)
        data_proxy.append(exact.log_likelihood_proxy(truth, data.data))
        for eta in s.learning_rates:
            u = units[_unit_id(i, eta)]
            curves.setdefault(f"exact logical, eta={eta}", []).append(
                np.asarray(u["exact_curve"], dtype=np.float64)
            )
            curves.setdefault(f"SA physical, eta={eta}", []).append(
                np.asarray(u["sa_curve"], dtype=np.float64)
            )
            kl_exact.setdefault(eta, []).append(u["kl_exact"])
            kl_sa.setdefault(eta, []).append(u["kl_sa"])
            max_j.setdefault(eta, []).append(u["max_abs_J_intra_inter"])
    d_mean, d_std = float(np.mean(data_proxy)), float(np.std(data_proxy))
    band_low = d_mean - d_std
    summary: dict[str, Any] = {}
    x = np.arange(1, T + 1)
    series = {}
    for label, runs in curves.items():
        a = np.array(runs)
        mean, std = a.mean(axis=0), a.std(axis=0)
        series[label] = (x, mean, std)
        inside = np.flatnonzero(mean >= band_low)
        summary[label] = {
            "final_mean": float(mean[-1]),
            "final_std": float(std[-1]),
            "first_iteration_in_band": int(inside[0] + 1) if inside.size else None,
            "final_in_band": bool(mean[-1] >= band_low),
            # Per instance, the model's final Λ_av minus its own data's Λ_av(D).
            "final_gap_to_data_mean": float(np.mean(a[:, -1] - np.array(data_proxy))),
        }
    from .. import plots

    plots.curves(
        out / "sk_proxy.png",
        series,
        "iteration",
        "Λ_av",
        f"SK N={s.spins}, {s.instances} instances, D={s.num_samples} (mean ± std)",
        band=(d_mean - d_std, d_mean + d_std, "Λ_av(D) ± std"),
    )
    figures = {
        "data_proxy_mean": d_mean,
        "data_proxy_std": d_std,
        "curves": summary,
        "kl_exact_logical": {str(k): float(np.mean(v)) for k, v in kl_exact.items()},
        "kl_sa_physical_empirical_20000": {str(k): float(np.mean(v)) for k, v in kl_sa.items()},
        "max_abs_J_intra_inter_final": {str(k): np.mean(v, axis=0) for k, v in max_j.items()},
        "embedding": _report(embedding),
    }
    _files.savez(
        out / "sk_curves.npz",
        data_proxy=np.array(data_proxy),
        **{k.replace(" ", "_").replace(",", ""): np.array(v) for k, v in curves.items()},
    )
    return _finish(out, "sk", settings, figures, start)


def _sk_exact_curve(
    truth: Any, data: np.ndarray, hyper: Hyperparameters, T: int, seed: int
) -> tuple[np.ndarray, Trainer]:
    """Exact-gradient learning of the logical K_N; Λ_av = -<E_Q>_P - log Z_Q per
    iteration, exact from the model's moments."""
    lam = np.empty(T)
    log_z = exact.log_partition(truth)
    # The moments a step measures the model by are the next step's gradient:
    # the phase remembers them, so each iteration enumerates once.
    phase = ExactMoments()

    def expected_proxy(model: Any) -> float:
        m = phase.moments(model)
        return float(-(truth.h @ m.mean + truth.J @ m.correlation[truth.irow, truth.icol]) - log_z)

    def record(t: Trainer, it: int) -> None:
        if it < T:  # entry k is the model at the start of iteration k + 1, as for SA
            lam[it] = expected_proxy(t.current_model())

    logical = Trainer(
        logical_complete_graph(truth.num_variables, seed=seed),
        data,
        phase,
        hyper,
        seed=seed,
        progress=False,
        callbacks=[(1, record)],
    )
    lam[0] = expected_proxy(logical.current_model())
    logical.run(T)
    return lam, logical


def _unit_id(instance: int, eta: float) -> str:
    return f"instance={instance},eta={eta}"


def _sk_unit_task(unit: dict[str, Any], task_id: str, seed: int) -> dict[str, Any]:
    """Task: both curves of one instance and learning rate. Its seeds derive
    from the settings' seed and the instance, as the figures did before the
    units became tasks, so the task seed is not needed."""
    s: SKSettings = unit["settings"]
    i, eta = unit["instance"], unit["eta"]
    truth, data = datasets.sk_dataset(s.spins, s.num_samples, s.zeta, seed=s.seed + i)
    hyper = Hyperparameters(learning_rate=eta, num_reads=s.num_reads, range_policy="ignore")
    lam, logical = _sk_exact_curve(truth, data.data, hyper, s.iterations, s.seed)
    lam_sa, physical = _sk_physical_curve(truth, data.data, unit["embedding"], s, eta, s.seed + i)
    decoded = physical.sample(20000, random_state=s.seed)  # ties kept (0), broken by the KL
    if i == 0:
        physical.model_.save(Path(unit["out"]) / f"model_instance0_eta{eta}.npz")
    return {
        "exact_curve": lam.tolist(),
        "sa_curve": lam_sa.tolist(),
        "kl_exact": _exact_kl(logical.current_model(), truth),
        "kl_sa": ev.empirical_kl(decoded, truth),
        "max_abs_J_intra_inter": [
            physical.history_.max_abs_J_intra[-1],
            physical.history_.max_abs_J_inter[-1],
        ],
    }


def _sk_physical_curve(
    truth: Any, data: np.ndarray, embedding: Embedding, settings: SKSettings, eta: float, seed: int
) -> tuple[np.ndarray, EmbeddedBoltzmannMachine]:
    """SA-based learning of the embedded model; Λ_av of the decoded
    negative-phase samples of each iteration."""
    machine = embedded_machine(
        embedding,
        settings,
        seed=seed,
        progress=False,
        learning_rate=eta,
        num_reads=settings.num_reads,
    )
    lam = np.empty(settings.iterations)
    log_z = exact.log_partition(truth)  # the truth's, fixed: enumerated once

    def sampled_proxy(m: EmbeddedBoltzmannMachine, it: int) -> None:
        negative = m.trainer_.negative
        assert negative is not None  # set by the iteration that calls back
        samples = negative.samples
        decoded = ev.break_ties(m.model_.decode(samples).values, seed=it)
        lam[it - 1] = float(-np.mean(energies(truth, decoded)) - log_z)

    machine.fit(data, callbacks=[(1, sampled_proxy)])
    return lam, machine


def _exact_kl(model: Any, truth: Any) -> float:
    """KL(P || Q) by enumeration, P the learned logical model, Q the truth."""
    n = truth.num_variables
    states = ((np.arange(2**n)[:, None] >> np.arange(n)) & 1).astype(np.int8) * 2 - 1
    log_p = exact.log_probabilities(model, states)
    log_q = exact.log_probabilities(truth, states)
    return float(np.sum(np.exp(log_p) * (log_p - log_q)))
