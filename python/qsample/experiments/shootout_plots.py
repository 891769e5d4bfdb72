"""The shoot-out's plots: per task, its measure and the test log-likelihood
against iteration (left, the equal-budget comparison up to the dashed line)
and against learning seconds (right, the equal-time comparison up to the
dashed line)."""

from __future__ import annotations

import os
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np

from ..plots import _pyplot, _save
from .shootout_samplers import LABELS, SAMPLERS

_COLOURS = dict(zip(SAMPLERS, ("C0", "C1", "C2", "C3", "C4", "k")))


def _panels(title: str) -> tuple[Any, Any]:
    plt = _pyplot()
    fig, axes = plt.subplots(2, 2, figsize=(11, 7.5))
    fig.suptitle(title, fontsize=10)
    return fig, axes


def _finish(
    fig: Any,
    axes: Any,
    iteration_budget: int,
    seconds_budget: float,
    ylabels: Sequence[str],
    path: str | os.PathLike,
    logx: bool,
) -> None:
    from matplotlib.ticker import NullFormatter

    for row, ylabel in enumerate(ylabels):
        for col, (xlabel, line) in enumerate(
            (("iteration", iteration_budget), ("learning seconds", seconds_budget))
        ):
            ax = axes[row][col]
            ax.axvline(line, color="0.5", ls="--", lw=0.8)
            if logx:
                ax.set_xscale("log")
                ax.xaxis.set_minor_formatter(NullFormatter())  # minor labels collide
            ax.set_xlabel(xlabel)
            ax.set_ylabel(ylabel)
            ax.grid(alpha=0.3)
    axes[0][0].legend(fontsize=7)
    fig.tight_layout()
    _save(fig, path)


def _likelihood(
    ax_it: Any, ax_s: Any, entries: Sequence[Mapping[str, Any]], colour: str, label: str
) -> None:
    """Means over the runs with the spread over the runs (or, for one run, the
    estimator's standard error) as error bars."""
    if not entries:
        return
    k = np.array([e["iteration"] for e in entries])
    t = np.array([e["seconds"] for e in entries])
    v = np.array([e["value"] for e in entries])
    err = np.array([max(e["std"], e.get("se", 0.0)) for e in entries])
    for ax, x in ((ax_it, k), (ax_s, t)):
        ax.errorbar(x, v, yerr=err, color=colour, marker="o", ms=4, lw=1.2, capsize=2, label=label)


def plot_bas(
    path: str | os.PathLike, curves: Mapping[str, Mapping[str, Any]], figures: Mapping[str, Any]
) -> None:
    fig, axes = _panels(
        f"BAS 7x6, mean of {figures['repeats']} runs per sampler: mistakes "
        "per reconstructed picture (of 20, ties as half) and test "
        "log-likelihood"
    )
    for name, c in curves.items():
        colour, label = _COLOURS[name], LABELS[name]
        m = c["mistakes"]
        k = np.array([e["iteration"] for e in m])
        t = np.array([e["seconds"] for e in m])
        v = np.array([e["value"] for e in m])
        axes[0][0].plot(k, v, color=colour, marker="o", ms=3, lw=1.2, label=label)
        axes[0][1].plot(t, v, color=colour, marker="o", ms=3, lw=1.2, label=label)
        _likelihood(axes[1][0], axes[1][1], c["likelihood"], colour, label)
    for ax in axes[0]:
        ax.set_yscale("symlog", linthresh=0.1)
    for ax in axes[1]:
        ax.axhline(figures["ceiling"], color="0.3", lw=0.8, ls=":", label="ceiling -ln 190")
    axes[1][0].legend(fontsize=7)
    _finish(
        fig,
        axes,
        figures["iteration_budget"],
        figures["time_budget_seconds"],
        ("mistakes per picture", "test log-likelihood (nats per picture)"),
        path,
        logx=True,
    )


def plot_sk(
    path: str | os.PathLike, curves: Mapping[str, Mapping[str, Any]], figures: Mapping[str, Any]
) -> None:
    fig, axes = _panels(
        f"SK N=15, mean of {figures['instances']} instances: Λ_av minus the "
        "data's Λ_av(D), and test log-likelihood minus the truth's own"
    )
    for name, c in curves.items():
        colour, label = _COLOURS[name], LABELS[name]
        gap = np.array(c["lambda_gap"])
        k = np.arange(1, len(gap) + 1)
        axes[0][0].plot(k, gap, color=colour, lw=1.0, label=label)
        axes[0][1].plot(np.array(c["seconds"]), gap, color=colour, lw=1.0, label=label)
        _likelihood(axes[1][0], axes[1][1], c["likelihood"], colour, label)
    for ax in axes[0]:
        ax.axhline(0.0, color="0.3", lw=0.8, ls=":")
    for ax in axes[1]:
        ax.axhline(0.0, color="0.3", lw=0.8, ls=":", label="the truth's own")
    axes[1][0].legend(fontsize=7)
    _finish(
        fig,
        axes,
        figures["iteration_budget"],
        figures["time_budget_seconds"],
        ("Λ_av − Λ_av(D)", "test log-likelihood − the truth's (nats per sample)"),
        path,
        logx=False,
    )
