"""The execution seam: serial runs, a LocalCluster of 2 processes started here
(bit-for-bit equal to serial), a worker killed mid-run, resumed runs, retries,
and the message without Dask."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import threading
import time

import numpy as np
import pytest

from qsample.execution import (
    SCHEDULER_ENV,
    DaskExecutor,
    ExecutionInterrupted,
    SerialExecutor,
    Task,
    TaskFailedError,
    TaskProgress,
    grid_spec_from_sets,
    open_executor,
    run_grid,
    run_tasks,
    sample_in_chunks,
    task_seed,
)
from qsample.execution.store import ResultStore

from execution_tasks import (
    FakeSampler,
    calls,
    failing_task,
    figures_task,
    grid_point,
    interrupting_task,
    marked_task,
)


def tasks_of(n: int, **settings) -> list[Task]:
    return [Task(f"i={i}", {"n": i, **settings}) for i in range(n)]


def quiet() -> TaskProgress:
    return TaskProgress(enabled=False)


# ---------------------------------------------------------------- seeds


def test_task_seed_depends_on_run_seed_and_id_only():
    assert task_seed(7, "a=1") == task_seed(7, "a=1")
    assert task_seed(7, "a=1") != task_seed(7, "a=2")
    assert task_seed(7, "a=1") != task_seed(8, "a=1")
    assert 0 <= task_seed(2**64 - 1, "x") < 2**64


def test_results_do_not_depend_on_task_order():
    tasks = tasks_of(5)
    forward = run_tasks(figures_task, tasks, 3, progress=False)
    backward = run_tasks(figures_task, tasks[::-1], 3, progress=False)
    assert forward == backward[::-1]
    assert [r["seed"] for r in forward] == [task_seed(3, t.id) for t in tasks]


def test_task_ids_must_be_unique_strings():
    with pytest.raises(ValueError, match="unique ids: 'a'"):
        run_tasks(figures_task, [Task("a"), Task("a")], 1, progress=False)
    with pytest.raises(TypeError, match="Task.id"):
        Task(3)
    with pytest.raises(TypeError, match="'seed' must be an integer"):
        run_tasks(figures_task, [Task("a")], 1.5, progress=False)


# ---------------------------------------------------------------- failures and retries


def test_a_flaky_task_is_retried_and_succeeds(tmp_path):
    progress = quiet()
    tasks = tasks_of(4, flaky=["i=1"], flags=str(tmp_path))
    results = run_tasks(failing_task, tasks, 5, progress=progress)
    assert results == run_tasks(figures_task, tasks_of(4), 5, progress=False)
    assert (progress.done, progress.retried, progress.failed) == (4, 1, 0)


def test_a_failing_task_fails_after_its_retries_and_the_others_finish(tmp_path):
    progress = quiet()
    tasks = tasks_of(4, fail=["i=2"])
    with pytest.raises(TaskFailedError, match=r"1 of 4 tasks failed after 2 attempts") as info:
        run_tasks(failing_task, tasks, 5, store=tmp_path, retries=1, progress=progress)
    assert set(info.value.errors) == {"i=2"}
    assert isinstance(info.value.__cause__, ValueError)
    assert str(tmp_path) in str(info.value)
    assert (progress.done, progress.retried, progress.failed) == (3, 1, 1)
    store = ResultStore(tmp_path)
    finished = [t.id for t in tasks if store.load(t.id, task_seed(5, t.id))[0]]
    assert finished == ["i=0", "i=1", "i=3"]


# ---------------------------------------------------------------- results folder and resume


def test_ctrl_c_then_resume_computes_only_the_missing_tasks(tmp_path):
    folder = tmp_path / "run"
    tasks = tasks_of(6, interrupt="i=3", flag=str(tmp_path / "flag"))
    with pytest.raises(KeyboardInterrupt):
        run_tasks(interrupting_task, tasks, 11, store=folder, progress=False)
    assert sorted(p.name for p in folder.iterdir()) == ["i=0", "i=1", "i=2"]

    progress = quiet()
    resumed = run_tasks(interrupting_task, tasks, 11, store=folder, progress=progress)
    assert (progress.resumed, progress.done) == (3, 3)
    assert resumed == run_tasks(figures_task, tasks_of(6), 11, progress=False)


def test_stored_results_read_back_as_written(tmp_path):
    def numpy_task(settings, task_id, seed):
        return {"array": np.arange(3), "x": np.float64(0.1), "k": np.int64(seed % 7)}

    fresh = run_tasks(numpy_task, tasks_of(2), 1, store=tmp_path, progress=False)
    again = run_tasks(numpy_task, tasks_of(2), 1, store=tmp_path, progress=False)
    assert fresh == again
    assert fresh[0]["array"] == [0, 1, 2]
    record = json.loads((tmp_path / "i=0" / "result.json").read_text())
    assert record["task_id"] == "i=0" and record["seed"] == task_seed(1, "i=0")


def test_a_folder_of_another_seed_is_refused(tmp_path):
    run_tasks(figures_task, tasks_of(2), 1, store=tmp_path, progress=False)
    with pytest.raises(ValueError, match="another seed"):
        run_tasks(figures_task, tasks_of(2), 2, store=tmp_path, progress=False)


def test_a_folder_of_another_identity_is_refused(tmp_path):
    ResultStore(tmp_path, identity={"num_reads": 10})
    ResultStore(tmp_path, identity={"num_reads": 10})
    with pytest.raises(ValueError, match=r"num_reads = 10 \(this run: 20\)"):
        ResultStore(tmp_path, identity={"num_reads": 20})


def test_task_ids_unsafe_as_folder_names_get_distinct_folders(tmp_path):
    store = ResultStore(tmp_path)
    ids = ["a/b", "a_b", "a:b", ".hidden", "x" * 300]
    for i, tid in enumerate(ids):
        store.save(tid, i, {"id": tid})
    assert len(list(tmp_path.iterdir())) == len(ids)
    assert all(store.load(tid, i) == (True, {"id": tid}) for i, tid in enumerate(ids))


def test_results_must_be_json_serialisable_to_be_stored(tmp_path):
    with pytest.raises(TypeError, match="result of task 'i=0' must be JSON-serialisable"):
        run_tasks(
            lambda s, t, seed: {"x": object()}, tasks_of(1), 1, store=tmp_path, progress=False
        )


def test_progress_bar_shows_done_failed_and_retried(tmp_path, capsys):
    tasks = tasks_of(3, fail=["i=0"], flaky=["i=1"], flags=str(tmp_path))
    with pytest.raises(TaskFailedError):
        run_tasks(failing_task, tasks, 1, retries=1, progress=True)
    assert "done=2 failed=1 retried=2" in capsys.readouterr().err


# ---------------------------------------------------------------- without Dask


def test_without_dask_the_serial_path_works_and_workers_say_what_to_install(monkeypatch):
    monkeypatch.setitem(sys.modules, "distributed", None)  # import distributed -> ImportError
    monkeypatch.delenv(SCHEDULER_ENV, raising=False)
    with open_executor() as executor:
        assert isinstance(executor, SerialExecutor)
        assert len(run_tasks(figures_task, tasks_of(2), 1, executor=executor, progress=False)) == 2
    for options in ({"workers": 2}, {"scheduler": "tcp://127.0.0.1:8786"}):
        with pytest.raises(ImportError, match=r'pip install "qsample\[dask\]"'):
            open_executor(**options)


def test_executor_options_are_checked(monkeypatch):
    monkeypatch.delenv(SCHEDULER_ENV, raising=False)
    with pytest.raises(ValueError, match="not both"):
        open_executor(workers=2, scheduler="tcp://127.0.0.1:8786")
    with pytest.raises(ValueError, match="'workers' must be a positive integer or 'auto'"):
        open_executor(workers="many")
    with pytest.raises(ValueError, match="'workers' must be a positive integer"):
        open_executor(workers=0)
    with pytest.raises(TypeError, match="'workers' must be a positive integer"):
        open_executor(workers=1.5)
    with pytest.raises(ValueError, match="tcp://HOST:PORT"):
        open_executor(scheduler="127.0.0.1:8786")
    monkeypatch.setenv(SCHEDULER_ENV, "localhost")
    with pytest.raises(ValueError, match=r"\$DASK_SCHEDULER_ADDRESS must be a scheduler"):
        open_executor()


# ---------------------------------------------------------------- on a local cluster


@pytest.fixture
def dask_executor(cluster):
    _, client = cluster
    client.wait_for_workers(2)
    with DaskExecutor(client) as executor:  # the client stays open: it belongs to the fixture
        yield executor


def test_two_workers_give_the_serial_results_bit_for_bit(dask_executor):
    assert dask_executor.workers == 2
    tasks = tasks_of(12)
    serial = run_tasks(figures_task, tasks, 21, progress=False)
    assert run_tasks(figures_task, tasks, 21, executor=dask_executor, progress=False) == serial


def test_a_grid_on_two_workers_equals_the_serial_grid(dask_executor, tmp_path):
    spec = grid_spec_from_sets(["rate=0.1,0.2,0.3", "method=sa,exact"])
    serial = run_grid(spec, grid_point, tmp_path / "serial", 4, progress=False)
    on_dask = run_grid(
        spec, grid_point, tmp_path / "dask", 4, executor=dask_executor, progress=False
    )
    assert on_dask.figures == serial.figures
    assert on_dask.summary_csv.read_bytes() == serial.summary_csv.read_bytes()
    for p in serial.points:
        assert (tmp_path / "dask" / p.id / "samples.txt").read_text() == (
            tmp_path / "serial" / p.id / "samples.txt"
        ).read_text()


def test_chunks_on_two_workers_equal_one_sampler_call(dask_executor, tmp_path):
    model = {"num_variables": 37}
    one_call = FakeSampler().sample_arrays(model, 1003, 9)
    chunked = sample_in_chunks(
        FakeSampler(), model, 1003, 9, chunk_reads=97, executor=dask_executor, progress=False
    )
    np.testing.assert_array_equal(chunked, one_call)
    path = sample_in_chunks(
        FakeSampler(),
        model,
        1003,
        9,
        executor=dask_executor,
        out=tmp_path / "reads.npy",
        progress=False,
    )
    np.testing.assert_array_equal(np.load(path), one_call)


def test_the_scheduler_address_comes_from_the_environment(cluster, monkeypatch):
    local, _ = cluster
    monkeypatch.setenv(SCHEDULER_ENV, local.scheduler_address)
    with open_executor() as executor:
        assert isinstance(executor, DaskExecutor)
        assert executor.client.scheduler.address == local.scheduler_address
        assert run_tasks(
            figures_task, tasks_of(3), 2, executor=executor, progress=False
        ) == run_tasks(figures_task, tasks_of(3), 2, progress=False)
    assert local.scheduler_info["workers"]  # closing the executor left the cluster running


def test_a_worker_killed_mid_run_has_its_task_run_elsewhere(cluster, dask_executor, tmp_path):
    _, client = cluster
    markers = tmp_path / "markers"
    markers.mkdir()
    # i=2 holds its worker until killed; the others take a little while
    tasks = tasks_of(6, markers=str(markers), sleep=0.3, hold="i=2")
    # the worker processes, by address, as the scheduler reaches them
    worker_pids = client.run(os.getpid)
    assert len(worker_pids) == 2
    killed = []

    def kill_the_worker_holding_i2():
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline and not calls(markers, "i=2"):
            time.sleep(0.02)
        ((_, pid),) = calls(markers, "i=2")
        assert pid in worker_pids.values()
        killed.append(pid)
        os.kill(pid, signal.SIGKILL)

    killer = threading.Thread(target=kill_the_worker_holding_i2, daemon=True)
    killer.start()
    progress = quiet()
    results = run_tasks(marked_task, tasks, 8, executor=dask_executor, progress=progress)
    killer.join()

    assert results == run_tasks(figures_task, tasks_of(6), 8, progress=False)
    assert len(killed) == 1
    reruns = calls(markers, "i=2")
    assert len(reruns) == 2 and reruns[0][1] != reruns[1][1]  # ran again, in another process
    assert progress.retried >= 1 and progress.failed == 0 and progress.done == 6
    client.pids_seen.update(client.run(os.getpid).values())  # the worker restarted in its place


def test_an_interrupted_dask_run_resumes_from_its_folder(dask_executor, tmp_path):
    class CtrlCAfterTwo(TaskProgress):
        def task_done(self):
            super().task_done()
            if self.done == 2:
                raise KeyboardInterrupt

    folder = tmp_path / "run"
    markers = tmp_path / "markers"
    markers.mkdir()
    tasks = tasks_of(6, markers=str(markers), sleep=0.1)
    with pytest.raises(KeyboardInterrupt):
        run_tasks(
            marked_task,
            tasks,
            13,
            executor=dask_executor,
            store=folder,
            progress=CtrlCAfterTwo(enabled=False),
        )
    assert dask_executor.pending() == 0
    finished = sorted(p.name for p in folder.iterdir())
    assert len(finished) == 2

    progress = quiet()
    results = run_tasks(
        marked_task, tasks, 13, executor=dask_executor, store=folder, progress=progress
    )
    assert (progress.resumed, progress.done) == (2, 4)
    assert results == run_tasks(figures_task, tasks_of(6), 13, progress=False)


def test_a_local_cluster_of_our_own_stops_its_processes_on_close():
    psutil = pytest.importorskip("psutil")
    with open_executor(workers=2) as executor:
        pids = set(executor.client.run(os.getpid).values())
        assert len(pids) == 2 and os.getpid() not in pids
        assert run_tasks(
            figures_task, tasks_of(2), 1, executor=executor, progress=False
        ) == run_tasks(figures_task, tasks_of(2), 1, progress=False)
    _, alive = psutil.wait_procs(
        [psutil.Process(p) for p in pids if psutil.pid_exists(p)], timeout=15
    )
    assert not alive


def test_a_run_whose_scheduler_is_gone_resumes_from_its_folder(tmp_path):
    """A scheduler and a worker in processes of their own; the scheduler is
    killed mid-run; the run stops saying how to resume, and a serial run from
    the same folder computes only the rest."""
    pytest.importorskip("distributed")
    address_file = tmp_path / "scheduler.json"
    common = ["--no-dashboard", "--scheduler-file", str(address_file)]
    here = os.path.dirname(os.path.abspath(__file__))  # the worker imports execution_tasks
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([here, os.environ.get("PYTHONPATH", "")])}
    scheduler = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "distributed.cli.dask_scheduler",
            "--host",
            "127.0.0.1",
            "--port",
            "0",
            *common,
        ],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    worker = None
    try:
        deadline = time.monotonic() + 60
        while not address_file.exists() and time.monotonic() < deadline:
            time.sleep(0.05)
        worker = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "distributed.cli.dask_worker",
                "--no-nanny",
                "--nthreads",
                "1",
                *common,
            ],
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        address = json.loads(address_file.read_text())["address"]
        folder = tmp_path / "run"
        markers = tmp_path / "markers"
        markers.mkdir()
        tasks = tasks_of(8, markers=str(markers), sleep=0.2)

        def kill_the_scheduler_after_two_results():
            while time.monotonic() < deadline and len(list(folder.glob("*/result.json"))) < 2:
                time.sleep(0.02)
            scheduler.kill()

        with open_executor(scheduler=address) as executor:
            executor.client.wait_for_workers(1)
            threading.Thread(target=kill_the_scheduler_after_two_results, daemon=True).start()
            with pytest.raises(ExecutionInterrupted, match="run again to compute only the rest"):
                run_tasks(marked_task, tasks, 17, executor=executor, store=folder, progress=False)
    finally:
        for process in (scheduler, worker):
            if process is not None:
                process.kill()
                process.wait(timeout=30)

    stored = len(list(folder.glob("*/result.json")))
    assert 2 <= stored < 8
    progress = quiet()
    results = run_tasks(marked_task, tasks, 17, store=folder, progress=progress)
    assert (progress.resumed, progress.done) == (stored, 8 - stored)
    assert results == run_tasks(figures_task, tasks_of(8), 17, progress=False)


def test_a_local_cluster_keeps_short_debugging_logs_for_every_worker(cluster):
    """Dask's scheduler keeps the last messages sent to each worker, task
    arguments included; at Dask's default length that was 16 GB in a digits run.
    A worker that replaces a lost one gets the short log too."""
    from qsample.execution.dask_backend import DEBUG_LOG_LENGTH

    local, client = cluster
    client.wait_for_workers(2)
    client.restart_workers([next(iter(local.scheduler.workers))])
    client.wait_for_workers(2)
    streams = local.scheduler.stream_comms
    assert len(streams) == 2
    assert all(s.recent_message_log.maxlen == DEBUG_LOG_LENGTH for s in streams.values())
