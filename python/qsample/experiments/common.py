"""Pieces the experiments share: named targets, embeddings, the learning
sampler, results folders and ``results.json``.

Every run writes ``results.json`` (settings, seeds, versions, figures, wall
time), the trained model(s) and PNG plots into its folder. ``quick()``
settings finish in about a minute on a 2-core machine; ``full()`` settings are
the paper's.

Samplers: learning and evaluation use qsample's SA with one fixed schedule
(linear β 0 → 1 over 200 sweeps, the paper's SA setting), so the learned
parameters absorb that sampler's temperature and are judged by the same
sampler. SA has no device range, so the range policy is "ignore" and the
largest |J| inside and between chains is reported instead (the chains of a
β ≤ 1 sampler need |J| beyond a D-Wave 2X's 1).
"""

from __future__ import annotations

import os
import platform
import time
from dataclasses import asdict, replace
from pathlib import Path
from typing import Any

import numpy as np

from .. import __version__, _files, hardware
from .._validate import check_number, check_positive_int
from ..embedding import Embedding, check_embedder_seed, clique_embedding, find_embedding
from ..estimator import EmbeddedBoltzmannMachine
from ..execution import Executor
from ..learning import SampledMoments

#: The named targets, from the one registry (:data:`qsample.hardware.PRESETS`).
TARGETS = tuple(hardware.PRESETS)
make_target = hardware.make_target
#: How ``make_embedding`` embeds K_N: minorminer's heuristic or its clique embedder.
EMBEDDING_METHODS = ("minorminer", "clique")


# -- shared pieces --------------------------------------------------------------------


def make_embedding(
    n: int,
    target: hardware.Target,
    method: str = "minorminer",
    tries: int = 10,
    seed: int = 0,
    executor: Executor | None = None,
) -> Embedding:
    """K_n on the target: minorminer with the paper's rule (its tries run as
    tasks of ``executor`` when one is given), or the clique embedder."""
    if method == "minorminer":
        return find_embedding(n, target, tries=tries, seed=seed, executor=executor)
    if method == "clique":
        return clique_embedding(n, target, seed=seed)
    raise ValueError(f"'embedding' must be one of {EMBEDDING_METHODS}: value = {method!r}")


def sa_phase() -> SampledMoments:
    """qsample's SA with the fixed learning schedule (see the module notes)."""
    return SampledMoments()


def embedded_machine(
    embedding: Embedding,
    settings: Any,
    *,
    seed: int | None = None,
    progress: bool | None = None,
    **learning: Any,
) -> EmbeddedBoltzmannMachine:
    """The estimator an experiment learns with: K_N on the run's ``embedding``,
    qsample's SA with the fixed learning schedule, no device range (see the
    module notes), ``settings.iterations`` iterations and every seed from
    ``seed`` (default ``settings.seed``); ``learning`` sets the rest
    (learning_rate, num_reads, batch_size, evaluation sizes)."""
    return EmbeddedBoltzmannMachine(
        embedding=embedding,
        sampler="sa",
        range_policy="ignore",
        iterations=settings.iterations,
        random_state=settings.seed if seed is None else seed,
        progress=progress,
        **learning,
    )


def environment() -> dict[str, str]:
    import dimod

    return {
        "qsample": __version__,
        "numpy": np.__version__,
        "dimod": dimod.__version__,
        "python": platform.python_version(),
        "machine": platform.machine(),
        "cpus": str(os.cpu_count()),
    }


def results_folder(out: str | os.PathLike | None, experiment: str) -> Path:
    """``out`` if given (created; must be empty), else ``results/<experiment>-<time>``."""
    if out is None:
        stamp = time.strftime("%Y%m%d-%H%M%S")
        path = Path("results") / f"{experiment}-{stamp}"
        k = 1
        while path.exists():
            k += 1
            path = Path("results") / f"{experiment}-{stamp}-{k}"
    else:
        path = Path(out)
        if path.is_dir():
            _files.clean_orphans(path)
        if path.exists() and any(path.iterdir()):
            raise ValueError(
                f"results folder {path} exists and is not empty; choose another with --out"
            )
    path.mkdir(parents=True, exist_ok=True)
    return path


write_json = _files.write_json


def _report(embedding: Embedding) -> dict[str, Any]:
    return {"target": embedding.target.name, **asdict(embedding.report())}


def _check_settings(settings: Any, counts: tuple[str, ...], rates: tuple[str, ...] = ()) -> None:
    """Refuse bad settings before any folder is made or any work done."""
    for name in counts:
        check_positive_int(name, getattr(settings, name))
    for name in rates:
        values = getattr(settings, name)
        # A field whose default is a tuple holds several rates; any other, one.
        if isinstance(getattr(type(settings), name, None), tuple):
            if not isinstance(values, tuple) or not values:
                raise ValueError(f"'{name}' must be one or more numbers: value = {values!r}")
        else:
            values = (values,)
        for v in values:
            check_number(name, v, 0.0, low_open=True)
    if settings.target not in TARGETS:
        raise ValueError(f"'target' must be one of {TARGETS}: value = {settings.target!r}")
    if settings.embedding not in EMBEDDING_METHODS:
        raise ValueError(
            f"'embedding' must be one of {EMBEDDING_METHODS}: value = {settings.embedding!r}"
        )
    check_embedder_seed(
        settings.seed, settings.embedding_tries, clique=settings.embedding == "clique"
    )


def _finish(
    out: Path, name: str, settings: Any, figures: dict[str, Any], start: float
) -> dict[str, Any]:
    result = {
        "experiment": name,
        "settings": asdict(settings),
        "environment": environment(),
        "wall_seconds": time.perf_counter() - start,
        "figures": figures,
    }
    write_json(out / "results.json", result)
    return result


def with_overrides(settings: Any, **overrides: Any) -> Any:
    """``settings`` with the non-None overrides applied."""
    return replace(settings, **{k: v for k, v in overrides.items() if v is not None})
