"""Judging a trained model: the proxy on synthetic data, reconstruction,
classification and generation (the paper's §IV), and an empirical KL.

A model is always judged through the sampler it was trained with: the learned
parameters absorbed that sampler's effective temperature, so a different
sampler would see a different distribution. Functions take ``draw(model,
num_reads, seed) -> int8 samples`` — e.g. ``SampledMoments(...).draw``.

Conditioning: the chains of known logical variables are fixed exactly at their
values (the hard hold of ``fixed_variables``, what a classical sampler can do;
the paper's clamp on a QPU is a strong field instead, see
:meth:`HardwareModel.clamped`) — their couplings to the free qubits become
fields — so only the free qubits are sampled.

Pictures are independent: their sampling runs as tasks of an executor
(``executor=``, see :mod:`qsample.execution`; serial by default), each picture
with its own seed derived from the call's seed and the picture's index, so the
figures are the same whichever executor runs them.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np

from . import exact
from ._validate import check_int, check_number, check_positive_int, check_spins
from .chains import ChainLayout, decode
from .execution import Executor, Task, run_tasks, task_seed
from .ising import IsingArrays
from .model import HardwareModel

Draw = Callable[[IsingArrays, int, int], np.ndarray]


# -- conditioning ------------------------------------------------------------------
def condition(ising: IsingArrays, fixed: np.ndarray) -> tuple[IsingArrays, np.ndarray]:
    """The model over the free variables given ``fixed`` (int8 (n,), 0 = free,
    ±1 = held): (conditioned model, indices of the free variables)."""
    fixed = np.asarray(fixed)
    free = np.flatnonzero(fixed == 0)
    position = np.full(ising.num_variables, -1, dtype=np.int64)
    position[free] = np.arange(len(free))
    h = ising.h[free].astype(np.float64)
    a, b = position[ising.irow], position[ising.icol]
    # A coupling to a held variable becomes a field on the free one.
    to_b = (a < 0) & (b >= 0)
    to_a = (b < 0) & (a >= 0)
    np.add.at(h, b[to_b], ising.J[to_b] * fixed[ising.irow[to_b]])
    np.add.at(h, a[to_a], ising.J[to_a] * fixed[ising.icol[to_a]])
    both = (a >= 0) & (b >= 0)
    sub = IsingArrays([ising.variables[i] for i in free], h, a[both], b[both], ising.J[both])
    return sub, free


def _check_pictures(model: HardwareModel, values: Any, known: Any) -> tuple[np.ndarray, np.ndarray]:
    n = model.layout.num_logical
    v = check_spins("pictures", values, n)
    k = np.asarray(known, dtype=bool)
    if k.shape not in ((n,), v.shape):
        raise ValueError(f"'known' must be a mask of shape ({n},) or {v.shape}: got {k.shape}")
    k = np.broadcast_to(k, v.shape)
    return v.astype(np.int8), np.ascontiguousarray(k)


def conditional_samples(
    model: HardwareModel,
    values: np.ndarray,
    known: np.ndarray,
    draw: Draw,
    num_reads: int,
    seed: int,
) -> np.ndarray:
    """Decoded logical samples (num_reads, N) with the known variables' chains
    held at their values; ties in the free chains are 0."""
    return _conditional_samples(
        model.to_ising(), model.layout, values, known, draw, num_reads, seed
    )


def _conditional_samples(
    ising: IsingArrays,
    layout: ChainLayout,
    values: np.ndarray,
    known: np.ndarray,
    draw: Draw,
    num_reads: int,
    seed: int,
) -> np.ndarray:
    fixed_logical = np.where(known, values, 0).astype(np.int8)
    fixed = fixed_logical[layout.chain_of_column]  # a qubit takes its chain's value
    extended = np.empty((num_reads, len(fixed)), dtype=np.int8)
    extended[:] = fixed
    if np.any(fixed == 0):
        sub, free = condition(ising, fixed)
        extended[:, free] = draw(sub, num_reads, seed)
    return decode(extended, layout).values


#: Pictures per task: enough to amortise shipping the model to a worker.
PICTURES_PER_TASK = 8


def _sample_pictures(settings: dict[str, Any], task_id: str, seed: int) -> list[np.ndarray]:
    """Task: the decoded conditional samples of a batch of pictures."""
    ising, layout = settings["ising"], settings["layout"]
    draw, reads = settings["draw"], settings["num_reads"]
    return [
        _conditional_samples(ising, layout, v, k, draw, reads, s)
        for v, k, s in zip(settings["values"], settings["known"], settings["seeds"])
    ]


def conditional_samples_of_pictures(
    model: HardwareModel,
    values: np.ndarray,
    known: np.ndarray,
    draw: Draw,
    num_reads: int,
    seed: int,
    *,
    executor: Executor | None = None,
    progress: bool | None = False,
) -> list[np.ndarray]:
    """:func:`conditional_samples` of every row of ``values`` (with its row of
    ``known``): picture b drawn with seed ``task_seed(seed, "picture=b")``,
    in batches of pictures that run as tasks of ``executor``."""
    seeds = [task_seed(seed, f"picture={b}") for b in range(len(values))]
    # Tasks carry the physical model and its chains, not the HardwareModel: its
    # target graph (thousands of qubits) would be shipped with every task.
    ising, layout = model.to_ising(), model.layout
    tasks = [
        Task(
            f"pictures={a}-{min(a + PICTURES_PER_TASK, len(values)) - 1}",
            {
                "ising": ising,
                "layout": layout,
                "draw": draw,
                "num_reads": num_reads,
                "values": values[a : a + PICTURES_PER_TASK],
                "known": known[a : a + PICTURES_PER_TASK],
                "seeds": seeds[a : a + PICTURES_PER_TASK],
            },
        )
        for a in range(0, len(values), PICTURES_PER_TASK)
    ]
    batches = run_tasks(_sample_pictures, tasks, seed, executor=executor, progress=progress)
    return [s for batch in batches for s in batch]


# -- reconstruction ------------------------------------------------------------------
@dataclass
class Reconstruction:
    """Reconstructed pictures (int8, 0 where the final vote tied) and, over the
    corrupted (unknown) pixels of each picture, how many came out wrong and
    how many tied."""

    values: np.ndarray
    wrong: np.ndarray  # (B,) wrong pixels per picture
    ties: np.ndarray  # (B,) tied pixels per picture
    corrupted: np.ndarray  # (B,) unknown pixels per picture

    @property
    def mean_wrong(self) -> float:
        return float(self.wrong.mean())

    @property
    def mean_ties(self) -> float:
        return float(self.ties.mean())

    @property
    def mean_expected_wrong(self) -> float:
        """Wrong pixels per picture if every tie were settled by a fair coin."""
        return float((self.wrong + 0.5 * self.ties).mean())


def reconstruct(
    model: HardwareModel,
    pictures: Any,
    known: Any,
    draw: Draw,
    *,
    num_reconstructions: int = 100,
    seed: int = 0,
    columns: np.ndarray | None = None,
    progress: bool | None = False,
    executor: Executor | None = None,
) -> Reconstruction:
    """Fill in the unknown entries of each row of ``pictures``: fix the known
    chains, draw ``num_reconstructions`` samples, decode each by majority in its
    chains, then take a second majority over the reconstructions (the paper:
    100). ``columns`` limits the scoring to those logical columns (e.g. the
    pixels, not the class units)."""
    values, known = _check_pictures(model, pictures, known)
    num_reconstructions = check_positive_int("num_reconstructions", num_reconstructions)
    samples = conditional_samples_of_pictures(
        model, values, known, draw, num_reconstructions, seed, executor=executor, progress=progress
    )
    out = np.empty_like(values)
    for b, s in enumerate(samples):
        out[b] = np.sign(s.sum(axis=0, dtype=np.int64))
    out = np.where(known, values, out).astype(np.int8)
    scored = (
        np.ones(values.shape[1], dtype=bool)
        if columns is None
        else np.zeros(values.shape[1], dtype=bool)
    )
    if columns is not None:
        scored[np.asarray(columns)] = True
    unknown = ~known & scored
    return Reconstruction(
        out,
        ((out == -values) & unknown).sum(axis=1),
        ((out == 0) & unknown).sum(axis=1),
        unknown.sum(axis=1),
    )


def block_mask(
    shape: tuple[int, int],
    top: int,
    left: int,
    height: int,
    width: int,
    num_columns: int | None = None,
) -> np.ndarray:
    """Known-pixel mask (True = known) of a picture with a blacked-out block;
    ``num_columns`` pads with known columns after the pixels (e.g. class units)."""
    rows, cols = shape
    if not (
        0 <= top
        and top + height <= rows
        and 0 <= left
        and left + width <= cols
        and height > 0
        and width > 0
    ):
        raise ValueError(
            f"block {height}x{width} at ({top}, {left}) does not fit a {rows}x{cols} picture"
        )
    block = np.ones((rows, cols), dtype=bool)
    block[top : top + height, left : left + width] = False
    mask = block.ravel()
    if num_columns is not None and num_columns < mask.size:
        raise ValueError(f"'num_columns' ({num_columns}) must be at least the {mask.size} pixels")
    if num_columns is not None:
        mask = np.r_[mask, np.ones(num_columns - mask.size, dtype=bool)]
    return mask


def salt_and_pepper(
    pictures: Any, rate: float, seed: int = 0, num_pixels: int | None = None
) -> tuple[np.ndarray, np.ndarray]:
    """Corrupt each pixel independently with probability ``rate`` by replacing it
    with a uniformly random ±1: returns (noisy pictures, known mask). Only the
    first ``num_pixels`` columns are pixels (the rest stay known)."""
    check_number("rate", rate, 0.0, 1.0)
    p = check_spins("pictures", pictures)
    n = p.shape[1] if num_pixels is None else check_int("num_pixels", num_pixels, 0, p.shape[1])
    rng = np.random.default_rng(seed)
    corrupt = np.zeros(p.shape, dtype=bool)
    corrupt[:, :n] = rng.random((p.shape[0], n)) < rate
    noisy = np.where(corrupt, rng.choice(np.array([-1, 1], np.int8), p.shape), p)
    return noisy.astype(np.int8), ~corrupt


# -- classification and generation ------------------------------------------------------
@dataclass
class Classification:
    predicted: np.ndarray  # (B,) class index
    labels: np.ndarray
    confusion: np.ndarray  # (C, C): rows true class, columns predicted

    @property
    def accuracy(self) -> float:
        return float(np.mean(self.predicted == self.labels))


def class_votes(
    model: HardwareModel,
    values: Any,
    known: Any,
    num_classes: int,
    draw: Draw,
    *,
    num_samples: int = 100,
    seed: int = 0,
    progress: bool | None = False,
    executor: Executor | None = None,
) -> np.ndarray:
    """(B, C) votes of ``num_samples`` class-chain samples per picture, the class
    units being the last ``num_classes`` logical variables: the known entries
    of each row of ``values`` (``known`` a mask of the same shape, or of one
    row) are held, everything else is sampled; each decoded sample votes for
    the classes whose unit is on (split evenly when several are, a tied unit
    counting half; a sample with none on abstains)."""
    n = model.layout.num_logical
    num_classes = check_int("num_classes", num_classes, 1, n - 1)
    num_samples = check_positive_int("num_samples", num_samples)
    values, known = _check_pictures(model, values, known)
    samples = conditional_samples_of_pictures(
        model, values, known, draw, num_samples, seed, executor=executor, progress=progress
    )
    votes = np.empty((len(values), num_classes))
    for b, decoded in enumerate(samples):
        on = (decoded[:, n - num_classes :] + 1) / 2.0  # 1 on, 0.5 tied, 0 off
        votes[b] = (on / np.maximum(on.sum(axis=1, keepdims=True), 1e-12)).sum(axis=0)
    return votes


def classify(
    model: HardwareModel,
    pixels: Any,
    labels: Any,
    num_classes: int,
    draw: Draw,
    *,
    num_samples: int = 100,
    seed: int = 0,
    progress: bool | None = False,
    executor: Executor | None = None,
) -> Classification:
    """Fix the pixels, sample the class chains, pick the most frequent class
    (:func:`class_votes`); ties between classes go to the lowest."""
    n = model.layout.num_logical
    num_classes = check_int("num_classes", num_classes, 1, n - 1)
    pixels = check_spins("pixels", pixels, n - num_classes)
    num_samples = check_positive_int("num_samples", num_samples)
    labels = np.asarray(labels)
    if (
        labels.shape != (len(pixels),)
        or labels.dtype.kind not in "iu"
        or (labels.size and not 0 <= labels.min() <= labels.max() < num_classes)
    ):
        raise ValueError(
            f"'labels' must hold one class index in [0, {num_classes}) per "
            f"picture ({len(pixels)}): got shape {labels.shape}, dtype "
            f"{labels.dtype}"
        )
    labels = labels.astype(np.int64)
    full = np.concatenate([pixels, -np.ones((len(pixels), num_classes), np.int8)], axis=1)
    known = np.r_[np.ones(n - num_classes, bool), np.zeros(num_classes, bool)]
    votes = class_votes(
        model,
        full,
        known,
        num_classes,
        draw,
        num_samples=num_samples,
        seed=seed,
        progress=progress,
        executor=executor,
    )
    predicted = np.argmax(votes, axis=1).astype(np.int64)
    confusion = np.zeros((num_classes, num_classes), dtype=np.int64)
    np.add.at(confusion, (labels, predicted), 1)
    return Classification(predicted, labels, confusion)


def generate(
    model: HardwareModel,
    class_index: int,
    num_classes: int,
    draw: Draw,
    *,
    num_pictures: int = 10,
    seed: int = 0,
) -> np.ndarray:
    """Pictures (num_pictures, N - num_classes) sampled with the class block held
    one-hot at ``class_index``; ties are 0."""
    n = model.layout.num_logical
    num_classes = check_int("num_classes", num_classes, 1, n - 1)
    class_index = check_int("class_index", class_index, 0, num_classes - 1)
    num_pictures = check_positive_int("num_pictures", num_pictures)
    values = -np.ones(n, dtype=np.int8)
    values[n - num_classes + class_index] = 1
    known = np.r_[np.zeros(n - num_classes, bool), np.ones(num_classes, bool)]
    return conditional_samples(model, values, known, draw, num_pictures, seed)[:, : n - num_classes]


# -- synthetic data ------------------------------------------------------------------
def break_ties(values: np.ndarray, seed: int = 0) -> np.ndarray:
    """Replace tied (0) entries by uniformly random ±1 (for quantities defined
    on spins only, like the proxy)."""
    v = np.asarray(values).astype(np.int8, copy=True)
    ties = v == 0
    v[ties] = np.random.default_rng(seed).choice(np.array([-1, 1], np.int8), ties.sum())
    return v


def proxy(true_model: IsingArrays, samples: np.ndarray, beta: float = 1.0, seed: int = 0) -> float:
    """Λ_av of (decoded) samples under the true model; ties broken at random."""
    return exact.log_likelihood_proxy(true_model, break_ties(samples, seed), beta=beta)


def empirical_kl(
    samples: np.ndarray, true_model: IsingArrays, beta: float = 1.0, seed: int = 0
) -> float:
    """KL(P̂ || Q) in nats, P̂ the empirical distribution of the (decoded, ties
    broken at random) samples and Q the true Boltzmann distribution, exact by
    enumeration. A plug-in estimate: it is biased (the empirical entropy is
    low) unless the samples far outnumber the states that carry the mass."""
    s = break_ties(samples, seed)
    unique, counts = np.unique(s, axis=0, return_counts=True)
    p = counts / counts.sum()
    log_q = exact.log_probabilities(true_model, unique, beta=beta)
    return float(np.sum(p * (np.log(p) - log_q)))
