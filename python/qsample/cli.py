"""The qsample command line: the paper's experiments, and their pieces.

Every command comes from one registry, :data:`COMMANDS`. A :class:`Command`
gives its name, one line of help, the function that adds its own options to
its parser and the function that runs it, so ``qsample COMMAND`` accepts only
its own options and ``qsample COMMAND --help`` documents each of them. The
experiment commands are made from :data:`qsample.experiments.EXPERIMENTS`,
their options from the fields of each experiment's settings.

Every failure prints one line, ``qsample COMMAND: error: ...``, naming the file
or option at fault and what is expected (exit status 2; 1 for an internal
error; a traceback only with ``--debug``). Ctrl-C during an experiment keeps
its checkpoint and prints how to resume it (exit status 130).
"""

from __future__ import annotations

import argparse
import shlex
import sys
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, NoReturn

import numpy as np

from . import __version__, data_cli
from .cli_executor import executor_arguments, open_executor_for


@dataclass(frozen=True)
class Command:
    """One ``qsample`` command: ``add_arguments(parser)`` adds its options;
    ``run(args)`` does the work and returns the exit status (``args.prog`` is
    the command as typed, e.g. ``qsample train bas``). A command whose ``run`` is
    None is a group: ``add_arguments`` adds its sub-commands (with
    :func:`add_command`)."""

    name: str
    help: str
    add_arguments: Callable[[argparse.ArgumentParser], None]
    run: Callable[[argparse.Namespace], int] | None
    description: str | None = None  # for --help; the help line if None


class UsageError(Exception):
    """A command line argparse refused, reported as one line."""

    def __init__(self, prog: str, message: str) -> None:
        super().__init__(message)
        self.prog = prog


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> NoReturn:
        raise UsageError(self.prog, f"{message} (see {self.prog} --help)")


def add_command(sub: Any, command: Command) -> argparse.ArgumentParser:
    """Add ``command``'s parser to ``sub`` (what ``add_subparsers`` returned)."""
    p = sub.add_parser(
        command.name, help=command.help, description=command.description or command.help
    )
    if command.run is not None:
        p.add_argument(
            "--debug",
            action="store_true",
            help="show the traceback of an error instead of one line",
        )
        p.set_defaults(run=command.run, prog=p.prog)
    command.add_arguments(p)
    return p


# -- experiments ------------------------------------------------------------------------
def _setting_options() -> dict[str, tuple[str, dict[str, Any]]]:
    """The settings fields the command line sets: field -> (option, argparse keywords)."""
    from .datasets import DIGIT_CROPS
    from .experiments import EMBEDDING_METHODS, TARGETS
    from .experiments.shootout import TASKS
    from .experiments.shootout_samplers import SAMPLERS

    return {
        "iterations": (
            "--iterations",
            {"type": int, "metavar": "K", "help": "learning iterations"},
        ),
        "learning_rate": (
            "--learning-rate",
            {"type": float, "metavar": "ETA", "help": "learning rate"},
        ),
        "learning_rates": (
            "--learning-rate",
            {
                "type": float,
                "nargs": "+",
                "metavar": "ETA",
                "help": "learning rates, two curves each",
            },
        ),
        "instances": (
            "--instances",
            {"type": int, "metavar": "K", "help": "SK instances (curves are their mean)"},
        ),
        "target": ("--target", {"choices": TARGETS, "help": "target graph"}),
        "embedding": (
            "--embedding",
            {
                "choices": EMBEDDING_METHODS,
                "help": "how K_N is embedded: minorminer's heuristic "
                "(best of --tries) or its clique embedder",
            },
        ),
        "embedding_tries": (
            "--tries",
            {"type": int, "metavar": "K", "help": "minorminer tries (the best is kept)"},
        ),
        "seed": (
            "--seed",
            {
                "type": int,
                "help": "seeds the data split, the embedding, the "
                "starting parameters and the samplers",
            },
        ),
        "classes": (
            "--classes",
            {
                "type": _digit_list,
                "metavar": "DIGITS",
                "help": "the digits learned, each with a class unit: "
                "a range and/or a list, e.g. 0-9, 1-4 or 1,3,7",
            },
        ),
        "crop": (
            "--crop",
            {
                "choices": tuple(DIGIT_CROPS),
                "help": "paper: the 7x6 middle of each 8x8 picture; none: all of it",
            },
        ),
        "samplers": (
            "--samplers",
            {
                "nargs": "+",
                "choices": SAMPLERS,
                "metavar": "NAME",
                "help": f"the samplers to compare, of {', '.join(SAMPLERS)}",
            },
        ),
        "tasks": (
            "--tasks",
            {
                "nargs": "+",
                "choices": TASKS,
                "metavar": "TASK",
                "help": f"the learning tasks, of {', '.join(TASKS)}",
            },
        ),
        "train_path": (
            "--optdigits",
            {
                "metavar": "FILE",
                "help": "the UCI optdigits.tra file (default: a cached copy, downloaded once)",
            },
        ),
    }


def _digit_list(text: str) -> tuple[int, ...]:
    """'0-9', '1,3,7' or '0-3,7' as digits in the order given."""
    digits: list[int] = []
    for part in text.split(","):
        low, dash, high = part.strip().partition("-")
        if not (low.isdigit() and (not dash or high.isdigit())):
            raise argparse.ArgumentTypeError(
                f"expected digits as a range and/or a list (0-9, 1-4, 1,3,7): {text!r}"
            )
        digits += range(int(low), int(high) + 1) if dash else [int(low)]
    return tuple(digits)


def _experiment_arguments(experiment: Any) -> Callable[[argparse.ArgumentParser], None]:
    def add(p: argparse.ArgumentParser) -> None:
        from .experiments import DEFAULT_CHECKPOINT_EVERY

        cls = experiment.settings
        full, quick = cls.full(), cls.quick()
        p.add_argument(
            "--quick",
            action="store_true",
            help="about a minute: fewer iterations (and embedding tries)",
        )
        p.add_argument(
            "--out",
            metavar="DIR",
            help="results folder, new or empty (default: results/<name>-<time>)",
        )
        p.add_argument(
            "--resume",
            metavar="DIR",
            help="continue the unfinished run in DIR with the settings it started "
            "with; ends with the figures of a run never stopped",
        )
        if experiment.checkpoints:
            p.add_argument(
                "--checkpoint-every",
                type=int,
                metavar="K",
                default=DEFAULT_CHECKPOINT_EVERY,
                help="iterations between checkpoints (default %(default)s)",
            )
        p.add_argument("--no-progress", action="store_true", help="no progress bars")
        executor_arguments(p)
        for name, (option, kwargs) in _setting_options().items():
            if name in cls.__dataclass_fields__:
                a, b = getattr(full, name), getattr(quick, name)
                default = f"{a}" if a == b else f"{a}; {b} with --quick"
                kwargs = {**kwargs, "help": f"{kwargs['help']} (default: {default})"}
                p.add_argument(option, dest=name, **kwargs)

    return add


def _experiment_runner(experiment: Any, evaluate: bool) -> Callable[[argparse.Namespace], int]:
    def run(args: argparse.Namespace) -> int:
        from . import experiments as ex
        from ._validate import check_positive_int

        every = check_positive_int(
            "--checkpoint-every", getattr(args, "checkpoint_every", ex.DEFAULT_CHECKPOINT_EVERY)
        )
        progress = False if args.no_progress else None
        resume = args.resume is not None
        if resume:
            settings = _stored_settings(args, experiment, evaluate)
        else:
            settings = _settings(args, experiment)
        with (
            ex.open_results_folder(
                args.resume if resume else args.out, experiment.name, resume=resume
            ) as out,
            open_executor_for(args, small=args.quick) as executor,
        ):
            args.results_folder = out
            what = "resuming the run in" if resume else "results in"
            print(f"{args.prog}{' (quick)' if args.quick else ''}: {what} {out}{_where(executor)}")
            result = experiment.start(
                settings,
                out,
                progress,
                evaluate,
                checkpoint_every=every,
                resume=resume,
                executor=executor,
            )
        _print_figures(result)
        return 0

    return run


def _where(executor: Any) -> str:
    return "" if executor.workers <= 1 else f" ({executor.workers} workers)"


def _settings(args: argparse.Namespace, experiment: Any) -> Any:
    from . import experiments as ex

    cls = experiment.settings
    base = cls.quick() if args.quick else cls.full()
    options = {
        name: option
        for name, (option, _) in _setting_options().items()
        if name in cls.__dataclass_fields__
    }
    overrides = {name: getattr(args, name) for name in options}
    if overrides.get("learning_rates") is not None:
        overrides["learning_rates"] = tuple(overrides["learning_rates"])
    try:
        return ex.with_overrides(base, **overrides)
    except (TypeError, ValueError) as e:
        # The settings name their fields; on the command line, name the options.
        message = str(e)
        for name, option in options.items():
            message = message.replace(f"'{name}'", f"'{option}'")
        raise type(e)(message) from None


def _stored_settings(args: argparse.Namespace, experiment: Any, evaluate: bool) -> Any:
    from . import experiments as ex

    given = [
        option
        for name, (option, _) in _setting_options().items()
        if getattr(args, name, None) is not None
    ]
    given += [o for o, v in (("--quick", args.quick), ("--out", args.out)) if v]
    if given:
        raise ValueError(
            f"'--resume' continues a run with the settings it started with; drop {', '.join(given)}"
        )
    stored = ex.stored_run(args.resume)
    if stored.experiment is not experiment or stored.evaluate != evaluate:
        command = _experiment_command(stored.experiment.name, stored.evaluate)
        raise ValueError(
            f"{args.resume} holds a '{command}' run; resume it with: {command} "
            f"--resume {shlex.quote(str(args.resume))}"
        )
    return stored.settings


def _experiment_command(name: str, evaluate: bool) -> str:
    return f"qsample {name}" if evaluate else f"qsample train {name}"


def _print_figures(result: dict[str, Any]) -> None:
    f = result["figures"]
    if result["experiment"] == "sk":
        print(f"  Lambda_av(D) = {f['data_proxy_mean']:.3f} +- {f['data_proxy_std']:.3f}")
        for label, c in f["curves"].items():
            print(
                f"  {label}: final Lambda_av {c['final_mean']:.3f} +- {c['final_std']:.3f}, "
                f"first iteration in the band: {c['first_iteration_in_band']}"
            )
    if result["experiment"] == "shootout":
        from .experiments.shootout_report import summary_lines

        print("\n".join(summary_lines(f)))
    if "mistakes_per_picture" in f:
        for it, wrong in f["mistakes_per_picture"].items():
            print(
                f"  iteration {it}: {wrong:.3f} wrong pixels per picture "
                f"({f['ties_per_picture'][it]:.3f} tied; "
                f"{f['expected_mistakes_per_picture'][it]:.3f} with ties as half) "
                f"of {f['corrupted_pixels_per_picture']}"
            )
    if "test_accuracy" in f:
        r = f["reconstruction"]
        baseline = f.get("logistic_regression_accuracy")
        print(
            f"  test accuracy {f['test_accuracy']:.4f} on {f['num_test']} pictures"
            + (
                ""
                if baseline is None
                else f" (logistic regression on the same pixels: {baseline:.4f})"
            )
        )
        print(
            f"  {r['noise_rate']:.0%} salt-and-pepper (positions known): "
            f"{r['wrong_per_picture']:.2f} wrong "
            f"({r['ties_per_picture']:.2f} tied) of {r['corrupted_per_picture']:.1f} corrupted "
            "pixels per picture"
        )
    if "log_likelihood_per_picture" in f:
        print(
            f"  test log-likelihood {f['log_likelihood_per_picture']:.3f} "
            f"+- {f['log_likelihood_se']:.3f} nats per picture ({f['num_pictures']} pictures; "
            f"ceiling {f['ceiling']:.3f})"
        )
        print(
            f"    aligned chains log P(f(v)): {f['aligned_per_picture']:.3f} "
            f"+- {f['aligned_se']:.3f}; misaligned chains add {f['chains_per_picture']:.3f} "
            f"+- {f['chains_se']:.3f}"
        )
        print(
            f"    log Z = {f['log_partition']:.3f} +- {f['log_partition_se']:.3f} "
            f"({f['log_partition_effective_runs']:.0f} effective of "
            f"{f['log_partition_runs']} runs)"
        )
    print(f"  wall time {result['wall_seconds']:.1f} s")


def _one_model_experiments() -> list[Any]:
    from .experiments import EXPERIMENTS

    return [e for e in EXPERIMENTS.values() if e.trains_one_model]


def _train_arguments(p: argparse.ArgumentParser) -> None:
    sub = p.add_subparsers(
        dest="dataset", required=True, metavar="DATASET", help="the experiment whose model to learn"
    )
    for e in _one_model_experiments():
        add_command(
            sub,
            Command(
                e.name,
                f"learn the {e.name} model and save it, without evaluating",
                _experiment_arguments(e),
                _experiment_runner(e, False),
            ),
        )


# -- evaluate ---------------------------------------------------------------------------
def _evaluate_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("model", help="a model file (model.npz of a bas or digits run)")
    p.add_argument(
        "dataset",
        choices=[e.name for e in _one_model_experiments()],
        help="the data it was trained on",
    )
    p.add_argument(
        "--out",
        metavar="DIR",
        help="results folder, new or empty (default: results/evaluate-<dataset>-<time>)",
    )
    p.add_argument(
        "--seed",
        type=int,
        help="the seed the model was trained with (read from the results.json "
        "beside the model; needed without one)",
    )
    p.add_argument("--no-progress", action="store_true", help="no progress bars")


def _evaluate(args: argparse.Namespace) -> int:
    from . import experiments as ex
    from ._validate import check_seed
    from .model import HardwareModel

    seed = None if args.seed is None else check_seed(args.seed, "--seed")
    experiment = ex.EXPERIMENTS[args.dataset]
    model = HardwareModel.load(args.model)
    settings = _training_settings(args.model, experiment, seed)
    progress = False if args.no_progress else None
    with ex.open_results_folder(args.out, f"evaluate-{args.dataset}") as out:
        start = time.perf_counter()
        if args.dataset == "digits":
            _check_variables(
                args.model,
                model,
                ex.digits_variables(settings),
                "digits pictures with their classes",
            )
            figures = ex.evaluate_digits(model, settings, out, progress=progress)
        else:
            figures = _evaluate_bas(args.model, model, settings, progress)
        result = {
            "experiment": "evaluate",
            "model": str(args.model),
            "dataset": args.dataset,
            "settings": {
                "seed": settings.seed,
                "sampler": "qsample SA, linear beta 0 -> 1, 200 sweeps (the learning sampler)",
            },
            "environment": ex.environment(),
            "wall_seconds": time.perf_counter() - start,
            "figures": figures,
        }
        ex.write_json(out / ex.RESULTS_FILE, result)
    _print_figures(result)
    return 0


def _evaluate_bas(path: str, model: Any, s: Any, progress: bool | None) -> dict[str, Any]:
    from . import datasets
    from . import evaluate as ev
    from . import experiments as ex

    _check_variables(path, model, s.rows * s.columns, f"{s.rows}x{s.columns} BAS pictures")
    _, test = datasets.shuffled_split(
        datasets.bars_and_stripes(s.rows, s.columns), s.num_train, seed=s.seed
    )
    known = ev.block_mask((s.rows, s.columns), *s.block)
    r = ev.reconstruct(
        model,
        test.data,
        known,
        ex.sa_phase().draw,
        num_reconstructions=s.num_reconstructions,
        seed=s.seed,
        progress=progress,
    )
    return {
        "mistakes_per_picture": {"end": r.mean_wrong},
        "expected_mistakes_per_picture": {"end": r.mean_expected_wrong},
        "ties_per_picture": {"end": r.mean_ties},
        "corrupted_pixels_per_picture": int(np.sum(~known)),
    }


def _check_variables(path: str, model: Any, n: int, what: str) -> None:
    if model.layout.num_logical != n:
        raise ValueError(f"{path} models {model.layout.num_logical} variables; {what} have {n}")


def _training_settings(model_path: str, experiment: Any, seed: int | None) -> Any:
    """The settings the model was trained with, from the results.json beside it
    (the BAS split depends on them); the defaults, with a warning, without one."""
    from . import _files
    from .experiments import RESULTS_FILE

    results = Path(model_path).with_name(RESULTS_FILE)
    if not results.is_file():
        print(
            f"warning: no {results}; assuming the default settings (seed "
            f"{0 if seed is None else seed}) for the data split",
            file=sys.stderr,
        )
        return experiment.settings(seed=0 if seed is None else seed)
    stored = _files.read_json(results, "a qsample results file")
    if not isinstance(stored, dict) or not isinstance(stored.get("settings"), dict):
        raise ValueError(f"{results} is not a qsample results file (it has no settings)")
    if stored.get("experiment") != experiment.name:
        raise ValueError(
            f"{results} records a {stored.get('experiment')!r} run; the model "
            f"beside it was not trained on {experiment.name}"
        )
    known = dict(stored["settings"])
    path = known.get("train_path")
    if not (isinstance(path, str) and Path(path).is_file()):
        known.pop("train_path", None)  # evaluation needs only the test split
    settings = experiment.settings_from_dict(known, results)
    if seed is not None and seed != settings.seed:
        raise ValueError(
            f"'--seed' {seed} differs from the seed {settings.seed} the model "
            f"was trained with ({results}); the test split would overlap "
            "the training data"
        )
    return settings


# -- embed, demo, bench -------------------------------------------------------------------
def _embed_arguments(p: argparse.ArgumentParser) -> None:
    from .experiments import EMBEDDING_METHODS, TARGETS

    p.add_argument("n", type=int, metavar="N", help="embed the complete graph K_N")
    p.add_argument(
        "--target", choices=TARGETS, default="dw2x", help="target graph (default %(default)s)"
    )
    p.add_argument(
        "--embedding",
        choices=EMBEDDING_METHODS,
        default="minorminer",
        help="minorminer's heuristic (best of --tries) or its clique embedder "
        "(default %(default)s)",
    )
    p.add_argument(
        "--tries",
        type=int,
        default=10,
        metavar="K",
        help="minorminer tries, the best is kept (default %(default)s)",
    )
    p.add_argument(
        "--seed",
        type=int,
        default=0,
        help="seeds the target's broken qubits and the embedder (default %(default)s)",
    )
    p.add_argument(
        "--out",
        metavar="DIR",
        help="results folder, new or empty (default: results/embed-K<N>-<time>)",
    )


def _embed(args: argparse.Namespace) -> int:
    from dataclasses import asdict

    from . import experiments as ex
    from ._validate import check_positive_int
    from .embedding import check_embedder_seed

    n = check_positive_int("N", args.n)
    tries = check_positive_int("--tries", args.tries)
    seed = check_embedder_seed(args.seed, tries, clique=args.embedding == "clique", name="--seed")
    target = ex.make_target(args.target, seed)
    with ex.open_results_folder(args.out, f"embed-K{n}") as out:
        e = ex.make_embedding(n, target, args.embedding, tries, seed)
        e.save(out / "embedding.json")
        ex.write_json(
            out / ex.RESULTS_FILE,
            {"experiment": "embed", "report": asdict(e.report()), "environment": ex.environment()},
        )
        e.draw(out / "embedding.png")
    r = e.report()
    print(
        f"K{n} on {e.target.name}: {r.physical_qubits} qubits, chains "
        f"{r.min_chain}-{r.max_chain}, {r.physical_parameters} physical parameters; "
        f"written to {out}"
    )
    return 0


def _demo_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument(
        "--spins",
        type=int,
        default=16,
        help="spins of the SK model, at most 20 (default %(default)s)",
    )
    p.add_argument(
        "--reads", type=int, default=5000, help="SA reads and exact samples (default %(default)s)"
    )
    p.add_argument(
        "--seed",
        type=int,
        default=0,
        help="seeds the model and both samplers (default %(default)s)",
    )


def _demo(args: argparse.Namespace) -> int:
    from . import SimulatedAnnealingSampler, exact
    from ._validate import check_int, check_positive_int, check_seed
    from .ising import from_matrix

    n = check_int("--spins", args.spins, 1, 20)
    reads = check_positive_int("--reads", args.reads)
    seed = check_seed(args.seed, "--seed")
    rng = np.random.default_rng(seed)
    J = np.triu(rng.normal(0.0, 2.0 / np.sqrt(n), size=(n, n)), k=1)
    ising = from_matrix(np.zeros(n), J)
    bqm = ising.to_bqm()
    t = time.perf_counter()
    ss = SimulatedAnnealingSampler().sample(
        bqm,
        num_reads=reads,
        beta_schedule_type="custom",
        beta_schedule=np.linspace(0.0, 1.0, 200),
        seed=seed,
    )
    sa_seconds = time.perf_counter() - t
    samples = ss.record.sample[:, [ss.variables.index(v) for v in range(n)]]
    t = time.perf_counter()
    m = exact.moments(ising, beta=1.0)
    exact_seconds = time.perf_counter() - t
    sampled_correlation = samples.T.astype(float) @ samples / len(samples)
    iu = np.triu_indices(n, k=1)
    err = np.abs(sampled_correlation[iu] - m.correlation[iu])
    data = exact.sample(ising, reads, beta=1.0, seed=seed)
    print(f"qsample {__version__}: SK model, {n} spins, J ~ N(0, 2/sqrt(N)), beta = 1")
    print(
        f"  simulated annealing: {reads} reads, linear beta 0 -> 1 over 200 sweeps, "
        f"{sa_seconds:.3f} s"
    )
    print(f"  exact enumeration of 2^{n} states (log Z and all moments): {exact_seconds:.3f} s")
    print(f"  log Z(beta=1) = {m.log_partition:.4f}")
    if err.size:
        print(
            f"  <s_i s_j>: mean |SA - exact| = {err.mean():.4f}, max = {err.max():.4f} "
            f"(sampling noise ~ {1 / np.sqrt(reads):.4f})"
        )
    print(
        f"  proxy Lambda_av: SA samples {exact.log_likelihood_proxy(ising, samples):.4f}, "
        f"exact samples {exact.log_likelihood_proxy(ising, data):.4f}"
    )
    return 0


def _grid_arguments(p: argparse.ArgumentParser) -> None:
    from .experiments import EXPERIMENTS

    p.add_argument("experiment", choices=tuple(EXPERIMENTS), help="the experiment each point runs")
    p.add_argument(
        "spec",
        nargs="?",
        metavar="SPEC",
        help="a TOML or YAML file: [vary] settings over lists of values, [fixed] "
        "settings, and optionally figure = NAME",
    )
    p.add_argument(
        "--set",
        action="append",
        default=[],
        metavar="KEY=V1,V2",
        help="vary a setting over values (one value fixes it); repeatable; overrides SPEC",
    )
    p.add_argument(
        "--quick",
        action="store_true",
        help="start each point from the experiment's --quick settings",
    )
    p.add_argument(
        "--out",
        metavar="DIR",
        required=True,
        help="the grid's folder: one folder per point, summary.csv and the plot; "
        "run again with the same DIR to finish an interrupted grid",
    )
    p.add_argument(
        "--figure",
        help="the figure to plot (default: the spec's, else the first "
        "numeric one; nested figures read a.b)",
    )
    p.add_argument("--x", help="the varied setting on the plot's x axis (default: the first)")
    p.add_argument(
        "--average-over",
        default="",
        metavar="KEY,...",
        help="varied settings to average over in the plot (e.g. seed)",
    )
    p.add_argument(
        "--seed",
        type=int,
        default=0,
        help="the grid's seed: points without a seed setting derive theirs from it "
        "and their id (default 0)",
    )
    p.add_argument("--no-progress", action="store_true", help="no progress bar")
    executor_arguments(p)


def _grid(args: argparse.Namespace) -> int:
    from ._validate import check_seed
    from .execution import grid_spec_from_file, grid_spec_from_sets
    from .experiments.grids import experiment_grid

    seed = check_seed(args.seed, "--seed")
    spec = grid_spec_from_file(args.spec) if args.spec else None
    sets = grid_spec_from_sets(args.set) if args.set else None
    spec = sets if spec is None else spec.overridden_by(sets)
    if spec is None:
        raise ValueError(
            "give a SPEC file or --set KEY=V1,V2 options: a grid varies at least one setting"
        )
    average = [k.strip() for k in args.average_over.split(",") if k.strip()]
    Path(args.out).mkdir(parents=True, exist_ok=True)
    args.results_folder = Path(args.out)
    with open_executor_for(args) as executor:
        print(f"{args.prog}: {args.experiment} grid in {args.out}{_where(executor)}")
        result = experiment_grid(
            args.experiment,
            spec,
            args.out,
            seed,
            quick=args.quick,
            executor=executor,
            progress=False if args.no_progress else None,
            figure=args.figure,
            x=args.x,
            average_over=average,
        )
    print(
        f"  {len(result.points)} points; summary: {result.summary_csv}"
        + (f"; plot: {result.plot}" if result.plot else "")
    )
    return 0


def _bench_arguments(p: argparse.ArgumentParser) -> None:
    from .benchmark import add_arguments

    add_arguments(p)


def _likelihood_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("model", help="the model.npz a 'qsample bas' run wrote")
    p.add_argument(
        "--beta",
        type=float,
        default=1.0,
        help="inverse temperature of the model (default 1: the end of the learning schedule)",
    )
    p.add_argument("--runs", type=int, help="AIS runs for log Z (default 512)")
    p.add_argument("--steps", type=int, help="AIS steps for log Z (default 20000)")
    p.add_argument(
        "--chain-runs",
        type=int,
        dest="chain_runs",
        help="runs per picture for the chain term (default 32)",
    )
    p.add_argument(
        "--chain-steps",
        type=int,
        dest="chain_steps",
        help="steps per picture for the chain term (default 10000)",
    )
    p.add_argument("--seed", type=int, default=0, help="seeds the estimates (default 0)")
    p.add_argument(
        "--out", metavar="DIR", help="results folder (default results/likelihood-bas-<time>)"
    )
    p.add_argument("--no-progress", action="store_true", help="no progress bars")


def _likelihood(args: argparse.Namespace) -> int:
    from . import experiments as ex
    from ._validate import check_beta, check_int
    from .model import HardwareModel

    model = HardwareModel.load(args.model)
    settings = _training_settings(args.model, ex.EXPERIMENTS["bas"], None)
    options = {
        k: v
        for k, v in (
            ("num_runs", args.runs),
            ("num_steps", args.steps),
            ("chain_runs", args.chain_runs),
            ("chain_steps", args.chain_steps),
        )
        if v is not None
    }
    beta = check_beta(args.beta, "--beta")
    seed = check_int("--seed", args.seed, 0, 2**64 - 1)
    with ex.open_results_folder(args.out, "likelihood-bas") as out:
        start = time.perf_counter()
        figures = ex.bas_log_likelihood(
            model,
            settings,
            beta=beta,
            seed=seed,
            progress=False if args.no_progress else None,
            **options,
        )
        result = {
            "experiment": "likelihood",
            "model": str(args.model),
            "dataset": "bas",
            "settings": {"seed": seed, "beta": beta, **options},
            "environment": ex.environment(),
            "wall_seconds": time.perf_counter() - start,
            "figures": figures,
        }
        ex.write_json(out / ex.RESULTS_FILE, result)
    print(f"qsample likelihood: results in {out}")
    _print_figures(result)
    return 0


def _bench(args: argparse.Namespace) -> int:
    from .benchmark import run

    return run(args)


# -- the registry -----------------------------------------------------------------------
def _experiment_commands() -> list[Command]:
    from .experiments import EXPERIMENTS

    return [
        Command(
            e.name,
            e.summary,
            _experiment_arguments(e),
            _experiment_runner(e, True),
            f"{e.summary}. Writes a results folder (results.json, the model, PNG "
            "plots) and keeps a checkpoint to resume from.",
        )
        for e in EXPERIMENTS.values()
    ]


#: Every command but the experiments' (which come from the experiments registry).
#: Add a command here: ``Command(name, help, add_arguments, run)``.
COMMANDS: list[Command] = [
    Command(
        "fit",
        "learn a model of any binary dataset (CSV, .npy, .npz, a folder of "
        "pictures) and write a run folder",
        data_cli.fit_arguments,
        data_cli._fit,
        "Learn an EmbeddedBoltzmannMachine from the rows of DATA: K_N (N columns, plus "
        "one-hot class units with --labels) embedded in the target, every physical "
        "parameter learned by moment matching. Writes DIR: estimator.npz (for sample, "
        "impute, predict), embedding.json, results.json, history.json and PNG plots, and "
        "keeps a checkpoint: the same command continues a stopped run.",
    ),
    Command(
        "sample",
        "draw rows from a model 'qsample fit' wrote",
        data_cli.sample_arguments,
        data_cli._sample,
        "Draw rows from MODEL by the sampler it learned with, each decoded by majority in "
        "its chains; a chain split evenly is a tie, reported and written as an empty "
        "field (0 in .npy) unless --ties random.",
    ),
    Command(
        "impute",
        "fill the missing entries of binary rows with a model",
        data_cli.impute_arguments,
        data_cli._impute,
        "Fill the missing entries of DATA (empty CSV fields, ?, NA or NaN): the known "
        "entries' chains are held, the model sampled, each missing entry taking the "
        "majority of its samples. A majority split evenly is reported and written as an "
        "empty field unless --ties random.",
    ),
    Command(
        "predict",
        "predict the class of binary rows with a model fitted with --labels",
        data_cli.predict_arguments,
        data_cli._predict,
        "Hold each row's known entries, sample the class units, and predict the class "
        "whose unit is on most often; with --labels, report the accuracy.",
    ),
    Command(
        "train", "learn a model on a dataset and save it (no evaluation)", _train_arguments, None
    ),
    Command(
        "evaluate",
        "evaluate a saved model on the data it was trained on",
        _evaluate_arguments,
        _evaluate,
    ),
    Command(
        "embed",
        "embed K_N into a target graph (embedding.json and a drawing)",
        _embed_arguments,
        _embed,
    ),
    Command(
        "demo",
        "SA on a built-in SK model against the exact Boltzmann distribution",
        _demo_arguments,
        _demo,
    ),
    Command(
        "likelihood",
        "test log-likelihood of a saved BAS model (model.npz), by annealed "
        "importance sampling, beside the ceiling -ln 190",
        _likelihood_arguments,
        _likelihood,
    ),
    Command(
        "grid",
        "run an experiment over a grid of settings (a TOML/YAML spec or --set "
        "KEY=V1,V2), locally or on a Dask cluster; resumes in the same folder",
        _grid_arguments,
        _grid,
    ),
    Command(
        "bench",
        "qsample's SA, PT and SQA against dwave-samplers (and OpenJij), same "
        "run, ns per update (needs dwave-samplers)",
        _bench_arguments,
        _bench,
    ),
]


def all_commands() -> list[Command]:
    """The experiments first, then :data:`COMMANDS`."""
    return _experiment_commands() + COMMANDS


def build_parser() -> argparse.ArgumentParser:
    p = _Parser(prog="qsample", description=__doc__.splitlines()[0])
    p.add_argument("--version", action="version", version=f"qsample {__version__}")
    sub = p.add_subparsers(
        dest="command", required=True, metavar="COMMAND", help="qsample COMMAND --help tells more"
    )
    for command in all_commands():
        add_command(sub, command)
    return p


def main(argv: Sequence[str] | None = None) -> int:
    try:
        args, unknown = build_parser().parse_known_args(argv)
        if unknown:  # name the command they were given to, not just qsample
            raise UsageError(
                args.prog, f"unrecognized arguments: {' '.join(unknown)} (see {args.prog} --help)"
            )
    except UsageError as e:
        print(f"{e.prog}: error: {e}", file=sys.stderr)
        return 2
    except SystemExit as e:  # --help, --version
        return e.code if isinstance(e.code, int) else 0
    try:
        return int(args.run(args))
    except KeyboardInterrupt as e:
        return _interrupted(args, e)
    except Exception as e:
        if args.debug:
            raise
        expected = isinstance(e, (ValueError, TypeError, OSError, ImportError, MemoryError))
        text = " ".join(str(e).split()) or type(e).__name__
        if isinstance(e, MemoryError):
            text = f"out of memory ({text})"
        if not expected:
            text = (
                f"internal error ({type(e).__name__}: {text}); run with --debug for the traceback"
            )
        hint = "" if getattr(args, "resume", None) else _resume_hint(args)
        print(f"{args.prog}: error: {text}{hint}", file=sys.stderr)
        return 2 if expected else 1


def _resume_hint(args: argparse.Namespace) -> str:
    """How to resume the run the command was making, if it left a checkpoint."""
    from .experiments import resumable

    folder = getattr(args, "results_folder", None)
    if folder is None or not resumable(folder):
        return ""
    return f"; resume with: {args.prog} --resume {shlex.quote(str(folder))}"


def _interrupted(args: argparse.Namespace, e: KeyboardInterrupt) -> int:
    where = f" at {e.where}" if hasattr(e, "where") else ""
    hint = _resume_hint(args) or ("; nothing to resume" if hasattr(args, "results_folder") else "")
    print(f"{args.prog}: interrupted{where}{hint}", file=sys.stderr)
    return 130


if __name__ == "__main__":
    raise SystemExit(main())
