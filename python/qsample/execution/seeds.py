"""Seeds of tasks: each derives from the run's seed and the task's identity.

A task's seed depends on its id only, never on the order in which workers pick
tasks up, so a task computes the same figures serially, on local workers, on a
cluster, after a worker was killed, or when a run is resumed.
"""

from __future__ import annotations

import hashlib

import numpy as np

from .._validate import check_int


def task_spawn_key(task_id: str) -> tuple[int, ...]:
    """Four 32-bit words of the SHA-256 of the id: a spawn key that is the same
    in every process and Python version (``hash()`` of a string is not)."""
    if not isinstance(task_id, str):
        raise TypeError(f"'task_id' must be a string: value = {task_id!r}")
    digest = hashlib.sha256(task_id.encode("utf-8")).digest()
    return tuple(int.from_bytes(digest[i : i + 4], "little") for i in range(0, 16, 4))


def task_seed_sequence(run_seed: int, task_id: str) -> np.random.SeedSequence:
    """The task's own ``SeedSequence``: the run seed's entropy with a spawn key from the id."""
    seed = check_int("seed", run_seed, 0, 2**64 - 1)
    return np.random.SeedSequence(seed, spawn_key=task_spawn_key(task_id))


def task_seed(run_seed: int, task_id: str) -> int:
    """The task's seed as one integer in [0, 2**64), what qsample's samplers take."""
    return int(task_seed_sequence(run_seed, task_id).generate_state(1, dtype=np.uint64)[0])
