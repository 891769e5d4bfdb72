"""The shoot-out's figures from its runs: the table (``results.json``,
``summary.csv``), the learning curves (``curves.json``) and the plots
(``shootout_bas.png``, ``shootout_sk.png``: the task's measure and its test
log-likelihood against iteration and against learning seconds).

A sampler has several runs per task (BAS: repeats from other starts and
seeds; SK: instances); its figures are their means (and spreads). Each run is
read at two points: the iteration budget (equal spin updates per iteration,
equal iterations) and the time budget (its first iteration whose learning
seconds reach it, or its last if the cap stopped it first). "Best per second"
is the best mean at the time budget, "best per iteration" at the iteration
budget, among the samplers of the embedded model: the exact gradient learns
the logical model without an embedding, the reference rather than a
contender.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import Any

import numpy as np

from .. import _files
from .bas import bas_ceiling
from .shootout_samplers import LABELS

CSV_FILE = "summary.csv"
CURVES_FILE = "curves.json"
#: The task's measure: (name in the figures, its label, "low" or "small" is better).
MEASURES = {
    "bas": ("mistakes_per_picture", "mistakes/picture", "low"),
    "sk": ("lambda_gap", "Lambda_av gap", "small"),
}
CSV_COLUMNS = (
    "task",
    "sampler",
    "label",
    "runs",
    "replica_sweeps_per_iteration",
    "spin_updates_per_iteration",
    "seconds_per_iteration",
    "cpu_seconds_per_iteration",
    "iterations_run",
    "budget_iteration",
    "budget_seconds",
    "budget_measure",
    "budget_measure_std",
    "budget_log_likelihood",
    "budget_log_likelihood_std",
    "budget_log_likelihood_se",
    "budget_log_likelihood_gap_to_truth",
    "budget_fitted_beta",
    "time_budget_seconds",
    "time_budget_reached",
    "time_iteration",
    "time_seconds",
    "time_measure",
    "time_measure_std",
    "time_log_likelihood",
    "time_log_likelihood_std",
    "time_log_likelihood_se",
    "time_log_likelihood_gap_to_truth",
    "time_fitted_beta",
)

Run = Mapping[str, Any]
Measure = Callable[[Run, int], "float | None"]


def _at(entries: Sequence[Mapping[str, Any]], iteration: int) -> Mapping[str, Any] | None:
    """The evaluation made at ``iteration``, if any."""
    return next((e for e in entries if e["iteration"] == iteration), None)


def time_iteration(run: Run) -> int:
    """Where a run is read for the equal-time comparison."""
    return int(run["time_point"] if run["time_point"] is not None else run["iterations"])


def _mistakes(run: Run, k: int) -> float | None:
    e = _at(run["reconstructions"], k)
    return None if e is None else float(e["mistakes"])


def _lambda_gap(run: Run, k: int) -> float | None:
    return float(run["lambda"][k - 1] - run["data_lambda"]) if k <= len(run["lambda"]) else None


def _mean_std(values: Sequence[float | None]) -> tuple[float | None, float | None]:
    if not values or any(v is None for v in values):
        return None, None
    a = np.array(values, dtype=np.float64)
    return float(a.mean()), float(a.std())


def _point(
    runs: Sequence[Run], iterations: Sequence[int], measure: Measure, name: str
) -> dict[str, Any]:
    """Means over the runs, each read at its own iteration."""
    value, spread = _mean_std([measure(r, k) for r, k in zip(runs, iterations)])
    lls = [_at(r["likelihood"], k) for r, k in zip(runs, iterations)]
    ll, ll_std = _mean_std([None if e is None else e["log_likelihood"] for e in lls])
    read = [e for e in lls if e is not None]
    whole = len(read) == len(lls)
    return {
        "iteration": float(np.mean(iterations)),
        "seconds": float(np.mean([r["seconds"][k - 1] for r, k in zip(runs, iterations)])),
        name: value,
        f"{name}_std": spread,
        "log_likelihood": ll,
        "log_likelihood_std": ll_std,
        # The estimators' own error of the mean (AIS), beside the spread over runs.
        "log_likelihood_se": float(np.sqrt(np.sum([e["se"] ** 2 for e in read])) / len(read))
        if whole
        else None,
        "fitted_beta": float(np.mean([e["fitted_beta"] for e in read])) if whole else None,
        "nominal_beta": float(np.mean([e["nominal_beta"] for e in read])) if whole else None,
        **_gap_to_truth(lls),
    }


def _gap_to_truth(lls: Sequence[Mapping[str, Any] | None]) -> dict[str, Any]:
    """SK: the log-likelihood minus the truth's own on the same test samples."""
    if not lls or any(e is None or "gap_to_truth" not in e for e in lls):
        return {}
    mean, spread = _mean_std([e["gap_to_truth"] for e in lls])  # type: ignore[index]
    return {"log_likelihood_gap_to_truth": mean, "log_likelihood_gap_to_truth_std": spread}


def _sampler_figures(
    runs: Sequence[Run], budget: int, measure: Measure, name: str
) -> dict[str, Any]:
    first = runs[0]
    return {
        "label": LABELS[first["sampler"]],
        "description": first["description"],
        "runs": len(runs),
        "replica_sweeps_per_iteration": first["replica_sweeps_per_iteration"],
        "spin_updates_per_iteration": first["spin_updates_per_iteration"],
        "num_reads": first["num_reads"],
        "at_budget": _point(runs, [min(budget, r["iterations"]) for r in runs], measure, name),
        "at_time": _point(runs, [time_iteration(r) for r in runs], measure, name),
        "seconds_per_iteration": float(np.mean([r["seconds"][-1] / r["iterations"] for r in runs])),
        "cpu_seconds_per_iteration": float(
            np.mean([r["cpu_seconds"][-1] / r["iterations"] for r in runs])
        ),
        "iterations_run": float(np.mean([r["iterations"] for r in runs])),
        "time_budget_reached": all(r["time_budget_reached"] for r in runs),
    }


def _best(
    samplers: Mapping[str, Mapping[str, Any]], point: str, key: str, better: str
) -> str | None:
    values = {
        n: f[point][key]
        for n, f in samplers.items()
        if n != "exact" and f[point].get(key) is not None
    }
    if not values:
        return None
    score = {
        "low": lambda n: values[n],
        "high": lambda n: -values[n],
        "small": lambda n: abs(values[n]),
    }[better]
    return min(values, key=score)


def _task_figures(
    task: str, runs: Mapping[str, Sequence[Run]], budget: int, seconds: float, learning_rate: float
) -> dict[str, Any]:
    name, _, better = MEASURES[task]
    measure = _mistakes if task == "bas" else _lambda_gap
    samplers = {n: _sampler_figures(rs, budget, measure, name) for n, rs in runs.items()}
    return {
        "iteration_budget": budget,
        "time_budget_seconds": seconds,
        "learning_rate": learning_rate,
        "samplers": samplers,
        "best_per_second": {
            name: _best(samplers, "at_time", name, better),
            "log_likelihood": _best(samplers, "at_time", "log_likelihood", "high"),
        },
        "best_per_iteration": {
            name: _best(samplers, "at_budget", name, better),
            "log_likelihood": _best(samplers, "at_budget", "log_likelihood", "high"),
        },
    }


def bas_figures(s: Any, runs: Mapping[str, Sequence[Run]]) -> dict[str, Any]:
    """Per sampler, means over its repeats: cost per iteration, and mistakes
    per picture and test log-likelihood at the iteration budget and at the
    time budget; the ceiling -ln 190 beside them."""
    f = _task_figures("bas", runs, s.bas_iterations, s.bas_seconds, s.bas_learning_rate)
    return {**f, "repeats": s.bas_repeats, "ceiling": bas_ceiling()}


def sk_figures(s: Any, runs: Mapping[str, Sequence[Run]]) -> dict[str, Any]:
    """Per sampler, means over the instances: cost per iteration, the gap of
    Λ_av to the data's Λ_av(D) and the test log-likelihood (per sample, beside
    the truth's own) at the iteration budget and at the time budget."""
    f = _task_figures("sk", runs, s.sk_iterations, s.sk_seconds, s.sk_learning_rate)
    some = next(iter(runs.values()))
    data = [r["data_lambda"] for r in some]
    return {
        **f,
        "instances": s.instances,
        "data_lambda_mean": float(np.mean(data)),
        "data_lambda_std": float(np.std(data)),
        "test_ceiling_mean": float(np.mean([r["test_ceiling"] for r in some])),
    }


# -- curves ---------------------------------------------------------------------------------
def _mean_curve(runs: Sequence[Run], entries: str, value: str) -> list[dict[str, Any]]:
    """Means over the runs of their evaluations at the iterations all made,
    then the time-budget point (each run's own)."""
    common = set.intersection(*({e["iteration"] for e in r[entries]} for r in runs))
    points = []
    for k in sorted(common):
        es = [_at(r[entries], k) for r in runs]
        points.append(_curve_point(es, value, k))
    timed = [_at(r[entries], time_iteration(r)) for r in runs]
    if all(e is not None for e in timed) and not all(time_iteration(r) in common for r in runs):
        points.append(_curve_point(timed, value, float(np.mean([time_iteration(r) for r in runs]))))
        points.sort(key=lambda e: e["seconds"])
    return points


def _curve_point(es: Sequence[Any], value: str, iteration: float) -> dict[str, Any]:
    values = np.array([e[value] for e in es], dtype=np.float64)
    point = {
        "iteration": iteration,
        "seconds": float(np.mean([e["seconds"] for e in es])),
        "value": float(values.mean()),
        "std": float(values.std()),
    }
    if "se" in es[0]:
        point["se"] = float(np.sqrt(np.sum([e["se"] ** 2 for e in es])) / len(es))
    return point


def curves(runs: Mapping[str, Mapping[str, Sequence[Run]]]) -> dict[str, Any]:
    """The learning curves the plots draw, by task and sampler: BAS mistakes
    and both tasks' test log-likelihood at their evaluations; SK's Λ_av gap at
    every iteration every instance made, with the mean learning seconds."""
    out: dict[str, Any] = {}
    for task, by_sampler in runs.items():
        out[task] = {}
        for name, rs in by_sampler.items():
            # SK instances differ in their own level: their curves are the gap to the truth.
            value = "log_likelihood" if task == "bas" else "gap_to_truth"
            c: dict[str, Any] = {"likelihood": _mean_curve(rs, "likelihood", value)}
            if task == "bas":
                c["mistakes"] = _mean_curve(rs, "reconstructions", "mistakes")
            else:
                n = min(r["iterations"] for r in rs)
                c["lambda_gap"] = np.mean(
                    [np.asarray(r["lambda"][:n]) - r["data_lambda"] for r in rs], axis=0
                ).tolist()
                c["seconds"] = np.mean([r["seconds"][:n] for r in rs], axis=0).tolist()
            out[task][name] = c
    return out


# -- files ---------------------------------------------------------------------------------
def table_rows(figures: Mapping[str, Any]) -> list[dict[str, Any]]:
    """One row per (task, sampler), the columns of :data:`CSV_COLUMNS` (the
    measure: mistakes per picture for BAS, the Λ_av gap for SK)."""
    rows = []
    for task in MEASURES:
        if task not in figures:
            continue
        f = figures[task]
        name = MEASURES[task][0]
        for sampler, g in f["samplers"].items():
            row = {
                "task": task,
                "sampler": sampler,
                "label": g["label"],
                "runs": g["runs"],
                "time_budget_seconds": f["time_budget_seconds"],
                **{
                    k: g[k]
                    for k in (
                        "replica_sweeps_per_iteration",
                        "spin_updates_per_iteration",
                        "seconds_per_iteration",
                        "cpu_seconds_per_iteration",
                        "iterations_run",
                        "time_budget_reached",
                    )
                },
            }
            for point, prefix in (("at_budget", "budget"), ("at_time", "time")):
                p = g[point]
                row.update(
                    {
                        f"{prefix}_iteration": p["iteration"],
                        f"{prefix}_seconds": p["seconds"],
                        f"{prefix}_measure": p[name],
                        f"{prefix}_measure_std": p[f"{name}_std"],
                        **{
                            f"{prefix}_{k}": p.get(k)
                            for k in (
                                "log_likelihood",
                                "log_likelihood_std",
                                "log_likelihood_se",
                                "log_likelihood_gap_to_truth",
                                "fitted_beta",
                            )
                        },
                    }
                )
            rows.append(row)
    return rows


def write_csv(path: Path, rows: Sequence[Mapping[str, Any]]) -> None:
    text = io.StringIO()
    writer = csv.DictWriter(text, fieldnames=CSV_COLUMNS, lineterminator="\n")
    writer.writeheader()
    for row in rows:
        writer.writerow({k: _cell(row.get(k)) for k in CSV_COLUMNS})
    _files.write_text(path, text.getvalue())


def _cell(v: Any) -> Any:
    if v is None:
        return ""
    if isinstance(v, float):
        return f"{v:.6g}"
    return v


def write(
    out: Path, figures: Mapping[str, Any], runs: Mapping[str, Mapping[str, Sequence[Run]]]
) -> None:
    """``summary.csv``, ``curves.json`` and the plots."""
    write_csv(out / CSV_FILE, table_rows(figures))
    drawn = curves(runs)
    _files.write_json(out / CURVES_FILE, drawn)
    from .shootout_plots import plot_bas, plot_sk

    if "bas" in drawn:
        plot_bas(out / "shootout_bas.png", drawn["bas"], figures["bas"])
    if "sk" in drawn:
        plot_sk(out / "shootout_sk.png", drawn["sk"], figures["sk"])


def summary_lines(figures: Mapping[str, Any]) -> list[str]:
    """The table as text, for the command line."""
    lines = []
    for task, (name, label, _) in MEASURES.items():
        if task not in figures:
            continue
        f = figures[task]
        lines.append(
            f"  {task}: iteration budget {f['iteration_budget']}, time budget "
            f"{f['time_budget_seconds']:g} s per run"
        )
        ll, head = (
            ("log_likelihood", "test LL")
            if task == "bas"
            else ("log_likelihood_gap_to_truth", "LL - truth's")
        )
        lines.append(
            f"    {'sampler':<10} {'s/it':>8} {label + ' (it)':>22} "
            f"{label + ' (time)':>22} {head + ' (it)':>18} {head + ' (time)':>20}"
        )
        for sampler, g in f["samplers"].items():
            b, t = g["at_budget"], g["at_time"]
            lines.append(
                f"    {sampler:<10} {g['seconds_per_iteration']:>8.4f} "
                f"{_num(b[name]):>22} {_num(t[name]):>22} "
                f"{_num(b.get(ll)):>18} {_num(t.get(ll)):>20}"
            )
        best = f["best_per_second"]
        lines.append("    best per second: " + ", ".join(f"{k} {v}" for k, v in best.items()))
    return lines


def _num(v: Any) -> str:
    return "-" if v is None else f"{v:.3f}"
