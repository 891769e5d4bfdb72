"""The shoot-out's figures from its runs: the table (``results.json``,
``summary.csv``), the learning curves (``curves.json``) and the plots
(``shootout_bas.png``, ``shootout_sk.png``: the task's measure and its test
log-likelihood against iteration and against learning seconds).

Each sampler is read at two points of its run: the iteration budget (equal
spin updates per iteration, equal iterations) and the time budget (the first
iteration whose learning seconds reach it). "Best per second" is the best
figure at the time budget; "best per iteration" the best at the iteration
budget.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import numpy as np

from .. import _files
from .bas import bas_ceiling
from .shootout_samplers import LABELS

CSV_FILE = "summary.csv"
CURVES_FILE = "curves.json"
CSV_COLUMNS = (
    "task", "sampler", "label", "replica_sweeps_per_iteration", "spin_updates_per_iteration",
    "seconds_per_iteration", "cpu_seconds_per_iteration", "iterations_run",
    "budget_iteration", "budget_seconds", "budget_mistakes_per_picture", "budget_lambda_gap",
    "budget_log_likelihood", "budget_log_likelihood_se", "budget_fitted_beta",
    "time_budget_seconds", "time_budget_reached", "time_iteration", "time_seconds",
    "time_mistakes_per_picture", "time_lambda_gap", "time_log_likelihood",
    "time_log_likelihood_se", "time_fitted_beta",
)


def _at(entries: Sequence[Mapping[str, Any]], iteration: int) -> Mapping[str, Any] | None:
    """The evaluation made at ``iteration``, if any."""
    return next((e for e in entries if e["iteration"] == iteration), None)


def _time_iteration(run: Mapping[str, Any]) -> int:
    """Where the run is read for the equal-time comparison: the time point, or
    its last iteration if the cap stopped it first."""
    return int(run["time_point"] if run["time_point"] is not None else run["iterations"])


def _per_iteration(run: Mapping[str, Any], key: str = "seconds") -> float:
    return float(run[key][-1] / run["iterations"]) if run["iterations"] else float("nan")


def _common(run: Mapping[str, Any]) -> dict[str, Any]:
    return {"label": LABELS[run["sampler"]], "description": run["description"],
            "replica_sweeps_per_iteration": run["replica_sweeps_per_iteration"],
            "spin_updates_per_iteration": run["spin_updates_per_iteration"],
            "num_reads": run["num_reads"]}


def _best(samplers: Mapping[str, Mapping[str, Any]], point: str, key: str,
          better: str) -> str | None:
    values = {n: f[point][key] for n, f in samplers.items()
              if f[point].get(key) is not None and np.isfinite(f[point][key])}
    if not values:
        return None
    score = {"low": lambda n: values[n], "high": lambda n: -values[n],
             "small": lambda n: abs(values[n])}[better]
    return min(values, key=score)


# -- BAS ---------------------------------------------------------------------------------
def bas_figures(s: Any, runs: Mapping[str, Mapping[str, Any]]) -> dict[str, Any]:
    """Per sampler: cost per iteration, and mistakes per picture and test
    log-likelihood at the iteration budget and at the time budget."""
    samplers: dict[str, Any] = {}
    for name, run in runs.items():
        points = {}
        for point, k in (("at_budget", min(s.bas_iterations, run["iterations"])),
                         ("at_time", _time_iteration(run))):
            r = _at(run["reconstructions"], k)
            ll = _at(run["likelihood"], k)
            points[point] = {"iteration": k, "seconds": run["seconds"][k - 1] if k else 0.0,
                             "mistakes_per_picture": None if r is None else r["mistakes"],
                             "wrong_per_picture": None if r is None else r["wrong"],
                             "ties_per_picture": None if r is None else r["ties"],
                             "log_likelihood": None if ll is None else ll["log_likelihood"],
                             "log_likelihood_se": None if ll is None else ll["se"],
                             "fitted_beta": None if ll is None else ll["fitted_beta"],
                             "nominal_beta": None if ll is None else ll["nominal_beta"]}
        samplers[name] = {**_common(run), **points,
                          "seconds_per_iteration": _per_iteration(run),
                          "cpu_seconds_per_iteration": _per_iteration(run, "cpu_seconds"),
                          "iterations_run": run["iterations"],
                          "time_budget_reached": run["time_budget_reached"],
                          "max_abs_J_intra": run["max_abs_J_intra"],
                          "max_abs_J_inter": run["max_abs_J_inter"]}
    return {"iteration_budget": s.bas_iterations, "time_budget_seconds": s.bas_seconds,
            "learning_rate": s.bas_learning_rate, "ceiling": bas_ceiling(),
            "samplers": samplers,
            "best_per_second": {
                "mistakes_per_picture": _best(samplers, "at_time", "mistakes_per_picture", "low"),
                "log_likelihood": _best(samplers, "at_time", "log_likelihood", "high")},
            "best_per_iteration": {
                "mistakes_per_picture": _best(samplers, "at_budget", "mistakes_per_picture",
                                              "low"),
                "log_likelihood": _best(samplers, "at_budget", "log_likelihood", "high")}}


# -- SK ----------------------------------------------------------------------------------
def _sk_point(runs: Sequence[Mapping[str, Any]], iterations: Sequence[int]) -> dict[str, Any]:
    """Means over the instances, each read at its own iteration."""
    gaps = np.array([r["lambda"][k - 1] - r["data_lambda"] for r, k in zip(runs, iterations)])
    lls = [_at(r["likelihood"], k) for r, k in zip(runs, iterations)]
    have = [e for e in lls if e is not None]
    ceiling = np.array([r["test_ceiling"] for r in runs])
    out: dict[str, Any] = {
        "iteration_mean": float(np.mean(iterations)),
        "seconds_mean": float(np.mean([r["seconds"][k - 1] for r, k in zip(runs, iterations)])),
        "lambda_gap": float(gaps.mean()), "lambda_gap_std": float(gaps.std()),
        "log_likelihood": None, "log_likelihood_se": None, "log_likelihood_gap_to_truth": None,
        "fitted_beta": None}
    if len(have) == len(runs):
        values = np.array([e["log_likelihood"] for e in have])
        out["fitted_beta"] = float(np.mean([e["fitted_beta"] for e in have]))
        out["log_likelihood"] = float(values.mean())
        out["log_likelihood_se"] = float(np.sqrt(np.sum([e["se"] ** 2 for e in have]))
                                         / len(have))
        out["log_likelihood_gap_to_truth"] = float(np.mean(values - ceiling))
    return out


def sk_figures(s: Any, runs: Mapping[str, Sequence[Mapping[str, Any]]]) -> dict[str, Any]:
    """Per sampler, means over the instances: cost per iteration, the gap of
    Λ_av to the data's Λ_av(D) and the test log-likelihood (per sample, beside
    the truth's own) at the iteration budget and at the time budget."""
    samplers: dict[str, Any] = {}
    data, ceiling = None, None
    for name, instances in runs.items():
        data = [r["data_lambda"] for r in instances]
        ceiling = [r["test_ceiling"] for r in instances]
        budget = [min(s.sk_iterations, r["iterations"]) for r in instances]
        timed = [_time_iteration(r) for r in instances]
        samplers[name] = {
            **_common(instances[0]),
            "at_budget": _sk_point(instances, budget), "at_time": _sk_point(instances, timed),
            "seconds_per_iteration": float(np.mean([_per_iteration(r) for r in instances])),
            "cpu_seconds_per_iteration": float(np.mean([_per_iteration(r, "cpu_seconds")
                                                        for r in instances])),
            "iterations_run": float(np.mean([r["iterations"] for r in instances])),
            "time_budget_reached": all(r["time_budget_reached"] for r in instances)}
    return {"iteration_budget": s.sk_iterations, "time_budget_seconds": s.sk_seconds,
            "learning_rate": s.sk_learning_rate, "instances": s.instances,
            "data_lambda_mean": float(np.mean(data)), "data_lambda_std": float(np.std(data)),
            "test_ceiling_mean": float(np.mean(ceiling)),
            "samplers": samplers,
            "best_per_second": {
                "lambda_gap": _best(samplers, "at_time", "lambda_gap", "small"),
                "log_likelihood": _best(samplers, "at_time", "log_likelihood", "high")},
            "best_per_iteration": {
                "lambda_gap": _best(samplers, "at_budget", "lambda_gap", "small"),
                "log_likelihood": _best(samplers, "at_budget", "log_likelihood", "high")}}


# -- files ---------------------------------------------------------------------------------
def table_rows(figures: Mapping[str, Any]) -> list[dict[str, Any]]:
    """One row per (task, sampler), the columns of :data:`CSV_COLUMNS`."""
    rows = []
    for task in ("bas", "sk"):
        if task not in figures:
            continue
        f = figures[task]
        measure = "mistakes_per_picture" if task == "bas" else "lambda_gap"
        for name, g in f["samplers"].items():
            row = {"task": task, "sampler": name, "label": g["label"],
                   "replica_sweeps_per_iteration": g["replica_sweeps_per_iteration"],
                   "spin_updates_per_iteration": g["spin_updates_per_iteration"],
                   "seconds_per_iteration": g["seconds_per_iteration"],
                   "cpu_seconds_per_iteration": g["cpu_seconds_per_iteration"],
                   "iterations_run": g["iterations_run"],
                   "time_budget_seconds": f["time_budget_seconds"],
                   "time_budget_reached": g["time_budget_reached"]}
            for point, prefix in (("at_budget", "budget"), ("at_time", "time")):
                p = g[point]
                row[f"{prefix}_iteration"] = p.get("iteration", p.get("iteration_mean"))
                row[f"{prefix}_seconds"] = p.get("seconds", p.get("seconds_mean"))
                row[f"{prefix}_{measure}"] = p[measure]
                row[f"{prefix}_log_likelihood"] = p["log_likelihood"]
                row[f"{prefix}_log_likelihood_se"] = p["log_likelihood_se"]
                row[f"{prefix}_fitted_beta"] = p["fitted_beta"]
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


def curves(s: Any, units: Mapping[str, Mapping[str, Any]]) -> dict[str, Any]:
    """The learning curves the plots draw, by task and sampler."""
    out: dict[str, Any] = {}
    if "bas" in s.tasks:
        out["bas"] = {}
        for name in s.samplers:
            run = units.get(f"bas,sampler={name}")
            if run is not None:
                out["bas"][name] = {"reconstructions": run["reconstructions"],
                                    "likelihood": run["likelihood"]}
    if "sk" in s.tasks:
        out["sk"] = {}
        for name in s.samplers:
            runs = [units[f"sk,instance={i},sampler={name}"] for i in range(s.instances)]
            n = min(r["iterations"] for r in runs)
            gap = np.mean([np.asarray(r["lambda"][:n]) - r["data_lambda"] for r in runs], axis=0)
            seconds = np.mean([r["seconds"][:n] for r in runs], axis=0)
            points = sorted({e["iteration"] for e in runs[0]["likelihood"]})
            ll = []
            for k in points:
                es = [_at(r["likelihood"], k) for r in runs]
                if all(e is not None for e in es):
                    ll.append({"iteration": k,
                               "seconds": float(np.mean([e["seconds"] for e in es])),
                               "log_likelihood": float(np.mean([e["log_likelihood"]
                                                                for e in es])),
                               "se": float(np.sqrt(np.sum([e["se"] ** 2 for e in es]))
                                           / len(es))})
            out["sk"][name] = {"lambda_gap_mean": gap.tolist(), "seconds_mean": seconds.tolist(),
                               "likelihood": ll}
    return out


def write(out: Path, s: Any, figures: Mapping[str, Any],
          units: Mapping[str, Mapping[str, Any]]) -> None:
    """``summary.csv``, ``curves.json`` and the plots."""
    write_csv(out / CSV_FILE, table_rows(figures))
    drawn = curves(s, units)
    _files.write_json(out / CURVES_FILE, drawn)
    from .shootout_plots import plot_bas, plot_sk

    if "bas" in drawn:
        plot_bas(out / "shootout_bas.png", drawn["bas"], figures["bas"])
    if "sk" in drawn:
        plot_sk(out / "shootout_sk.png", drawn["sk"], figures["sk"])


def summary_lines(figures: Mapping[str, Any]) -> list[str]:
    """The table as text, for the command line."""
    lines = []
    for task, measure, unit in (("bas", "mistakes_per_picture", "mistakes/picture"),
                                ("sk", "lambda_gap", "Lambda_av gap")):
        if task not in figures:
            continue
        f = figures[task]
        lines.append(f"  {task}: iteration budget {f['iteration_budget']}, time budget "
                     f"{f['time_budget_seconds']:g} s per run")
        lines.append(f"    {'sampler':<10} {'s/it':>8} {unit + ' (it)':>22} "
                     f"{unit + ' (time)':>22} {'test LL (it)':>14} {'test LL (time)':>15}")
        for name, g in f["samplers"].items():
            b, t = g["at_budget"], g["at_time"]
            lines.append(f"    {name:<10} {g['seconds_per_iteration']:>8.4f} "
                         f"{_num(b[measure]):>22} {_num(t[measure]):>22} "
                         f"{_num(b['log_likelihood']):>14} {_num(t['log_likelihood']):>15}")
        best = f["best_per_second"]
        lines.append("    best per second: " + ", ".join(f"{k} {v}" for k, v in best.items()))
    return lines


def _num(v: Any) -> str:
    return "-" if v is None else f"{v:.3f}"
