"""Large sampling jobs: chunks of reads with a read offset equal one sampler
call bit for bit, in memory or streamed into a .npy file."""

from __future__ import annotations

import numpy as np
import pytest

from qsample.execution import TaskFailedError, plan_chunks, sample_in_chunks
from qsample.execution.chunked_sampling import default_chunk_reads

from execution_tasks import FakeSampler

MODEL = {"num_variables": 29}


def test_chunks_cover_every_read_once_in_order():
    assert plan_chunks(10, 4) == [(0, 4), (4, 4), (8, 2)]
    assert plan_chunks(3, 5) == [(0, 3)]
    assert default_chunk_reads(1000, 2) == 125
    assert default_chunk_reads(3, 8) == 1


@pytest.mark.parametrize("chunk_reads", [1, 7, 100, 1000, None])
def test_chunks_equal_one_call_bit_for_bit(chunk_reads):
    one_call = FakeSampler().sample_arrays(MODEL, 1000, 42)
    chunked = sample_in_chunks(
        FakeSampler(), MODEL, 1000, 42, chunk_reads=chunk_reads, progress=False
    )
    assert chunked.dtype == np.int8
    np.testing.assert_array_equal(chunked, one_call)


def test_a_sampler_ignoring_the_offset_would_be_caught():
    one_call = FakeSampler().sample_arrays(MODEL, 100, 42)
    broken = sample_in_chunks(
        FakeSampler(ignore_offset=True), MODEL, 100, 42, chunk_reads=10, progress=False
    )
    assert not np.array_equal(broken, one_call)


def test_chunks_stream_into_a_npy_file(tmp_path):
    out = tmp_path / "reads.npy"
    path = sample_in_chunks(
        FakeSampler(), MODEL, 1000, 42, chunk_reads=64, out=out, max_memory_bytes=1, progress=False
    )
    assert path == out
    np.testing.assert_array_equal(
        np.load(out, mmap_mode="r"), FakeSampler().sample_arrays(MODEL, 1000, 42)
    )
    assert sorted(p.name for p in tmp_path.iterdir()) == ["reads.npy"]


def test_samples_too_large_for_memory_ask_for_a_file():
    with pytest.raises(ValueError, match=r"1000 reads of 29 variables take 29000 bytes.*out="):
        sample_in_chunks(FakeSampler(), MODEL, 1000, 42, max_memory_bytes=28999, progress=False)


def test_a_failed_chunk_leaves_no_file(tmp_path):
    out = tmp_path / "reads.npy"
    with pytest.raises(TaskFailedError, match=r"'reads=500:600' \(RuntimeError: read 555"):
        sample_in_chunks(
            FakeSampler(),
            MODEL,
            1000,
            42,
            chunk_reads=100,
            out=out,
            retries=0,
            progress=False,
            fail_at=555,
        )
    assert list(tmp_path.iterdir()) == []


def test_sampler_parameters_reach_every_chunk():
    with pytest.raises(TaskFailedError, match="read 5 fails"):
        sample_in_chunks(
            FakeSampler(), MODEL, 10, 1, chunk_reads=3, retries=0, progress=False, fail_at=5
        )


def test_options_are_checked(tmp_path):
    with pytest.raises(ValueError, match="'num_reads' must be a positive integer"):
        sample_in_chunks(FakeSampler(), MODEL, 0, 1, progress=False)
    with pytest.raises(ValueError, match="'chunk_reads' must be a positive integer"):
        sample_in_chunks(FakeSampler(), MODEL, 10, 1, chunk_reads=0, progress=False)
    with pytest.raises(ValueError, match=r"'out' must be a path ending in \.npy"):
        sample_in_chunks(FakeSampler(), MODEL, 10, 1, out=tmp_path / "reads.bin", progress=False)


def test_a_sampler_returning_the_wrong_rows_is_refused():
    class Short(FakeSampler):
        def sample_arrays(self, model, num_reads, seed, *, read_offset=0):
            return super().sample_arrays(model, num_reads - 1, seed, read_offset=read_offset)

    with pytest.raises(TaskFailedError, match="one row per read: asked for 5 reads at offset 0"):
        sample_in_chunks(Short(), MODEL, 10, 1, chunk_reads=5, retries=0, progress=False)
