"""Task functions and a fake sampler for the execution tests, in a module of
their own so that Dask worker processes import them by name."""

from __future__ import annotations

import os
import time
from pathlib import Path

import numpy as np


def figures_task(settings, task_id, seed):
    """Figures depending on the task's seed and settings only (JSON-native values)."""
    rng = np.random.default_rng(seed)
    return {
        "task": task_id,
        "seed": seed,
        "mean": float(rng.normal(size=500).mean()),
        "draws": rng.integers(0, 2**31, size=4).tolist(),
        "settings": settings,
    }


def marked_task(settings, task_id, seed):
    """``figures_task`` that leaves a marker ``<task>.<pid>.<n>`` per call in
    ``settings["markers"]``, sleeps ``settings["sleep"]`` seconds, and, on the
    first attempt of the task named by ``settings["hold"]``, waits for its
    process to be killed (so a kill is certain to land mid-task)."""
    markers = Path(settings["markers"])
    earlier = list(markers.glob(f"{task_id}.*"))
    (markers / f"{task_id}.{os.getpid()}.{len(earlier)}").write_text("")
    if task_id == settings.get("hold") and not earlier:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            time.sleep(0.05)
        raise TimeoutError("the held task was not killed")
    time.sleep(settings.get("sleep", 0.0))
    return figures_task({"n": settings["n"]}, task_id, seed)


def calls(markers: Path, task_id: str | None = None) -> list[tuple[str, int]]:
    """(task id, pid) of every call ``marked_task`` recorded."""
    out = []
    for p in markers.iterdir():
        tid, pid, _ = p.name.rsplit(".", 2)
        if task_id is None or tid == task_id:
            out.append((tid, int(pid)))
    return out


def failing_task(settings, task_id, seed):
    """Fails on every attempt for ids in ``settings["fail"]``; on the first
    attempt only for ids in ``settings["flaky"]`` (a flag file per id in
    ``settings["flags"]`` remembers the attempt)."""
    if task_id in settings.get("fail", ()):
        raise ValueError(f"task {task_id} always fails")
    if task_id in settings.get("flaky", ()):
        flag = Path(settings["flags"]) / task_id
        if not flag.exists():
            flag.write_text("")
            raise OSError(f"task {task_id} fails once")
    return figures_task({"n": settings["n"]}, task_id, seed)


def interrupting_task(settings, task_id, seed):
    """Ctrl-C arrives while the task named by ``settings["interrupt"]`` runs,
    the first time only (a flag file remembers it)."""
    flag = Path(settings["flag"])
    if task_id == settings["interrupt"] and not flag.exists():
        flag.write_text("")
        raise KeyboardInterrupt
    return figures_task({"n": settings["n"]}, task_id, seed)


def grid_point(settings, out_dir, seed):
    """A grid point: figures from its settings and seed; writes a file into its folder."""
    rng = np.random.default_rng(seed)
    (out_dir / "samples.txt").write_text(" ".join(map(str, rng.integers(0, 9, size=5))))
    noise = float(rng.normal(scale=0.01))
    score = settings["rate"] * settings.get("scale", 1.0) + noise
    if "markers" in settings:
        markers = Path(settings["markers"])
        (markers / f"{out_dir.name}.{os.getpid()}.{len(list(markers.iterdir()))}").write_text("")
    return {
        "score": score,
        "noise": noise,
        "label": f"{settings['method']}",
        "curve": rng.normal(size=3).tolist(),
    }


def _splitmix64(z: np.ndarray) -> np.ndarray:
    z = z + np.uint64(0x9E3779B97F4A7C15)
    z = (z ^ (z >> np.uint64(30))) * np.uint64(0xBF58476D1CE4E5B9)
    z = (z ^ (z >> np.uint64(27))) * np.uint64(0x94D049BB133111EB)
    return z ^ (z >> np.uint64(31))


class FakeSampler:
    """A deterministic sampler with the read offset of the ``ArraySampler``
    protocol: entry (r, j) of the reads depends on (seed, read_offset + r, j)
    only. ``ignore_offset`` makes a broken one, for the tests to tell apart."""

    def __init__(self, ignore_offset: bool = False) -> None:
        self.ignore_offset = ignore_offset

    def sample_arrays(self, model, num_reads, seed, *, read_offset=0, fail_at=None):
        if fail_at is not None and read_offset <= fail_at < read_offset + num_reads:
            raise RuntimeError(f"read {fail_at} fails")
        start = 0 if self.ignore_offset else read_offset
        with np.errstate(over="ignore"):
            reads = np.arange(start, start + num_reads, dtype=np.uint64)[:, None]
            cols = np.arange(model["num_variables"], dtype=np.uint64)[None, :]
            z = _splitmix64(_splitmix64(np.uint64(seed) + reads) ^ cols)
        return np.where(z >> np.uint64(63), 1, -1).astype(np.int8)
