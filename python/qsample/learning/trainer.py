"""Moment-matching learning of Ising models: the gray-box method of Benedetti
et al. (PRX 2017, Eqs. 10-13) and its exact-gradient reference.

The model is a set of spins (qubits, or logical variables) with fields ``h`` and
couplings ``J`` on fixed edges, in dimod's sign convention
``E(s) = sum h s + sum J s s`` and ``P(s) ∝ exp(-E(s))`` with the sampler's own,
unknown temperature. Log-likelihood ascent then reads

    h_k  <- h_k  - eta (<z_k>_data     - <z_k>_model)
    J_kl <- J_kl - eta (<z_k z_l>_data - <z_k z_l>_model) - eta * l2 * J_kl

(the paper writes E with the opposite sign, hence the minus), with momentum on
both. The positive phase is a constant of the data; the negative phase comes
from any sampler, so whatever effective temperature the device has is absorbed
into the learned parameters: nothing here ever estimates it.
"""

from __future__ import annotations

import os
import time
import warnings
from collections.abc import Callable, Hashable, Mapping, Sequence
from dataclasses import dataclass
from numbers import Integral
from typing import Any

import numpy as np

from .._validate import check_int, check_number, check_positive_int, check_spins
from ..ising import IsingArrays
from . import checkpoints
from .history import History, RangeEvent
from .moments import sample_moments
from .phases import NegativePhase, PhaseResult, SampledMoments

RANGE_POLICIES = ("stop", "clip", "ignore")


@dataclass(frozen=True)
class Hyperparameters:
    """Learning settings; defaults are the paper's (eta 0.0025, momentum 0.5, L2 1e-5)."""

    learning_rate: float = 0.0025
    momentum: float = 0.5
    l2: float = 1e-5
    batch_size: int | None = None  # None: the whole dataset every iteration
    num_reads: int = 100  # samples per negative phase
    range_policy: str = "stop"  # "stop" (the paper), "clip", or "ignore"

    def __post_init__(self) -> None:
        check_number("learning_rate", self.learning_rate, 0.0, low_open=True)
        check_number("momentum", self.momentum, 0.0, 1.0, high_open=True)
        check_number("l2", self.l2, 0.0)
        check_positive_int("num_reads", self.num_reads)
        if self.batch_size is not None:
            check_positive_int("batch_size", self.batch_size)
        if self.range_policy not in RANGE_POLICIES:
            raise ValueError(
                f"'range_policy' must be one of {RANGE_POLICIES}: value = {self.range_policy!r}"
            )


Callback = Callable[["Trainer", int], None]


class Trainer:
    """Learn ``h`` and ``J`` of a model on fixed edges from ±1 data by moment matching.

    Args:
        model: the structure and starting parameters (an :class:`IsingArrays`,
            e.g. the physical model of an embedding, or a logical K_N).
        data: int8 ±1 array (D, n) in the model's variable order (for a
            hardware-embedded model: the logical data encoded with f).
        negative_phase: :class:`SampledMoments` (any dimod sampler) or
            :class:`ExactMoments`.
        hyper: :class:`Hyperparameters`.
        seed: seeds mini-batch shuffles and the sampler's per-iteration seeds.
        h_range, j_range: the device range, used by ``hyper.range_policy``
            (``J_range``, the old name of ``j_range``, is deprecated).
        intra_chain: boolean mask over edges, True for couplings inside a chain
            (only used to report max |J| inside and between chains).
        callbacks: ``(every_k, fn)`` pairs; ``fn(trainer, iteration)`` runs after
            every k-th iteration.
        progress: show a progress bar (None: only on a terminal).
    """

    def __init__(
        self,
        model: IsingArrays,
        data: np.ndarray,
        negative_phase: NegativePhase | None = None,
        hyper: Hyperparameters | None = None,
        *,
        seed: int = 0,
        h_range: tuple[float, float] | None = None,
        j_range: tuple[float, float] | None = None,
        intra_chain: np.ndarray | None = None,
        callbacks: Sequence[tuple[int, Callback]] = (),
        progress: bool | None = None,
        J_range: tuple[float, float] | None = None,
    ) -> None:
        if J_range is not None:
            _warn_renamed("J_range", "j_range", stacklevel=3)
            if j_range is not None:
                raise TypeError("give 'j_range' only ('J_range' is its deprecated name)")
            j_range = J_range
        self.hyper = hyper or Hyperparameters()
        self.model = model
        self.data = _check_data(data, model.num_variables)
        if self.hyper.batch_size is not None and self.hyper.batch_size > len(self.data):
            raise ValueError(
                f"'batch_size' ({self.hyper.batch_size}) must not exceed the number of data "
                f"points ({len(self.data)})"
            )
        self.negative_phase = negative_phase if negative_phase is not None else SampledMoments()
        #: The last negative phase's result (moments and samples), or None.
        self.negative: PhaseResult | None = None
        self.h_range = _check_range("h_range", h_range)
        self.j_range = _check_range("j_range", j_range)
        m = len(model.J)
        self.intra_chain = (
            np.zeros(m, dtype=bool) if intra_chain is None else np.asarray(intra_chain, dtype=bool)
        )
        if self.intra_chain.shape != (m,):
            raise ValueError(f"'intra_chain' must be a boolean mask over the {m} edges")
        for every, fn in callbacks:
            if not (isinstance(every, Integral) and every >= 1 and callable(fn)):
                raise ValueError("'callbacks' must be (every_k >= 1, callable) pairs")
        self.callbacks = list(callbacks)
        self.progress = progress
        self.h = model.h.astype(np.float64).copy()
        self.J = model.J.astype(np.float64).copy()
        self.velocity_h = np.zeros_like(self.h)
        self.velocity_J = np.zeros_like(self.J)
        self.rng = np.random.default_rng(seed)
        self.iteration = 0
        self.history = History()
        self.range_events: list[RangeEvent] = []  # clip: the first crossing of each parameter
        self._clipped: set[tuple[str, int]] = set()
        self.stopped: str | None = None
        self._order = np.arange(len(self.data))
        self._cursor = len(self.data)  # forces a shuffle before the first mini-batch
        self._full_batch = (
            None
            if self.hyper.batch_size not in (None, len(self.data))
            else sample_moments(self.data, model.irow, model.icol)
        )
        self._validated = False

    @property
    def J_range(self) -> tuple[float, float] | None:
        """Deprecated name of :attr:`j_range`."""
        _warn_renamed("J_range", "j_range")
        return self.j_range

    @J_range.setter
    def J_range(self, value: tuple[float, float] | None) -> None:
        _warn_renamed("J_range", "j_range")
        self.j_range = _check_range("j_range", value)

    # -- state ---------------------------------------------------------------
    def current_model(self) -> IsingArrays:
        m = self.model
        return IsingArrays(m.variables, self.h, m.irow, m.icol, self.J, m.offset)

    def _positive_phase(self) -> tuple[np.ndarray, np.ndarray]:
        if self._full_batch is not None:
            return self._full_batch
        b = int(self.hyper.batch_size)  # type: ignore[arg-type]
        if self._cursor + b > len(self.data):
            self._order = self.rng.permutation(len(self.data))
            self._cursor = 0
        rows = self._order[self._cursor : self._cursor + b]
        self._cursor += b
        return sample_moments(self.data[rows], self.model.irow, self.model.icol)

    # -- one step ----------------------------------------------------------------
    def step(self) -> bool:
        """One iteration; False when learning stopped on the device range."""
        if self.stopped:
            return False
        if not self._validated:
            self.negative_phase.validate(self.current_model(), self.hyper.num_reads)
            self._validated = True
        data_h, data_J = self._positive_phase()
        seed = int(self.rng.integers(0, 2**63))
        t0 = time.perf_counter()
        self.negative = self.negative_phase(self.current_model(), self.hyper.num_reads, seed)
        t1 = time.perf_counter()
        hp = self.hyper
        grad_h = data_h - self.negative.mean
        grad_J = data_J - self.negative.correlation
        velocity_h = hp.momentum * self.velocity_h - hp.learning_rate * grad_h
        velocity_J = hp.momentum * self.velocity_J - hp.learning_rate * (grad_J + hp.l2 * self.J)
        # A step the range policy refuses leaves parameters and momentum as they were.
        if not self._apply_range(self.h + velocity_h, self.J + velocity_J):
            return False
        self.velocity_h, self.velocity_J = velocity_h, velocity_J
        t2 = time.perf_counter()
        J_abs = np.abs(self.J)
        self.iteration += 1
        self.history.append(
            moment_error_h=np.abs(grad_h).max(initial=0.0),
            moment_error_J=np.abs(grad_J).max(initial=0.0),
            norm_h=float(np.linalg.norm(self.h)),
            norm_J=float(np.linalg.norm(self.J)),
            max_abs_J_intra=J_abs[self.intra_chain].max(initial=0.0),
            max_abs_J_inter=J_abs[~self.intra_chain].max(initial=0.0),
            sampling_seconds=t1 - t0,
            update_seconds=t2 - t1,
        )
        for every, fn in self.callbacks:
            if self.iteration % every == 0:
                fn(self, self.iteration)
        return True

    def _apply_range(self, new_h: np.ndarray, new_J: np.ndarray) -> bool:
        policy = self.hyper.range_policy
        events = []
        for kind, values, limit in (("h", new_h, self.h_range), ("J", new_J, self.j_range)):
            if limit is None or policy == "ignore":
                continue
            outside = np.flatnonzero((values < limit[0]) | (values > limit[1]))
            for k in map(int, outside):
                if policy == "clip" and (kind, k) in self._clipped:
                    continue  # a clipped parameter pushes out again every step: log it once
                events.append(
                    RangeEvent(
                        self.iteration + 1, kind, k, self._labels(kind, k), float(values[k]), limit
                    )
                )
        if events and policy == "stop":
            self.range_events.extend(events)
            first = events[0]
            self.stopped = (
                f"iteration {first.iteration}: {first.kind}{list(first.variables)} "
                f"would become {first.value:.4g}, outside {first.limit}"
            )
            return False
        if policy == "clip":
            self.range_events.extend(events)
            self._clipped.update((e.kind, e.index) for e in events)
            if self.h_range is not None:
                np.clip(new_h, *self.h_range, out=new_h)
            if self.j_range is not None:
                np.clip(new_J, *self.j_range, out=new_J)
        self.h, self.J = new_h, new_J
        return True

    def _labels(self, kind: str, k: int) -> tuple[Hashable, ...]:
        v = self.model.variables
        if kind == "h":
            return (v[k],)
        return (v[self.model.irow[k]], v[self.model.icol[k]])

    def run(self, num_iterations: int) -> Trainer:
        """Run up to ``num_iterations`` more iterations (fewer if the range stops it)."""
        num_iterations = check_int("num_iterations", num_iterations, 0)
        from tqdm.auto import tqdm

        disable = None if self.progress is None else not self.progress
        with tqdm(total=num_iterations, desc="learning", unit="it", disable=disable) as bar:
            for _ in range(num_iterations):
                if not self.step():
                    bar.set_postfix_str(f"stopped: {self.stopped}")
                    break
                bar.update(1)
        return self

    # -- checkpoints ---------------------------------------------------------------
    def save_checkpoint(
        self, path: str | os.PathLike, extra: Mapping[str, Any] | None = None
    ) -> None:
        """Parameters, momentum, RNG and mini-batch state, history, and
        fingerprints of the model structure and data: enough to continue exactly
        as if never stopped. ``extra`` is kept beside it (JSON values or numpy
        arrays; read back with :func:`~qsample.learning.read_checkpoint`).
        Written atomically."""
        checkpoints.write(path, self, checkpoints.snapshot(self), extra)

    def load_checkpoint(
        self, source: str | os.PathLike | checkpoints.Checkpoint, *, same_data: bool = True
    ) -> Trainer:
        """Restore a checkpoint (a path, or one read with
        :func:`~qsample.learning.read_checkpoint`) into a trainer built on the same
        model structure, hyperparameters and data; ``ValueError`` naming the file
        for a damaged checkpoint or one made for something else. With
        ``same_data=False`` the trainer keeps its own data (parameters, momentum,
        RNG and history are restored; the mini-batch order starts anew)."""
        checkpoints.restore(self, source, same_data=same_data)
        return self

    def replace_data(self, data: Any) -> Trainer:
        """Learn from ``data`` from the next iteration on, keeping parameters,
        momentum, RNG and history; the mini-batch order starts anew on it."""
        data = _check_data(data, self.model.num_variables)
        if self.hyper.batch_size is not None and self.hyper.batch_size > len(data):
            raise ValueError(
                f"'batch_size' ({self.hyper.batch_size}) must not exceed the number of data "
                f"points ({len(data)})"
            )
        self.data = data
        self._order = np.arange(len(data))
        self._cursor = len(data)
        self._full_batch = (
            None
            if self.hyper.batch_size not in (None, len(data))
            else sample_moments(data, self.model.irow, self.model.icol)
        )
        return self


def _check_data(data: Any, n: int) -> np.ndarray:
    return check_spins("data", data, n)


def _warn_renamed(old: str, new: str, stacklevel: int = 3) -> None:
    warnings.warn(
        f"'{old}' is deprecated; use '{new}' (D-Wave's name for the coupling range)",
        DeprecationWarning,
        stacklevel=stacklevel,
    )


def _check_range(name: str, r: Any) -> tuple[float, float] | None:
    if r is None:
        return None
    try:
        lo, hi = (float(x) for x in r)
    except (TypeError, ValueError):
        raise ValueError(f"'{name}' must be a pair (low, high): value = {r!r}") from None
    if not lo < hi:
        raise ValueError(f"'{name}' must have low < high: value = {r!r}")
    return lo, hi


def embedded_trainer(
    model: Any,
    logical_data: Any,
    negative_phase: NegativePhase | None = None,
    hyper: Hyperparameters | None = None,
    **options: Any,
) -> Trainer:
    """A :class:`Trainer` for a :class:`~qsample.model.HardwareModel`: the logical
    data is encoded with f, the device range is the target's, and max |J| is
    reported inside and between chains. ``trainer.h``/``trainer.J`` map back
    with ``model.with_parameters(trainer.h, trainer.J)``."""
    if "J_range" not in options:  # the deprecated name reaches Trainer, which warns
        options.setdefault("j_range", model.target.j_range)
    return Trainer(
        model.to_ising(),
        model.encode(logical_data),
        negative_phase,
        hyper,
        h_range=options.pop("h_range", model.target.h_range),
        intra_chain=model.intra_chain,
        **options,
    )


def logical_complete_graph(n: int, seed: int | None = None, scale: float = 1e-6) -> IsingArrays:
    """K_n over logical variables 0..n-1 with parameters uniform in [-scale, scale]
    (the paper's symmetry-breaking start)."""
    n = check_positive_int("n", n)
    rng = np.random.default_rng(seed)
    irow, icol = np.triu_indices(n, k=1)
    return IsingArrays(
        list(range(n)),
        rng.uniform(-scale, scale, n),
        irow.astype(np.int64),
        icol.astype(np.int64),
        rng.uniform(-scale, scale, len(irow)),
    )
