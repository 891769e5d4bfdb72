"""The paper's three experiments, end to end, each writing a results folder."""

from .bas import PAPER_BAS, BASSettings, bas_ceiling, bas_log_likelihood, run_bas
from .common import (
    TARGETS,
    environment,
    make_embedding,
    make_target,
    results_folder,
    sa_phase,
    with_overrides,
    write_json,
)
from .digits import DigitsSettings, evaluate_digits, run_digits
from .sk import SKSettings, run_sk

__all__ = [
    "PAPER_BAS",
    "TARGETS",
    "BASSettings",
    "DigitsSettings",
    "SKSettings",
    "bas_ceiling",
    "bas_log_likelihood",
    "environment",
    "evaluate_digits",
    "make_embedding",
    "make_target",
    "results_folder",
    "run_bas",
    "run_digits",
    "run_sk",
    "sa_phase",
    "with_overrides",
    "write_json",
]
