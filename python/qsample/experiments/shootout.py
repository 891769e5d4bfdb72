"""The sampler shoot-out: the same learning tasks with every negative phase,
at equal sampling budgets and at equal wall time.

Tasks: bars and stripes 7x6 (the paper's 96/96 split, K42 embedded in the
target, the blacked-out 5x4 block) and the SK instances of the paper's Fig. 7
(N = 15, D = 150 exact samples). Contenders and the budget they share:
:mod:`qsample.experiments.shootout_samplers`.

Every (task, sampler) run — for SK, every (instance, sampler) — learns from
the same start, data and seeds, and runs until it has done both the
iteration budget and the time budget: its curve up to the iteration budget is
the equal-budget comparison (equal spin updates per iteration, equal
iterations), its curve up to the time budget the equal-time comparison (the
learning seconds of each run: the negative phase and the update, evaluations
excluded). A run stops anyway at ``max_iterations_factor`` times the
iteration budget; one stopped so before its time budget is marked.

Measured along the way: for BAS, the mistakes per reconstructed picture on
the blacked-out block (ties as half, the figure comparable with the paper's)
at iterations 1, 2, 5, 10, 20, ..., the budget, the time budget and the end;
for SK, Λ_av as :mod:`qsample.experiments.sk` measures it (of the decoded
negative-phase samples at every iteration; exact for the exact gradient) and
its gap to the data's own Λ_av(D); for both, the test log-likelihood
(:mod:`qsample.likelihood`, nats per picture or per sample) at fractions
``likelihood_at`` of the iteration budget, at the iteration budget and at the
time budget, read at the
inverse temperature fitted on the training data
(:mod:`qsample.experiments.shootout_temperature`: moment matching learns the
parameters but never the sampler's temperature). Reconstruction
and log-likelihood judge the model after that many iterations; Λ_av at
iteration k is that of the model at the start of iteration k.

Seconds are this machine's, under whatever else ran on it: the results say
how many threads each run had (all cores when runs go one at a time, one
each when a cluster of workers runs them side by side) and give the process
CPU seconds beside the wall seconds.
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from .. import datasets, exact
from .. import evaluate as ev
from .._validate import check_int, check_number
from ..embedding import Embedding
from ..execution import Executor, Task, run_tasks
from ..ising import energies
from ..learning import Hyperparameters, Trainer, embedded_trainer, logical_complete_graph
from ..likelihood import logical_log_likelihood
from ..model import HardwareModel
from .common import _check_settings, _finish, _report, make_embedding, make_target
from .runs import DEFAULT_CHECKPOINT_EVERY, UNITS_FOLDER, Interrupted, begin_run
from .shootout_samplers import SAMPLERS, Contender, check_samplers, contender, spin_updates
from .shootout_temperature import fit_beta, fit_beta_exact

TASKS = ("bas", "sk")
#: BAS as in the paper: 7x6 pictures, 96 for training, the 5x4 block at (1, 1).
BAS_SHAPE = (7, 6)
BAS_TRAIN = 96
BAS_BLOCK = (1, 1, 5, 4)
NAME = "shootout"
#: The test log-likelihood's beta is searched up to this many times the nominal one.
BETA_SEARCH = 3.0


@dataclass
class ShootoutSettings:
    """What the shoot-out runs. The budget per iteration is ``*_reads`` x
    ``*_sweeps`` replica-sweeps (see :mod:`qsample.experiments.shootout_samplers`);
    ``*_seconds`` is the learning time each run gets. The full settings take
    about 20 minutes on 2 cores (2 workers): BAS's time budget is about what SA
    needs for its iteration budget on one core, SK's a few times it (its
    iterations are short); ``quick()`` about a minute."""

    samplers: tuple[str, ...] = SAMPLERS
    tasks: tuple[str, ...] = TASKS
    # BAS 7x6: the paper's 3850 iterations at eta 0.0025, compressed four-fold.
    bas_iterations: int = 1000
    bas_learning_rate: float = 0.01
    bas_reads: int = 96  # the paper's SA reads per negative phase (sets the budget)
    bas_sweeps: int = 200  # and sweeps per read
    bas_seconds: float = 40.0  # learning seconds per run: the equal-time budget
    bas_repeats: int = 3  # runs per sampler from other starts and sampler seeds (same split)
    num_reconstructions: int = 100
    # SK, as experiments/sk.py at the faster of its two rates.
    instances: int = 10
    spins: int = 15
    zeta: float = 2.0
    num_samples: int = 150  # D
    num_test: int = 150  # held-out exact samples for the test log-likelihood
    sk_iterations: int = 500
    sk_learning_rate: float = 0.01
    sk_reads: int = 150
    sk_sweeps: int = 200
    sk_seconds: float = 3.0
    # The test log-likelihood: where, and its AIS effort (log Z; chain terms).
    likelihood_at: tuple[float, ...] = (0.1, 1.0)  # fractions of the iteration budget
    likelihood_runs: int = 256
    likelihood_steps: int = 10000
    likelihood_chain_runs: int = 16
    likelihood_chain_steps: int = 2000
    likelihood_fit_pictures: int = 32  # training pictures the temperature is fitted on
    max_iterations_factor: int = 5
    target: str = "dw2x"
    embedding: str = "minorminer"
    embedding_tries: int = 10
    seed: int = 0

    def __post_init__(self) -> None:
        self.samplers = check_samplers(self.samplers)
        self.tasks = _check_tasks(self.tasks)
        self.likelihood_at = tuple(self.likelihood_at)
        _check_settings(
            self,
            (
                "bas_iterations",
                "bas_reads",
                "bas_sweeps",
                "bas_repeats",
                "num_reconstructions",
                "instances",
                "num_samples",
                "num_test",
                "sk_iterations",
                "sk_reads",
                "sk_sweeps",
                "likelihood_runs",
                "likelihood_steps",
                "likelihood_chain_runs",
                "likelihood_chain_steps",
                "likelihood_fit_pictures",
                "max_iterations_factor",
                "embedding_tries",
            ),
            ("bas_learning_rate", "sk_learning_rate", "zeta"),
        )
        for name in ("bas_seconds", "sk_seconds"):
            check_number(name, getattr(self, name), 0.0)
        for f in self.likelihood_at:
            check_number("likelihood_at", f, 0.0, 1.0, low_open=True)
        check_int("spins", self.spins, 2, 20)  # the exact gradient enumerates 2^spins states
        if self.tasks == ("bas",) and self.samplers == ("exact",):
            raise ValueError(
                "'samplers' has only 'exact', which BAS (42 logical variables) "
                "cannot run; add a sampler or the sk task"
            )

    @classmethod
    def quick(cls) -> ShootoutSettings:
        return cls(
            bas_iterations=40,
            bas_seconds=1.0,
            bas_repeats=1,
            num_reconstructions=20,
            instances=2,
            sk_iterations=80,
            sk_seconds=0.3,
            likelihood_at=(1.0,),
            likelihood_runs=64,
            likelihood_steps=1000,
            likelihood_chain_runs=16,
            likelihood_chain_steps=300,
            likelihood_fit_pictures=16,
            embedding_tries=1,
        )

    @classmethod
    def full(cls) -> ShootoutSettings:
        return cls()


def _check_tasks(tasks: Any) -> tuple[str, ...]:
    if isinstance(tasks, str) or not hasattr(tasks, "__iter__"):
        raise TypeError(f"'tasks' must be a sequence of names from {TASKS}: value = {tasks!r}")
    names = tuple(tasks)
    if not names or any(t not in TASKS for t in names) or len(set(names)) != len(names):
        raise ValueError(
            f"'tasks' must name one or more distinct tasks of {TASKS}: value = {names!r}"
        )
    return names


# -- the run ---------------------------------------------------------------------------
def run_shootout(
    settings: ShootoutSettings,
    out: Path,
    progress: bool | None = None,
    *,
    checkpoint_every: int = DEFAULT_CHECKPOINT_EVERY,
    resume: bool = False,
    executor: Executor | None = None,
) -> dict[str, Any]:
    """Run every (task, sampler) — for BAS every (sampler, repeat), for SK every
    (instance, sampler) — as a task
    of ``executor`` (serial by default) and write the table (``summary.csv``,
    ``results.json``), the curves (``curves.json``) and the plots. A finished
    run is kept in ``out/units``, so with ``resume`` only the unfinished ones
    run (``checkpoint_every`` is not used: a run is computed again whole)."""
    start = time.perf_counter()
    s = settings
    begin_run(out, NAME, s, True, resume)
    workers = 1 if executor is None else max(1, int(executor.workers))
    threads = max(1, (os.cpu_count() or 1) // workers)
    tasks = []
    if "bas" in s.tasks:
        embedding = _embedding(out, "bas", BAS_SHAPE[0] * BAS_SHAPE[1], s, resume, executor)
        tasks += [
            Task(
                _bas_id(name, r),
                {
                    "settings": s,
                    "sampler": name,
                    "repeat": r,
                    "embedding": embedding,
                    "threads": threads,
                    "out": str(out),
                },
            )
            for name in _slowest_first(s.samplers)
            if name != "exact"
            for r in range(s.bas_repeats)
        ]
    if "sk" in s.tasks:
        embedding = _embedding(out, "sk", s.spins, s, resume, executor)
        tasks += [
            Task(
                f"sk,instance={i},sampler={name}",
                {
                    "settings": s,
                    "sampler": name,
                    "instance": i,
                    "embedding": embedding,
                    "threads": threads,
                },
            )
            for name in _slowest_first(s.samplers)
            for i in range(s.instances)
        ]
    try:
        results = run_tasks(
            _unit, tasks, s.seed, executor=executor, store=out / UNITS_FOLDER, progress=progress
        )
    except KeyboardInterrupt:
        done = sum(1 for t in tasks if (out / UNITS_FOLDER / t.id / "result.json").exists())
        raise Interrupted(out, f"{done} of {len(tasks)} runs") from None
    units = {t.id: r for t, r in zip(tasks, results)}
    from . import shootout_report as report

    runs: dict[str, dict[str, list[dict[str, Any]]]] = {}
    if "bas" in s.tasks:
        runs["bas"] = {
            n: [units[_bas_id(n, r)] for r in range(s.bas_repeats)]
            for n in s.samplers
            if n != "exact"
        }
    if "sk" in s.tasks:
        runs["sk"] = {
            n: [units[f"sk,instance={i},sampler={n}"] for i in range(s.instances)]
            for n in s.samplers
        }
    figures: dict[str, Any] = {"threads_per_run": threads, "workers": workers}
    for task, by_sampler in runs.items():
        make = report.bas_figures if task == "bas" else report.sk_figures
        figures[task] = {
            **make(s, by_sampler),
            "embedding": _report(Embedding.load(out / f"embedding_{task}.json")),
        }
    report.write(out, figures, runs)
    return _finish(out, NAME, settings, figures, start)


def _bas_id(sampler: str, repeat: int) -> str:
    return f"bas,sampler={sampler},repeat={repeat}"


def _slowest_first(samplers: tuple[str, ...]) -> list[str]:
    """Parallel tempering first: its runs are the longest, so a cluster of
    workers is not left waiting for it at the end."""
    return sorted(samplers, key=lambda n: n != "pt")


def _embedding(
    out: Path, task: str, n: int, s: ShootoutSettings, resume: bool, executor: Executor | None
) -> Embedding:
    """The task's embedding of K_n, saved at once (a resumed run reuses it)."""
    path = out / f"embedding_{task}.json"
    if resume and path.exists():
        embedding = Embedding.load(path)
        if embedding.source.number_of_nodes() != n:
            raise ValueError(
                f"{path} embeds {embedding.source.number_of_nodes()} variables; "
                f"the {task} task needs {n}"
            )
        return embedding
    embedding = make_embedding(
        n, make_target(s.target, s.seed), s.embedding, s.embedding_tries, s.seed, executor
    )
    embedding.save(path)
    return embedding


def _unit(unit: dict[str, Any], task_id: str, seed: int) -> dict[str, Any]:
    """Task: one learning run (its seeds derive from the settings' seed and the
    instance, the same for every sampler, so the task seed is not needed)."""
    start = time.perf_counter()
    if "instance" in unit:
        result = _sk_run(
            unit["settings"], unit["sampler"], unit["instance"], unit["embedding"], unit["threads"]
        )
    else:
        result = _bas_run(
            unit["settings"],
            unit["sampler"],
            unit["repeat"],
            unit["embedding"],
            unit["threads"],
            Path(unit["out"]),
        )
    return {**result, "run_seconds": time.perf_counter() - start}


# -- the learning loop shared by both tasks --------------------------------------------
@dataclass
class Budgets:
    iterations: int
    seconds: float
    cap: int  # a run stops here whatever its seconds

    def likelihood_points(self, fractions: tuple[float, ...]) -> set[int]:
        """The iterations at ``fractions`` of the budget, and the budget itself."""
        return {self.iterations} | {max(1, round(f * self.iterations)) for f in fractions}


def evaluation_points(budgets: Budgets) -> set[int]:
    """Iterations 1, 2, 5, 10, 20, 50, ... up to the cap, and the budget."""
    points = {budgets.iterations}
    k = 1
    while k <= budgets.cap:
        points.update(p for p in (k, 2 * k, 5 * k) if p <= budgets.cap)
        k *= 10
    return points


@dataclass
class Learned:
    """A run's record: per iteration the cumulative learning seconds (wall and
    process CPU), the iteration where the time budget was reached (or None)."""

    seconds: list[float]
    cpu_seconds: list[float]
    time_point: int | None


def learn(
    trainer: Trainer,
    budgets: Budgets,
    after_step: Callable[[int], None],
    evaluate: Callable[[int, str, float], None],
    evaluate_at: set[int],
    likelihood_at: set[int],
) -> Learned:
    """Step ``trainer`` until it has done the iteration budget and the time
    budget (or reached the cap). ``after_step(k)`` runs after every step
    (outside the clock); ``evaluate(k, what, seconds)`` with what =
    "reconstruction" at ``evaluate_at``, the time point and the end, and
    "likelihood" at ``likelihood_at``, the time point and the end, once per
    iteration and kind (``seconds``: the learning seconds up to iteration k)."""
    record = Learned([], [], None)
    wall = cpu = 0.0
    done: set[tuple[int, str]] = set()

    def once(k: int, what: str) -> None:
        if (k, what) not in done:
            done.add((k, what))
            evaluate(k, what, record.seconds[k - 1])

    while True:
        t, c = time.perf_counter(), time.process_time()
        if not trainer.step():  # the range policy stopped it (not with "ignore")
            break
        wall += time.perf_counter() - t
        cpu += time.process_time() - c
        k = trainer.iteration
        record.seconds.append(wall)
        record.cpu_seconds.append(cpu)
        after_step(k)
        if record.time_point is None and wall >= budgets.seconds:
            record.time_point = k
            once(k, "reconstruction")
            once(k, "likelihood")
        if k in evaluate_at:
            once(k, "reconstruction")
        if k in likelihood_at:
            once(k, "likelihood")
        if (k >= budgets.iterations and record.time_point is not None) or k >= budgets.cap:
            break
    if trainer.iteration > 0:
        once(trainer.iteration, "reconstruction")
        once(trainer.iteration, "likelihood")
    return record


def _budgets(iterations: int, seconds: float, factor: int) -> Budgets:
    return Budgets(iterations, seconds, iterations * factor)


def _likelihood_options(s: ShootoutSettings, threads: int) -> dict[str, Any]:
    return {
        "num_runs": s.likelihood_runs,
        "num_steps": s.likelihood_steps,
        "chain_runs": s.likelihood_chain_runs,
        "chain_steps": s.likelihood_chain_steps,
        "seed": s.seed,
        "num_threads": threads,
    }


def _fit_options(s: ShootoutSettings, threads: int) -> dict[str, Any]:
    """The temperature fit: a quarter of the test figure's AIS runs for log Z and
    half its steps, a quarter of the chain term's steps (16 chain runs: they
    share a SIMD group, so fewer would cost as much)."""
    return {
        "num_runs": max(16, s.likelihood_runs // 4),
        "num_steps": max(1, s.likelihood_steps // 2),
        "chain_runs": 16,
        "chain_steps": max(1, s.likelihood_chain_steps // 4),
        "max_pictures": s.likelihood_fit_pictures,
        "seed": s.seed,
        "num_threads": threads,
    }


def _likelihood_entry(
    k: int,
    seconds: float,
    model: HardwareModel,
    train: np.ndarray,
    test: np.ndarray,
    c: Contender,
    s: ShootoutSettings,
    threads: int,
) -> dict[str, Any]:
    """The test log-likelihood of the embedded model at the beta fitted on the
    training data (searched up to 3x the contender's nominal beta)."""
    nominal = c.nominal_beta(model.to_ising())
    fit = fit_beta(model, train, BETA_SEARCH * nominal, **_fit_options(s, threads))
    r = logical_log_likelihood(
        model, test, beta=fit.beta, **_likelihood_options(s, threads)
    ).summary()
    return {
        "iteration": k,
        "seconds": seconds,
        "nominal_beta": nominal,
        **fit.summary(),
        "log_likelihood": r["log_likelihood_per_picture"],
        "se": r["log_likelihood_se"],
        "aligned": r["aligned_per_picture"],
        "chains": r["chains_per_picture"],
        "log_partition_effective_runs": r["log_partition_effective_runs"],
    }


def _common_record(
    c: Contender, learned: Learned, budgets: Budgets, num_qubits: int, threads: int
) -> dict[str, Any]:
    return {
        "sampler": c.name,
        "description": c.description,
        "replica_sweeps_per_iteration": c.replica_sweeps,
        "spin_updates_per_iteration": spin_updates(c, num_qubits),
        "num_reads": c.num_reads,
        "threads": threads,
        "iterations": len(learned.seconds),
        "seconds": learned.seconds,
        "cpu_seconds": learned.cpu_seconds,
        "time_point": learned.time_point,
        "time_budget_reached": learned.time_point is not None,
        "budgets": {
            "iterations": budgets.iterations,
            "seconds": budgets.seconds,
            "cap": budgets.cap,
        },
    }


# -- BAS ---------------------------------------------------------------------------------
def bas_data(seed: int) -> tuple[np.ndarray, np.ndarray]:
    """The training and test pictures: the paper's 96/96 split of the 192 BAS
    pictures (duplicates kept), shuffled by ``seed``."""
    train, test = datasets.shuffled_split(
        datasets.bars_and_stripes(*BAS_SHAPE), BAS_TRAIN, seed=seed
    )
    return train.data, test.data


def _bas_run(
    s: ShootoutSettings, name: str, repeat: int, embedding: Embedding, threads: int, out: Path
) -> dict[str, Any]:
    """One BAS run: the split and the embedding are the settings' seed's; the
    start, the sampler's and the reconstructions' seeds the repeat's."""
    train, test = bas_data(s.seed)
    known = ev.block_mask(BAS_SHAPE, *BAS_BLOCK)
    seed = s.seed + repeat
    c = contender(name, s.bas_reads, s.bas_sweeps, threads=threads, seed=seed)
    model = HardwareModel(embedding, seed=seed)
    trainer = embedded_trainer(
        model,
        train,
        c.phase,
        Hyperparameters(
            learning_rate=s.bas_learning_rate, num_reads=c.num_reads, range_policy="ignore"
        ),
        seed=seed,
        progress=False,
    )
    budgets = _budgets(s.bas_iterations, s.bas_seconds, s.max_iterations_factor)
    reconstructions: list[dict[str, Any]] = []
    likelihoods: list[dict[str, Any]] = []

    def evaluate(k: int, what: str, seconds: float) -> None:
        learned = model.with_parameters(trainer.h, trainer.J)
        if what == "likelihood":
            likelihoods.append(_likelihood_entry(k, seconds, learned, train, test, c, s, threads))
            return
        assert c.judge is not None
        r = ev.reconstruct(
            learned, test, known, c.judge, num_reconstructions=s.num_reconstructions, seed=seed
        )
        reconstructions.append(
            {
                "iteration": k,
                "seconds": seconds,
                "mistakes": r.mean_expected_wrong,
                "wrong": r.mean_wrong,
                "ties": r.mean_ties,
            }
        )

    record = learn(
        trainer,
        budgets,
        lambda k: None,
        evaluate,
        evaluation_points(budgets),
        budgets.likelihood_points(s.likelihood_at),
    )
    models = out / "models"
    models.mkdir(exist_ok=True)
    model.with_parameters(trainer.h, trainer.J).save(models / f"bas_{name}_repeat{repeat}.npz")
    h = trainer.history
    return {
        **_common_record(c, record, budgets, model.num_qubits, threads),
        "repeat": repeat,
        "reconstructions": sorted(reconstructions, key=lambda e: e["iteration"]),
        "likelihood": sorted(likelihoods, key=lambda e: e["iteration"]),
        "max_abs_J_intra": h.max_abs_J_intra[-1],
        "max_abs_J_inter": h.max_abs_J_inter[-1],
    }


# -- SK ----------------------------------------------------------------------------------
def sk_data(s: ShootoutSettings, instance: int) -> tuple[Any, np.ndarray, np.ndarray]:
    """(truth, training data, test data) of an instance: the training data as
    experiments/sk.py draws it, the test data exact samples of the same truth
    from a seed of their own."""
    truth, data = datasets.sk_dataset(s.spins, s.num_samples, s.zeta, seed=s.seed + instance)
    test_seed = int(np.random.SeedSequence([s.seed + instance, 1]).generate_state(1)[0])
    return truth, data.data, exact.sample(truth, s.num_test, seed=test_seed)


def _sk_run(
    s: ShootoutSettings, name: str, instance: int, embedding: Embedding, threads: int
) -> dict[str, Any]:
    truth, data, test = sk_data(s, instance)
    log_z = exact.log_partition(truth)
    seed = s.seed + instance
    c = contender(name, s.sk_reads, s.sk_sweeps, threads=threads, seed=seed)
    hyper = Hyperparameters(
        learning_rate=s.sk_learning_rate, num_reads=c.num_reads, range_policy="ignore"
    )
    budgets = _budgets(s.sk_iterations, s.sk_seconds, s.max_iterations_factor)
    lam: list[float] = []
    likelihoods: list[dict[str, Any]] = []
    model: HardwareModel | None = None
    if name == "exact":
        trainer = Trainer(
            logical_complete_graph(s.spins, seed=seed),
            data,
            c.phase,
            hyper,
            seed=seed,
            progress=False,
        )
        num_qubits = s.spins
        before = [trainer.current_model()]

        def after_step(k: int) -> None:
            # Λ_av of the model at the start of iteration k, exact from the moments
            # its gradient used (remembered by the phase: no second enumeration).
            m = trainer.negative_phase.moments(before[0])  # type: ignore[attr-defined]
            lam.append(
                float(-(truth.h @ m.mean + truth.J @ m.correlation[truth.irow, truth.icol]) - log_z)
            )
            before[0] = trainer.current_model()

        def evaluate(k: int, what: str, seconds: float) -> None:
            if what == "likelihood":
                logical = trainer.current_model()
                fit = fit_beta_exact(logical, data, BETA_SEARCH)
                value = float(exact.log_probabilities(logical, test, beta=fit.beta).mean())
                likelihoods.append(
                    {
                        "iteration": k,
                        "seconds": seconds,
                        "nominal_beta": 1.0,
                        **fit.summary(),
                        "log_likelihood": value,
                        "se": 0.0,
                    }
                )
    else:
        model = HardwareModel(embedding, seed=seed)
        trainer = embedded_trainer(model, data, c.phase, hyper, seed=seed, progress=False)
        num_qubits = model.num_qubits
        physical = model

        def after_step(k: int) -> None:
            assert trainer.negative is not None and trainer.negative.samples is not None
            decoded = ev.break_ties(physical.decode(trainer.negative.samples).values, seed=k)
            lam.append(float(-np.mean(energies(truth, decoded)) - log_z))

        def evaluate(k: int, what: str, seconds: float) -> None:
            if what == "likelihood":
                learned = physical.with_parameters(trainer.h, trainer.J)
                likelihoods.append(
                    _likelihood_entry(k, seconds, learned, data, test, c, s, threads)
                )

    record = learn(
        trainer, budgets, after_step, evaluate, set(), budgets.likelihood_points(s.likelihood_at)
    )
    ceiling = float(exact.log_probabilities(truth, test).mean())
    for e in likelihoods:  # instances differ in their own level: compare with the truth's
        e["gap_to_truth"] = e["log_likelihood"] - ceiling
    return {
        **_common_record(c, record, budgets, num_qubits, threads),
        "instance": instance,
        "lambda": lam,
        "data_lambda": float(exact.log_likelihood_proxy(truth, data)),
        "test_ceiling": ceiling,
        "likelihood": sorted(likelihoods, key=lambda e: e["iteration"]),
    }
