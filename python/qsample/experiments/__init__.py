"""The paper's three experiments, end to end, each writing a results folder."""

from .bas import PAPER_BAS, BASSettings, bas_ceiling, bas_log_likelihood, run_bas
from .common import (
    EMBEDDING_METHODS,
    TARGETS,
    environment,
    make_embedding,
    make_target,
    results_folder,
    sa_phase,
    with_overrides,
    write_json,
)
from .digits import DigitsSettings, digits_variables, evaluate_digits, run_digits
from .registry import EXPERIMENTS, Experiment, StoredRun, stored_run
from .runs import (
    CHECKPOINT_FILE,
    DEFAULT_CHECKPOINT_EVERY,
    RESULTS_FILE,
    RUN_FILE,
    UNITS_FOLDER,
    Interrupted,
    open_results_folder,
    resumable,
)
from .sk import SKSettings, run_sk

__all__ = [
    "CHECKPOINT_FILE",
    "DEFAULT_CHECKPOINT_EVERY",
    "EMBEDDING_METHODS",
    "EXPERIMENTS",
    "PAPER_BAS",
    "RESULTS_FILE",
    "RUN_FILE",
    "UNITS_FOLDER",
    "TARGETS",
    "BASSettings",
    "DigitsSettings",
    "Experiment",
    "Interrupted",
    "SKSettings",
    "StoredRun",
    "bas_ceiling",
    "bas_log_likelihood",
    "digits_variables",
    "environment",
    "evaluate_digits",
    "make_embedding",
    "make_target",
    "open_results_folder",
    "results_folder",
    "resumable",
    "run_bas",
    "run_digits",
    "run_sk",
    "sa_phase",
    "stored_run",
    "with_overrides",
    "write_json",
]
