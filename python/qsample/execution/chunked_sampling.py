"""Sampling jobs with many reads: one sampler call split into chunks of reads,
run as tasks, written into one array (or a ``.npy`` file when they would not
fit in memory).

The sampler's ``read_offset`` makes this exact: read ``i`` depends only on the
seed and ``i``, so chunk ``[start, start + n)`` sampled with
``read_offset=start`` holds the same rows as those of one call, bit for bit,
whatever the chunk sizes and wherever the chunks run.
"""

from __future__ import annotations

import contextlib
import math
import os
from pathlib import Path
from typing import Any, Protocol

import numpy as np

from .. import _files
from .._validate import check_int, check_positive_int
from .executor import Executor
from .progress import TaskProgress
from .run import iter_task_results
from .serial import SerialExecutor
from .task import Task

#: The default bound on samples held in memory; beyond it pass ``out``.
DEFAULT_MAX_MEMORY_BYTES = 2**30
#: A chunk never holds more reads than this (so a worker's result stays small).
MAX_CHUNK_READS = 65536


class ArraySampler(Protocol):
    """A sampler whose reads are reproducible one by one: row ``r`` of
    ``sample_arrays(model, n, seed, read_offset=k)`` is read ``k + r`` of the
    seed's stream, the same whatever ``n`` and ``k``."""

    def sample_arrays(
        self, model: Any, num_reads: int, seed: int, *, read_offset: int = 0, **params: Any
    ) -> np.ndarray: ...


def plan_chunks(num_reads: int, chunk_reads: int) -> list[tuple[int, int]]:
    """(start, count) of each chunk, covering reads 0 .. num_reads - 1 in order."""
    return [
        (start, min(chunk_reads, num_reads - start)) for start in range(0, num_reads, chunk_reads)
    ]


def default_chunk_reads(num_reads: int, workers: int) -> int:
    """About four chunks per worker, so that a slow or lost one delays little."""
    return max(1, min(math.ceil(num_reads / (4 * workers)), MAX_CHUNK_READS))


def sample_in_chunks(
    sampler: ArraySampler,
    model: Any,
    num_reads: int,
    seed: int,
    *,
    chunk_reads: int | None = None,
    executor: Executor | None = None,
    out: str | os.PathLike | None = None,
    max_memory_bytes: int = DEFAULT_MAX_MEMORY_BYTES,
    retries: int = 2,
    progress: bool | None | TaskProgress = None,
    **params: Any,
) -> np.ndarray | Path:
    """``sampler.sample_arrays(model, num_reads, seed, **params)``, computed in
    chunks of ``chunk_reads`` reads on ``executor`` (serial if None).

    Returns the samples as an array, or, with ``out`` (a ``.npy`` path), the path
    of the file the chunks were streamed into as they arrived (written
    atomically: it appears complete or not at all). Without ``out``, samples
    larger than ``max_memory_bytes`` are refused with a message asking for it.
    """
    num_reads = check_positive_int("num_reads", num_reads)
    seed = check_int("seed", seed, 0, 2**64 - 1)
    max_memory_bytes = check_positive_int("max_memory_bytes", max_memory_bytes)
    if executor is None:
        executor = SerialExecutor()
    if chunk_reads is None:
        chunk_reads = default_chunk_reads(num_reads, executor.workers)
    chunk_reads = check_positive_int("chunk_reads", chunk_reads)
    path = None if out is None else Path(out)
    if path is not None and path.suffix != ".npy":
        raise ValueError(f"'out' must be a path ending in .npy: value = {str(path)!r}")

    chunks = plan_chunks(num_reads, chunk_reads)
    tasks = [
        Task(f"reads={start}:{start + count}", (sampler, model, seed, start, count, params))
        for start, count in chunks
    ]
    if not isinstance(progress, TaskProgress):
        progress = TaskProgress(progress, desc="sample chunks")
    with contextlib.ExitStack() as stack:
        # closing: a refused size or Ctrl-C cancels the chunks still pending
        results = stack.enter_context(
            contextlib.closing(
                iter_task_results(
                    _sample_chunk,
                    tasks,
                    seed,
                    executor=executor,
                    retries=retries,
                    progress=progress,
                )
            )
        )
        tmp = None if path is None else stack.enter_context(_files.atomic_path(path, ".npy"))
        samples: np.ndarray | None = None
        for i, chunk in results:
            start, count = chunks[i]
            if samples is None:
                samples = _allocate(chunk, num_reads, tmp, max_memory_bytes)
            elif chunk.shape[1:] != samples.shape[1:] or chunk.dtype != samples.dtype:
                raise ValueError(
                    f"the sampler returned chunks of different kinds: "
                    f"{chunk.dtype} {chunk.shape} for reads {start}.."
                    f"{start + count - 1}, {samples.dtype} rows of shape "
                    f"{samples.shape[1:]} before"
                )
            samples[start : start + count] = chunk
        assert samples is not None
        if path is None:
            return samples
        assert isinstance(samples, np.memmap)
        samples.flush()
        del samples  # closes the memory map before the file is renamed into place
    return path


def _sample_chunk(settings: tuple, task_id: str, task_seed: int) -> np.ndarray:
    """One chunk, on whichever worker runs it. It uses the run's seed, not the
    task's: the read offset, not the seed, tells the chunks apart."""
    sampler, model, seed, start, count, params = settings
    chunk = np.asarray(sampler.sample_arrays(model, count, seed, read_offset=start, **params))
    if chunk.ndim != 2 or chunk.shape[0] != count:
        raise ValueError(
            f"the sampler must return one row per read: asked for {count} reads "
            f"at offset {start}, got shape {chunk.shape}"
        )
    return chunk


def _allocate(
    first: np.ndarray, num_reads: int, tmp: str | None, max_memory_bytes: int
) -> np.ndarray:
    shape = (num_reads, *first.shape[1:])
    if tmp is not None:
        return np.lib.format.open_memmap(tmp, mode="w+", dtype=first.dtype, shape=shape)
    size = math.prod(shape) * first.dtype.itemsize
    if size > max_memory_bytes:
        raise ValueError(
            f"{num_reads} reads of {first.shape[1]} variables take {size} bytes, "
            f"more than max_memory_bytes = {max_memory_bytes}: pass out=PATH.npy "
            f"to stream them to disk"
        )
    return np.empty(shape, dtype=first.dtype)
