"""Every experiment by name: what it is, its settings and the function that
runs it; the command line and resuming a results folder look them up here."""

from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import dataclass, fields
from pathlib import Path
from typing import Any

from ..execution import Executor
from .bas import BASSettings, run_bas
from .digits import DigitsSettings, run_digits
from .runs import DEFAULT_CHECKPOINT_EVERY, read_run_record
from .shootout import ShootoutSettings, run_shootout
from .sk import SKSettings, run_sk


@dataclass(frozen=True)
class Experiment:
    name: str
    summary: str
    settings: type  # a dataclass with quick() and full()
    run: Callable[..., dict[str, Any]]
    #: Trains one model on a dataset, so ``qsample train`` and ``evaluate`` apply.
    trains_one_model: bool
    #: Keeps a checkpoint every ``checkpoint_every`` iterations (the shoot-out
    #: keeps finished runs instead and computes an unfinished one again whole).
    checkpoints: bool = True

    def start(
        self,
        settings: Any,
        out: Path,
        progress: bool | None = None,
        evaluate: bool = True,
        *,
        checkpoint_every: int = DEFAULT_CHECKPOINT_EVERY,
        resume: bool = False,
        executor: Executor | None = None,
    ) -> dict[str, Any]:
        """Run (or with ``resume`` continue) the experiment in ``out``;
        ``evaluate=False`` only trains; independent parts of the work run as
        tasks of ``executor`` (serial by default)."""
        options: dict[str, Any] = {
            "checkpoint_every": checkpoint_every,
            "resume": resume,
            "executor": executor,
        }
        if self.trains_one_model:
            options["evaluate"] = evaluate
        elif not evaluate:
            raise ValueError(f"the {self.name} experiment cannot train without evaluating")
        return self.run(settings, out, progress, **options)

    def settings_from_dict(self, stored: dict[str, Any], source: str | os.PathLike) -> Any:
        """Settings as ``asdict`` wrote them to JSON (lists back to tuples);
        ``ValueError`` naming ``source`` for unknown or bad entries."""
        names = {f.name for f in fields(self.settings)}
        unknown = sorted(set(stored) - names)
        if unknown:
            raise ValueError(f"{source}: {', '.join(unknown)} are not {self.name} settings")
        values = {k: tuple(v) if isinstance(v, list) else v for k, v in stored.items()}
        try:
            return self.settings(**values)
        except (TypeError, ValueError) as e:
            raise ValueError(f"{source}: {e}") from None


EXPERIMENTS: dict[str, Experiment] = {
    e.name: e
    for e in (
        Experiment(
            "sk",
            "the SK experiment (Fig. 7): exact-gradient vs SA-based learning",
            SKSettings,
            run_sk,
            trains_one_model=False,
        ),
        Experiment(
            "bas",
            "bars and stripes 7x6: learn, reconstruct a blacked-out block (Fig. 5)",
            BASSettings,
            run_bas,
            trains_one_model=True,
        ),
        Experiment(
            "digits",
            "OptDigits 1-4 with classes: accuracy, denoising, generation (Figs. 4, 6)",
            DigitsSettings,
            run_digits,
            trains_one_model=True,
        ),
        Experiment(
            "shootout",
            "every sampler learns BAS 7x6 and SK at equal sampling budgets and "
            "equal wall time: learning curves, test log-likelihood, the table",
            ShootoutSettings,
            run_shootout,
            trains_one_model=False,
            checkpoints=False,
        ),
    )
}


@dataclass(frozen=True)
class StoredRun:
    """A resumable run found in a results folder."""

    folder: Path
    experiment: Experiment
    settings: Any
    evaluate: bool


def stored_run(folder: str | os.PathLike) -> StoredRun:
    """The unfinished run in ``folder``, from its ``run.json``."""
    record = read_run_record(folder)
    source = Path(folder) / "run.json"
    experiment = EXPERIMENTS.get(record["experiment"])
    if experiment is None:
        raise ValueError(
            f"{source} records the experiment {record['experiment']!r}; this "
            f"qsample runs {sorted(EXPERIMENTS)}"
        )
    settings = experiment.settings_from_dict(record["settings"], source)
    return StoredRun(Path(folder), experiment, settings, record["evaluate"])
