"""Writes are atomic, durable, honour the umask and leave recognisable
temporary files; reads of damaged files fail with one ValueError naming them."""

from __future__ import annotations

import os
import stat

import numpy as np
import pytest

from qsample import _files


@pytest.fixture
def umask():
    """Set the process umask for one test, restoring it after."""
    saved = os.umask(0o022)
    os.umask(saved)

    def set_mask(mask: int) -> None:
        os.umask(mask)

    yield set_mask
    os.umask(saved)


@pytest.mark.parametrize("mask", [0o022, 0o027, 0o002])
def test_written_files_get_the_mode_the_umask_allows(tmp_path, umask, mask):
    umask(mask)
    _files.write_text(tmp_path / "a.txt", "x")
    _files.write_json(tmp_path / "a.json", {"a": 1})
    _files.savez(tmp_path / "a.npz", a=np.ones(3))
    for name in ("a.txt", "a.json", "a.npz"):
        assert stat.S_IMODE((tmp_path / name).stat().st_mode) == 0o666 & ~mask, name


def test_umask_is_read_with_and_without_proc(monkeypatch, umask):
    umask(0o037)
    assert _files.current_umask() == 0o037

    def no_proc(*args, **kwargs):
        raise OSError("no /proc here")

    monkeypatch.setattr(_files, "open", no_proc, raising=False)
    assert _files.current_umask() == 0o037
    assert os.umask(0o037) == 0o037  # the fallback put it back


def test_file_and_folder_are_flushed_to_disk(tmp_path, monkeypatch):
    flushed = []
    real = os.fsync

    def record(fd):
        flushed.append(stat.S_ISDIR(os.fstat(fd).st_mode))
        real(fd)

    monkeypatch.setattr(os, "fsync", record)
    _files.write_text(tmp_path / "a.txt", "x")
    assert flushed == [False, True]  # the file, then the folder holding the rename


def test_temporary_files_are_recognisable_and_removed_on_failure(tmp_path):
    with pytest.raises(RuntimeError), _files.atomic_path(tmp_path / "a.npz") as tmp:
        assert os.path.basename(tmp).startswith(_files.TEMP_PREFIX)
        assert os.path.dirname(tmp) == str(tmp_path)
        raise RuntimeError("writer failed")
    assert list(tmp_path.iterdir()) == []


def test_clean_orphans_removes_only_leftover_temporary_files(tmp_path):
    (tmp_path / f"{_files.TEMP_PREFIX}abc.npz").write_bytes(b"half")
    (tmp_path / f"{_files.TEMP_PREFIX}def.tmp").write_text("half")
    (tmp_path / "model.npz").write_bytes(b"keep")
    (tmp_path / "tmp123.tmp").write_text("not ours")
    removed = _files.clean_orphans(tmp_path)
    assert sorted(p.name for p in removed) == [
        f"{_files.TEMP_PREFIX}abc.npz",
        f"{_files.TEMP_PREFIX}def.tmp",
    ]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["model.npz", "tmp123.tmp"]


def _damaged_files(folder):
    good = folder / "good.npz"
    _files.savez(good, a=np.arange(1000))
    data = good.read_bytes()
    files = {
        "empty": b"",
        "truncated": data[: len(data) // 2],
        "text": b"hello, world\n",
        "json": b'{"format": "qsample-model-1"}',
    }
    for name, content in files.items():
        (folder / f"{name}.npz").write_bytes(content)
    np.save(folder / "single.npy", np.ones(3))
    np.savez(folder / "objects.npz", a=np.array([{"x": 1}], dtype=object))
    return [folder / f"{n}.npz" for n in files] + [folder / "single.npy", folder / "objects.npz"]


def test_damaged_npz_files_raise_value_error_naming_the_file(tmp_path):
    for path in _damaged_files(tmp_path):
        with pytest.raises(ValueError, match=f"{path.name} is not a test archive"):
            _files.read_npz(path, "a test archive")
    with pytest.raises(FileNotFoundError):
        _files.read_npz(tmp_path / "missing.npz", "a test archive")


@pytest.mark.parametrize(
    "content,reason",
    [
        (b"", "the file is empty"),
        (b'{"a": [1,', "not valid JSON"),
        (b"\xff\xfe\x00", "not a text file"),
    ],
)
def test_damaged_json_files_raise_value_error_naming_the_file(tmp_path, content, reason):
    path = tmp_path / "x.json"
    path.write_bytes(content)
    with pytest.raises(ValueError, match=f"x.json is not a test document: {reason}"):
        _files.read_json(path, "a test document")
