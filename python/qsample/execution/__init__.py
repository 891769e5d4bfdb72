"""Where tasks run: serially in this process, on a local cluster of processes,
or on an existing Dask cluster, with the same results everywhere.

Experiments, evaluation loops and grids describe their work as ``Task`` objects
(a stable id plus picklable settings) and one pure function
``fn(settings, task_id, seed) -> result``; ``run_tasks`` returns the results in
the order of the tasks::

    with open_executor(workers=4) as executor:
        results = run_tasks(fn, tasks, seed=7, executor=executor, store="out/tasks")

Each task's seed derives from the run seed and the task's id (``task_seed``),
so the results do not depend on the backend or on which worker ran what.
"""

from .backends import SCHEDULER_ENV, default_workers, open_executor
from .chunked_sampling import ArraySampler, plan_chunks, sample_in_chunks
from .dask_backend import DaskExecutor, start_local_cluster
from .executor import ExecutionInterrupted, Executor, Finished
from .grid import GridPoint, GridResult, RunPoint, expand_grid, point_id, run_grid
from .grid_spec import GridSpec, grid_spec_from_file, grid_spec_from_sets
from .progress import TaskProgress
from .run import TaskFailedError, TaskFunction, iter_task_results, run_tasks
from .seeds import task_seed, task_seed_sequence
from .serial import SerialExecutor
from .store import ResultStore
from .task import Task

__all__ = [
    "SCHEDULER_ENV",
    "ArraySampler",
    "DaskExecutor",
    "ExecutionInterrupted",
    "Executor",
    "Finished",
    "GridPoint",
    "GridResult",
    "GridSpec",
    "ResultStore",
    "RunPoint",
    "SerialExecutor",
    "Task",
    "TaskFailedError",
    "TaskFunction",
    "TaskProgress",
    "default_workers",
    "expand_grid",
    "grid_spec_from_file",
    "grid_spec_from_sets",
    "iter_task_results",
    "open_executor",
    "plan_chunks",
    "point_id",
    "run_grid",
    "run_tasks",
    "sample_in_chunks",
    "start_local_cluster",
    "task_seed",
    "task_seed_sequence",
]
