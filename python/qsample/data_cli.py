"""The command line for any binary dataset: ``qsample fit``, ``sample``,
``impute`` and ``predict`` (registered in :data:`qsample.cli.COMMANDS`).

``qsample fit DATA --out DIR`` learns an :class:`~qsample.EmbeddedBoltzmannMachine`
from a file of binary rows (see :mod:`qsample.datafiles`) and writes DIR:
``run.json`` (the settings and a fingerprint of the data, first),
``embedding.json``, ``checkpoint.npz`` (kept up to date while it learns),
``estimator.npz`` (the model the other commands read), ``results.json``,
``history.json`` and PNG plots. The same command on the same DIR continues a
run that was stopped, and leaves a finished one alone; a DIR holding anything
else is refused unless ``--overwrite``.

Outputs of ``sample``, ``impute`` and ``predict`` are CSV (0/1, or -1/+1 with
``--spins``; a tied vote is an empty field) or, for a ``.npy`` name, int8 ±1
with 0 for a tie; without ``--out`` the CSV goes to standard output and the
report to standard error.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path
from typing import Any

import numpy as np

from . import _files
from .cli_executor import executor_arguments, open_executor_for

RUN_FILE = "run.json"
RUN_FORMAT = "qsample-fit-1"
ESTIMATOR_FILE = "estimator.npz"
EMBEDDING_FILE = "embedding.json"
CHECKPOINT_FILE = "checkpoint.npz"
RESULTS_FILE = "results.json"
#: Everything a fit run writes (what ``--overwrite`` removes).
RUN_FILES = (
    RUN_FILE,
    EMBEDDING_FILE,
    CHECKPOINT_FILE,
    ESTIMATOR_FILE,
    RESULTS_FILE,
    "history.json",
    "learning.png",
    "moments.png",
    "samples.png",
)
#: The estimator settings ``qsample fit`` sets, by option.
LEARNING_OPTIONS = {
    "iterations": "--iterations",
    "learning_rate": "--learning-rate",
    "momentum": "--momentum",
    "l2": "--l2",
    "batch_size": "--batch-size",
    "num_reads": "--num-reads",
    "range_policy": "--range-policy",
    "embedding_tries": "--tries",
    "embedding_time_budget": "--embedding-budget",
    "random_state": "--seed",
}
SAMPLERS = ("sa", "exact", "qpu")


# -- shared options and files ----------------------------------------------------------
def _data_arguments(p: argparse.ArgumentParser, labels_help: str) -> None:
    p.add_argument(
        "data",
        metavar="DATA",
        help="binary rows: .npy, .npz, .csv or .txt (header optional, comma or "
        "whitespace separated; 0/1, -1/+1, true/false or yes/no), or a folder "
        "of PNG/PBM pictures (dark is 1; one subfolder per class gives labels)",
    )
    p.add_argument("--labels", metavar="COLUMN", help=labels_help)
    p.add_argument("--key", metavar="NAME", help="the data array of an .npz holding several")


def _model_argument(p: argparse.ArgumentParser) -> None:
    p.add_argument(
        "model",
        metavar="MODEL",
        help=f"the {ESTIMATOR_FILE} a 'qsample fit' run wrote (or its folder)",
    )


def _output_arguments(p: argparse.ArgumentParser, what: str) -> None:
    p.add_argument(
        "--out",
        metavar="FILE",
        help=f"where to write {what}: .csv/.txt, or .npy for int8 -1/+1 with 0 for "
        "a tie (default: CSV to standard output)",
    )
    p.add_argument("--overwrite", action="store_true", help="replace FILE if it exists")
    p.add_argument("--spins", action="store_true", help="write -1/+1 in CSV instead of 0/1")


def _seed_argument(p: argparse.ArgumentParser) -> None:
    p.add_argument(
        "--seed",
        type=int,
        help="seeds the sampling (default: the seed the model was trained with, so "
        "the same command gives the same output)",
    )


def _read_data(args: argparse.Namespace) -> Any:
    from .datafiles import read_binary_file

    labels: Any = args.labels
    if labels is not None and labels.lstrip("-").isdigit():
        labels = int(labels)  # a column index, counted from 0
    return read_binary_file(args.data, labels, key=args.key)


def _load_model(path: str) -> Any:
    from .estimator import EmbeddedBoltzmannMachine

    p = Path(path)
    if p.is_dir():
        p = p / ESTIMATOR_FILE
    if not p.exists():
        raise FileNotFoundError(
            f"model file {str(p)!r} does not exist (give the "
            f"{ESTIMATOR_FILE} a 'qsample fit' run wrote)"
        )
    return EmbeddedBoltzmannMachine.load(p)


def _check_output(args: argparse.Namespace) -> Path | None:
    """The output file, checked before any work: a known suffix, a folder that
    exists and is writable, and no file there unless ``--overwrite``."""
    if args.out is None:
        return None
    out = Path(args.out)
    if out.suffix.lower() not in (".csv", ".txt", ".npy"):
        raise ValueError(f"'--out' {str(out)!r} must end in .csv, .txt or .npy")
    if out.is_dir():
        raise ValueError(f"'--out' {str(out)!r} is a folder; give a file name")
    if out.exists() and not args.overwrite:
        raise ValueError(f"'--out' {str(out)!r} exists; --overwrite replaces it")
    folder = out.parent if str(out.parent) else Path(".")
    if not folder.is_dir():
        raise ValueError(f"'--out' {str(out)!r}: the folder {str(folder)!r} does not exist")
    if not os.access(folder, os.W_OK | os.X_OK):
        raise ValueError(
            f"'--out' {str(out)!r} is not writable: no permission to write in {str(folder)!r}"
        )
    return out


def _write_rows(
    out: Path | None,
    values: np.ndarray,
    columns: Any,
    spins: bool,
    extra: dict[str, list[str]] | None = None,
) -> None:
    """Rows of ±1/0 to ``out`` (CSV, or .npy) or, without ``out``, CSV to stdout;
    ``extra`` adds named text columns before the values."""
    if out is not None and out.suffix.lower() == ".npy" and extra is None:
        with _files.atomic_path(out, ".npy") as tmp:
            np.save(tmp, np.ascontiguousarray(values, dtype=np.int8))
        return
    one, zero = ("1", "-1") if spins else ("1", "0")
    lines = []
    names = list(extra or {}) + ([] if columns is None else [str(c) for c in columns])
    if names and (columns is not None or extra):
        lines.append(",".join(_csv_field(n) for n in names))
    for r, row in enumerate(values):
        fields = [_csv_field(v[r]) for v in (extra or {}).values()]
        fields += [one if x > 0 else zero if x < 0 else "" for x in row]
        lines.append(",".join(fields))
    text = "\n".join(lines) + "\n"
    if out is None:
        sys.stdout.write(text)
    else:
        _files.write_text(out, text)


def _csv_field(text: Any) -> str:
    text = str(text)
    return '"' + text.replace('"', '""') + '"' if any(c in text for c in ',"\n') else text


def _report(out: Path | None, line: str) -> None:
    print(line, file=sys.stderr if out is None else sys.stdout)


def _ties_text(ties: int, total: int, what: str, flag: str) -> str:
    if ties == 0:
        return "no tied entries"
    return (
        f"{ties} tied entries ({ties / total:.2%}): {what} split evenly, written as empty "
        f"fields (0 in .npy); {flag} writes a fair coin instead"
    )


# -- fit --------------------------------------------------------------------------------
def fit_arguments(p: argparse.ArgumentParser) -> None:
    from .embedding import METHODS
    from .hardware import PRESETS
    from .learning import RANGE_POLICIES

    _data_arguments(
        p,
        "the column of class labels, a header name or an index from 0: the "
        "model learns one-hot class units, for 'qsample predict'",
    )
    p.add_argument(
        "--out",
        metavar="DIR",
        required=True,
        help="the run's folder: new or empty; the same command on the same DIR "
        "continues a stopped run",
    )
    p.add_argument(
        "--overwrite",
        action="store_true",
        help="replace the run DIR holds (or write beside other files in it)",
    )
    p.add_argument(
        "--target",
        choices=tuple(PRESETS),
        help="the annealer graph (default dw2x, the paper's D-Wave 2X; with "
        "--sampler qpu, the QPU's working graph)",
    )
    p.add_argument(
        "--embedding",
        choices=METHODS,
        default="minorminer",
        help="how K_N is embedded: minorminer's heuristic (best of --tries) or its "
        "clique embedder (default %(default)s)",
    )
    p.add_argument(
        "--tries",
        type=int,
        metavar="K",
        help="embedding tries, the best is kept (default 10 for minorminer, 1 for "
        "the clique embedder)",
    )
    p.add_argument(
        "--embedding-budget",
        type=float,
        metavar="SECONDS",
        help="seconds for all embedding tries together (default: no bound)",
    )
    p.add_argument(
        "--sampler",
        choices=SAMPLERS,
        default="sa",
        help="sa: qsample's simulated annealer (linear beta 0 -> 1); exact: the "
        "exact gradient (models of up to 30 qubits); qpu: a D-Wave QPU through "
        "dwave-system (needs a token; learns on its working graph with "
        "auto_scale off) (default %(default)s)",
    )
    p.add_argument(
        "--num-sweeps", type=int, metavar="N", help="sweeps of the SA schedule (default 200)"
    )
    p.add_argument(
        "--iterations",
        type=int,
        default=1000,
        metavar="K",
        help="learning iterations (default %(default)s)",
    )
    p.add_argument(
        "--learning-rate",
        type=float,
        default=0.0025,
        metavar="ETA",
        help="learning rate (default %(default)s, the paper's)",
    )
    p.add_argument("--momentum", type=float, default=0.5, help="momentum (default %(default)s)")
    p.add_argument(
        "--l2", type=float, default=1e-5, help="L2 penalty on the couplings (default %(default)s)"
    )
    p.add_argument(
        "--batch-size", type=int, metavar="B", help="rows per iteration (default: all of them)"
    )
    p.add_argument(
        "--num-reads",
        type=int,
        default=100,
        metavar="R",
        help="samples per iteration (default %(default)s)",
    )
    p.add_argument(
        "--range-policy",
        choices=("auto",) + RANGE_POLICIES,
        default="auto",
        help="when a parameter would leave the target's range: stop, clip, or "
        "ignore; auto stops on a QPU and ignores it for classical samplers "
        "(default %(default)s)",
    )
    p.add_argument(
        "--seed",
        type=int,
        default=0,
        help="seeds the target's inactive qubits, the embedding, the starting "
        "parameters and the samplers (default %(default)s)",
    )
    p.add_argument(
        "--check-samples",
        type=int,
        default=1000,
        metavar="K",
        help="model samples drawn at the end to compare with the data (default %(default)s)",
    )
    p.add_argument(
        "--checkpoint-every",
        type=int,
        default=100,
        metavar="K",
        help="iterations between checkpoints (default %(default)s)",
    )
    p.add_argument("--no-progress", action="store_true", help="no progress bars")


def _fit_settings(args: argparse.Namespace, data: Any) -> dict[str, Any]:
    from ._validate import check_int, check_number, check_positive_int

    check_int("--iterations", args.iterations, 0)
    check_positive_int("--check-samples", args.check_samples)
    check_positive_int("--checkpoint-every", args.checkpoint_every)
    check_int("--seed", args.seed, 0, 2**32 - 1)
    for option, value in (("--tries", args.tries), ("--num-sweeps", args.num_sweeps)):
        if value is not None:
            check_positive_int(option, value)
    if args.embedding_budget is not None:
        check_number("--embedding-budget", args.embedding_budget, 0.0, low_open=True)
    if args.num_sweeps is not None and args.sampler != "sa":
        raise ValueError(f"'--num-sweeps' sets the SA schedule; --sampler is {args.sampler}")
    if args.sampler == "qpu" and args.target is not None:
        raise ValueError(
            "'--target' names a preset graph; with --sampler qpu the target is "
            "the QPU's working graph"
        )
    return {
        "data": str(Path(args.data).resolve()),
        "labels": args.labels,
        "key": args.key,
        "target": args.target,
        "embedding": args.embedding,
        "tries": args.tries,
        "embedding_budget": args.embedding_budget,
        "sampler": args.sampler,
        "num_sweeps": args.num_sweeps,
        "iterations": args.iterations,
        "learning_rate": args.learning_rate,
        "momentum": args.momentum,
        "l2": args.l2,
        "batch_size": args.batch_size,
        "num_reads": args.num_reads,
        "range_policy": args.range_policy,
        "seed": args.seed,
        "check_samples": args.check_samples,
    }


def _data_fingerprint(data: Any) -> str:
    from .learning.checkpoints import fingerprint

    labels = () if data.labels is None else (np.asarray(data.labels).astype(str),)
    return fingerprint(data.spins, data.missing, *labels)


def _open_run(out: Path, record: dict[str, Any], overwrite: bool) -> str:
    """Prepare ``out`` for the run ``record``: "new", "resume" (a stopped run of
    the same settings and data) or "finished" (that run is complete)."""
    if out.exists() and not out.is_dir():
        raise ValueError(f"'--out' {str(out)!r} is a file, not a folder")
    try:
        out.mkdir(parents=True, exist_ok=True)
        with _files.atomic_path(out / ".qsample-write-test") as tmp:
            Path(tmp).write_bytes(b"")
        (out / ".qsample-write-test").unlink()
    except OSError as e:
        raise ValueError(f"'--out' {str(out)!r} is not writable: {e.strerror or e}") from None
    _files.clean_orphans(out)
    if overwrite:
        for name in RUN_FILES:
            if (out / name).exists():
                (out / name).unlink()
        return "new"
    if (out / RUN_FILE).exists():
        stored = _files.read_json(out / RUN_FILE, "a qsample fit run record")
        if not isinstance(stored, dict) or stored.get("format") != RUN_FORMAT:
            raise ValueError(
                f"'--out' {str(out)!r} holds another kind of run ({RUN_FILE} is "
                "not a 'qsample fit' record); --overwrite replaces it, or choose "
                "another --out"
            )
        if stored.get("data_fingerprint") != record["data_fingerprint"]:
            raise ValueError(
                f"'--out' {str(out)!r} holds a run on other data (the rows of "
                f"{record['settings']['data']!r} differ from those it learned); "
                "--overwrite replaces it, or choose another --out"
            )
        old, new = stored.get("settings", {}), record["settings"]
        changed = sorted(k for k in {*old, *new} if k != "data" and old.get(k) != new.get(k))
        if changed:
            raise ValueError(
                f"'--out' {str(out)!r} holds a run with other settings "
                f"({', '.join(changed)} differ); --overwrite replaces it, or "
                "choose another --out"
            )
        return "finished" if (out / RESULTS_FILE).exists() else "resume"
    if any(out.iterdir()):
        raise ValueError(
            f"'--out' {str(out)!r} holds other files and no qsample fit run; "
            "--overwrite writes the run beside them, or choose another --out"
        )
    return "new"


def _fit(args: argparse.Namespace) -> int:
    from . import hardware
    from .embedding import Embedding
    from .estimator import EmbeddedBoltzmannMachine, embed_variables
    from .learning import PeriodicCheckpoint, read_checkpoint

    data = _read_data(args)
    if data.has_missing:
        r, c = (int(i) for i in np.argwhere(data.missing)[0])
        raise ValueError(
            f"{data.source!r} has missing entries (the first in data row {r + 1}, "
            f"column {c + 1}); fit needs complete rows: drop them, or fill them "
            "with 'qsample impute' and a model"
        )
    settings = _fit_settings(args, data)
    record = {
        "format": RUN_FORMAT,
        "settings": settings,
        "data_fingerprint": _data_fingerprint(data),
    }
    out = Path(args.out)
    made = not out.exists()
    state = _open_run(out, record, args.overwrite)
    if state == "finished":
        print(
            f"{args.prog}: {out} holds this run, finished ({ESTIMATOR_FILE}); nothing to do "
            "(--overwrite trains again)"
        )
        return 0
    labels = data.labels
    num_classes = 0 if labels is None else len(np.unique(labels.astype(str)))
    qpu = None
    checkpoint = out / CHECKPOINT_FILE
    try:
        if args.sampler == "qpu":
            from . import dwave

            qpu = dwave.connect()
        if state == "resume" and (out / EMBEDDING_FILE).exists():
            embedding = Embedding.load(out / EMBEDDING_FILE)
        else:
            target = (
                hardware.from_dwave_sampler(qpu)
                if qpu is not None
                else hardware.make_target(args.target or "dw2x", args.seed)
            )
            embedding = embed_variables(
                data.spins.shape[1],
                num_classes,
                target,
                args.embedding,
                tries=args.tries,
                seed=args.seed,
                time_budget=args.embedding_budget,
            )
            _files.write_json(out / RUN_FILE, record)
            embedding.save(out / EMBEDDING_FILE)
        machine = EmbeddedBoltzmannMachine(
            embedding=embedding,
            sampler=qpu if qpu is not None else args.sampler,
            sampler_parameters=(
                None if args.num_sweeps is None else {"num_sweeps": args.num_sweeps}
            ),
            iterations=args.iterations,
            learning_rate=args.learning_rate,
            momentum=args.momentum,
            l2=args.l2,
            batch_size=args.batch_size,
            num_reads=args.num_reads,
            range_policy=args.range_policy,
            random_state=args.seed,
            progress=False if args.no_progress else None,
        )
        previous = (
            read_checkpoint(checkpoint) if state == "resume" and checkpoint.exists() else None
        )
        what = "continuing the run in" if previous is not None else "results in"
        print(
            f"{args.prog}: {what} {out} ({len(data)} rows, {data.spins.shape[1]} columns"
            + (f", {num_classes} classes" if num_classes else "")
            + ")"
        )
        keeper = PeriodicCheckpoint(checkpoint, args.checkpoint_every)
        start = time.perf_counter()
        try:
            _with_options_named(machine.fit, data.spins, labels, checkpoint=keeper, resume=previous)
        except KeyboardInterrupt:
            if keeper.iteration is None:
                raise
            raise _Stopped(keeper.save()) from None
    except BaseException:
        if not checkpoint.exists():  # nothing to continue from: leave nothing behind
            for name in (RUN_FILE, EMBEDDING_FILE):
                if (out / name).exists():
                    (out / name).unlink()
            if made and out.is_dir() and not any(out.iterdir()):
                out.rmdir()
        raise
    if data.columns is not None:
        machine.feature_names_in_ = np.array(data.columns, dtype=object)
    machine.save(out / ESTIMATOR_FILE)
    figures = _fit_figures(machine, data, out, args.check_samples)
    result = {
        "command": "fit",
        "settings": settings,
        "environment": _environment(),
        "wall_seconds": time.perf_counter() - start,
        "figures": figures,
    }
    _files.write_json(out / RESULTS_FILE, result)
    _print_fit(args, out, figures)
    return 0


class _Stopped(KeyboardInterrupt):
    """Ctrl-C during ``qsample fit``, after the checkpoint was saved."""

    def __init__(self, iteration: int) -> None:
        super().__init__()
        self.where = f"iteration {iteration}; the same command continues the run"


def _with_options_named(fn: Any, *args: Any, **kwargs: Any) -> Any:
    """Call ``fn``; an error naming an estimator setting names its option instead."""
    try:
        return fn(*args, **kwargs)
    except (TypeError, ValueError) as e:
        message = str(e)
        for name, option in LEARNING_OPTIONS.items():
            message = message.replace(f"'{name}'", f"'{option}'")
        if message == str(e):
            raise
        raise type(e)(message) from None


def _environment() -> dict[str, str]:
    from .experiments import environment

    return environment()


def _fit_figures(machine: Any, data: Any, out: Path, num_samples: int) -> dict[str, Any]:
    from dataclasses import asdict

    from . import plots
    from .experiments.bas import _plot_history
    from .learning import sample_moments

    history = machine.history_
    report = machine.embedding_.report()
    figures: dict[str, Any] = {
        "data": {
            "source": data.source,
            "rows": len(data),
            "columns": data.spins.shape[1],
            "classes": None if not hasattr(machine, "classes_") else machine.classes_.tolist(),
            "picture_shape": data.picture_shape,
        },
        "embedding": {"target": machine.target_.name, **asdict(report)},
        "iterations": machine.n_iter_,
        "stopped": machine.stopped_,
        "range_policy": machine.range_policy_,
        "training_seconds": float(
            np.sum(history.sampling_seconds) + np.sum(history.update_seconds)
        ),
    }
    if len(history):
        figures["max_abs_J_intra"] = history.max_abs_J_intra[-1]
        figures["max_abs_J_inter"] = history.max_abs_J_inter[-1]
        _plot_history(out, history)
    samples = machine.sample(num_samples)
    ties = int(np.sum(samples == 0))
    n = data.spins.shape[1]
    irow, icol = np.triu_indices(n, k=1)
    data_mean, data_corr = sample_moments(data.spins, irow, icol)
    model_mean, model_corr = sample_moments(samples, irow, icol)  # a tie counts as 0
    figures["check"] = {
        "samples": num_samples,
        "tied_entries": ties,
        "mean_abs_error_of_means": float(np.mean(np.abs(model_mean - data_mean))),
        "max_abs_error_of_means": float(np.max(np.abs(model_mean - data_mean))),
        "mean_abs_error_of_correlations": float(np.mean(np.abs(model_corr - data_corr)))
        if len(irow)
        else 0.0,
    }
    panels = {"means <s_i>": (data_mean, model_mean)}
    if len(irow):
        panels["correlations <s_i s_j>"] = (data_corr, model_corr)
    plots.agreement(
        out / "moments.png",
        panels,
        "data",
        "model samples",
        f"{num_samples} model samples against {len(data)} data rows",
    )
    if data.picture_shape is not None:
        k = 12
        plots.picture_grid(
            out / "samples.png",
            [("data", list(data.spins[:k])), ("model", list(samples[:k]))],
            data.picture_shape,
            "data and model samples (red: tied)",
        )
    return figures


def _print_fit(args: argparse.Namespace, out: Path, f: dict[str, Any]) -> None:
    e, c = f["embedding"], f["check"]
    print(
        f"  K{e['logical_variables']} on {e['target']}: {e['physical_qubits']} qubits, "
        f"chains {e['min_chain']}-{e['max_chain']}"
    )
    print(
        f"  {f['iterations']} iterations"
        + (f", stopped: {f['stopped']}" if f["stopped"] else "")
        + f"; {c['samples']} samples: mean |model - data| of the means "
        f"{c['mean_abs_error_of_means']:.3f}, of the correlations "
        f"{c['mean_abs_error_of_correlations']:.3f}"
    )
    print(f"  model: {out / ESTIMATOR_FILE}")


# -- sample -----------------------------------------------------------------------------
def sample_arguments(p: argparse.ArgumentParser) -> None:
    _model_argument(p)
    p.add_argument(
        "-n",
        "--num-samples",
        type=int,
        default=100,
        metavar="N",
        help="rows to draw (default %(default)s)",
    )
    _output_arguments(p, "the samples")
    p.add_argument(
        "--class",
        dest="label",
        metavar="LABEL",
        help="hold the class units at LABEL (a model fitted with --labels): samples of that class",
    )
    p.add_argument(
        "--ties",
        choices=("keep", "random"),
        default="keep",
        help="a chain split evenly: keep (an empty field; 0 in .npy) or random (a "
        "fair coin) (default %(default)s)",
    )
    _seed_argument(p)


def _sample(args: argparse.Namespace) -> int:
    from ._validate import check_positive_int

    n = check_positive_int("--num-samples", args.num_samples)
    out = _check_output(args)
    machine = _load_model(args.model)
    label = None if args.label is None else _label_of(machine, args.label)
    samples = _option_errors(machine.sample, n, y=label, tie=args.ties, random_state=args.seed)
    _write_rows(out, samples, getattr(machine, "feature_names_in_", None), args.spins)
    ties = int(np.sum(samples == 0))
    where = f" to {out}" if out is not None else ""
    _report(
        out,
        f"{args.prog}: {n} samples of {samples.shape[1]} variables{where}; "
        + _ties_text(ties, samples.size, "chains", "--ties random"),
    )
    return 0


def _label_of(machine: Any, text: str) -> Any:
    classes = getattr(machine, "classes_", None)
    if classes is None:
        raise ValueError(
            "'--class' holds a class, but the model was fitted without labels "
            "(qsample fit --labels COLUMN learns classes)"
        )
    for c in classes:
        if str(c) == text:
            return c
    raise ValueError(
        f"'--class' {text!r} is not one of the model's classes {[str(c) for c in classes]}"
    )


def _option_errors(fn: Any, *args: Any, **kwargs: Any) -> Any:
    names = {
        "'random_state'": "'--seed'",
        "'n_samples'": "'--num-samples'",
        "'num_reconstructions'": "'--reconstructions'",
        "'classification_samples'": "'--samples'",
        "'num_samples'": "'--samples'",
    }
    try:
        return fn(*args, **kwargs)
    except (TypeError, ValueError) as e:
        message = str(e)
        for name, option in names.items():
            message = message.replace(name, option)
        if message == str(e):
            raise
        raise type(e)(message) from None


# -- impute and predict -------------------------------------------------------------------
def _executor_options(p: argparse.ArgumentParser) -> None:

    executor_arguments(p)
    p.add_argument("--no-progress", action="store_true", help="no progress bars")


def impute_arguments(p: argparse.ArgumentParser) -> None:
    _model_argument(p)
    _data_arguments(
        p,
        "a column of class labels to hold while filling (a header name or an "
        "index from 0; default: the class units are sampled too)",
    )
    _output_arguments(p, "the filled rows")
    p.add_argument(
        "--reconstructions",
        type=int,
        metavar="K",
        help="samples per row, a missing entry taking their majority (default: the model's, 100)",
    )
    p.add_argument(
        "--ties",
        choices=("keep", "random"),
        default="keep",
        help="a majority split evenly: keep (an empty field; 0 in .npy) or random "
        "(a fair coin) (default %(default)s)",
    )
    _seed_argument(p)
    _executor_options(p)


def _rows_for(machine: Any, data: Any) -> tuple[np.ndarray, Any]:
    """The data as the model's rows (NaN where missing) and the labels to hold."""
    if data.spins.shape[1] != machine.n_features_in_:
        raise ValueError(
            f"{data.source!r} has {data.spins.shape[1]} columns; the model was "
            f"fitted on {machine.n_features_in_}"
            + (
                " (name the labels column with --labels)"
                if data.labels is None
                and hasattr(machine, "classes_")
                and data.spins.shape[1] == machine.n_features_in_ + 1
                else ""
            )
        )
    X = np.where(data.missing, np.nan, data.spins.astype(np.float64))
    labels = data.labels
    if labels is not None:
        if not hasattr(machine, "classes_"):
            raise ValueError(
                "'--labels' names a column of classes, but the model was fitted without labels"
            )
        labels = np.array([_label_of(machine, str(v)) for v in labels])
    return X, labels


def _impute(args: argparse.Namespace) -> int:

    out = _check_output(args)
    machine = _load_model(args.model)
    data = _read_data(args)
    X, labels = _rows_for(machine, data)
    machine.set_params(tie=args.ties, progress=False if args.no_progress else None)
    if args.reconstructions is not None:
        machine.set_params(num_reconstructions=args.reconstructions)
    with open_executor_for(args, small=True) as executor:
        filled = _option_errors(
            machine.impute, X, y=labels, random_state=args.seed, executor=executor
        )
    columns = (
        data.columns if data.columns is not None else getattr(machine, "feature_names_in_", None)
    )
    _write_rows(out, filled, columns, args.spins)
    missing = int(data.missing.sum())
    ties = int(np.sum(filled[data.missing] == 0))
    where = f" to {out}" if out is not None else ""
    _report(
        out,
        f"{args.prog}: filled {missing} missing entries in "
        f"{int(data.missing.any(axis=1).sum())} of {len(data)} rows{where}; "
        + _ties_text(ties, max(missing, 1), "the votes", "--ties random"),
    )
    return 0


def predict_arguments(p: argparse.ArgumentParser) -> None:
    _model_argument(p)
    _data_arguments(
        p,
        "the column of true class labels (a header name or an index from 0): "
        "not used to predict; the accuracy against it is reported",
    )
    p.add_argument(
        "--out",
        metavar="FILE",
        help="where to write the predictions, CSV (default: standard output)",
    )
    p.add_argument("--overwrite", action="store_true", help="replace FILE if it exists")
    p.add_argument(
        "--proba",
        action="store_true",
        help="add each class's share of the votes, one column per class",
    )
    p.add_argument(
        "--samples",
        type=int,
        metavar="K",
        help="class-chain samples per row (default: the model's, 100)",
    )
    _seed_argument(p)
    _executor_options(p)


def _predict(args: argparse.Namespace) -> int:

    out = _check_output(args)
    if out is not None and out.suffix.lower() == ".npy":
        raise ValueError(f"'--out' {str(out)!r}: predictions are written as CSV (.csv or .txt)")
    machine = _load_model(args.model)
    if not hasattr(machine, "classes_"):
        raise ValueError(
            f"{args.model} was fitted without labels; 'qsample fit --labels "
            "COLUMN' learns classes to predict"
        )
    data = _read_data(args)
    X, labels = _rows_for(machine, data)
    machine.set_params(progress=False if args.no_progress else None)
    if args.samples is not None:
        machine.set_params(classification_samples=args.samples)
    with open_executor_for(args, small=True) as executor:
        if args.proba:
            proba = _option_errors(
                machine.predict_proba, X, random_state=args.seed, executor=executor
            )
            predicted = machine.classes_[np.argmax(proba, axis=1)]
        else:
            predicted = _option_errors(
                machine.predict, X, random_state=args.seed, executor=executor
            )
    columns: dict[str, list[str]] = {"predicted": [str(v) for v in predicted]}
    if args.proba:
        for k, c in enumerate(machine.classes_):
            columns[f"p({c})"] = [f"{p:.4f}" for p in proba[:, k]]
    lines = [",".join(_csv_field(n) for n in columns)]
    lines += [",".join(_csv_field(v[r]) for v in columns.values()) for r in range(len(X))]
    text = "\n".join(lines) + "\n"
    if out is None:
        sys.stdout.write(text)
    else:
        _files.write_text(out, text)
    where = f" to {out}" if out is not None else ""
    line = f"{args.prog}: {len(X)} predictions{where}"
    if labels is not None:
        line += f"; accuracy {np.mean(predicted == labels):.4f} against --labels {args.labels}"
    _report(out, line)
    return 0
