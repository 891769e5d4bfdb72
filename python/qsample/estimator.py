"""A hardware-embedded Boltzmann machine as a scikit-learn-style estimator.

:class:`EmbeddedBoltzmannMachine` is the whole pipeline of the paper behind
``fit``/``sample``/``predict``: a fully visible Boltzmann machine over the
data's binary columns (plus one-hot class units when fitted with labels) is
minor-embedded into an annealer graph, every physical field and coupling is
learned by moment matching from the samples of a sampler, and the trained
model is used through the same sampler (its temperature is in the learned
parameters). It is built from the package's parts — :func:`qsample.embed`,
:class:`~qsample.HardwareModel`, :func:`~qsample.embedded_trainer`,
:mod:`qsample.evaluate` — and adds no learning loop of its own.

Conventions are scikit-learn's: every setting is a keyword of ``__init__``
stored as given and checked only when used; what is learned lives in
attributes ending in ``_``. Data are rows of binary values (see
:func:`qsample.datafiles.as_spins`); results are ±1 spins (int8) with 0 for a
tied vote (see ``tie``).
"""

from __future__ import annotations

import os
import warnings
from collections.abc import Callable, Mapping, Sequence
from numbers import Integral
from typing import Any

import dimod
import networkx as nx
import numpy as np

from . import dwave, hardware
from . import evaluate as ev
from ._sklearn import ParamsMixin, not_fitted
from ._validate import check_int, check_number, check_positive_int, check_seed
from .datafiles import as_spins
from .embedding import METHODS, Embedding, complete_graph, embed
from .hardware import Target
from .learning import (
    RANGE_POLICIES,
    ExactMoments,
    History,
    Hyperparameters,
    PeriodicCheckpoint,
    SampledMoments,
    Trainer,
    embedded_trainer,
)
from .learning import checkpoints as ckpt
from .model import HardwareModel
from .samplers import ExactSampler

#: What ``sampler`` may name: qsample's simulated annealer with the fixed
#: learning schedule, or the exact gradient by enumeration (up to 30 qubits).
SAMPLER_NAMES = ("sa", "exact")
#: The tie policies of ``sample`` and ``impute``.
TIES = ("keep", "random")
FILE_FORMAT = "qsample-estimator-1"
FILE_WHAT = "a qsample estimator file (.npz written by EmbeddedBoltzmannMachine.save)"
#: Settings that fix the model's structure and the sampler whose temperature it
#: learns: ``partial_fit`` refuses to continue once any of them has changed.
STRUCTURE_SETTINGS = (
    "target",
    "embedding",
    "embedding_tries",
    "embedding_seed",
    "embedding_time_budget",
    "sampler",
    "sampler_parameters",
    "random_state",
)

Callback = Callable[["EmbeddedBoltzmannMachine", int], None]


def is_qpu(sampler: Any) -> bool:
    """Whether ``sampler`` is a D-Wave QPU (or a stand-in): a structured dimod
    sampler that reports the device's h and J ranges."""
    if not isinstance(sampler, dimod.Structured):
        return False
    try:
        # dimod declares `properties` on Sampler, which a Structured QPU also is.
        properties = sampler.properties  # type: ignore[attr-defined]
    except Exception:  # a sampler whose properties fail is no QPU
        return False
    return isinstance(properties, Mapping) and "h_range" in properties and "j_range" in properties


def embed_variables(
    num_features: int,
    num_classes: int,
    target: Target,
    method: str,
    *,
    tries: int | None = None,
    seed: int = 0,
    time_budget: float | None = None,
) -> Embedding:
    """K_N for ``num_features`` features and ``num_classes`` class units on
    ``target`` by ``method`` (see :func:`qsample.embed`); a failure says how
    many variables the data makes (and, when K_N cannot fit, how many qubits it
    needs and which named targets have room)."""
    n = num_features + num_classes
    try:
        return embed(n, target, method=method, tries=tries, seed=seed, time_budget=time_budget)
    except ValueError as err:
        what = (
            f"{num_features} features"
            + (f" and {num_classes} class units" if num_classes else "")
            + f" make {n} logical variables"
        )
        raise ValueError(f"{what}: {err}") from None


class EmbeddedBoltzmannMachine(ParamsMixin):
    """A fully visible Boltzmann machine over binary data, minor-embedded into an
    annealer graph and learned by moment matching (Benedetti et al., PRX 2017).

    Settings (all keywords; checked when ``fit`` uses them):

    Where the model lives:
        target: a preset name of :data:`qsample.hardware.PRESETS` (its inactive
            qubits drawn with the estimator's seed), a ``networkx.Graph``, a
            :class:`~qsample.Target`, or a live ``DWaveSampler`` (its working
            graph and ranges; it then also samples unless ``sampler`` says
            otherwise). None: the QPU's graph when ``sampler`` is a QPU, else
            ``"dw2x"``, the paper's D-Wave 2X.
        embedding: how K_N is placed: ``"minorminer"`` (the best of
            ``embedding_tries`` runs by the paper's rule: shortest longest
            chain, then fewest qubits), ``"clique"`` (minorminer's clique
            embedder), an :class:`~qsample.Embedding` (it brings its target), or
            chains ``{logical variable: [qubits]}`` over 0 .. N-1 on ``target``.
        embedding_tries: minorminer runs (None: 10; the clique embedder 1).
        embedding_seed: the embedder's seed (None: the estimator's seed).
        embedding_time_budget: seconds for all tries together (None: no bound).

    What samples it:
        sampler: None or ``"sa"`` for qsample's simulated annealer with the
            fixed learning schedule (linear beta 0 -> 1 over 200 sweeps; None
            uses the target's QPU instead when the target is one); ``"exact"``
            for the exact gradient by enumeration (models of up to 30 qubits);
            any dimod sampler; or a D-Wave QPU (``DWaveSampler``), called with
            ``auto_scale=False`` and held to the device's h and J ranges.
        sampler_parameters: keyword arguments for every sampler call (e.g.
            ``{"num_sweeps": 500}`` for SA, ``{"annealing_time": 20}`` for a QPU).

    How it learns (defaults are the paper's):
        learning_rate, momentum, l2: the update's step, momentum and L2 penalty
            on the couplings.
        batch_size: data points per iteration (None: all of them).
        num_reads: samples per negative phase.
        iterations: iterations of ``fit`` (and of each ``partial_fit`` call).
        range_policy: what happens when a parameter would leave the target's
            h or J range: ``"stop"`` (the paper's rule on a QPU), ``"clip"``,
            ``"ignore"``, or ``"auto"``: ``"stop"`` for a QPU and ``"ignore"``
            for a classical sampler (whose chains, at beta = 1, need couplings
            beyond a D-Wave range).
        random_state: an int seeds everything (the target's inactive qubits,
            the embedding, the starting parameters, the mini-batches, the
            sampler and the evaluation); None draws a seed at ``fit``, which is
            kept in ``seed_``. A numpy Generator or RandomState gives the seed.
        progress: show progress bars (None: only on a terminal).

    How it is used:
        tie: what ``sample`` and ``impute`` write for a tied vote (a chain, or
            the majority over reconstructions, split evenly): ``"keep"`` writes
            0; ``"random"`` a fair coin, seeded.
        num_reconstructions: samples per row behind ``impute``, decided by
            majority (the paper's 100).
        classification_samples: class-chain samples per row behind ``predict``.
        log_likelihood_runs, log_likelihood_steps: annealed importance
            sampling runs and steps behind ``score`` without labels.

    Randomness: every sampling call is seeded (``random_state`` of the call, else
    ``seed_``), so calls repeat; in ``impute``, ``reconstruct``, ``predict`` and
    ``predict_proba`` row b of a call draws with a seed of its own, derived
    from the call's seed and b (the same whichever executor runs it), so a
    row's answer depends on its position in the call.

    Learned attributes: ``target_``, ``embedding_`` (K_N, N = features +
    classes), ``model_`` (the :class:`~qsample.HardwareModel` with the learned
    parameters), ``n_features_in_``, ``feature_names_in_`` (when fitted on a
    DataFrame with text column names), ``classes_`` (when fitted with labels),
    ``n_iter_``, ``history_`` (per iteration), ``stopped_`` (why learning
    stopped early, or None), ``seed_``, ``range_policy_`` and ``trainer_`` (the
    live :class:`~qsample.Trainer`; absent in a loaded or unpickled estimator,
    whose ``partial_fit`` rebuilds it from the saved state).
    """

    # Set only by a load (never by __init__, so that clone and get_params see
    # settings alone): the saved learning state, and the name of a sampler
    # object the file could not keep.
    _state: ckpt.Checkpoint
    _missing_sampler: str

    def __init__(
        self,
        *,
        target: Any = None,
        embedding: Any = "minorminer",
        embedding_tries: int | None = None,
        embedding_seed: int | None = None,
        embedding_time_budget: float | None = None,
        sampler: Any = None,
        sampler_parameters: Mapping[str, Any] | None = None,
        learning_rate: float = 0.0025,
        momentum: float = 0.5,
        l2: float = 1e-5,
        batch_size: int | None = None,
        num_reads: int = 100,
        iterations: int = 1000,
        range_policy: str = "auto",
        random_state: Any = None,
        progress: bool | None = False,
        tie: str = "keep",
        num_reconstructions: int = 100,
        classification_samples: int = 100,
        log_likelihood_runs: int = 256,
        log_likelihood_steps: int = 2000,
    ) -> None:
        self.target = target
        self.embedding = embedding
        self.embedding_tries = embedding_tries
        self.embedding_seed = embedding_seed
        self.embedding_time_budget = embedding_time_budget
        self.sampler = sampler
        self.sampler_parameters = sampler_parameters
        self.learning_rate = learning_rate
        self.momentum = momentum
        self.l2 = l2
        self.batch_size = batch_size
        self.num_reads = num_reads
        self.iterations = iterations
        self.range_policy = range_policy
        self.random_state = random_state
        self.progress = progress
        self.tie = tie
        self.num_reconstructions = num_reconstructions
        self.classification_samples = classification_samples
        self.log_likelihood_runs = log_likelihood_runs
        self.log_likelihood_steps = log_likelihood_steps

    # -- learning --------------------------------------------------------------------
    def fit(
        self,
        X: Any,
        y: Any = None,
        *,
        callbacks: Sequence[Any] = (),
        checkpoint: str | os.PathLike | PeriodicCheckpoint | None = None,
        checkpoint_every: int = 100,
        resume: str | os.PathLike | ckpt.Checkpoint | None = None,
    ) -> EmbeddedBoltzmannMachine:
        """Embed K_N and learn its physical parameters from the rows of ``X``
        (N = columns, plus one ±1 unit per class of ``y`` when given).

        Args:
            X: rows of binary values (0/1, -1/+1 or bools; numpy, lists,
                pandas, scipy sparse); no missing entries.
            y: class labels, one per row (optional).
            callbacks: ``(every_k, fn)`` pairs (or plain ``fn``, every
                iteration); ``fn(estimator, iteration)`` runs after every k-th
                iteration, with ``model_``, ``n_iter_`` and ``history_`` current.
            checkpoint: a path kept up to date every ``checkpoint_every``
                iterations and on Ctrl-C, or a
                :class:`~qsample.learning.PeriodicCheckpoint` (which writes what
                its owner adds beside the trainer).
            resume: a checkpoint (path or read) of this fit to continue from:
                learning continues up to ``iterations`` in all.
        """
        trainer = self._begin(X, y)
        if resume is not None:
            trainer.load_checkpoint(resume)
        self._learn(
            trainer,
            max(self._iterations() - trainer.iteration, 0),
            callbacks,
            checkpoint,
            checkpoint_every,
        )
        return self

    def partial_fit(
        self,
        X: Any,
        y: Any = None,
        *,
        classes: Any = None,
        iterations: int | None = None,
        callbacks: Sequence[Any] = (),
        checkpoint: str | os.PathLike | PeriodicCheckpoint | None = None,
        checkpoint_every: int = 100,
    ) -> EmbeddedBoltzmannMachine:
        """``iterations`` (default: the setting) more iterations of the same
        learning: parameters, momentum, random stream and mini-batch position
        carry on, so two calls give what one ``fit`` of their sum gives. Given
        other rows than before, learning goes on from them (a new pass of
        mini-batches). The first call fits; with labels, ``classes`` lists
        every class when the first ``y`` may lack some. The learning settings
        may change between calls; the target, embedding, sampler and seed may not."""
        count = self._iterations() if iterations is None else check_int("iterations", iterations, 0)
        if not self._fitted():
            trainer = self._begin(X, y, classes)
        else:
            self._check_structure()
            trainer = self._continued_trainer(self._encode(X, y))
        self._learn(trainer, count, callbacks, checkpoint, checkpoint_every)
        return self

    def _begin(self, X: Any, y: Any, classes: Any = None) -> Trainer:
        """Forget any previous fit; check the data, embed, and build the trainer."""
        self._forget()
        data, found, names = self._training_data(X, y, classes)
        self.seed_ = self._resolve_seed()
        self._structure = self._structure_settings()
        model = self._start(data.shape[1], found, names, self.seed_)
        return self._new_trainer(model, data, self._hyper())

    def _forget(self) -> None:
        """Drop everything a previous fit learned."""
        for name in [k for k in vars(self) if k.endswith("_") and not k.startswith("__")]:
            delattr(self, name)
        for name in ("_state", "_phase", "_missing_sampler", "_structure", "_initial"):
            self.__dict__.pop(name, None)

    def _fitted(self) -> bool:
        return "model_" in vars(self)

    def __sklearn_is_fitted__(self) -> bool:
        return self._fitted()

    def _check_fitted(self, method: str) -> None:
        if not self._fitted():
            raise not_fitted(self, method)

    def _iterations(self) -> int:
        return check_int("iterations", self.iterations, 0)

    def _hyper(self) -> Hyperparameters:
        policy = self.range_policy
        if policy == "auto":
            policy = "stop" if self._qpu() is not None else "ignore"
        elif policy not in RANGE_POLICIES:
            raise ValueError(
                f"'range_policy' must be 'auto' or one of {RANGE_POLICIES}: value = {policy!r}"
            )
        return Hyperparameters(
            learning_rate=self.learning_rate,
            momentum=self.momentum,
            l2=self.l2,
            batch_size=self.batch_size,
            num_reads=self.num_reads,
            range_policy=policy,
        )

    def _resolve_seed(self) -> int:
        rs = self.random_state
        if rs is None:
            return int(np.random.default_rng().integers(0, 2**31))
        if isinstance(rs, np.random.Generator):
            return int(rs.integers(0, 2**31))
        if isinstance(rs, np.random.RandomState):
            return int(rs.randint(0, 2**31))
        return check_seed(rs, "random_state")

    def _structure_settings(self) -> dict[str, Any]:
        return {name: getattr(self, name) for name in STRUCTURE_SETTINGS}

    def _check_structure(self) -> None:
        if self.__dict__.get("_missing_sampler"):
            raise ValueError(self._missing_sampler_text())
        changed = [
            name
            for name, value in self._structure.items()
            if not _same_setting(getattr(self, name), value)
        ]
        if changed:
            raise ValueError(
                f"partial_fit continues the model as fitted, but {changed} "
                "changed since; call fit to start again"
            )

    # -- the pieces of a fit --------------------------------------------------------------
    def _training_data(
        self, X: Any, y: Any, classes: Any = None
    ) -> tuple[np.ndarray, np.ndarray | None, np.ndarray | None]:
        spins, missing, names = _spins(X, "X")
        _refuse_missing(missing, "X", "fit")
        if y is None:
            if classes is not None:
                raise ValueError("'classes' names the classes of labels: give 'y' too")
            return spins, None, names
        labels = _labels(y, len(spins))
        found = np.unique(labels) if classes is None else np.unique(_labels(classes, None))
        if len(found) < 2:
            raise ValueError(
                f"'y' must hold at least two classes (one-hot class units need "
                f"a choice): it holds {found.tolist()}"
            )
        index = _class_index(labels, found, "y")
        return np.concatenate([spins, _one_hot(index, len(found))], axis=1), found, names

    def _encode(self, X: Any, y: Any) -> np.ndarray:
        """Logical rows for more learning: X's spins and, for a model with
        classes, the one-hot units of y."""
        spins, missing, names = self._checked_X(X)
        _refuse_missing(missing, "X", "partial_fit")
        classes = getattr(self, "classes_", None)
        if classes is None:
            if y is not None:
                raise ValueError("this model was fitted without labels: 'y' must be None")
            return spins
        if y is None:
            raise ValueError("this model was fitted with labels: give 'y'")
        index = _class_index(_labels(y, len(spins)), classes, "y")
        return np.concatenate([spins, _one_hot(index, len(classes))], axis=1)

    def _checked_X(self, X: Any) -> tuple[np.ndarray, np.ndarray, np.ndarray | None]:
        spins, missing, names = _spins(X, "X")
        if spins.shape[1] != self.n_features_in_:
            raise ValueError(
                f"'X' has {spins.shape[1]} columns; the model was fitted on {self.n_features_in_}"
            )
        fitted_names = getattr(self, "feature_names_in_", None)
        if names is not None and fitted_names is not None and list(names) != list(fitted_names):
            raise ValueError(
                f"'X' has the columns {list(names)}; the model was fitted on {list(fitted_names)}"
            )
        return spins, missing, names

    def _qpu(self) -> Any:
        """The QPU that samples, if one does."""
        if is_qpu(self.sampler):
            return self.sampler
        if self.sampler is None and is_qpu(self.target):
            return self.target
        return None

    def _start(
        self, num_variables: int, classes: np.ndarray | None, names: np.ndarray | None, seed: int
    ) -> HardwareModel:
        """Target, embedding and the starting model; the fitted attributes that
        describe the data."""
        num_classes = 0 if classes is None else len(classes)
        self.n_features_in_ = num_variables - num_classes
        if names is not None:
            self.feature_names_in_ = names
        if classes is not None:
            self.classes_ = classes
        self._phase = self._negative_phase()
        embedding = self._embedding(num_variables, num_classes, seed)
        self.embedding_ = embedding
        self.target_ = embedding.target
        model = HardwareModel(embedding, seed=seed)
        if isinstance(self._phase, ExactMoments):
            self._phase.validate(model.to_ising(), 1)
        self._initial = model
        self.model_ = model
        return model

    def _target(self, seed: int) -> Target:
        t = self.target
        qpu = self._qpu()
        if t is None and qpu is not None:
            return dwave.target_of(qpu)
        if t is None:
            return hardware.make_target("dw2x", seed)
        if isinstance(t, str):
            return hardware.make_target(t, seed)
        if isinstance(t, Target):
            return t
        if isinstance(t, nx.Graph):
            return hardware.from_networkx(t)
        if is_qpu(t):
            return dwave.target_of(t)
        raise TypeError(
            "'target' must be a preset name, a networkx.Graph, a qsample Target "
            f"or a DWaveSampler: got {type(t).__name__}"
        )

    def _embedding(self, n: int, num_classes: int, seed: int) -> Embedding:
        e = self.embedding
        if isinstance(e, Embedding):
            if self.target is not None and not (
                isinstance(self.target, Target) and self.target == e.target
            ):
                raise ValueError(
                    "'embedding' is an Embedding, which brings its own target: leave 'target' None"
                )
            given = e
        elif isinstance(e, Mapping):
            given = Embedding(
                {v: tuple(c) for v, c in e.items()}, self._target(seed), complete_graph(n)
            )
        elif isinstance(e, str):
            if e not in METHODS:
                raise ValueError(
                    f"'embedding' must be one of {METHODS}, an Embedding or a "
                    f"mapping of chains: value = {e!r}"
                )
            if self.embedding_tries is not None:
                check_positive_int("embedding_tries", self.embedding_tries)
            if self.embedding_time_budget is not None:
                check_number(
                    "embedding_time_budget", self.embedding_time_budget, 0.0, low_open=True
                )
            es = self.embedding_seed
            return embed_variables(
                n - num_classes,
                num_classes,
                self._target(seed),
                e,
                tries=self.embedding_tries,
                seed=seed if es is None else es,
                time_budget=self.embedding_time_budget,
            )
        else:
            raise TypeError(
                "'embedding' must be 'minorminer', 'clique', an Embedding or a "
                f"mapping of chains: got {type(e).__name__}"
            )
        nodes = set(given.source.nodes)
        if nodes != set(range(n)) or given.source.number_of_edges() != n * (n - 1) // 2:
            raise ValueError(
                f"'embedding' must embed K{n} over the logical variables 0 .. "
                f"{n - 1} (the data's columns, then the class units): it embeds "
                f"{len(nodes)} variables and {given.source.number_of_edges()} "
                "couplings"
            )
        return given

    def _negative_phase(self) -> Any:
        s = self.sampler
        params = self.sampler_parameters
        if params is not None and not isinstance(params, Mapping):
            raise TypeError(
                f"'sampler_parameters' must be a mapping of keyword arguments: value = {params!r}"
            )
        qpu = self._qpu()
        if qpu is not None:
            return dwave.qpu_negative_phase(qpu, params)
        if s is None or (isinstance(s, str) and s == "sa"):
            return SampledMoments(None, params)
        if isinstance(s, str) and s == "exact":
            if params:
                raise ValueError("sampler 'exact' takes no 'sampler_parameters'")
            return ExactMoments()
        if isinstance(s, str):
            raise ValueError(
                f"'sampler' must be one of {SAMPLER_NAMES}, a dimod sampler or a "
                f"DWaveSampler: value = {s!r}"
            )
        if isinstance(s, dimod.Sampler):
            return SampledMoments(s, params)
        raise TypeError(
            f"'sampler' must be one of {SAMPLER_NAMES}, a dimod sampler or a "
            f"DWaveSampler: got {type(s).__name__}"
        )

    def _new_trainer(
        self, model: HardwareModel, data: np.ndarray, hyper: Hyperparameters
    ) -> Trainer:
        qpu = self._qpu()
        if qpu is not None:
            return dwave.trainer(
                qpu,
                model,
                data,
                hyper,
                sampler_parameters=self.sampler_parameters,
                seed=self.seed_,
                progress=self.progress,
            )
        return embedded_trainer(
            model, data, self._phase, hyper, seed=self.seed_, progress=self.progress
        )

    def _continued_trainer(self, data: np.ndarray) -> Trainer:
        hyper = self._hyper()
        trainer = self.__dict__.get("trainer_")
        if trainer is None:  # loaded or unpickled: rebuild from the saved state
            state: ckpt.Checkpoint = self._state
            saved = Hyperparameters(**state.meta["hyper"])
            trainer = self._new_trainer(self._initial, data, saved)
            same = ckpt.fingerprint(trainer.data) == state.meta["data_fingerprint"]
            trainer.load_checkpoint(state, same_data=same)
        else:
            extended = self._initial.encode(data)  # the trainer learns from f(data)
            if not np.array_equal(trainer.data, extended):
                trainer.replace_data(extended)
        if hyper != trainer.hyper:
            batches_change = hyper.batch_size != trainer.hyper.batch_size
            trainer.hyper = hyper
            if batches_change:
                trainer.replace_data(trainer.data)
        return trainer

    def _learn(
        self,
        trainer: Trainer,
        count: int,
        callbacks: Sequence[Any],
        checkpoint: Any,
        checkpoint_every: int,
    ) -> None:
        keeper = checkpoint
        if checkpoint is not None and not isinstance(checkpoint, PeriodicCheckpoint):
            keeper = PeriodicCheckpoint(checkpoint, checkpoint_every)
        pairs = []
        for c in callbacks:
            if callable(c):
                every, fn = 1, c
            elif isinstance(c, Sequence) and len(c) == 2:
                every, fn = c
            else:
                raise TypeError(
                    f"'callbacks' must hold callables or (every_k, callable) pairs: got {c!r}"
                )
            pairs.append((check_positive_int("every_k of a callback", every), self._callback(fn)))
        trainer.callbacks = pairs + ([(1, keeper)] if keeper is not None else [])
        trainer.progress = self.progress
        self.trainer_ = trainer
        self.__dict__.pop("_state", None)
        self._sync(trainer)
        if keeper is not None:
            keeper.start(trainer)
        before = trainer.iteration
        try:
            try:
                trainer.run(count)
            except KeyboardInterrupt:
                if keeper is not None and keeper.iteration is not None:
                    keeper.save()
                raise
            if keeper is not None:
                keeper.save()
        finally:
            trainer.callbacks = []
            self._sync(trainer)
        if trainer.stopped and trainer.iteration - before < count:
            warnings.warn(
                f"learning stopped at iteration {trainer.iteration} "
                f"(range_policy 'stop'): {trainer.stopped}",
                UserWarning,
                stacklevel=3,
            )

    def _callback(self, fn: Callback) -> Callable[[Trainer, int], None]:
        if not callable(fn):
            raise TypeError(
                f"'callbacks' must hold callables or (every_k, callable) pairs: got {fn!r}"
            )

        def call(trainer: Trainer, iteration: int) -> None:
            self._sync(trainer)
            fn(self, iteration)

        return call

    def _sync(self, trainer: Trainer) -> None:
        self.model_ = self._initial.with_parameters(trainer.h, trainer.J)
        self.n_iter_ = trainer.iteration
        self.history_ = trainer.history
        self.stopped_ = trainer.stopped
        self.range_policy_ = trainer.hyper.range_policy

    # -- using the model -------------------------------------------------------------------
    def _draw(self) -> ev.Draw:
        if self.__dict__.get("_missing_sampler"):
            raise ValueError(self._missing_sampler_text())
        phase = self._phase
        if isinstance(phase, ExactMoments):  # exact i.i.d. samples at the same beta
            return SampledMoments(ExactSampler(), {"beta": phase.beta}).draw
        return phase.draw

    def _missing_sampler_text(self) -> str:
        return (
            f"this model was trained with {self._missing_sampler}, which a file cannot "
            "hold; load it with EmbeddedBoltzmannMachine.load(path, sampler=...)"
        )

    def _call_seed(self, random_state: Any) -> int:
        return self.seed_ if random_state is None else check_seed(random_state, "random_state")

    def _tie(self, tie: str | None) -> str:
        tie = self.tie if tie is None else tie
        if tie not in TIES:
            raise ValueError(f"'tie' must be one of {TIES}: value = {tie!r}")
        return tie

    @property
    def _num_classes(self) -> int:
        classes = getattr(self, "classes_", None)
        return 0 if classes is None else len(classes)

    def sample(
        self, n_samples: int = 1, *, y: Any = None, tie: str | None = None, random_state: Any = None
    ) -> np.ndarray:
        """``n_samples`` rows drawn from the model by its sampler and decoded by
        majority in each chain: int8 ±1, one column per feature, and for a
        tied chain 0 (``tie="keep"``) or a seeded coin (``"random"``). With
        ``y`` (a class of a model fitted with labels), the class units are held
        one-hot at it: class-conditioned generation. ``random_state`` seeds this
        call (default: the fitted seed, so calls repeat)."""
        self._check_fitted("sample")
        n_samples = check_positive_int("n_samples", n_samples)
        tie = self._tie(tie)
        seed = self._call_seed(random_state)
        model, draw = self.model_, self._draw()
        if y is None:
            decoded = model.decode(draw(model.to_ising(), n_samples, seed), tie=tie, seed=seed)
            return decoded.values[:, : self.n_features_in_]
        classes = getattr(self, "classes_", None)
        if classes is None:
            raise ValueError("this model was fitted without labels: 'y' must be None")
        index = int(_class_index(_labels([y], 1), classes, "y")[0])
        values = np.r_[-np.ones(self.n_features_in_, np.int8), _one_hot([index], len(classes))[0]]
        known = np.r_[np.zeros(self.n_features_in_, bool), np.ones(len(classes), bool)]
        out = ev.conditional_samples(model, values, known, draw, n_samples, seed)
        return _settle(out[:, : self.n_features_in_], tie, seed)

    def _rows(
        self, X: Any, missing: Any, y: Any, *, complete: bool
    ) -> tuple[np.ndarray, np.ndarray]:
        """(logical rows, known mask) for conditioning: the features of ``X``
        known where not missing (NaN or ``missing``), the class units known
        only when ``y`` is given."""
        spins, nan, _ = self._checked_X(X)
        if complete:
            _refuse_missing(nan, "X", "reconstruct (the true values it is scored against)")
        hidden = nan.copy()
        if missing is not None:
            m = np.asarray(missing)
            if m.dtype != bool:
                raise TypeError(f"'missing' must be a boolean mask: got dtype {m.dtype}")
            if m.shape not in ((spins.shape[1],), spins.shape):
                raise ValueError(
                    f"'missing' must have shape ({spins.shape[1]},) or {spins.shape}: got {m.shape}"
                )
            hidden |= m
        # Held entries keep their values; hidden ones are sampled, so what they
        # hold matters only to the scoring (the truth, for reconstruct).
        values = np.where(nan, np.int8(-1), spins).astype(np.int8)
        known = ~hidden
        c = self._num_classes
        if c:
            if y is None:
                block, held = -np.ones((len(values), c), np.int8), np.zeros((len(values), c), bool)
            else:
                index = _class_index(_labels(y, len(values)), self.classes_, "y")
                block, held = _one_hot(index, c), np.ones((len(values), c), bool)
            values = np.concatenate([values, block], axis=1)
            known = np.concatenate([known, held], axis=1)
        elif y is not None:
            raise ValueError("this model was fitted without labels: 'y' must be None")
        return values, known

    def reconstruct(
        self, X: Any, missing: Any, *, y: Any = None, random_state: Any = None, executor: Any = None
    ) -> ev.Reconstruction:
        """Hide the ``missing`` entries of the complete rows ``X`` (a boolean
        mask of X's shape, or of one row for all), fill them as :meth:`impute`
        does and score them against X: an :class:`~qsample.evaluate.Reconstruction`
        with the filled rows (0 where the final vote tied) and, per row, the
        hidden entries that came out wrong and tied. Rows run as tasks of
        ``executor`` (serial by default)."""
        self._check_fitted("reconstruct")
        values, known = self._rows(X, missing, y, complete=True)
        n = self.n_features_in_
        r = ev.reconstruct(
            self.model_,
            values,
            known,
            self._draw(),
            num_reconstructions=self.num_reconstructions,
            seed=self._call_seed(random_state),
            columns=np.arange(n),
            progress=self.progress,
            executor=executor,
        )
        return ev.Reconstruction(r.values[:, :n], r.wrong, r.ties, r.corrupted)

    def impute(
        self,
        X: Any,
        missing: Any = None,
        *,
        y: Any = None,
        random_state: Any = None,
        executor: Any = None,
    ) -> np.ndarray:
        """``X`` with its missing entries (NaN or None, and the True entries of
        ``missing``) filled: the known entries' chains are held, the model is
        sampled ``num_reconstructions`` times, each sample decoded by majority
        in its chains, and each missing entry takes the majority of its samples
        (the paper's reconstruction). int8 ±1; a final vote that ties is 0
        (``tie="keep"``) or a seeded coin (``"random"``). For a model with
        classes, the class units are sampled too unless ``y`` holds them."""
        self._check_fitted("impute")
        values, known = self._rows(X, missing, y, complete=False)
        seed = self._call_seed(random_state)
        r = ev.reconstruct(
            self.model_,
            values,
            known,
            self._draw(),
            num_reconstructions=self.num_reconstructions,
            seed=seed,
            progress=self.progress,
            executor=executor,
        )
        return _settle(r.values[:, : self.n_features_in_], self._tie(None), seed)

    def _votes(self, X: Any, random_state: Any, executor: Any) -> np.ndarray:
        if getattr(self, "classes_", None) is None:
            raise ValueError(
                "this model was fitted without labels: predict needs one fitted with 'y'"
            )
        samples = check_positive_int("classification_samples", self.classification_samples)
        values, known = self._rows(X, None, None, complete=False)
        return ev.class_votes(
            self.model_,
            values,
            known,
            len(self.classes_),
            self._draw(),
            num_samples=samples,
            seed=self._call_seed(random_state),
            progress=self.progress,
            executor=executor,
        )

    def predict(self, X: Any, *, random_state: Any = None, executor: Any = None) -> np.ndarray:
        """The class of each row: its known entries' chains are held, the class
        chains sampled ``classification_samples`` times, and the class whose
        unit is on most often wins (the lowest on a tie). Missing entries (NaN)
        are sampled, not held. Rows run as tasks of ``executor``."""
        self._check_fitted("predict")
        votes = self._votes(X, random_state, executor)
        return self.classes_[np.argmax(votes, axis=1)]

    def predict_proba(
        self, X: Any, *, random_state: Any = None, executor: Any = None
    ) -> np.ndarray:
        """(rows, classes) the share of the class-chain samples voting for each
        class (as in :meth:`predict`: a sample with several units on splits its
        vote, one with none abstains); uniform for a row whose samples all
        abstain. Columns in the order of ``classes_``."""
        self._check_fitted("predict_proba")
        votes = self._votes(X, random_state, executor)
        total = votes.sum(axis=1, keepdims=True)
        uniform = np.full_like(votes, 1.0 / votes.shape[1])
        return np.divide(votes, total, out=uniform, where=total > 0)

    def score(self, X: Any, y: Any = None, *, executor: Any = None) -> float:
        """Higher is better. For a model fitted with labels: the accuracy of
        :meth:`predict` on ``(X, y)`` (y required). Without labels: the mean
        log-likelihood of the rows of ``X`` in nats per row, log P(v) under the
        Boltzmann distribution of the learned physical model at beta = 1 (the
        end of qsample's learning schedule; for a sampler with a temperature of
        its own, such as a QPU, it scores the parameters, not the device), each
        row summing the states whose chains decode to it; by annealed importance
        sampling (``log_likelihood_runs`` runs of ``log_likelihood_steps``
        steps for log Z, and per distinct row for its misaligned chains), see
        :func:`qsample.likelihood.logical_log_likelihood`."""
        self._check_fitted("score")
        if getattr(self, "classes_", None) is not None:
            if y is None:
                raise ValueError(
                    "this model was fitted with labels: score(X, y) is the "
                    "accuracy of predict; give 'y'"
                )
            labels = _labels(y, None)
            predicted = self.predict(X, executor=executor)
            if len(labels) != len(predicted):
                raise ValueError(f"'y' has {len(labels)} labels for {len(predicted)} rows")
            return float(np.mean(predicted == labels))
        from .likelihood import logical_log_likelihood

        spins, missing, _ = self._checked_X(X)
        _refuse_missing(missing, "X", "score")
        runs = check_positive_int("log_likelihood_runs", self.log_likelihood_runs)
        steps = check_positive_int("log_likelihood_steps", self.log_likelihood_steps)
        ll = logical_log_likelihood(
            self.model_,
            spins,
            num_runs=runs,
            num_steps=steps,
            chain_runs=max(16, runs // 8),
            chain_steps=steps,
            seed=self.seed_,
            progress=self.progress,
        )
        return ll.mean

    # -- files ----------------------------------------------------------------------------
    def save(self, path: str | os.PathLike) -> None:
        """One ``.npz`` file (written atomically): the settings, the embedding and
        its target, the learned parameters, the classes, and the learning state
        (momentum, random stream, mini-batch position, history), so that
        :meth:`load` gives the same model in a fresh process and ``partial_fit``
        on the same rows goes on exactly. A sampler object (a dimod sampler, a
        QPU) cannot be kept: it is named, and given again to :meth:`load`."""
        self._check_fitted("save")
        trainer = self.__dict__.get("trainer_")
        state = self._state if trainer is None else ckpt.capture(trainer, ckpt.snapshot(trainer))
        ckpt.save(path, state, self._file_extra())

    def _file_extra(self) -> dict[str, Any]:
        extra: dict[str, Any] = {
            "format": FILE_FORMAT,
            "params": {k: _setting_json(v) for k, v in self.get_params(deep=False).items()},
            "embedding": self.embedding_.to_dict(),
            "n_features_in": int(self.n_features_in_),
            "seed": int(self.seed_),
            "range_policy": self.range_policy_,
            "missing_sampler": self.__dict__.get("_missing_sampler"),
        }
        names = getattr(self, "feature_names_in_", None)
        if names is not None:
            extra["feature_names"] = [str(n) for n in names]
        classes = getattr(self, "classes_", None)
        if classes is not None:
            extra["classes"] = np.asarray(classes)
        return extra

    def __getstate__(self) -> dict[str, Any]:
        """Pickles without the live trainer (its state instead, as in :meth:`save`)."""
        state = dict(self.__dict__)
        trainer = state.pop("trainer_", None)
        if trainer is not None:
            state["_state"] = ckpt.capture(trainer, ckpt.snapshot(trainer))
        return state

    @classmethod
    def load(cls, path: str | os.PathLike, *, sampler: Any = None) -> EmbeddedBoltzmannMachine:
        """The estimator :meth:`save` wrote. ``sampler``: the sampler object the
        model was trained with when it was one (a file cannot hold it);
        ``ValueError`` naming the file for anything else."""
        c = ckpt.read_checkpoint(path, FILE_WHAT)
        extra = c.extra
        if extra.get("format") != FILE_FORMAT:
            raise ValueError(
                f"{path} is not {FILE_WHAT}"
                + (" (it is a trainer checkpoint)" if "format" not in extra else "")
            )
        try:
            embedding = Embedding.from_dict(extra["embedding"])
            params = dict(extra["params"])
            n_features = int(extra["n_features_in"])
            seed = int(extra["seed"])
            range_policy = str(extra["range_policy"])
            names = extra.get("feature_names")
            classes = extra.get("classes")
        except (KeyError, TypeError, ValueError) as e:
            what = f"no {e} entry" if isinstance(e, KeyError) else str(e)
            raise ValueError(f"{path} is not {FILE_WHAT}: {what}") from None
        missing = extra.get("missing_sampler")
        unknown = sorted(set(params) - set(cls._param_names()))
        if unknown:
            raise ValueError(f"{path}: {unknown} are not settings of {cls.__name__}")
        objects = {k for k, v in params.items() if isinstance(v, dict) and "object" in v}
        if "sampler" in objects:
            missing = params["sampler"]["object"] if sampler is None else None
            params["sampler"] = sampler
        elif sampler is not None:
            raise ValueError(
                f"{path} was trained with the sampler {params.get('sampler')!r}; "
                "'sampler' is for models trained with a sampler object"
            )
        if "target" in objects:
            params["target"] = None if "embedding" in objects else embedding.target
        if "embedding" in objects:
            params["embedding"] = embedding
        if "random_state" in objects:
            params["random_state"] = seed
        est = cls(**params)
        try:
            model = HardwareModel(embedding, c.arrays["h"], c.arrays["J"])
        except ValueError as e:
            raise ValueError(f"{path}: {e}") from None
        if model.layout.num_logical != n_features + (0 if classes is None else len(classes)):
            raise ValueError(f"{path}: the embedding does not match the features and classes")
        est.seed_ = seed
        est.n_features_in_ = n_features
        if names is not None:
            est.feature_names_in_ = np.array(names, dtype=object)
        if classes is not None:
            est.classes_ = np.asarray(classes)
        est.embedding_ = embedding
        est.target_ = embedding.target
        est.model_ = model
        est.n_iter_ = c.iteration
        est.history_ = History(**c.meta["history"])
        est.stopped_ = c.meta["stopped"]
        est.range_policy_ = range_policy
        est._state = c
        est._initial = model
        est._structure = est._structure_settings()
        if missing:
            est._missing_sampler = missing
        else:
            est._phase = est._negative_phase()
        return est


# -- data ---------------------------------------------------------------------------------
def _spins(X: Any, name: str) -> tuple[np.ndarray, np.ndarray, np.ndarray | None]:
    """Spins, missing mask and column names (of a DataFrame whose names are all text)."""
    spins, missing = as_spins(X, name)
    columns = getattr(X, "columns", None)
    names = None
    if (
        columns is not None
        and type(X).__module__.split(".")[0] == "pandas"
        and all(isinstance(c, str) for c in columns)
    ):
        names = np.array(list(columns), dtype=object)
    return spins, missing, names


def _refuse_missing(missing: np.ndarray, name: str, use: str) -> None:
    if missing.any():
        r, c = (int(i) for i in np.argwhere(missing)[0])
        raise ValueError(
            f"'{name}' has a missing entry at row {r}, column {c}; {use} needs "
            "complete rows (fill them with impute, or drop them)"
        )


def _labels(y: Any, num_rows: int | None) -> np.ndarray:
    """Class labels as a 1-D array (one per row when ``num_rows`` is given)."""
    values = y.to_numpy() if hasattr(y, "to_numpy") else y
    labels = np.asarray(values)
    if labels.ndim == 2 and labels.shape[1] == 1:
        labels = labels.ravel()
    if labels.ndim != 1:
        raise ValueError(f"'y' must be one label per row (1-D): shape {labels.shape}")
    if num_rows is not None and len(labels) != num_rows:
        raise ValueError(f"'y' has {len(labels)} labels for {num_rows} rows")
    if labels.dtype.kind == "f":
        if np.isnan(labels).any():
            raise ValueError(f"'y' is missing the label of row {int(np.argmax(np.isnan(labels)))}")
        fractional = labels != np.round(labels)
        if fractional.any():
            r = int(np.argmax(fractional))
            raise ValueError(
                f"'y' must hold class labels: row {r} holds {labels[r]!r}, a "
                "continuous value (Unknown label type: continuous)"
            )
    if labels.dtype.kind == "O":
        for r, v in enumerate(labels):
            if v is None or (isinstance(v, float) and np.isnan(v)):
                raise ValueError(f"'y' is missing the label of row {r}")
        try:
            labels = np.asarray(labels.tolist())
        except (TypeError, ValueError):
            pass
        if labels.dtype.kind == "O":
            raise TypeError("'y' must hold labels of one kind (numbers or texts)")
    return labels


def _class_index(labels: np.ndarray, classes: np.ndarray, name: str) -> np.ndarray:
    try:
        index = np.searchsorted(classes, labels)
    except TypeError:  # numbers against texts
        raise ValueError(
            f"'{name}' holds labels of another kind ({labels.dtype}) than the "
            f"classes {classes.tolist()}"
        ) from None
    index = np.minimum(index, len(classes) - 1)
    unknown = classes[index] != labels
    if np.any(unknown):
        r = int(np.argmax(unknown))
        label = labels[r].item() if isinstance(labels[r], np.generic) else labels[r]
        raise ValueError(
            f"'{name}' holds the label {label!r} (row {r}), which is not one "
            f"of the classes {classes.tolist()}"
        )
    return index


def _one_hot(index: Any, num_classes: int) -> np.ndarray:
    index = np.asarray(index)
    block = -np.ones((len(index), num_classes), dtype=np.int8)
    block[np.arange(len(index)), index] = 1
    return block


def _settle(values: np.ndarray, tie: str, seed: int) -> np.ndarray:
    """Ties (0) as they are (``keep``) or as a seeded coin (``random``)."""
    out = np.ascontiguousarray(values, dtype=np.int8)
    ties = out == 0
    if tie == "random" and ties.any():
        out = out.copy()
        out[ties] = np.random.default_rng(seed).choice(np.array([-1, 1], np.int8), int(ties.sum()))
    return out


# -- settings in files ----------------------------------------------------------------------
def _setting_json(value: Any) -> Any:
    """A setting as JSON: plain values as they are; an object by its class name
    (the file holds what it stood for: the embedding, its target, the seed)."""
    if value is None or isinstance(value, (bool, str)):
        return value
    if isinstance(value, Integral):
        return int(value)
    if isinstance(value, float):
        return value
    if (
        isinstance(value, Mapping)
        and all(isinstance(k, str) for k in value)
        and not isinstance(value, Embedding)
    ):
        try:
            import json

            from . import _files

            return json.loads(json.dumps(dict(value), default=_files.json_default))
        except TypeError:
            pass
    return {"object": type(value).__name__}


def _same_setting(a: Any, b: Any) -> bool:
    if a is b:
        return True
    try:
        return bool(a == b)
    except Exception:  # arrays and odd objects compare oddly
        return False
